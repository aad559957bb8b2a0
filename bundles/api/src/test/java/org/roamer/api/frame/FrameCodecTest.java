/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {
    private static final FrameLimits LIMITS = FrameLimits.DEFAULT;

    private static FrameException refused(byte[] bytes) {
        return refused(bytes, LIMITS);
    }

    private static FrameException refused(byte[] bytes, FrameLimits limits) {
        Throwable t = catchThrowable(() -> FrameCodec.decode(bytes, limits));
        assertThat(t).isExactlyInstanceOf(FrameException.class);
        assertThat(t.getMessage()).isNotBlank();
        return (FrameException) t;
    }

    @Test
    void roundTripsEveryField() throws Exception {
        Frame f = new Frame(MessageType.TRANSFER_DATA, Frame.LAST | Frame.REPLY, 0x0102030405060708L, -5L,
                Long.MAX_VALUE, "alice.b-c_d", new byte[]{0, (byte) 0xFF, 42});
        byte[] bytes = FrameCodec.encode(f);
        assertThat(bytes).hasSize(f.wireSize()).hasSize(FrameCodec.HEADER_SIZE + 11 + 3);
        Frame back = FrameCodec.decode(bytes, LIMITS);
        assertThat(back).isEqualTo(f);
        assertThat(back.has(Frame.LAST)).isTrue();
        assertThat(back.has(Frame.FORWARDED)).isFalse();
        assertThat(FrameCodec.encode(back)).isEqualTo(bytes);
    }

    @Test
    void writesTheDocumentedLayout() {
        Frame f = new Frame(MessageType.MIGRATE, 0x0102, 1L, 2L, 3L, "m1", new byte[]{9});
        ByteBuffer b = ByteBuffer.wrap(FrameCodec.encode(f));
        assertThat(b.getShort()).isEqualTo((short) 0x524D);
        assertThat(b.get()).isEqualTo((byte) 1);
        assertThat(b.get()).isEqualTo((byte) MessageType.MIGRATE.code());
        assertThat(b.getShort()).isEqualTo((short) 0x0102);
        assertThat(b.get()).isEqualTo((byte) 2);
        assertThat(b.get()).isZero();
        assertThat(b.getLong()).isEqualTo(1L);
        assertThat(b.getLong()).isEqualTo(2L);
        assertThat(b.getLong()).isEqualTo(3L);
        assertThat(b.getInt()).isEqualTo(1);
        assertThat(b.get()).isEqualTo((byte) 'm');
        assertThat(b.get()).isEqualTo((byte) '1');
        assertThat(b.get()).isEqualTo((byte) 9);
        assertThat(b.hasRemaining()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyMessageTypeRoundTripsEmpty(MessageType type) throws Exception {
        Frame f = Frame.of(type, 0, "", null);
        byte[] bytes = FrameCodec.encode(f);
        assertThat(bytes).hasSize(FrameCodec.HEADER_SIZE);
        assertThat(FrameCodec.decode(bytes, LIMITS)).isEqualTo(f);
        assertThat(MessageType.ofCode(type.code())).isSameAs(type);
    }

    @Test
    void messageTypeCodesAreUniqueAndInRange() {
        Set<Integer> codes = new HashSet<>();
        for (MessageType t : MessageType.values()) {
            assertThat(t.code()).isBetween(1, 63);
            assertThat(codes.add(t.code())).as("code of %s is unique", t).isTrue();
        }
        assertThat(MessageType.ofCode(0)).isNull();
        assertThat(MessageType.ofCode(-1)).isNull();
        assertThat(MessageType.ofCode(64)).isNull();
        assertThat(MessageType.ofCode(255)).isNull();
    }

    @Test
    void streamReaderPathMatchesWholeFrameDecode() throws Exception {
        Frame a = new Frame(MessageType.AGENT_MESSAGE, Frame.FORWARDED, 1, 2, 3, "bob", new byte[100]);
        Frame b = Frame.of(MessageType.ACK, 4, "", null);
        ByteBuffer stream = ByteBuffer.allocate(a.wireSize() + b.wireSize());
        FrameCodec.encode(a, stream);
        FrameCodec.encode(b, stream);
        stream.flip();
        FrameHeader h1 = FrameCodec.decodeHeader(stream, LIMITS);
        assertThat(h1.bodyLength()).isEqualTo(3 + 100);
        assertThat(FrameCodec.decodeBody(h1, stream)).isEqualTo(a);
        assertThat(FrameCodec.decodeBody(FrameCodec.decodeHeader(stream, LIMITS), stream)).isEqualTo(b);
        assertThat(stream.hasRemaining()).isFalse();
    }

    @Test
    void validBuilderBytesDecode() throws Exception {
        Frame f = FrameCodec.decode(Frames.valid().bytes(), LIMITS);
        assertThat(f).isEqualTo(new Frame(MessageType.HELLO, 0, 11, 22, 33, "alice", new byte[]{1, 2, 3}));
    }

    @Test
    void badMagicRefused() {
        assertThat(refused(Frames.valid().set(f -> f.magic = 0x4D52).bytes())).hasMessage("bad magic 0x4d52");
        assertThat(refused("GET / HTTP/1.1\r\nHost: x\r\n\r\n....................".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageStartingWith("bad magic");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 255})
    void unsupportedVersionRefused(int version) {
        assertThat(refused(Frames.valid().set(f -> f.version = version).bytes()))
                .hasMessage("unsupported frame version " + version + " (this node speaks 1)");
    }

    @Test
    void unknownTypeRefused() {
        int unknown = 0;
        for (int code = 0; code <= 255; code++) {
            if (MessageType.ofCode(code) == null) {
                int c = code;
                assertThat(refused(Frames.valid().set(f -> f.type = c).bytes()))
                        .hasMessage("unknown message type " + code);
                unknown++;
            }
        }
        assertThat(unknown).isGreaterThanOrEqualTo(256 - 63);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 0x80, 0xFF})
    void nonZeroReservedByteRefused(int reserved) {
        assertThat(refused(Frames.valid().set(f -> f.reserved = reserved).bytes()))
                .hasMessage("reserved header byte is not 0");
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 128, 255})
    void mobileLengthOver64Refused(int length) {
        byte[] mobile = new byte[length];
        Arrays.fill(mobile, (byte) 'a');
        assertThat(refused(Frames.valid().set(f -> f.mobile = mobile).bytes()))
                .hasMessage("mobile id length " + length + " > 64");
    }

    @Test
    void mobileOf64Accepted() throws Exception {
        String m = "m".repeat(64);
        assertThat(FrameCodec.decode(FrameCodec.encode(Frame.of(MessageType.LOCATE, 1, m, null)), LIMITS).mobile())
                .isEqualTo(m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-alice", ".a", "_a", "al ice", "al/ice", "al:ice", "al\u0000ice", "a\u007f"})
    void invalidMobileCharactersRefused(String mobile) {
        byte[] ascii = mobile.getBytes(StandardCharsets.US_ASCII);
        assertThat(refused(Frames.valid().set(f -> f.mobile = ascii).bytes())).hasMessage("invalid mobile id in frame");
    }

    @Test
    void nonAsciiMobileRefused() {
        byte[] utf8 = "alïce".getBytes(StandardCharsets.UTF_8);
        assertThat(refused(Frames.valid().set(f -> f.mobile = utf8).bytes())).hasMessage("invalid mobile id in frame");
        byte[] high = {'a', (byte) 0xE1};
        assertThat(refused(Frames.valid().set(f -> f.mobile = high).bytes())).hasMessage("invalid mobile id in frame");
    }

    @Test
    void controlPayloadOverTheControlLimitRefused() throws Exception {
        FrameLimits small = new FrameLimits(16, 1024);
        byte[] over = Frames.valid().set(f -> f.payload = new byte[17]).bytes();
        assertThat(refused(over, small)).hasMessage("payload length 17 of HELLO exceeds limit 16");
        assertThat(FrameCodec.decode(Frames.valid().set(f -> f.payload = new byte[16]).bytes(), small).payload())
                .hasSize(16);
    }

    @Test
    void dataPayloadMayUseTheDataLimitButNotMore() throws Exception {
        FrameLimits small = new FrameLimits(16, 1024);
        int data = MessageType.TRANSFER_DATA.code();
        assertThat(FrameCodec.decode(Frames.valid().set(f -> {
            f.type = data;
            f.payload = new byte[1024];
        }).bytes(), small).payload()).hasSize(1024);
        assertThat(refused(Frames.valid().set(f -> {
            f.type = data;
            f.payload = new byte[1025];
        }).bytes(), small)).hasMessage("payload length 1025 of TRANSFER_DATA exceeds limit 1024");
    }

    @Test
    void negativePayloadLengthRefused() {
        assertThat(refused(Frames.valid().set(f -> f.payloadLength = Integer.MIN_VALUE).header()))
                .hasMessageContaining("payload length -2147483648");
        assertThat(refused(Frames.valid().set(f -> f.payloadLength = -2).header()))
                .hasMessageContaining("exceeds limit");
    }

    @Test
    void headerClaiming2GigabytesRefusedBeforeAllocating() {
        // default limits: refused by the limit check, from the header alone
        byte[] header = Frames.valid().set(f -> {
            f.type = MessageType.TRANSFER_DATA.code();
            f.payloadLength = Integer.MAX_VALUE;
        }).header();
        assertThat(refused(header)).hasMessage("payload length 2147483647 of TRANSFER_DATA exceeds limit 1048576");
        Throwable t = catchThrowable(() -> FrameCodec.decodeHeader(ByteBuffer.wrap(header), LIMITS));
        assertThat(t).isExactlyInstanceOf(FrameException.class);

        // limits that allow it: the missing body is noticed before anything is allocated
        FrameLimits huge = new FrameLimits(0, FrameLimits.MAX_LIMIT);
        byte[] claims = Frames.valid().set(f -> {
            f.type = MessageType.TRANSFER_DATA.code();
            f.payloadLength = FrameLimits.MAX_LIMIT;
        }).bytes();
        assertThat(refused(claims, huge)).hasMessageStartingWith("truncated frame");
        Throwable body = catchThrowable(() -> {
            ByteBuffer in = ByteBuffer.wrap(claims);
            FrameCodec.decodeBody(FrameCodec.decodeHeader(in, huge), in);
        });
        assertThat(body).isExactlyInstanceOf(FrameException.class).hasMessageStartingWith("truncated body");
    }

    @Test
    void truncatedHeaderRefusedAtEveryLength() {
        byte[] full = Frames.valid().bytes();
        for (int n = 0; n < FrameCodec.HEADER_SIZE; n++) {
            assertThat(refused(Arrays.copyOf(full, n))).hasMessage("truncated header: " + n + " of 36 bytes");
        }
    }

    @Test
    void truncatedBodyRefusedAtEveryLength() {
        byte[] full = Frames.valid().bytes();
        for (int n = FrameCodec.HEADER_SIZE; n < full.length; n++) {
            assertThat(refused(Arrays.copyOf(full, n))).hasMessageStartingWith("truncated frame: body "
                    + (n - FrameCodec.HEADER_SIZE) + " bytes, header says 8");
            ByteBuffer in = ByteBuffer.wrap(Arrays.copyOf(full, n));
            assertThatThrownBy(() -> FrameCodec.decodeBody(FrameCodec.decodeHeader(in, LIMITS), in))
                    .isExactlyInstanceOf(FrameException.class).hasMessageStartingWith("truncated body");
        }
    }

    @Test
    void trailingBytesRefused() {
        byte[] full = Frames.valid().bytes();
        assertThat(refused(Arrays.copyOf(full, full.length + 1)))
                .hasMessage("oversized frame: body 9 bytes, header says 8");
    }

    @Test
    void encodeRefusesAnInvalidMobile() {
        assertThatThrownBy(() -> FrameCodec.encode(Frame.of(MessageType.PAGE, 1, "bad mobile", null)))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad mobile");
        assertThatThrownBy(() -> FrameCodec.encode(Frame.of(MessageType.PAGE, 1, "m".repeat(65), null)))
                .isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void frameAndLimitsValidateTheirFields() {
        assertThatThrownBy(() -> new Frame(null, 0, 0, 0, 0, "", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Frame(MessageType.ACK, 0x10000, 0, 0, 0, "", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Frame(MessageType.ACK, -1, 0, 0, 0, "", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameLimits(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameLimits(10, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FrameLimits.DEFAULT.limitFor(MessageType.BUFFERED)).isEqualTo(1024 * 1024);
        assertThat(FrameLimits.DEFAULT.limitFor(MessageType.MIGRATE)).isEqualTo(64 * 1024);
        Frame nulls = new Frame(MessageType.ACK, 0, 0, 0, 0, null, null);
        assertThat(nulls.mobile()).isEmpty();
        assertThat(nulls.payload()).isEmpty();
    }

    @Test
    void equalityIsByContent() {
        Frame a = new Frame(MessageType.ACK, 1, 2, 3, 4, "m", new byte[]{1});
        Frame b = new Frame(MessageType.ACK, 1, 2, 3, 4, "m", new byte[]{1});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new Frame(MessageType.ACK, 1, 2, 3, 5, "m", new byte[]{1}));
        assertThat(a).isNotEqualTo(new Frame(MessageType.ACK, 1, 2, 3, 4, "m", new byte[]{2}));
        assertThat(a.toString()).contains("ACK").contains("payload=1B");
    }

    @Test
    void limitsAboveSixtyFourMebibytesAreRefused() {
        assertThatThrownBy(() -> new FrameLimits(1024, Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new FrameLimits(1024, FrameLimits.MAX_LIMIT).maxDataPayload()).isEqualTo(FrameLimits.MAX_LIMIT);
    }

    @Test
    void aBodyLengthThatWouldOverflowAnIntIsTruncationNotAllocation() {
        FrameHeader huge = new FrameHeader(MessageType.TRANSFER_DATA, 0, 0, 0, 0, 64, Integer.MAX_VALUE);
        assertThatThrownBy(() -> FrameCodec.decodeBody(huge, ByteBuffer.allocate(100)))
                .isInstanceOf(FrameException.class).hasMessageContaining("truncated body");
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class FrameCodecPropertiesTest {
    private static final FrameLimits LIMITS = new FrameLimits(512, 4096);

    @Property(tries = 1000)
    void anyValidFrameRoundTrips(@ForAll("frames") Frame frame) throws Exception {
        byte[] bytes = FrameCodec.encode(frame);
        assertThat(bytes).hasSize(frame.wireSize());
        Frame back = FrameCodec.decode(bytes, LIMITS);
        assertThat(back).isEqualTo(frame);
        assertThat(back.flags()).isEqualTo(frame.flags());
        assertThat(back.epoch()).isEqualTo(frame.epoch());
        assertThat(back.seq()).isEqualTo(frame.seq());
        assertThat(FrameCodec.encode(back)).isEqualTo(bytes);
    }

    @Property(tries = 500)
    void anyStrictPrefixFailsWithFrameException(@ForAll("frames") Frame frame,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int cut) {
        byte[] bytes = FrameCodec.encode(frame);
        byte[] prefix = Arrays.copyOf(bytes, cut % bytes.length);
        assertThatThrownBy(() -> FrameCodec.decode(prefix, LIMITS)).isExactlyInstanceOf(FrameException.class);
        ByteBuffer stream = ByteBuffer.wrap(prefix);
        assertThatThrownBy(() -> FrameCodec.decodeBody(FrameCodec.decodeHeader(stream, LIMITS), stream))
                .isExactlyInstanceOf(FrameException.class);
    }

    @Property(tries = 300)
    void anyTrailingBytesFailWithFrameException(@ForAll("frames") Frame frame,
            @ForAll @Size(min = 1, max = 64) byte[] extra) {
        byte[] bytes = FrameCodec.encode(frame);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + extra.length);
        System.arraycopy(extra, 0, longer, bytes.length, extra.length);
        assertThatThrownBy(() -> FrameCodec.decode(longer, LIMITS)).isExactlyInstanceOf(FrameException.class)
                .hasMessageStartingWith("oversized frame");
    }

    @Property(tries = 1000)
    void anyCorruptedHeaderByteIsRefusedOrDecodesToExactlyThoseBytes(@ForAll("frames") Frame frame,
            @ForAll @IntRange(min = 0, max = FrameCodec.HEADER_SIZE - 1) int at, @ForAll byte value) {
        byte[] bytes = FrameCodec.encode(frame);
        bytes[at] = value;
        Frame decoded;
        try {
            decoded = FrameCodec.decode(bytes, LIMITS);
        } catch (FrameException refused) {
            return;
        }
        assertThat(FrameCodec.encode(decoded)).isEqualTo(bytes);
    }

    @Property(tries = 200)
    void framesBackToBackInAStreamDecodeInOrder(@ForAll("frames") Frame a, @ForAll("frames") Frame b)
            throws Exception {
        ByteBuffer stream = ByteBuffer.allocate(a.wireSize() + b.wireSize());
        FrameCodec.encode(a, stream);
        FrameCodec.encode(b, stream);
        stream.flip();
        assertThat(FrameCodec.decodeBody(FrameCodec.decodeHeader(stream, LIMITS), stream)).isEqualTo(a);
        assertThat(FrameCodec.decodeBody(FrameCodec.decodeHeader(stream, LIMITS), stream)).isEqualTo(b);
        assertThat(stream.hasRemaining()).isFalse();
    }

    @Provide
    Arbitrary<Frame> frames() {
        Arbitrary<MessageType> type = Arbitraries.of(MessageType.class);
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Long> ids = Arbitraries.longs();
        Arbitrary<String> mobile = Arbitraries.oneOf(Arbitraries.just(""), mobileId());
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(LIMITS.maxControlPayload());
        return Combinators.combine(type, flags, ids, ids, ids, mobile, payload).as(Frame::new);
    }

    /** Letters, digits and _ . - not first; 1-64 characters. */
    private static Arbitrary<String> mobileId() {
        Arbitrary<Character> first = Arbitraries.chars().alpha().numeric();
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars('_', '.', '-')
                .ofMaxLength(FrameCodec.MAX_MOBILE - 1);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }
}

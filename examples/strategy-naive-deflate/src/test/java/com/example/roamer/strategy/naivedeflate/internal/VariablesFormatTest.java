package com.example.roamer.strategy.naivedeflate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

class VariablesFormatTest {
    private static final MobileId ALICE = MobileId.of("alice");
    private static final Profile VIDEO = new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"), null);
    private static final ActiveCall VOICE_CALL = new ActiveCall("call-17", CallType.VOICE, List.of(MobileId.of("bob")),
            true, "rp-2");

    private static MigrationVariables idle() {
        return new MigrationVariables(ALICE, Profile.defaults(), List.of(), null, 0);
    }

    private static MigrationVariables inCall() {
        return new MigrationVariables(ALICE, VIDEO, List.of(VOICE_CALL), "rp-2", 42);
    }

    @Test
    void roundTripsEveryField() throws Exception {
        Profile profile = new Profile(false, Set.of("fax"), Set.of("mail", "xserver"), MobileId.of("voicemail-1"));
        List<ActiveCall> calls = List.of(
                new ActiveCall("c1", CallType.VIDEO, List.of(MobileId.of("bob"), MobileId.of("bob")), false, null),
                new ActiveCall("c2", CallType.DATA, List.of(), true, "rp-9"),
                new ActiveCall("c3", CallType.FAX, List.of(MobileId.of("dave")), false, "rp 9/\u00fc\ud83d\udcf6"));
        for (MigrationVariables vars : List.of(idle(), inCall(),
                new MigrationVariables(ALICE, profile, calls, "rp-1", Long.MAX_VALUE))) {
            assertThat(VariablesFormat.decode(VariablesFormat.encode(vars), ALICE)).isEqualTo(vars);
        }
    }

    @Test
    void sizes() throws Exception {
        ActiveCall conference = new ActiveCall("call-18", CallType.VOICE,
                List.of(MobileId.of("bob"), MobileId.of("carol"), MobileId.of("dave")), false, "rp-2");
        List<MigrationVariables> cases = List.of(idle(), new MigrationVariables(ALICE, VIDEO, List.of(), "rp-2", 42),
                new MigrationVariables(ALICE, Profile.defaults(), List.of(VOICE_CALL), "rp-2", 0), inCall(),
                new MigrationVariables(ALICE, VIDEO, List.of(conference), "rp-2", 42));
        String[] labels = {"idle, default profile", "idle, video profile", "in a voice call, default profile",
            "in a voice call, video profile", "in a 4-party call, video profile"};
        int previous = 0;
        for (int i = 0; i < cases.size(); i++) {
            byte[] chunk = VariablesFormat.encode(cases.get(i));
            String coding = chunk[3] == VariablesFormat.CODING_DEFLATED ? "deflated" : "stored";
            System.out.printf("naive-deflate %-34s %4d bytes (%s)%n", labels[i] + ":", chunk.length, coding);
            assertThat(chunk.length).isLessThan(100);
            if (i == 0) {
                previous = chunk.length;
            }
        }
        assertThat(previous).isLessThan(VariablesFormat.encode(inCall()).length);
    }

    @Test
    void compressesWhatRepeats() throws Exception {
        List<ActiveCall> calls = List.of(
                new ActiveCall("call-1", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2"),
                new ActiveCall("call-2", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2"),
                new ActiveCall("call-3", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2"));
        byte[] chunk = VariablesFormat.encode(new MigrationVariables(ALICE, VIDEO, calls, "rp-2", 42));
        assertThat(chunk[3]).isEqualTo((byte) VariablesFormat.CODING_DEFLATED);
        assertThat(chunk.length).isLessThan(bodyLength(chunk));
    }

    @Test
    void everySingleByteChangeRefused() throws Exception {
        byte[] chunk = VariablesFormat.encode(inCall());
        for (int i = 0; i < chunk.length; i++) {
            for (int v = 0; v < 256; v++) {
                if (v != (chunk[i] & 0xff)) {
                    byte[] garbled = chunk.clone();
                    garbled[i] = (byte) v;
                    assertThatThrownBy(() -> VariablesFormat.decode(garbled, ALICE))
                            .isExactlyInstanceOf(MigrationException.class);
                }
            }
        }
    }

    @Test
    void everyTruncationRefused() throws Exception {
        byte[] chunk = VariablesFormat.encode(inCall());
        for (int n = 0; n < chunk.length; n++) {
            byte[] cut = Arrays.copyOf(chunk, n);
            assertThatThrownBy(() -> VariablesFormat.decode(cut, ALICE)).isExactlyInstanceOf(MigrationException.class);
        }
    }

    @Test
    void checksumVerifiedFirst() throws Exception {
        byte[] chunk = VariablesFormat.encode(idle());
        chunk[chunk.length - 1] ^= 1;
        assertThatThrownBy(() -> VariablesFormat.decode(chunk, ALICE)).hasMessageStartingWith("checksum mismatch");
    }

    @Test
    void otherMobileRefused() throws Exception {
        byte[] chunk = VariablesFormat.encode(idle());
        assertThatThrownBy(() -> VariablesFormat.decode(chunk, MobileId.of("bob"))).hasMessageContaining("alice")
                .hasMessageContaining("bob");
    }

    @Test
    void newerVersionRefusedWithAReason() throws Exception {
        byte[] body = body(idle());
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(2, 0, body.length, body), ALICE))
                .hasMessageContaining("format v2").hasMessageContaining("newer");
    }

    @Test
    void unknownExtensionsAreSkipped() throws Exception {
        byte[] body = body(idle());
        byte[] newer = Arrays.copyOf(body, body.length + 6);
        System.arraycopy(new byte[] {7, 4, 'q', 'o', 's', '!'}, 0, newer, body.length, 6);
        assertThat(VariablesFormat.decode(chunk(1, 0, newer.length, newer), ALICE)).isEqualTo(idle());
        byte[] runsOver = Arrays.copyOf(body, body.length + 3);
        System.arraycopy(new byte[] {7, 4, 'q'}, 0, runsOver, body.length, 3);
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 0, runsOver.length, runsOver), ALICE))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("extension 7");
    }

    @Test
    void malformedBodiesRefused() throws Exception {
        byte[] body = body(idle());
        byte[] badFlags = body.clone();
        badFlags[6] |= (byte) 0x80; // after "\5alice": the flags
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 0, badFlags.length, badFlags), ALICE))
                .hasMessageContaining("unknown flags");
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 0, body.length + 1, body), ALICE))
                .hasMessageContaining("header says");
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 9, body.length, body), ALICE))
                .hasMessageContaining("unknown naive-deflate coding");
        byte[] notUtf8 = body.clone();
        notUtf8[1] = (byte) 0xc3;
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 0, notUtf8.length, notUtf8), ALICE))
                .hasMessageContaining("UTF-8");
        byte[] lie = body.clone();
        lie[0] = 60; // the mobile id claims 60 bytes
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 0, lie.length, lie), ALICE))
                .hasMessageContaining("past the end");
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 0, 1 << 20, new byte[0]), ALICE))
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void inflationBoundedByTheDeclaredLength() throws Exception {
        byte[] bomb = deflate(new byte[VariablesFormat.MAX_BODY_BYTES * 4]); // a few dozen bytes, 64 KiB inflated
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 1, 100, bomb), ALICE))
                .hasMessageContaining("more than the declared 100 bytes");
        byte[] body = body(idle());
        byte[] deflated = deflate(body);
        byte[] trailing = Arrays.copyOf(deflated, deflated.length + 1);
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 1, body.length, trailing), ALICE))
                .hasMessageContaining("after the naive-deflate DEFLATE stream");
        byte[] cut = Arrays.copyOf(deflated, deflated.length - 1);
        assertThatThrownBy(() -> VariablesFormat.decode(chunk(1, 1, body.length, cut), ALICE))
                .isExactlyInstanceOf(MigrationException.class);
        assertThat(VariablesFormat.decode(chunk(1, 1, body.length, deflated), ALICE)).isEqualTo(idle());
    }

    @Test
    void captureRefusesWhatTheTargetCouldNotRebuild() {
        MigrationVariables loneSurrogate = new MigrationVariables(ALICE, Profile.defaults(), List.of(), "rp-\ud800",
                0);
        assertThatThrownBy(() -> VariablesFormat.encode(loneSurrogate)).hasMessageContaining("UTF-16");
        MigrationVariables negative = new MigrationVariables(ALICE, Profile.defaults(), List.of(), null, -1);
        assertThatThrownBy(() -> VariablesFormat.encode(negative)).hasMessageContaining("negative");
    }

    // ---- building chunks by hand

    /** The body of a chunk as the encoder wrote it, whatever its coding. */
    private static byte[] body(MigrationVariables vars) throws Exception {
        byte[] chunk = VariablesFormat.encode(vars);
        int length = bodyLength(chunk);
        int start = 5; // bodies of the tests are shorter than 128 bytes: a one-byte varint
        byte[] payload = Arrays.copyOfRange(chunk, start, chunk.length - VariablesFormat.CRC_BYTES);
        if (chunk[3] == VariablesFormat.CODING_STORED) {
            return payload;
        }
        java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
        inflater.setDictionary(VariablesFormat.DICTIONARY);
        inflater.setInput(payload);
        byte[] body = new byte[length];
        assertThat(inflater.inflate(body)).isEqualTo(length);
        inflater.end();
        return body;
    }

    private static int bodyLength(byte[] chunk) {
        assertThat(chunk[4]).isNotNegative();
        return chunk[4];
    }

    private static byte[] deflate(byte[] body) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setDictionary(VariablesFormat.DICTIONARY);
        deflater.setInput(body);
        deflater.finish();
        byte[] out = new byte[body.length + 64];
        int n = deflater.deflate(out);
        deflater.end();
        return Arrays.copyOf(out, n);
    }

    /** A chunk with a correct CRC32C around whatever header values and payload a test wants. */
    private static byte[] chunk(int version, int coding, int bodyLength, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('N');
        out.write('D');
        out.write(version);
        out.write(coding);
        for (long v = bodyLength; ; v >>>= 7) {
            if ((v & ~0x7fL) == 0) {
                out.write((int) v);
                break;
            }
            out.write((int) (v & 0x7f) | 0x80);
        }
        out.writeBytes(payload);
        CRC32C crc = new CRC32C();
        crc.update(out.toByteArray());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}

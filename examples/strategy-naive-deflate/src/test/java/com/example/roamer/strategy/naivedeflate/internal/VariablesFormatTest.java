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
    /** The migration the chunks of these tests are captured for. */
    private static final long MIGRATION = 7L;
    private static final long EPOCH = 3L;
    private static final Profile VIDEO = new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"), null);
    private static final ActiveCall VOICE_CALL = new ActiveCall("call-17", CallType.VOICE, List.of(MobileId.of("bob")),
            true, "rp-2");

    private static final int V = VariablesFormat.VERSION;

    private static byte[] encode(MigrationVariables vars) throws MigrationException {
        return VariablesFormat.encode(vars, MIGRATION, EPOCH);
    }

    private static MigrationVariables decode(byte[] chunk) throws MigrationException {
        return VariablesFormat.decode(chunk, ALICE, MIGRATION, EPOCH);
    }

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
            assertThat(decode(encode(vars))).isEqualTo(vars);
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
            byte[] chunk = encode(cases.get(i));
            String coding = chunk[3] == VariablesFormat.CODING_DEFLATED ? "deflated" : "stored";
            System.out.printf("naive-deflate %-34s %4d bytes (%s)%n", labels[i] + ":", chunk.length, coding);
            assertThat(chunk.length).isLessThan(100);
            if (i == 0) {
                previous = chunk.length;
            }
        }
        assertThat(previous).isLessThan(encode(inCall()).length);
    }

    @Test
    void compressesWhatRepeats() throws Exception {
        List<ActiveCall> calls = List.of(
                new ActiveCall("call-1", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2"),
                new ActiveCall("call-2", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2"),
                new ActiveCall("call-3", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2"));
        byte[] chunk = encode(new MigrationVariables(ALICE, VIDEO, calls, "rp-2", 42));
        assertThat(chunk[3]).isEqualTo((byte) VariablesFormat.CODING_DEFLATED);
        assertThat(chunk.length).isLessThan(bodyLength(chunk));
    }

    @Test
    void everySingleByteChangeRefused() throws Exception {
        byte[] chunk = encode(inCall());
        for (int i = 0; i < chunk.length; i++) {
            for (int v = 0; v < 256; v++) {
                if (v != (chunk[i] & 0xff)) {
                    byte[] garbled = chunk.clone();
                    garbled[i] = (byte) v;
                    assertThatThrownBy(() -> decode(garbled))
                            .isExactlyInstanceOf(MigrationException.class);
                }
            }
        }
    }

    @Test
    void everyTruncationRefused() throws Exception {
        byte[] chunk = encode(inCall());
        for (int n = 0; n < chunk.length; n++) {
            byte[] cut = Arrays.copyOf(chunk, n);
            assertThatThrownBy(() -> decode(cut)).isExactlyInstanceOf(MigrationException.class);
        }
    }

    @Test
    void checksumVerifiedFirst() throws Exception {
        byte[] chunk = encode(idle());
        chunk[chunk.length - 1] ^= 1;
        assertThatThrownBy(() -> decode(chunk)).hasMessageStartingWith("checksum mismatch");
    }

    /** A chunk is bound to its migration: restored in another migration of the mobile it is refused. */
    @Test
    void aChunkReplayedInAnotherMigrationIsRefused() throws Exception {
        byte[] chunk = encode(inCall());
        for (long[] other : new long[][] {{MIGRATION + 1, EPOCH}, {MIGRATION, EPOCH + 1}, {MIGRATION + 1, EPOCH + 1},
                {MIGRATION ^ (1L << 40), EPOCH}}) {
            assertThatThrownBy(() -> VariablesFormat.decode(chunk, ALICE, other[0], other[1]))
                    .isExactlyInstanceOf(MigrationException.class).hasMessageStartingWith("checksum mismatch")
                    .hasMessageContaining("in migration " + other[0] + " (epoch " + other[1] + ")")
                    .hasMessageContaining("captured for another migration");
        }
        assertThat(decode(chunk)).isEqualTo(inCall());
        // a version 1 chunk, its CRC32C over header and payload alone: refused, and why
        byte[] v1 = chunk.clone();
        v1[2] = 1;
        CRC32C crc = new CRC32C();
        crc.update(v1, 0, v1.length - 4);
        ByteBuffer.wrap(v1, v1.length - 4, 4).putInt((int) crc.getValue());
        assertThatThrownBy(() -> decode(v1)).hasMessageContaining("format v1 chunk, bound to no migration");
    }

    @Test
    void otherMobileRefused() throws Exception {
        byte[] chunk = encode(idle());
        assertThatThrownBy(() -> VariablesFormat.decode(chunk, MobileId.of("bob"), MIGRATION, EPOCH))
                .hasMessageContaining("alice").hasMessageContaining("bob");
    }

    @Test
    void newerVersionRefusedWithAReason() throws Exception {
        byte[] body = body(idle());
        assertThatThrownBy(() -> decode(chunk(VariablesFormat.VERSION + 1, 0, body.length, body)))
                .hasMessageContaining("format v3").hasMessageContaining("newer");
    }

    @Test
    void unknownExtensionsAreSkipped() throws Exception {
        byte[] body = body(idle());
        byte[] newer = Arrays.copyOf(body, body.length + 6);
        System.arraycopy(new byte[] {7, 4, 'q', 'o', 's', '!'}, 0, newer, body.length, 6);
        assertThat(decode(chunk(V, 0, newer.length, newer))).isEqualTo(idle());
        byte[] runsOver = Arrays.copyOf(body, body.length + 3);
        System.arraycopy(new byte[] {7, 4, 'q'}, 0, runsOver, body.length, 3);
        assertThatThrownBy(() -> decode(chunk(V, 0, runsOver.length, runsOver)))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("extension 7");
    }

    @Test
    void malformedBodiesRefused() throws Exception {
        byte[] body = body(idle());
        byte[] badFlags = body.clone();
        badFlags[6] |= (byte) 0x80; // after "\5alice": the flags
        assertThatThrownBy(() -> decode(chunk(V, 0, badFlags.length, badFlags)))
                .hasMessageContaining("unknown flags");
        assertThatThrownBy(() -> decode(chunk(V, 0, body.length + 1, body)))
                .hasMessageContaining("header says");
        assertThatThrownBy(() -> decode(chunk(V, 9, body.length, body)))
                .hasMessageContaining("unknown naive-deflate coding");
        byte[] notUtf8 = body.clone();
        notUtf8[1] = (byte) 0xc3;
        assertThatThrownBy(() -> decode(chunk(V, 0, notUtf8.length, notUtf8)))
                .hasMessageContaining("UTF-8");
        byte[] lie = body.clone();
        lie[0] = 60; // the mobile id claims 60 bytes
        assertThatThrownBy(() -> decode(chunk(V, 0, lie.length, lie)))
                .hasMessageContaining("past the end");
        assertThatThrownBy(() -> decode(chunk(V, 0, 1 << 20, new byte[0])))
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void inflationBoundedByTheDeclaredLength() throws Exception {
        byte[] bomb = deflate(new byte[VariablesFormat.MAX_BODY_BYTES * 4]); // a few dozen bytes, 64 KiB inflated
        assertThatThrownBy(() -> decode(chunk(V, 1, 100, bomb)))
                .hasMessageContaining("more than the declared 100 bytes");
        byte[] body = body(idle());
        byte[] deflated = deflate(body);
        byte[] trailing = Arrays.copyOf(deflated, deflated.length + 1);
        assertThatThrownBy(() -> decode(chunk(V, 1, body.length, trailing)))
                .hasMessageContaining("after the naive-deflate DEFLATE stream");
        byte[] cut = Arrays.copyOf(deflated, deflated.length - 1);
        assertThatThrownBy(() -> decode(chunk(V, 1, body.length, cut)))
                .isExactlyInstanceOf(MigrationException.class);
        assertThat(decode(chunk(V, 1, body.length, deflated))).isEqualTo(idle());
    }

    @Test
    void captureRefusesWhatTheTargetCouldNotRebuild() {
        MigrationVariables loneSurrogate = new MigrationVariables(ALICE, Profile.defaults(), List.of(), "rp-\ud800",
                0);
        assertThatThrownBy(() -> encode(loneSurrogate)).hasMessageContaining("UTF-16");
        MigrationVariables negative = new MigrationVariables(ALICE, Profile.defaults(), List.of(), null, -1);
        assertThatThrownBy(() -> encode(negative)).hasMessageContaining("negative");
    }

    // ---- building chunks by hand

    /** The body of a chunk as the encoder wrote it, whatever its coding. */
    private static byte[] body(MigrationVariables vars) throws Exception {
        byte[] chunk = encode(vars);
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
        crc.update(ByteBuffer.allocate(16).putLong(MIGRATION).putLong(EPOCH).array());
        crc.update(out.toByteArray());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}

package com.example.roamer.strategy.naivedeflate.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

/**
 * The naive-deflate wire format, version 2: {@link MigrationVariables} in a small explicit binary body,
 * compressed with DEFLATE (RFC 1951, raw) and a preset dictionary of the words every agent carries, sealed with
 * a CRC32C that also covers the migration the chunk was captured for. One chunk:
 *
 * <pre>
 * chunk    = header | payload | crc
 * header   = 'N' 'D' | version u8 (2) | coding u8 (0 stored, 1 deflated) | body length varint (&lt;= 16 KiB)
 * payload  = the body as it is (coding 0) or raw DEFLATE of it with {@link #DICTIONARY} (coding 1)
 * crc      = CRC32C of migration id u64 | epoch u64 | header | payload, u32 big-endian
 *            (the migration's, from the MigrationContext both ends share: it is not sent)
 *
 * body     = mobile str | flags u8 (1 MOB_TERM, 2 forwarding, 4 radio port) | capabilities list | applications list
 *            | [forwarding str] | [radio port str] | delivered varint | calls count varint | call*
 *            | extension*
 * call     = id str | type u8 (0 voice, 1 data, 2 video, 3 fax) | flags u8 (1 originating, 2 radio port)
 *            | peers list | [radio port str]
 * list     = count u8 | str*                            (capabilities and applications: no duplicates)
 * str      = byte length varint | UTF-8
 * extension= tag varint (&gt;= 1) | length varint | bytes        (unknown tags are skipped)
 * varint   = unsigned LEB128, at most 9 bytes (63 bits)
 * </pre>
 *
 * The encoder stores the body uncompressed when DEFLATE would not make it smaller. A reader verifies the CRC32C
 * before it reads anything else (so a chunk of another migration of the mobile, a replay, is refused like a
 * damaged one; version 1 sealed the header and payload alone and bound a chunk to no migration), refuses a version
 * newer than {@link #VERSION} with a reason, inflates at most the declared body length, skips extensions it does
 * not know (a newer writer adds fields as extensions without a new version) and checks every value with the api
 * records. Unset flag bits, bytes after the payload's DEFLATE stream and a body that ends inside a field are
 * refused.
 *
 * <p>Stateless and thread-safe.
 */
final class VariablesFormat {
    /** The format version this class writes and the newest it reads. */
    static final int VERSION = 2;
    /** Largest body (uncompressed) accepted and produced. */
    static final int MAX_BODY_BYTES = 16 * 1024;
    /** Largest chunk accepted: DEFLATE may exceed its input by a few bytes, but never by this much. */
    static final int MAX_CHUNK_BYTES = MAX_BODY_BYTES + 1024;
    /** Longest radio port name, in characters. */
    static final int MAX_RADIO_PORT = 128;
    /** Most calls an agent may have. */
    static final int MAX_CALLS = 256;
    static final int CODING_STORED = 0;
    static final int CODING_DEFLATED = 1;
    static final int CRC_BYTES = 4;

    private static final byte MAGIC_0 = 'N';
    private static final byte MAGIC_1 = 'D';
    private static final int FLAG_MOB_TERM = 1;
    private static final int FLAG_FORWARD = 2;
    private static final int FLAG_RADIO_PORT = 4;
    private static final int CALL_ORIGINATING = 1;
    private static final int CALL_RADIO_PORT = 2;
    private static final CallType[] CALL_TYPES = {CallType.VOICE, CallType.DATA, CallType.VIDEO, CallType.FAX};

    /**
     * The preset DEFLATE dictionary of version 1: strings as the body encodes them (length byte first), the most
     * frequent last. Part of the format: changing it needs a new version.
     */
    static final byte[] DICTIONARY = dictionary("fax", "video", "xserver", "rp-", "call-", "data", "voice");

    private VariablesFormat() {
    }

    /**
     * Encodes the variables into one chunk of a migration.
     *
     * @throws MigrationException when the variables cannot be moved in this format (a string that is not valid
     *                            UTF-16, a radio port name the target would refuse, too many calls, too large)
     */
    static byte[] encode(MigrationVariables vars, long migrationId, long epoch) throws MigrationException {
        byte[] body = body(vars);
        byte[] deflated = deflate(body);
        boolean compress = deflated.length < body.length;
        byte[] payload = compress ? deflated : body;
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + payload.length);
        out.write(MAGIC_0);
        out.write(MAGIC_1);
        out.write(VERSION);
        out.write(compress ? CODING_DEFLATED : CODING_STORED);
        writeVarint(out, body.length);
        out.writeBytes(payload);
        byte[] sealed = out.toByteArray();
        int crc = crc32c(migrationId, epoch, sealed, sealed.length);
        out.writeBytes(ByteBuffer.allocate(CRC_BYTES).putInt(crc).array());
        return out.toByteArray();
    }

    private static byte[] body(MigrationVariables vars) throws MigrationException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        Profile p = vars.profile();
        writeString(out, vars.mobile().value());
        int flags = (p.mobTerm() ? FLAG_MOB_TERM : 0) | (p.forwardTo() != null ? FLAG_FORWARD : 0)
                | (vars.radioPort() != null ? FLAG_RADIO_PORT : 0);
        out.write(flags);
        writeList(out, p.capabilities());
        writeList(out, p.applications());
        if (p.forwardTo() != null) {
            writeString(out, p.forwardTo().value());
        }
        if (vars.radioPort() != null) {
            writeString(out, checkedRadioPort(vars.radioPort()));
        }
        if (vars.delivered() < 0) {
            throw new MigrationException("agent " + vars.mobile() + " has a negative delivered count "
                    + vars.delivered());
        }
        writeVarint(out, vars.delivered());
        if (vars.calls().size() > MAX_CALLS) {
            throw new MigrationException("agent " + vars.mobile() + " has " + vars.calls().size()
                    + " calls; naive-deflate moves at most " + MAX_CALLS);
        }
        writeVarint(out, vars.calls().size());
        for (ActiveCall call : vars.calls()) {
            writeString(out, call.callId());
            out.write(callTypeCode(call.type()));
            out.write((call.originating() ? CALL_ORIGINATING : 0) | (call.radioPort() != null ? CALL_RADIO_PORT : 0));
            List<String> peers = new ArrayList<>(call.peers().size());
            for (MobileId peer : call.peers()) {
                peers.add(peer.value());
            }
            writeList(out, peers);
            if (call.radioPort() != null) {
                writeString(out, checkedRadioPort(call.radioPort()));
            }
        }
        if (out.size() > MAX_BODY_BYTES) {
            throw new MigrationException("migration variables of " + vars.mobile() + " take " + out.size()
                    + " bytes, more than the naive-deflate limit of " + MAX_BODY_BYTES);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] body) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setDictionary(DICTIONARY);
            deflater.setInput(body);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 16);
            byte[] buffer = new byte[512];
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /**
     * Decodes and validates one chunk.
     *
     * @param chunk       the chunk, untrusted
     * @param expected    the mobile the migration is about; the variables must name it
     * @param migrationId the migration's id: the chunk must have been captured for it
     * @param epoch       the migration's epoch: likewise
     * @throws MigrationException on anything but a well-formed chunk of {@code expected}'s variables captured for
     *                            this migration, in a version this class reads; the message says what is wrong
     */
    static MigrationVariables decode(byte[] chunk, MobileId expected, long migrationId, long epoch)
            throws MigrationException {
        if (chunk == null || chunk.length == 0) {
            throw new MigrationException("empty naive-deflate chunk");
        }
        if (chunk.length > MAX_CHUNK_BYTES) {
            throw new MigrationException("naive-deflate chunk of " + chunk.length + " bytes exceeds the limit of "
                    + MAX_CHUNK_BYTES);
        }
        if (chunk.length < 5 + CRC_BYTES) {
            throw new MigrationException("naive-deflate chunk of " + chunk.length + " bytes is too short");
        }
        int sealed = chunk.length - CRC_BYTES;
        int carried = ByteBuffer.wrap(chunk, sealed, CRC_BYTES).getInt();
        int computed = crc32c(migrationId, epoch, chunk, sealed);
        if (carried != computed) {
            if (carried == crc32c(chunk, sealed) && chunk[2] == 1) {
                throw new MigrationException("checksum mismatch in naive-deflate chunk: a format v1 chunk, bound to no"
                        + " migration; upgrade com.example.roamer.strategy.naivedeflate at the source");
            }
            throw new MigrationException(String.format(Locale.ROOT, "checksum mismatch in naive-deflate chunk: it carries"
                    + " CRC32C %08x, its %d bytes in migration %s (epoch %d) give %08x (damaged, or captured for another"
                    + " migration)", carried, sealed, Long.toUnsignedString(migrationId), epoch, computed));
        }
        Reader header = new Reader(chunk, 0, sealed, "header");
        if (header.u8() != MAGIC_0 || header.u8() != MAGIC_1) {
            throw new MigrationException("not a naive-deflate chunk (no 'ND' magic)");
        }
        int version = header.u8();
        if (version > VERSION) {
            throw new MigrationException("naive-deflate chunk uses format v" + version + ", newer than v" + VERSION
                    + " this node reads: upgrade com.example.roamer.strategy.naivedeflate here");
        }
        if (version < 1) {
            throw new MigrationException("invalid naive-deflate format version " + version);
        }
        int coding = header.u8();
        long bodyLength = header.varint();
        if (bodyLength > MAX_BODY_BYTES) {
            throw new MigrationException("naive-deflate body of " + bodyLength + " bytes exceeds the limit of "
                    + MAX_BODY_BYTES);
        }
        byte[] body = switch (coding) {
            case CODING_STORED -> {
                if (sealed - header.position() != bodyLength) {
                    throw new MigrationException("stored naive-deflate body has " + (sealed - header.position())
                            + " bytes, the header says " + bodyLength);
                }
                byte[] b = new byte[(int) bodyLength];
                System.arraycopy(chunk, header.position(), b, 0, b.length);
                yield b;
            }
            case CODING_DEFLATED -> inflate(chunk, header.position(), sealed - header.position(), (int) bodyLength);
            default -> throw new MigrationException("unknown naive-deflate coding " + coding);
        };
        return variables(new Reader(body, 0, body.length, "body"), expected);
    }

    private static byte[] inflate(byte[] in, int offset, int length, int bodyLength) throws MigrationException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setDictionary(DICTIONARY);
            inflater.setInput(in, offset, length);
            // one byte more than declared, to notice a stream that inflates to more
            byte[] out = new byte[bodyLength + 1];
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0) {
                    break; // needs input it does not have: the stream is cut short
                }
                n += got;
            }
            if (!inflater.finished()) {
                throw new MigrationException(n > bodyLength
                        ? "naive-deflate body inflates to more than the declared " + bodyLength + " bytes"
                        : "naive-deflate body is cut short (DEFLATE stream not finished)");
            }
            if (n != bodyLength) {
                throw new MigrationException("naive-deflate body inflates to " + n + " bytes, the header says "
                        + bodyLength);
            }
            if (inflater.getRemaining() != 0) {
                throw new MigrationException(inflater.getRemaining() + " bytes after the naive-deflate DEFLATE stream");
            }
            return Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw new MigrationException("naive-deflate body is not valid DEFLATE: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static MigrationVariables variables(Reader r, MobileId expected) throws MigrationException {
        MobileId mobile = mobileId(r.string("mobile"), "mobile");
        if (!mobile.equals(expected)) {
            throw new MigrationException("naive-deflate variables are for mobile " + mobile
                    + ", but the migration is for " + expected);
        }
        int flags = r.u8();
        if ((flags & ~(FLAG_MOB_TERM | FLAG_FORWARD | FLAG_RADIO_PORT)) != 0) {
            throw new MigrationException("unknown flags " + Integer.toHexString(flags) + " in naive-deflate variables");
        }
        List<String> capabilities = r.words("capabilities");
        List<String> applications = r.words("applications");
        MobileId forward = (flags & FLAG_FORWARD) != 0 ? mobileId(r.string("forwarding target"), "forwarding target")
                : null;
        String radioPort = (flags & FLAG_RADIO_PORT) != 0 ? radioPort(r.string("radio port")) : null;
        Profile profile;
        try {
            profile = new Profile((flags & FLAG_MOB_TERM) != 0, Set.copyOf(capabilities), Set.copyOf(applications),
                    forward);
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid profile in naive-deflate variables: " + e.getMessage(), e);
        }
        long delivered = r.varint();
        long count = r.varint();
        if (count > MAX_CALLS) {
            throw new MigrationException("too many calls in naive-deflate variables: " + count + " > " + MAX_CALLS);
        }
        List<ActiveCall> calls = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            String id = r.string("call id");
            int type = r.u8();
            if (type >= CALL_TYPES.length) {
                throw new MigrationException("unknown call type " + type + " in naive-deflate variables");
            }
            int callFlags = r.u8();
            if ((callFlags & ~(CALL_ORIGINATING | CALL_RADIO_PORT)) != 0) {
                throw new MigrationException("unknown call flags " + Integer.toHexString(callFlags)
                        + " in naive-deflate variables");
            }
            List<MobileId> peers = new ArrayList<>();
            for (String peer : r.list("call peers", 8)) {
                peers.add(mobileId(peer, "call peer"));
            }
            String callPort = (callFlags & CALL_RADIO_PORT) != 0 ? radioPort(r.string("call radio port")) : null;
            try {
                calls.add(new ActiveCall(id, CALL_TYPES[type], peers, (callFlags & CALL_ORIGINATING) != 0, callPort));
            } catch (IllegalArgumentException e) {
                throw new MigrationException("invalid call in naive-deflate variables: " + e.getMessage(), e);
            }
        }
        while (r.hasMore()) {
            long tag = r.varint();
            if (tag == 0) {
                throw new MigrationException("extension tag 0 in naive-deflate variables");
            }
            r.skip(r.varint(), "extension " + tag);
        }
        return new MigrationVariables(mobile, profile, calls, radioPort, delivered);
    }

    private static MobileId mobileId(String value, String what) throws MigrationException {
        try {
            return new MobileId(value);
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid " + what + " in naive-deflate variables: " + e.getMessage(), e);
        }
    }

    private static String checkedRadioPort(String s) throws MigrationException {
        String problem = radioPortProblem(s);
        if (problem != null) {
            throw new MigrationException("cannot move radio port name: " + problem);
        }
        return s;
    }

    private static String radioPort(String s) throws MigrationException {
        String problem = radioPortProblem(s);
        if (problem != null) {
            throw new MigrationException(problem + " in naive-deflate variables");
        }
        return s;
    }

    private static String radioPortProblem(String s) {
        if (s.isEmpty() || s.length() > MAX_RADIO_PORT) {
            return "radio port name must have 1-" + MAX_RADIO_PORT + " characters, has " + s.length();
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return "radio port name contains a control character";
            }
        }
        return null;
    }

    private static int callTypeCode(CallType type) {
        for (int i = 0; i < CALL_TYPES.length; i++) {
            if (CALL_TYPES[i] == type) {
                return i;
            }
        }
        throw new IllegalArgumentException("call type " + type + " has no naive-deflate code");
    }

    private static void writeList(ByteArrayOutputStream out, Collection<String> items)
            throws MigrationException {
        out.write(items.size()); // at most 16 words or 8 peers: the api records guarantee it
        for (String s : items) {
            writeString(out, s);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) throws MigrationException {
        byte[] utf8;
        try {
            // strict: a lone surrogate would otherwise become '?' and restore a different string
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            utf8 = new byte[b.remaining()];
            b.get(utf8);
        } catch (CharacterCodingException e) {
            throw new MigrationException("cannot move a string that is not valid UTF-16", e);
        }
        writeVarint(out, utf8.length);
        out.writeBytes(utf8);
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static int crc32c(byte[] b, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, length);
        return (int) crc.getValue();
    }

    /** CRC32C of the migration id and epoch (big-endian) and then the first {@code length} bytes. */
    private static int crc32c(long migrationId, long epoch, byte[] b, int length) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(16).putLong(migrationId).putLong(epoch).flip());
        crc.update(b, 0, length);
        return (int) crc.getValue();
    }

    private static byte[] dictionary(String... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String w : words) {
            out.write(w.length());
            out.writeBytes(w.getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** Bounds-checked reading of untrusted bytes; every overrun is a {@link MigrationException}. */
    private static final class Reader {
        private final byte[] b;
        private final int end;
        private final String what;
        private int pos;

        Reader(byte[] b, int offset, int end, String what) {
            this.b = b;
            this.pos = offset;
            this.end = end;
            this.what = what;
        }

        int position() {
            return pos;
        }

        boolean hasMore() {
            return pos < end;
        }

        int u8() throws MigrationException {
            if (pos >= end) {
                throw new MigrationException("naive-deflate " + what + " ends too early");
            }
            return b[pos++] & 0xff;
        }

        /** Unsigned LEB128 of at most 63 bits, in its shortest form. */
        long varint() throws MigrationException {
            long v = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    if (x == 0 && shift > 0) {
                        throw new MigrationException("over-long varint in naive-deflate " + what);
                    }
                    return v;
                }
            }
            throw new MigrationException("varint longer than 63 bits in naive-deflate " + what);
        }

        void skip(long n, String field) throws MigrationException {
            if (n > end - pos) {
                throw new MigrationException("naive-deflate " + field + " runs past the end of the " + what);
            }
            pos += (int) n;
        }

        String string(String field) throws MigrationException {
            long n = varint();
            if (n > end - pos) {
                throw new MigrationException("naive-deflate " + field + " runs past the end of the " + what);
            }
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, pos, (int) n))
                        .toString();
                pos += (int) n;
                return s;
            } catch (CharacterCodingException e) {
                throw new MigrationException("naive-deflate " + field + " is not valid UTF-8", e);
            }
        }

        List<String> list(String field, int max) throws MigrationException {
            int n = u8();
            if (n > max) {
                throw new MigrationException("too many " + field + " in naive-deflate variables: " + n + " > " + max);
            }
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(string(field));
            }
            return out;
        }

        /** A list of profile words: at most {@link Profile#MAX_ENTRIES}, no duplicates. */
        List<String> words(String field) throws MigrationException {
            List<String> out = list(field, Profile.MAX_ENTRIES);
            if (new HashSet<>(out).size() != out.size()) {
                throw new MigrationException("duplicate " + field + " in naive-deflate variables");
            }
            return out;
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import org.roamer.api.MobileId;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;

/**
 * The TERN-like wire format, version 2: every chunk is {@code magic 'T' | kind | body | CRC32C}, big-endian. The
 * CRC32C of the first chunk covers everything before it; that of every later chunk covers the previous chunk's
 * CRC32C (4 bytes) and then everything before it, so the chunks of one transfer form a chain: a chunk of another
 * transfer — another migration, or another capture — spliced in, or a chunk moved, fails its check even though it
 * is intact. The kinds come in the order of Fig. 8A of the seed:
 * <ol>
 * <li>{@link #ARGS} — "arguments and environment": format version, migration id and epoch, mobile, agent
 * type;</li>
 * <li>{@link #SIZES} — data, stack and registers sizes;</li>
 * <li>{@link #DATA} — a run of data pages: offset, bytes (zero or more chunks);</li>
 * <li>{@link #STACK} — a run of stack pages: offset, bytes (zero or more chunks);</li>
 * <li>{@link #REGISTERS} — the registers, last.</li>
 * </ol>
 * Stateless; every method is thread-safe. See the module README for the byte layout.
 */
final class TernFormat {
    static final byte MAGIC = 'T';
    static final int VERSION = 2;

    static final byte ARGS = 1;
    static final byte SIZES = 2;
    static final byte DATA = 3;
    static final byte STACK = 4;
    static final byte REGISTERS = 5;

    /** Magic and kind. */
    static final int HEADER = 2;
    /** CRC32C. */
    static final int TRAILER = 4;
    /** What a page chunk adds to the page bytes: header, offset, trailer. */
    static final int PAGE_OVERHEAD = HEADER + 4 + TRAILER;
    /** What the registers chunk adds to the registers. */
    static final int REGISTERS_OVERHEAD = HEADER + TRAILER;
    /** Longest text field (bundle symbolic name, version, mobile), in UTF-8 bytes. */
    static final int MAX_TEXT = 1024;

    private TernFormat() {
    }

    static String kindName(int kind) {
        return switch (kind) {
            case ARGS -> "arguments";
            case SIZES -> "sizes";
            case DATA -> "data page";
            case STACK -> "stack page";
            case REGISTERS -> "registers";
            default -> "kind " + kind;
        };
    }

    // ------------------------------------------------------------------ writing

    /** The first chunk of a transfer; its CRC32C covers it alone. */
    static byte[] args(long migrationId, long epoch, MobileId mobile, AgentType type) throws MigrationException {
        byte[] m = text(mobile.value(), "mobile");
        byte[] b = text(type.bundle(), "agent bundle");
        byte[] v = text(type.version(), "agent version");
        ByteBuffer buf = open(ARGS, 1 + 8 + 8 + 2 + m.length + 2 + b.length + 2 + v.length + 8);
        buf.put((byte) VERSION).putLong(migrationId).putLong(epoch);
        buf.putShort((short) m.length).put(m);
        buf.putShort((short) b.length).put(b);
        buf.putShort((short) v.length).put(v);
        buf.putLong(type.layoutHash());
        byte[] chunk = buf.array();
        buf.putInt(crc(chunk, chunk.length - TRAILER));
        return chunk;
    }

    /** @param previous the CRC32C of the chunk before it ({@link #crcOf}) */
    static byte[] sizes(int previous, int data, int stack, int registers) {
        return seal(previous, open(SIZES, 12).putInt(data).putInt(stack).putInt(registers));
    }

    /** @param previous the CRC32C of the chunk before it ({@link #crcOf}) */
    static byte[] page(int previous, byte kind, int offset, byte[] segment, int from, int length) {
        return seal(previous, open(kind, 4 + length).putInt(offset).put(segment, from, length));
    }

    /** @param previous the CRC32C of the chunk before it ({@link #crcOf}) */
    static byte[] registers(int previous, byte[] registers) {
        return seal(previous, open(REGISTERS, registers.length).put(registers));
    }

    /** The CRC32C a chunk carries, which the next chunk's covers. */
    static int crcOf(byte[] chunk) {
        return ByteBuffer.wrap(chunk, chunk.length - TRAILER, TRAILER).getInt();
    }

    private static byte[] text(String s, String what) throws MigrationException {
        if (s == null) {
            throw new MigrationException("TERN image has no " + what);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_TEXT) {
            throw new MigrationException(what + " of " + b.length + " UTF-8 bytes exceeds TERN's limit of " + MAX_TEXT);
        }
        return b;
    }

    private static ByteBuffer open(byte kind, int body) {
        return ByteBuffer.allocate(HEADER + body + TRAILER).put(MAGIC).put(kind);
    }

    private static byte[] seal(int previous, ByteBuffer buf) {
        byte[] chunk = buf.array();
        buf.putInt(crc(previous, chunk, chunk.length - TRAILER));
        return chunk;
    }

    /** CRC32C of the first {@code length} bytes: the check of a transfer's first chunk. */
    static int crc(byte[] chunk, int length) {
        CRC32C crc = new CRC32C();
        crc.update(chunk, 0, length);
        return (int) crc.getValue();
    }

    /** CRC32C of {@code previous} (big-endian) and then the first {@code length} bytes: the check of later chunks. */
    static int crc(int previous, byte[] chunk, int length) {
        CRC32C crc = new CRC32C();
        crc.update(previous >>> 24);
        crc.update(previous >>> 16);
        crc.update(previous >>> 8);
        crc.update(previous);
        crc.update(chunk, 0, length);
        return (int) crc.getValue();
    }

    // ------------------------------------------------------------------ reading

    /**
     * Checks the magic, length and CRC32C of a transfer's first chunk and returns a reader positioned after its
     * kind byte.
     *
     * @throws MigrationException when the chunk is not an intact TERN chunk
     */
    static Reader open(byte[] chunk) throws MigrationException {
        return open(chunk, false, 0);
    }

    /**
     * Checks the magic, length and CRC32C of a later chunk, chained to the one before it ({@code previous}: its
     * CRC32C), and returns a reader positioned after its kind byte.
     *
     * @throws MigrationException when the chunk is not an intact TERN chunk following that one
     */
    static Reader open(byte[] chunk, int previous) throws MigrationException {
        return open(chunk, true, previous);
    }

    private static Reader open(byte[] chunk, boolean chained, int previous) throws MigrationException {
        if (chunk.length < HEADER + TRAILER) {
            throw new MigrationException("TERN chunk of " + chunk.length + " bytes is shorter than the "
                    + (HEADER + TRAILER) + " bytes of its framing");
        }
        if (chunk[0] != MAGIC) {
            throw new MigrationException(String.format("not a TERN chunk: magic 0x%02x, expected 0x%02x",
                    chunk[0] & 0xff, MAGIC));
        }
        int end = chunk.length - TRAILER;
        int stored = ByteBuffer.wrap(chunk, end, TRAILER).getInt();
        int actual = chained ? crc(previous, chunk, end) : crc(chunk, end);
        if (stored != actual) {
            throw new MigrationException(String.format("TERN %s chunk is garbled: CRC32C 0x%08x, computed 0x%08x%s",
                    kindName(chunk[1]), stored, actual, chained
                            ? " over it and the chunk before it (or it is not the"
                                    + " chunk that follows that one in this transfer)"
                            : ""));
        }
        return new Reader(chunk, end);
    }

    /** Reads the body of one chunk; every read is bounds-checked. */
    static final class Reader {
        private final byte[] chunk;
        private final ByteBuffer buf;

        private Reader(byte[] chunk, int end) {
            this.chunk = chunk;
            this.buf = ByteBuffer.wrap(chunk, HEADER, end - HEADER);
        }

        int kind() {
            return chunk[1];
        }

        int remaining() {
            return buf.remaining();
        }

        int position() {
            return buf.position();
        }

        byte[] array() {
            return chunk;
        }

        private void need(int n, String what) throws MigrationException {
            if (buf.remaining() < n) {
                throw new MigrationException("TERN " + kindName(kind()) + " chunk truncated in " + what + ": "
                        + buf.remaining() + " bytes left, " + n + " needed");
            }
        }

        int u8(String what) throws MigrationException {
            need(1, what);
            return buf.get() & 0xff;
        }

        int i32(String what) throws MigrationException {
            need(4, what);
            return buf.getInt();
        }

        long i64(String what) throws MigrationException {
            need(8, what);
            return buf.getLong();
        }

        String text(String what) throws MigrationException {
            need(2, what);
            int n = buf.getShort() & 0xffff;
            if (n > MAX_TEXT) {
                throw new MigrationException("TERN " + what + " of " + n + " bytes exceeds the limit of " + MAX_TEXT);
            }
            need(n, what);
            ByteBuffer slice = buf.slice(buf.position(), n);
            buf.position(buf.position() + n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
            } catch (CharacterCodingException e) {
                throw new MigrationException("TERN " + what + " is not valid UTF-8");
            }
        }

        void end() throws MigrationException {
            if (buf.hasRemaining()) {
                throw new MigrationException("TERN " + kindName(kind()) + " chunk has " + buf.remaining()
                        + " unexpected trailing bytes");
            }
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;

/**
 * The checkpoint file format, version 1 (the seed's "core dump"), big-endian:
 *
 * <pre>
 * 0   4  magic "RCKP"
 * 4   2  format version (1)
 * 6   2  header length H: bytes from offset 0 to the data segment (60..8192)
 * 8   8  migration id
 * 16  8  epoch
 * 24  8  created, milliseconds since 1970-01-01T00:00Z
 * 32  8  agent layout hash
 * 40  4  data length D
 * 44  4  stack length S
 * 48  4  registers length R
 * 52     mobile id, origin node, agent bundle symbolic name, agent bundle version:
 *        each u16 byte length (at most 1024) + UTF-8; they end exactly at H
 * H      D bytes data, S bytes stack, R bytes registers
 * H+D+S+R  32  SHA-256 of every byte before it
 * </pre>
 *
 * The file size is exactly {@code H + D + S + R + 32}. Readers verify the SHA-256 over the whole file
 * before parsing a single field, then check every length against the file size and the image limit
 * before allocating. Stateless; thread-safe.
 */
final class CheckpointFormat {
    static final byte[] MAGIC = {'R', 'C', 'K', 'P'};
    static final int VERSION = 1;
    /** Bytes of the fixed part of the header, before the texts. */
    static final int FIXED = 52;
    /** Smallest header: the fixed part and four empty texts. */
    static final int MIN_HEADER = FIXED + 4 * 2;
    static final int MAX_HEADER = 8192;
    static final int MAX_TEXT = 1024;
    static final int DIGEST = 32;
    private static final int IO_BUFFER = 64 * 1024;

    private CheckpointFormat() {
    }

    // ------------------------------------------------------------------ writing

    /** Encodes a header; its texts must be at most {@value #MAX_TEXT} UTF-8 bytes each. */
    static byte[] header(CheckpointHeader h) throws MigrationException {
        byte[] mobile = text(h.mobile().value(), "mobile");
        byte[] node = text(h.node().value(), "node");
        byte[] bundle = text(h.type().bundle(), "agent bundle");
        byte[] version = text(h.type().version(), "agent version");
        int length = FIXED + 8 + mobile.length + node.length + bundle.length + version.length;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(MAGIC).putShort((short) VERSION).putShort((short) length);
        b.putLong(h.migrationId()).putLong(h.epoch()).putLong(h.created().toEpochMilli())
                .putLong(h.type().layoutHash());
        b.putInt(h.dataLength()).putInt(h.stackLength()).putInt(h.registersLength());
        for (byte[] t : new byte[][]{mobile, node, bundle, version}) {
            b.putShort((short) t.length).put(t);
        }
        return b.array();
    }

    private static byte[] text(String s, String what) throws MigrationException {
        if (s == null) {
            throw new MigrationException("checkpoint has no " + what);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_TEXT) {
            throw new MigrationException(what + " of " + b.length + " UTF-8 bytes exceeds the checkpoint limit of "
                    + MAX_TEXT);
        }
        return b;
    }

    /**
     * Writes a checkpoint file durably: a temporary file in {@code dir}, forced to disk (data and metadata),
     * atomically renamed to {@code name}, and the directory forced so the rename survives a crash. The
     * segments are written from the image's arrays as they are; nothing is copied.
     *
     * @return the file
     */
    static Path write(Path dir, String name, byte[] header, AgentImage image, Durability durability)
            throws IOException {
        Files.createDirectories(dir);
        return write(dir, Files.createTempFile(dir, "." + name + ".", ".tmp"), name, header, image, durability);
    }

    /**
     * As {@link #write(Path, String, byte[], AgentImage, Durability)}, through a given temporary file in
     * {@code dir} (created or truncated; deleted when anything fails). The rename replaces an existing
     * {@code name} atomically, so a reader sees the old file or the new one, never neither nor a mix.
     * The caller must keep two writes of the same temporary file apart.
     */
    static Path write(Path dir, Path temp, String name, byte[] header, AgentImage image, Durability durability)
            throws IOException {
        return write(dir, temp, name, header, image, durability, Seal.SHA256);
    }

    /** As {@link #write(Path, Path, String, byte[], AgentImage, Durability)}, sealed with {@code seal}. */
    static Path write(Path dir, Path temp, String name, byte[] header, AgentImage image, Durability durability,
            Seal seal) throws IOException {
        boolean moved = false;
        try {
            Seal.Sealer sha = seal.start();
            try (FileChannel ch = FileChannel.open(temp, CREATE, WRITE, TRUNCATE_EXISTING)) {
                ownerOnly(temp, false); // an agent's state: readable by the container's user only
                for (byte[] part : new byte[][]{header, image.data(), image.stack(), image.registers()}) {
                    sha.update(part);
                    writeFully(ch, ByteBuffer.wrap(part));
                }
                writeFully(ch, ByteBuffer.wrap(sha.finish()));
                durability.force(ch, temp);
            }
            Path file = dir.resolve(name);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            durability.forceDirectory(dir);
            return file;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Makes a file ({@code rw-------}) or directory ({@code rwx------}) its owner's only, where the file system
     * has POSIX permissions; elsewhere a no-op.
     */
    static void ownerOnly(Path path, boolean directory) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            java.nio.file.Files.setPosixFilePermissions(path,
                    java.nio.file.attribute.PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Forces a directory's entries to disk where the platform allows it (Linux, macOS); elsewhere a no-op. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; its rename is already durable enough
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Largest file a checkpoint of at most {@code maxImageBytes} of segments can be. */
    static long maxFileBytes(long maxImageBytes) {
        return maxImageBytes + MAX_HEADER + DIGEST;
    }

    // ------------------------------------------------------------------ reading

    /** Reads, verifies and parses a whole checkpoint file. */
    static Checkpoint read(Path file, long maxImageBytes) throws MigrationException {
        return read(file, maxImageBytes, Seal.SHA256);
    }

    /** Reads, verifies ({@code seal}) and parses a whole checkpoint file. */
    static Checkpoint read(Path file, long maxImageBytes, Seal seal) throws MigrationException {
        try (FileChannel ch = FileChannel.open(file, READ)) {
            long size = ch.size();
            verify(ch, size, maxImageBytes, seal);
            Parsed p = parseHeader(ch, size, maxImageBytes);
            CheckpointHeader h = p.header;
            long at = p.length;
            byte[] data = readAt(ch, at, h.dataLength());
            byte[] stack = readAt(ch, at + h.dataLength(), h.stackLength());
            byte[] registers = readAt(ch, at + h.dataLength() + h.stackLength(), h.registersLength());
            return new Checkpoint(h, new AgentImage(h.type(), data, stack, registers));
        } catch (IOException e) {
            throw new MigrationException("cannot read checkpoint " + file.getFileName() + ": " + e, e);
        }
    }

    /** Reads, verifies and parses only the header of a checkpoint file (the checksum covers the whole file). */
    static CheckpointHeader readHeader(Path file, long maxImageBytes) throws MigrationException {
        return readHeader(file, maxImageBytes, Seal.SHA256);
    }

    /** As {@link #readHeader(Path, long)}, the whole file verified with {@code seal}. */
    static CheckpointHeader readHeader(Path file, long maxImageBytes, Seal seal) throws MigrationException {
        try (FileChannel ch = FileChannel.open(file, READ)) {
            long size = ch.size();
            verify(ch, size, maxImageBytes, seal);
            return parseHeader(ch, size, maxImageBytes).header;
        } catch (IOException e) {
            throw new MigrationException("cannot read checkpoint " + file.getFileName() + ": " + e, e);
        }
    }

    /** Checks the size bounds and the SHA-256 of the whole file, before anything in it is parsed. */
    static void verify(FileChannel ch, long size, long maxImageBytes) throws IOException, MigrationException {
        verify(ch, size, maxImageBytes, Seal.SHA256);
    }

    /** Checks the size bounds and the file's {@code seal}, before anything in it is parsed. */
    static void verify(FileChannel ch, long size, long maxImageBytes, Seal seal) throws IOException,
            MigrationException {
        if (size < MIN_HEADER + DIGEST) {
            throw new MigrationException("checkpoint of " + size + " bytes is shorter than the smallest possible ("
                    + (MIN_HEADER + DIGEST) + "): truncated");
        }
        if (size > maxFileBytes(maxImageBytes)) {
            throw new MigrationException("checkpoint of " + size + " bytes exceeds the limit of "
                    + maxFileBytes(maxImageBytes) + " (image limit " + maxImageBytes + ")");
        }
        Seal.Sealer sha = seal.start();
        long end = size - DIGEST;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(IO_BUFFER, end));
        for (long pos = 0; pos < end;) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
            readFully(ch, buf, pos);
            buf.flip();
            pos += buf.remaining();
            sha.update(buf);
        }
        ByteBuffer stored = ByteBuffer.allocate(DIGEST);
        readFully(ch, stored, end);
        if (!MessageDigest.isEqual(stored.array(), sha.finish())) {
            throw new MigrationException("checkpoint checksum mismatch: the file is corrupted, truncated or not sealed"
                    + " by this node (" + seal + " of " + end + " bytes does not match the stored one)");
        }
    }

    private record Parsed(CheckpointHeader header, int length) {
    }

    /** Parses the header of a verified file; every length is checked against the file size and the limit. */
    private static Parsed parseHeader(FileChannel ch, long size, long maxImageBytes) throws IOException,
            MigrationException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(MAX_HEADER, size - DIGEST));
        readFully(ch, b, 0);
        b.flip();
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new MigrationException("not a Roamer checkpoint: magic " + hex(magic) + ", expected " + hex(MAGIC));
        }
        int version = b.getShort() & 0xffff;
        if (version != VERSION) {
            throw new MigrationException("checkpoint uses format v" + version + ", this node reads v" + VERSION
                    + ": install the same org.roamer.strategy.condor on both nodes");
        }
        int length = b.getShort() & 0xffff;
        if (length < MIN_HEADER || length > b.limit()) {
            throw new MigrationException("checkpoint header length " + length + " outside " + MIN_HEADER + ".."
                    + b.limit());
        }
        b.limit(length);
        long migrationId = b.getLong();
        long epoch = b.getLong();
        long created = b.getLong();
        long layoutHash = b.getLong();
        int d = b.getInt();
        int s = b.getInt();
        int r = b.getInt();
        if (d < 0 || s < 0 || r < 0) {
            throw new MigrationException("checkpoint segment lengths are negative: data " + d + ", stack " + s
                    + ", registers " + r);
        }
        long image = (long) d + s + r;
        if (image > maxImageBytes) {
            throw new MigrationException("checkpoint declares " + image + " bytes of segments, over the limit of "
                    + maxImageBytes);
        }
        if (length + image + DIGEST != size) {
            throw new MigrationException("checkpoint lengths do not add up: header " + length + " + segments " + image
                    + " + checksum " + DIGEST + " != file size " + size);
        }
        String mobile = text(b, "mobile");
        String node = text(b, "node");
        String bundle = text(b, "agent bundle");
        String agentVersion = text(b, "agent version");
        if (b.hasRemaining()) {
            throw new MigrationException("checkpoint header has " + b.remaining() + " unexpected bytes");
        }
        MobileId m;
        NodeId n;
        try {
            m = MobileId.of(mobile);
            n = NodeId.of(node);
        } catch (IllegalArgumentException e) {
            throw new MigrationException("checkpoint header: " + e.getMessage());
        }
        if (created < 0) {
            throw new MigrationException("checkpoint creation time " + created + " is before 1970");
        }
        CheckpointHeader h = new CheckpointHeader(version, migrationId, epoch, Instant.ofEpochMilli(created), m, n,
                new AgentType(bundle, agentVersion, layoutHash), d, s, r);
        return new Parsed(h, length);
    }

    private static String text(ByteBuffer b, String what) throws MigrationException {
        if (b.remaining() < 2) {
            throw new MigrationException("checkpoint header ends before the " + what);
        }
        int n = b.getShort() & 0xffff;
        if (n > MAX_TEXT || n > b.remaining()) {
            throw new MigrationException("checkpoint " + what + " of " + n + " bytes does not fit the header ("
                    + b.remaining() + " left, at most " + MAX_TEXT + ")");
        }
        ByteBuffer slice = b.slice(b.position(), n);
        b.position(b.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new MigrationException("checkpoint " + what + " is not valid UTF-8");
        }
    }

    private static byte[] readAt(FileChannel ch, long position, int length) throws IOException {
        byte[] bytes = new byte[length];
        readFully(ch, ByteBuffer.wrap(bytes), position);
        return bytes;
    }

    static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, at);
            if (n < 0) {
                throw new EOFException("checkpoint file ended at " + at + " while reading");
            }
            at += n;
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder("0x");
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xff));
        }
        return s.toString();
    }
}

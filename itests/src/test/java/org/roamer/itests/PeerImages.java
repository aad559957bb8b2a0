/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The three strategies' chunk formats as another node's implementation reads and writes them, written from
 * their documentation (module READMEs, {@code docs/migration-spi.md}) and not from the strategies' classes,
 * which are private to their bundles. A fake peer uses them to look into what the distribution sent and to
 * relabel a real image as one of another agent version or layout, every checksum recomputed, so that only the
 * label differs.
 */
final class PeerImages {
    private PeerImages() {
    }

    // ------------------------------------- NAIVE: UTF-8 JSON | CRC32C(migration id u64 | epoch u64 | JSON)

    /** Verifies a NAIVE chunk's CRC32C, which binds it to migration {@code id} (epoch {@code epoch}), and returns its JSON object. */
    static Map<String, Object> naive(byte[] chunk, long id, long epoch) {
        int n = chunk.length - 4;
        if (n <= 0) {
            throw new IllegalArgumentException("NAIVE chunk of " + chunk.length + " bytes");
        }
        int carried = ByteBuffer.wrap(chunk, n, 4).getInt();
        if (carried != naiveCrc(Arrays.copyOf(chunk, n), id, epoch)) {
            throw new IllegalArgumentException("NAIVE chunk's CRC32C does not match its migration and JSON");
        }
        return TinyJson.object(Arrays.copyOf(chunk, n));
    }

    /** The JSON of a NAIVE chunk, for messages. */
    static String naiveText(byte[] chunk) {
        return new String(chunk, 0, chunk.length - 4, StandardCharsets.UTF_8);
    }

    /** A NAIVE chunk carrying this JSON in migration {@code id} (epoch {@code epoch}). */
    static byte[] naive(String json, long id, long epoch) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(j.length + 4).put(j).putInt(naiveCrc(j, id, epoch)).array();
    }

    private static int naiveCrc(byte[] json, long id, long epoch) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(16).putLong(id).putLong(epoch).array());
        crc.update(json);
        return (int) crc.getValue();
    }

    // ---------------------------- TERN v2: 'T' | kind | body | CRC32C, each chunk's chained to the one before

    /** The "arguments and environment" chunk (kind 1): the image's agent type travels here. */
    record TernArgs(int format, long migrationId, long epoch, String mobile, String bundle, String version,
            long layoutHash) {
        TernArgs withMigration(long id, long ep) {
            return new TernArgs(format, id, ep, mobile, bundle, version, layoutHash);
        }

        TernArgs withVersion(String v) {
            return new TernArgs(format, migrationId, epoch, mobile, bundle, v, layoutHash);
        }

        TernArgs withLayoutHash(long h) {
            return new TernArgs(format, migrationId, epoch, mobile, bundle, version, h);
        }
    }

    static TernArgs ternArgs(byte[] chunk) {
        ByteBuffer b = ternBody(chunk, 1, null);
        TernArgs a = new TernArgs(b.get() & 0xff, b.getLong(), b.getLong(), text(b), text(b), text(b), b.getLong());
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("TERN arguments chunk has trailing bytes");
        }
        return a;
    }

    static byte[] ternArgs(TernArgs a) {
        byte[] m = a.mobile().getBytes(StandardCharsets.UTF_8);
        byte[] bn = a.bundle().getBytes(StandardCharsets.UTF_8);
        byte[] v = a.version().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + 8 + 8 + 2 + m.length + 2 + bn.length + 2 + v.length + 8 + 4);
        b.put((byte) 'T').put((byte) 1).put((byte) a.format()).putLong(a.migrationId()).putLong(a.epoch());
        b.putShort((short) m.length).put(m).putShort((short) bn.length).put(bn).putShort((short) v.length).put(v);
        b.putLong(a.layoutHash());
        byte[] chunk = b.array();
        b.putInt(ternCrc(chunk, null));
        return chunk;
    }

    /**
     * The same TERN image with another arguments chunk; sizes, pages and registers untouched but sealed again,
     * since every chunk's CRC32C is chained to the one before it.
     */
    static List<byte[]> withTernArgs(List<byte[]> chunks, TernArgs args) {
        List<byte[]> out = new ArrayList<>(chunks.size());
        out.add(ternArgs(args));
        for (int i = 1; i < chunks.size(); i++) {
            byte[] c = chunks.get(i).clone();
            byte[] previous = out.get(i - 1);
            ByteBuffer.wrap(c).putInt(c.length - 4, ternCrc(c, previous));
            out.add(c);
        }
        return out;
    }

    /** Kinds of the chunks of a TERN image, in order (1 args, 2 sizes, 3 data, 4 stack, 5 registers). */
    static List<Integer> ternKinds(List<byte[]> chunks) {
        List<Integer> kinds = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            ternBody(c, c.length > 1 ? c[1] : -1, i == 0 ? null : chunks.get(i - 1));
            kinds.add((int) c[1]);
        }
        return kinds;
    }

    private static ByteBuffer ternBody(byte[] chunk, int kind, byte[] previous) {
        if (chunk.length < 6 || chunk[0] != 'T' || chunk[1] != kind) {
            throw new IllegalArgumentException("not a TERN chunk of kind " + kind);
        }
        int end = chunk.length - 4;
        if (ByteBuffer.wrap(chunk, end, 4).getInt() != ternCrc(chunk, previous)) {
            throw new IllegalArgumentException("TERN chunk's CRC32C does not match");
        }
        return ByteBuffer.wrap(chunk, 2, end - 2).slice();
    }

    /** CRC32C of a chunk's bytes before its CRC, after the previous chunk's CRC (none for the first chunk). */
    private static int ternCrc(byte[] chunk, byte[] previous) {
        CRC32C crc = new CRC32C();
        if (previous != null) {
            crc.update(previous, previous.length - 4, 4);
        }
        crc.update(chunk, 0, chunk.length - 4);
        return (int) crc.getValue();
    }

    // ------------------------------------------------------------------ Condor: checkpoint file, SHA-256 sealed

    /** A checkpoint file (format v1), every field. */
    record Checkpoint(int format, long migrationId, long epoch, long created, long layoutHash, String mobile,
            String node, String bundle, String version, byte[] data, byte[] stack, byte[] registers) {
        /** Relabelled for another migration: a source writes a fresh checkpoint for each one. */
        Checkpoint forMigration(long id, long ep, String fromNode) {
            return new Checkpoint(format, id, ep, created, layoutHash, mobile, fromNode, bundle, version, data, stack,
                    registers);
        }

        Checkpoint withVersion(String v) {
            return new Checkpoint(format, migrationId, epoch, created, layoutHash, mobile, node, bundle, v, data, stack,
                    registers);
        }

        Checkpoint withLayoutHash(long h) {
            return new Checkpoint(format, migrationId, epoch, created, h, mobile, node, bundle, version, data, stack,
                    registers);
        }
    }

    /** Parses a checkpoint file after checking its SHA-256. */
    static Checkpoint checkpoint(byte[] file) {
        int end = file.length - 32;
        byte[] digest = sha256(Arrays.copyOf(file, end));
        if (!Arrays.equals(digest, Arrays.copyOfRange(file, end, file.length))) {
            throw new IllegalArgumentException("checkpoint's SHA-256 does not match");
        }
        ByteBuffer b = ByteBuffer.wrap(file);
        byte[] magic = new byte[4];
        b.get(magic);
        if (!Arrays.equals(magic, "RCKP".getBytes(StandardCharsets.US_ASCII))) {
            throw new IllegalArgumentException("not a checkpoint file");
        }
        int format = b.getShort() & 0xffff;
        int headerLength = b.getShort() & 0xffff;
        long migrationId = b.getLong();
        long epoch = b.getLong();
        long created = b.getLong();
        long layout = b.getLong();
        int d = b.getInt();
        int s = b.getInt();
        int r = b.getInt();
        String mobile = text(b);
        String node = text(b);
        String bundle = text(b);
        String version = text(b);
        if (b.position() != headerLength || headerLength + d + s + r + 32 != file.length) {
            throw new IllegalArgumentException("checkpoint lengths do not add up");
        }
        byte[] data = new byte[d];
        byte[] stack = new byte[s];
        byte[] registers = new byte[r];
        b.get(data).get(stack).get(registers);
        return new Checkpoint(format, migrationId, epoch, created, layout, mobile, node, bundle, version, data, stack,
                registers);
    }

    static byte[] checkpoint(Checkpoint c) {
        byte[][] texts = {c.mobile().getBytes(StandardCharsets.UTF_8), c.node().getBytes(StandardCharsets.UTF_8),
                c.bundle().getBytes(StandardCharsets.UTF_8), c.version().getBytes(StandardCharsets.UTF_8)};
        int header = 52;
        for (byte[] t : texts) {
            header += 2 + t.length;
        }
        ByteBuffer b = ByteBuffer.allocate(header + c.data().length + c.stack().length + c.registers().length + 32);
        b.put("RCKP".getBytes(StandardCharsets.US_ASCII)).putShort((short) c.format()).putShort((short) header);
        b.putLong(c.migrationId()).putLong(c.epoch()).putLong(c.created()).putLong(c.layoutHash());
        b.putInt(c.data().length).putInt(c.stack().length).putInt(c.registers().length);
        for (byte[] t : texts) {
            b.putShort((short) t.length).put(t);
        }
        b.put(c.data()).put(c.stack()).put(c.registers());
        byte[] file = b.array();
        b.put(sha256(Arrays.copyOf(file, file.length - 32)));
        return file;
    }

    /** A file cut into chunks of at most {@code size} bytes, as the Condor-like source sends it. */
    static List<byte[]> chunks(byte[] file, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < file.length; at += size) {
            out.add(Arrays.copyOfRange(file, at, Math.min(file.length, at + size)));
        }
        return out;
    }

    /** The chunks joined again. */
    static byte[] join(List<byte[]> chunks) {
        int n = 0;
        for (byte[] c : chunks) {
            n += c.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        chunks.forEach(b::put);
        return b.array();
    }

    // ------------------------------------------------------------------ common

    private static String text(ByteBuffer b) {
        byte[] t = new byte[b.getShort() & 0xffff];
        b.get(t);
        return new String(t, StandardCharsets.UTF_8);
    }

    private static int crc32c(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

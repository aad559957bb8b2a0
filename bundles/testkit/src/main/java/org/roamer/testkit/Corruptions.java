/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * Damaged copies of a chunk list, as a broken link, a buggy peer or an attacker would deliver them. Every method
 * returns a new list of new arrays; the input is never changed. Stateless.
 */
public final class Corruptions {
    private Corruptions() {
    }

    /** Deep copy. */
    public static List<byte[]> copy(List<byte[]> chunks) {
        List<byte[]> out = new ArrayList<>(chunks.size());
        for (byte[] c : chunks) {
            out.add(c.clone());
        }
        return out;
    }

    /** Total bytes of all chunks. */
    public static long size(List<byte[]> chunks) {
        long n = 0;
        for (byte[] c : chunks) {
            n += c.length;
        }
        return n;
    }

    /**
     * A few positions in the stream of all chunks' bytes: the first, the last, at a quarter, half and three
     * quarters, and the first and last byte of every chunk (the first 16 chunks), in order.
     */
    public static List<Long> positions(List<byte[]> chunks) {
        long n = size(chunks);
        TreeSet<Long> at = new TreeSet<>();
        if (n == 0) {
            return List.of();
        }
        for (long p : new long[]{0, n / 4, n / 2, 3 * n / 4, n - 1}) {
            at.add(p);
        }
        long start = 0;
        for (int i = 0; i < chunks.size() && i < 16; i++) {
            int len = chunks.get(i).length;
            if (len > 0) {
                at.add(start);
                at.add(start + len - 1);
            }
            start += len;
        }
        return List.copyOf(at);
    }

    /**
     * The first, middle and last byte of every chunk (at most {@code max} chunks, spread evenly, always with the
     * first and the last), as positions in the stream of all chunks' bytes, in order: damage in every part of a
     * multi-chunk transfer, not only in its first chunk.
     */
    public static List<Long> positionsInEveryChunk(List<byte[]> chunks, int max) {
        long[] starts = new long[chunks.size()];
        long start = 0;
        for (int i = 0; i < chunks.size(); i++) {
            starts[i] = start;
            start += chunks.get(i).length;
        }
        TreeSet<Long> at = new TreeSet<>();
        for (int i : sample(chunks.size(), max)) {
            int len = chunks.get(i).length;
            if (len > 0) {
                at.add(starts[i]);
                at.add(starts[i] + len / 2);
                at.add(starts[i] + len - 1);
            }
        }
        return List.copyOf(at);
    }

    /** Every single-bit change and the inversion of a byte: the masks {@link #flip} takes. */
    public static final List<Integer> FEW_MASKS = List.of(0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff);

    /**
     * The chunks of {@code first} with those at {@code indexes} taken from {@code second} (another capture): a
     * transfer spliced from two. Indexes past the end of {@code second} are left as in {@code first}.
     */
    public static List<byte[]> splice(List<byte[]> first, List<byte[]> second, java.util.Collection<Integer> indexes) {
        List<byte[]> out = copy(first);
        for (int i : indexes) {
            if (i >= 0 && i < out.size() && i < second.size()) {
                out.set(i, second.get(i).clone());
            }
        }
        return out;
    }

    /** {@code [chunk index, offset]} of a position in the stream of all chunks' bytes. */
    public static int[] locate(List<byte[]> chunks, long position) {
        long start = 0;
        for (int i = 0; i < chunks.size(); i++) {
            int len = chunks.get(i).length;
            if (position < start + len) {
                return new int[]{i, (int) (position - start)};
            }
            start += len;
        }
        throw new IndexOutOfBoundsException("position " + position + " beyond " + start + " bytes");
    }

    /** The byte at a stream position XOR {@code mask} (1-255). */
    public static List<byte[]> flip(List<byte[]> chunks, long position, int mask) {
        int[] at = locate(chunks, position);
        List<byte[]> out = copy(chunks);
        out.get(at[0])[at[1]] ^= (byte) mask;
        return out;
    }

    /** The first {@code count} chunks. */
    public static List<byte[]> prefix(List<byte[]> chunks, int count) {
        return copy(chunks.subList(0, count));
    }

    /** Chunk {@code index} cut to its first {@code length} bytes, the others intact. */
    public static List<byte[]> cut(List<byte[]> chunks, int index, int length) {
        List<byte[]> out = copy(chunks);
        out.set(index, java.util.Arrays.copyOf(chunks.get(index), length));
        return out;
    }

    /** Chunk {@code index} replaced. */
    public static List<byte[]> replace(List<byte[]> chunks, int index, byte[] replacement) {
        List<byte[]> out = copy(chunks);
        out.set(index, replacement.clone());
        return out;
    }

    /** Chunks {@code i} and {@code j} swapped. */
    public static List<byte[]> swap(List<byte[]> chunks, int i, int j) {
        List<byte[]> out = copy(chunks);
        Collections.swap(out, i, j);
        return out;
    }

    /** The chunks in reverse order. */
    public static List<byte[]> reverse(List<byte[]> chunks) {
        List<byte[]> out = copy(chunks);
        Collections.reverse(out);
        return out;
    }

    /** The last chunk moved to the front. */
    public static List<byte[]> lastFirst(List<byte[]> chunks) {
        List<byte[]> out = copy(chunks);
        out.add(0, out.remove(out.size() - 1));
        return out;
    }

    /** Chunk {@code index} delivered twice in a row. */
    public static List<byte[]> duplicate(List<byte[]> chunks, int index) {
        List<byte[]> out = copy(chunks);
        out.add(index + 1, chunks.get(index).clone());
        return out;
    }

    /** The whole list delivered twice. */
    public static List<byte[]> twice(List<byte[]> chunks) {
        List<byte[]> out = copy(chunks);
        out.addAll(copy(chunks));
        return out;
    }

    /** At most {@code max} indexes spread evenly over {@code [0, n)}, always with the first and the last. */
    public static List<Integer> sample(int n, int max) {
        TreeSet<Integer> out = new TreeSet<>();
        if (n <= 0) {
            return List.of();
        }
        if (n <= max) {
            for (int i = 0; i < n; i++) {
                out.add(i);
            }
        } else {
            for (int k = 0; k < max; k++) {
                out.add((int) ((long) k * (n - 1) / (max - 1)));
            }
        }
        return List.copyOf(out);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;

/**
 * The core's chunk sink: refuses, with a {@link MigrationException} like the core, a chunk over
 * {@link MigrationContext#maxChunkBytes()} or a total over {@link MigrationContext#maxImageBytes()}, and keeps
 * the chunks it takes (the core sends them after {@code capture} returns).
 *
 * <p>It also records what the core cannot see but relies on, in {@link #violations()}: a chunk over the chunk
 * limit (a strategy must split, not rely on the refusal), a {@code null} chunk, a chunk offered after the sink
 * refused one or after the capture returned, a chunk offered from another thread. {@link #modifiedChunks()}
 * tells which chunks changed after the sink took ownership of them.
 *
 * <p>Not thread-safe, like the core's.
 */
public final class FakeChunkSink implements ChunkSink {
    private final int maxChunkBytes;
    private final long maxImageBytes;
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<byte[]> copies = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private long total;
    private int offered;
    private int failAt = -1;
    private MigrationException failure;
    private MigrationException refused;
    private Thread owner;
    private boolean closed;

    /** A sink enforcing the limits of this migration. */
    public FakeChunkSink(MigrationContext ctx) {
        this(ctx.maxChunkBytes(), ctx.maxImageBytes());
    }

    /** A sink enforcing these limits. */
    public FakeChunkSink(int maxChunkBytes, long maxImageBytes) {
        this.maxChunkBytes = maxChunkBytes;
        this.maxImageBytes = maxImageBytes;
    }

    /**
     * Makes the sink refuse the chunk with this index (0 = first) with the given exception, as a core whose
     * link to the target broke or whose migration timed out would.
     */
    public FakeChunkSink failingAt(int index, MigrationException e) {
        this.failAt = index;
        this.failure = e;
        return this;
    }

    /** Binds the sink to the calling thread (the agent's owner thread). */
    public void open() {
        owner = Thread.currentThread();
    }

    /** The capture returned: later chunks are violations. */
    public void close() {
        closed = true;
    }

    @Override
    public void accept(byte[] chunk) throws MigrationException {
        int index = offered++;
        if (closed) {
            violations.add("chunk " + index + " offered after capture() returned (the core has sent the chunks "
                    + "by then: it would be lost)");
            throw new IllegalStateException("chunk offered after capture() returned");
        }
        if (owner != null && Thread.currentThread() != owner) {
            violations.add("chunk " + index + " offered on thread " + Thread.currentThread().getName()
                    + ", not the agent's owner thread " + owner.getName());
        }
        if (refused != null) {
            violations.add("chunk " + index + " offered after the sink refused a chunk with \"" + refused.getMessage()
                    + "\": capture must stop and propagate the MigrationException");
            throw refused;
        }
        if (chunk == null) {
            violations.add("chunk " + index + " is null");
            throw refuse(new MigrationException("null chunk"));
        }
        if (index == failAt) {
            throw refuse(failure);
        }
        if (chunk.length > maxChunkBytes) {
            violations.add("chunk " + index + " of " + chunk.length + " bytes exceeds maxChunkBytes " + maxChunkBytes);
            throw refuse(new MigrationException("chunk of " + chunk.length + " bytes exceeds " + maxChunkBytes));
        }
        if (total + chunk.length > maxImageBytes) {
            throw refuse(new MigrationException("image exceeds " + maxImageBytes + " bytes"));
        }
        total += chunk.length;
        chunks.add(chunk);
        copies.add(chunk.clone());
    }

    private MigrationException refuse(MigrationException e) {
        refused = e;
        return e;
    }

    /** The chunks taken, as the strategy handed them over (the same arrays). */
    public List<byte[]> chunks() {
        return List.copyOf(chunks);
    }

    /** Copies of the chunks as they were when the sink took them. */
    public List<byte[]> chunksAsTaken() {
        List<byte[]> out = new ArrayList<>(copies.size());
        for (byte[] c : copies) {
            out.add(c.clone());
        }
        return out;
    }

    /** Indexes of chunks whose content changed after the sink took them. */
    public List<Integer> modifiedChunks() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            if (!Arrays.equals(chunks.get(i), copies.get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    /** Sum of the sizes of the chunks taken. */
    public long totalBytes() {
        return total;
    }

    /** How many chunks were offered, taken or not. */
    public int offered() {
        return offered;
    }

    /** The exception the sink refused a chunk with, or {@code null}. */
    public MigrationException refusal() {
        return refused;
    }

    /** Contract violations seen, in order. */
    public List<String> violations() {
        return List.copyOf(violations);
    }
}

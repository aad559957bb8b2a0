/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;

/**
 * Fig. 7A at the target: the received chunks are appended to a temporary checkpoint file as they arrive
 * (nothing is held in memory); {@link #finish} forces it to disk, verifies its SHA-256 <em>before parsing
 * anything</em>, parses it with every length checked, refuses a foreign agent, renames it into place as this
 * node's checkpoint and creates the agent from it with {@link RestoreTarget#restoreImage} (step 5). What this node
 * restores at most ({@link RestoreTarget#maxRestoredBytes()}) bounds the file as it arrives and the image before
 * its segments are read: a larger checkpoint is refused without being written out or handed to the target.
 *
 * <p>The file is verified before it gets its final name, so a corrupted checkpoint never appears among the
 * node's checkpoints. Any refusal or {@link #abort} deletes what was written — also an {@code abort} after
 * {@code finish} (the source rolled back after this node had rebuilt the agent, so the agent never lived
 * here). A kept checkpoint replaces this node's older ones of the mobile, which describe an agent that left.
 *
 * <p>The core calls it from one thread at a time, possibly a different one each call: methods are
 * synchronized for visibility, not for concurrency.
 */
final class CondorRestoreSession implements RestoreSession {
    private final RestoreTarget target;
    private final MigrationContext ctx;
    private final Path dir;
    private final boolean keep;
    private final Durability durability;
    private final CheckpointFiles files;
    private Path temp;
    /** The checkpoint kept after {@link #finish}, until an abort makes it stale. */
    private Path kept;
    private FileChannel channel;
    private long received;
    private int chunks;
    private String closedBecause;

    CondorRestoreSession(RestoreTarget target, MigrationContext ctx, Path dir, boolean keep, Durability durability,
            CheckpointFiles files) {
        this.target = target;
        this.files = files;
        this.durability = durability;
        this.ctx = ctx;
        this.dir = dir;
        this.keep = keep;
    }

    @Override
    public synchronized void accept(byte[] chunk) throws MigrationException {
        if (closedBecause != null) {
            throw new MigrationException("Condor restore of " + ctx.mobile() + " is " + closedBecause
                    + "; no more chunks accepted");
        }
        try {
            if (chunk == null) {
                throw new MigrationException("missing chunk for Condor restore of " + ctx.mobile());
            }
            if (chunk.length > ctx.maxChunkBytes()) {
                throw new MigrationException(
                        "Condor chunk of " + chunk.length + " bytes exceeds this migration's limit of "
                                + ctx.maxChunkBytes());
            }
            if (received + chunk.length > ctx.maxImageBytes()) {
                throw new MigrationException(
                        "Condor checkpoint of " + ctx.mobile() + " exceeds this migration's limit of "
                                + ctx.maxImageBytes() + " bytes at chunk " + (chunks + 1));
            }
            long restorable = target.maxRestoredBytes();
            if (received + chunk.length > maxFileBytes(restorable)) {
                throw new MigrationException("Condor checkpoint of " + ctx.mobile() + " exceeds at chunk "
                        + (chunks + 1)
                        + " the largest file of an image this node restores (restored-size limit of " + restorable
                        + " bytes)");
            }
            if (channel == null) {
                Files.createDirectories(dir);
                temp = Files.createTempFile(dir, "." + ctx.mobile().value() + "-m"
                        + Long.toUnsignedString(ctx.migrationId()) + ".", ".tmp");
                channel = FileChannel.open(temp, WRITE, TRUNCATE_EXISTING);
            }
            CheckpointFormat.writeFully(channel, ByteBuffer.wrap(chunk));
            received += chunk.length;
            chunks++;
        } catch (MigrationException e) {
            fail("refused");
            throw e;
        } catch (IOException | RuntimeException e) {
            fail("failed");
            throw new MigrationException("cannot write the checkpoint of " + ctx.mobile() + " to " + dir + ": " + e, e);
        }
    }

    @Override
    public synchronized void finish() throws MigrationException {
        if (closedBecause != null) {
            throw new MigrationException("Condor restore of " + ctx.mobile() + " is " + closedBecause);
        }
        if (channel == null) {
            fail("incomplete");
            throw new MigrationException("no checkpoint bytes arrived for " + ctx.mobile());
        }
        Path file = null;
        try {
            durability.force(channel, temp);
            channel.close();
            channel = null;
            // checksum first, then parse; segments over what this node restores are refused before they are read
            Checkpoint cp = CheckpointFormat.read(temp, Math.min(ctx.maxImageBytes(), target.maxRestoredBytes()));
            check(cp.header());
            file = dir.resolve(Checkpoints.fileName(ctx.mobile(), ctx.epoch(), ctx.migrationId(), ctx.target()));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            durability.forceDirectory(dir);
            target.restoreImage(cp.image());
            if (!keep) {
                CondorStrategy.deleteQuietly(file);
            } else {
                String name = file.getFileName().toString();
                files.added(dir, ctx.target(), ctx.mobile(), name);
                files.deleteAll(dir, ctx.target(), ctx.mobile(), name); // older ones: an agent that left
                kept = file;
            }
            file = null;
            close("finished");
        } catch (MigrationException e) {
            fail("refused");
            throw e;
        } catch (IOException | RuntimeException e) {
            fail("failed");
            throw new MigrationException("restoring agent " + ctx.mobile() + " from its checkpoint failed: " + e, e);
        } finally {
            if (file != null) {
                CondorStrategy.deleteQuietly(file); // renamed but not restored: not this node's agent
            }
        }
    }

    private void check(CheckpointHeader h) throws MigrationException {
        if (h.migrationId() != ctx.migrationId()) {
            throw new MigrationException("checkpoint belongs to migration " + Long.toUnsignedString(h.migrationId())
                    + ", not to " + Long.toUnsignedString(ctx.migrationId()));
        }
        if (!h.mobile().equals(ctx.mobile())) {
            throw new MigrationException("checkpoint is of mobile " + h.mobile() + ", not of " + ctx.mobile());
        }
        if (h.epoch() != ctx.epoch()) {
            throw new MigrationException(
                    "checkpoint is for epoch " + h.epoch() + ", this migration for " + ctx.epoch());
        }
        String foreign = foreign(h.type(), target.localAgentType());
        if (foreign != null) {
            throw new MigrationException(foreign);
        }
    }

    /** {@link CheckpointFormat#maxFileBytes}, saturated: a target may declare no limit ({@link Long#MAX_VALUE}). */
    private static long maxFileBytes(long maxImageBytes) {
        return maxImageBytes > Long.MAX_VALUE - CheckpointFormat.maxFileBytes(0)
                ? Long.MAX_VALUE
                : CheckpointFormat.maxFileBytes(maxImageBytes);
    }

    /** Why an image of type {@code image} cannot become an agent on a node running {@code local}, or null. */
    static String foreign(AgentType image, AgentType local) {
        if (local == null) {
            return "this node reports no agent type; it cannot restore a checkpoint";
        }
        if (image.equals(local)) {
            return null;
        }
        if (!image.bundle().equals(local.bundle())) {
            return "checkpoint is of agent bundle " + printable(image.bundle()) + ", this node runs " + local.bundle()
                    + ": a Condor checkpoint can only be restored by the same agent";
        }
        if (!image.version().equals(local.version())) {
            return "checkpoint is of " + image.bundle() + " version " + printable(image.version())
                    + ", this node runs version " + local.version()
                    + ": a Condor checkpoint needs the same agent bundle version on both nodes (use NAIVE across versions)";
        }
        return String.format("checkpoint has agent layout hash %016x, this node's %s %s has %016x: the image layout"
                + " differs, so it cannot be restored here", image.layoutHash(), local.bundle(), local.version(),
                local.layoutHash());
    }

    /** Text from another node, made safe for a log line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.append(s.length() > 80 ? "...'" : "'").toString();
    }

    @Override
    public synchronized void abort() {
        if (closedBecause == null) {
            close("aborted");
        } else if (kept != null) {
            // after finish: the rebuilt agent is discarded, its checkpoint would claim an epoch it never had here
            try {
                files.delete(dir, ctx.target(), ctx.mobile(), kept.getFileName().toString());
            } catch (RuntimeException e) {
                CondorStrategy.deleteQuietly(kept);
            }
            kept = null;
            closedBecause = "aborted after it finished";
        }
    }

    private void fail(String why) {
        close("failed (" + why + ")");
    }

    /** Releases the channel and deletes an unfinished temporary file; never throws. */
    private void close(String why) {
        closedBecause = why;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException | RuntimeException e) {
                // nothing more to release
            }
            channel = null;
        }
        if (temp != null) {
            CondorStrategy.deleteQuietly(temp);
            temp = null;
        }
    }

    /** Bytes received so far; for tests. */
    synchronized long received() {
        return received;
    }
}

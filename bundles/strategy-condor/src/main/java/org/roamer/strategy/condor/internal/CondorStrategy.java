/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static java.nio.file.StandardOpenOption.READ;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * The seed's Condor approach (Fig. 7A): the runtime takes the agent's whole image without its help, at any
 * message boundary; the strategy "dumps a core" — writes a checksummed checkpoint file
 * ({@link CheckpointFormat}), durably — and the USS transfers that file. The target writes the received
 * bytes into its own checkpoint file, verifies it and creates the agent from it
 * ({@link CondorRestoreSession}). The target keeps its checkpoint for crash recovery ({@link Checkpoints})
 * while the agent lives there; the source's is deleted once the migration's outcome is known
 * ({@link #finished}), and every checkpoint a node keeps of an agent goes when the agent leaves it by any
 * strategy or ends ({@link #departed}): a checkpoint directory holds about one file per agent hosted there
 * that arrived by Condor. Slowest of the three, and the one that needs most memory and disk.
 *
 * <p>Thread-safe: the settings are one immutable snapshot, read once per capture or restore.
 */
@Component(service = MigrationStrategy.class, property = MigrationStrategy.NAME_PROPERTY + "="
        + CondorStrategy.NAME, configurationPid = CondorStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CondorStrategy.Config.class)
public final class CondorStrategy implements MigrationStrategy {
    /** The strategy's name and service property value. */
    public static final String NAME = "condor";
    static final String PID = "org.roamer.strategy.condor";
    static final int DEFAULT_CHUNK_SIZE = 65_536;
    static final int MIN_CHUNK_SIZE = 64;

    private static final StrategyTraits TRAITS = new StrategyTraits(true, false, true, false,
            "whole agent image as a checksummed checkpoint file, transferred and restored; kept for crash recovery"
                    + " (same agent version)");

    /** Configuration of the Condor-like strategy; a change applies to migrations started afterwards. */
    @ObjectClassDefinition(id = PID, name = "Roamer Condor-like migration strategy", description = "Writes the whole agent image to a checkpoint file, transfers the file and restores the"
            + " agent from it. Checkpoints are kept for crash recovery unless told otherwise.")
    public @interface Config {
        @AttributeDefinition(name = "Checkpoint directory", required = false, description = "Where checkpoint files are written, on the source and on the target. Empty: the"
                + " node's work directory + /checkpoints. A relative path is resolved against the"
                + " container's working directory.")
        String checkpointDirectory() default "";

        @AttributeDefinition(name = "Keep checkpoints", description = "Keep the target's checkpoint file of an agent that arrived by Condor while the agent"
                + " lives there, for crash recovery; it is deleted when the agent leaves that node (by any"
                + " strategy) or ends. The source's file is deleted once the migration committed or rolled"
                + " back, so a directory holds about one file per agent hosted on the node. When off, the"
                + " source deletes its file once sent and the target once the agent is restored.")
        boolean keepCheckpoints() default true;

        @AttributeDefinition(name = "Chunk size (bytes)", min = "64", description = "Bytes of the checkpoint file per TRANSFER_DATA chunk; at most the migration's"
                + " chunk limit.")
        int chunkSize() default DEFAULT_CHUNK_SIZE;
    }

    /**
     * @param directory       checkpoint directory, or {@code null} for the work directory's {@code checkpoints}
     * @param keepCheckpoints whether files stay after a migration
     * @param chunkSize       bytes per chunk (capped by the migration's limit)
     */
    record Settings(Path directory, boolean keepCheckpoints, int chunkSize) {
        Settings {
            if (chunkSize < MIN_CHUNK_SIZE) {
                throw new IllegalArgumentException("Condor chunk size " + chunkSize + " is below " + MIN_CHUNK_SIZE);
            }
        }

        static Settings from(Config c) {
            String dir = c.checkpointDirectory() == null ? "" : c.checkpointDirectory().trim();
            return new Settings(dir.isEmpty() ? null : Path.of(dir), c.keepCheckpoints(), c.chunkSize());
        }

        Path directory(MigrationContext ctx) throws MigrationException {
            return directory(ctx.workDirectory());
        }

        Path directory(Path workDirectory) throws MigrationException {
            if (directory != null) {
                return directory;
            }
            if (workDirectory == null) {
                throw new MigrationException(
                        "no checkpoint directory: none configured and the node has no work directory");
            }
            return Checkpoints.defaultDirectory(workDirectory);
        }
    }

    private final Clock clock;
    private final Durability durability;
    private final CheckpointFiles files = new CheckpointFiles();
    private volatile Settings settings;

    /** Called by DS with the configuration, or its defaults when there is none. */
    @Activate
    public CondorStrategy(Config config) {
        this(Settings.from(config), Clock.systemUTC(), Durability.FSYNC);
    }

    CondorStrategy(Settings settings, Clock clock, Durability durability) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.durability = Objects.requireNonNull(durability, "durability");
    }

    @Modified
    void modified(Config config) {
        settings = Settings.from(config);
    }

    Settings settings() {
        return settings;
    }

    /** The checkpoint files this instance knows of; for tests. */
    CheckpointFiles files() {
        return files;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StrategyTraits traits() {
        return TRAITS;
    }

    /**
     * Fig. 7A at the source: (3) save the registers and dump the core — the checkpoint file, forced to disk
     * and renamed into place — then (4) transfer it: the file is read back and emitted in chunks. Steps 1,
     * 2 and 5–8 (stop, stub, new process, channels, READY, resume) belong to the core and the target. When
     * anything fails the checkpoint is deleted: the agent stays live at the source and the file would
     * otherwise claim an epoch it never reached. Otherwise it is kept (unless {@code keepCheckpoints} is off)
     * until the migration's outcome is known: should the source crash before, it is a copy of the agent.
     */
    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(out, "out");
        Settings s = settings;
        AgentImage image = imageOf(agent, ctx);
        CheckpointHeader h = new CheckpointHeader(CheckpointFormat.VERSION, ctx.migrationId(), ctx.epoch(),
                Instant.ofEpochMilli(clock.millis()), ctx.mobile(), ctx.source(), image.type(), image.data().length,
                image.stack().length, image.registers().length);
        byte[] header = CheckpointFormat.header(h);
        long fileBytes = header.length + h.imageBytes() + CheckpointFormat.DIGEST;
        if (fileBytes > ctx.maxImageBytes()) {
            throw new MigrationException("Condor checkpoint of " + ctx.mobile() + " would take " + fileBytes
                    + " bytes, over this migration's limit of " + ctx.maxImageBytes());
        }
        int chunk = Math.min(s.chunkSize(), ctx.maxChunkBytes());
        if (chunk < 1) {
            throw new MigrationException(
                    "chunk limit of " + ctx.maxChunkBytes() + " bytes leaves no room for the checkpoint");
        }
        Path dir = s.directory(ctx);
        Path file;
        try {
            file = CheckpointFormat.write(dir, Checkpoints.fileName(ctx.mobile(), ctx.epoch(), ctx.migrationId(),
                    ctx.source()), header, image, durability);
        } catch (IOException e) {
            throw new MigrationException("cannot write the checkpoint of " + ctx.mobile() + " to " + dir + ": " + e, e);
        }
        boolean sent = false;
        try {
            transfer(file, fileBytes, chunk, out);
            sent = true;
        } catch (IOException e) {
            throw new MigrationException("cannot read back the checkpoint " + file + ": " + e, e);
        } finally {
            if (!sent || !s.keepCheckpoints()) {
                deleteQuietly(file);
            } else {
                files.added(dir, ctx.source(), ctx.mobile(), file.getFileName().toString());
            }
        }
    }

    /**
     * At the source, the migration's outcome: the checkpoint {@link #capture} wrote for it goes either way —
     * after a rollback it claims an epoch the agent never reached, after the commit the agent lives at the
     * target, which keeps its own copy. On a commit every other checkpoint this node keeps of the agent goes
     * too (as in {@link #departed}). Deletes only files of this mobile written by this node, in the configured
     * directory; never throws.
     */
    @Override
    public void finished(MigrationContext ctx, boolean committed) {
        Path dir;
        try {
            dir = settings.directory(ctx);
        } catch (MigrationException e) {
            return; // nowhere to have written anything
        }
        files.delete(dir, ctx.source(), ctx.mobile(),
                Checkpoints.fileName(ctx.mobile(), ctx.epoch(), ctx.migrationId(), ctx.source()));
        if (committed) {
            files.deleteAll(dir, ctx.source(), ctx.mobile(), null);
        }
    }

    /**
     * The agent left {@code node} (by any strategy) or ended there: every checkpoint of it that this node keeps
     * — received when it arrived by Condor, or of a migration whose outcome never reached this instance — is
     * stale. A map lookup when there is none; no fsync (a deleted stale file that a crash brings back is only
     * a stale file). Never throws.
     */
    @Override
    public void departed(MobileId mobile, NodeId node, Path workDirectory) {
        if (mobile == null || node == null) {
            return;
        }
        try {
            files.deleteAll(settings.directory(workDirectory), node, mobile, null);
        } catch (MigrationException e) {
            // no directory: nothing kept
        }
    }

    /** Step 4: "the USS transfers the file" — read back from disk, one chunk at a time. */
    private static void transfer(Path file, long expected, int chunk, ChunkSink out) throws IOException,
            MigrationException {
        try (FileChannel ch = FileChannel.open(file, READ)) {
            long size = ch.size();
            if (size != expected) {
                throw new MigrationException(
                        "checkpoint " + file + " has " + size + " bytes, " + expected + " written");
            }
            for (long pos = 0; pos < size;) {
                byte[] c = new byte[(int) Math.min(chunk, size - pos)];
                CheckpointFormat.readFully(ch, ByteBuffer.wrap(c), pos);
                pos += c.length;
                out.accept(c);
            }
        }
    }

    private static AgentImage imageOf(MigratingAgent agent, MigrationContext ctx) throws MigrationException {
        AgentImage image;
        try {
            image = agent.image();
        } catch (RuntimeException e) {
            throw new MigrationException("the runtime could not capture the image of agent " + ctx.mobile() + ": " + e,
                    e);
        }
        if (image == null || image.type() == null || image.data() == null || image.stack() == null
                || image.registers() == null) {
            throw new MigrationException("the runtime returned an incomplete image of agent " + ctx.mobile());
        }
        return image;
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // best effort: a left-over file is listed, never trusted without its checksum
        }
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(ctx, "ctx");
        Settings s = settings;
        return new CondorRestoreSession(target, ctx, s.directory(ctx), s.keepCheckpoints(), durability, files);
    }
}

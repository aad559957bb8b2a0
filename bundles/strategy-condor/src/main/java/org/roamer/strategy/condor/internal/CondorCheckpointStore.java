/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationException;

/**
 * Crash recovery on disk, in the Condor checkpoint file format ({@link CheckpointFormat}), each file sealed with
 * HMAC-SHA256 under the node's checkpoint key ({@link CheckpointKey}; a SHA-256 could be recomputed by whoever can
 * write the directory, and a changed image, or epoch, would go straight to the Location Server):
 * the seed's "the new user process created is a checkpoint file and can be reviewed later in the case of a
 * machine or network crash". The USS core calls it periodically for every live agent, deletes a mobile's
 * checkpoint when its agent leaves or ends, and restores agents from it after a restart.
 *
 * <p>Layout: one file per mobile, {@code <dir>/<mobile>.rckp} (migration id {@value #RECOVERY_MIGRATION_ID}
 * marks a recovery checkpoint; the header carries the epoch, the writing node and the time). A save writes
 * {@code <dir>/.<mobile>.rckp.tmp}, forces it, renames it over the previous checkpoint atomically and forces
 * the directory: the older checkpoint of that mobile is replaced in the same step, so at every instant the
 * directory holds the previous complete checkpoint or the new one, never none, a partial one or two. No
 * directory scan on the periodic path. Every read verifies the checksum before parsing; a file whose name
 * and header disagree is refused. Never Java serialization.
 *
 * <p>Thread-safe: calls for the same directory and mobile are serialized (the core never overlaps them
 * anyway); different mobiles proceed in parallel.
 */
@Component(service = CheckpointStore.class, property = CheckpointStore.NAME_PROPERTY + "="
        + CondorCheckpointStore.NAME, configurationPid = CondorCheckpointStore.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CondorCheckpointStore.Config.class)
public final class CondorCheckpointStore implements CheckpointStore {
    /** The store's name and {@value CheckpointStore#NAME_PROPERTY} value. */
    public static final String NAME = "condor";
    static final String PID = "org.roamer.checkpoints.condor";
    /** Migration id written into recovery checkpoints (they belong to no migration). */
    static final long RECOVERY_MIGRATION_ID = 0;
    static final long DEFAULT_MAX_IMAGE_BYTES = 64L * 1024 * 1024;
    static final String TEMP_SUFFIX = ".tmp";
    private static final int LOCK_STRIPES = 64;
    private static final System.Logger LOG = System.getLogger(CondorCheckpointStore.class.getName());

    /** Configuration of the Condor checkpoint store. */
    @ObjectClassDefinition(id = PID, name = "Roamer Condor checkpoint store", description = "Crash-recovery checkpoints of agents in the Condor checkpoint file format (sealed with"
            + " HMAC-SHA256 under the container's checkpoint key), one file per mobile in the USS node's"
            + " recovery directory.")
    public @interface Config {
        @AttributeDefinition(name = "Largest image (bytes)", min = "1", description = "Largest agent image (data + stack + registers) written or read back; a larger one"
                + " is refused when saved and when read.")
        long maxImageBytes() default DEFAULT_MAX_IMAGE_BYTES;

        @AttributeDefinition(name = "Key file", description = "The container's checkpoint key: "
                + Seal.KEY_BYTES + " random bytes, made on first use (rw-------). Checkpoints are sealed with"
                + " HMAC-SHA256 under it; one sealed otherwise, or changed, is refused. Relative paths are relative"
                + " to karaf.etc. Keep it out of the data directory.")
        String keyFile() default DEFAULT_KEY_FILE;
    }

    /** The key file's default name, in {@code karaf.etc}. */
    static final String DEFAULT_KEY_FILE = "roamer-checkpoint.key";

    private final Clock clock;
    private final Durability durability;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private volatile long maxImageBytes;
    private volatile Seal seal;

    /**
     * Called by DS with the configuration, or its defaults when there is none.
     *
     * @throws IOException when the key file cannot be read or made, or is not a key
     */
    @Activate
    public CondorCheckpointStore(Config config) throws IOException {
        this(config.maxImageBytes(), Clock.systemUTC(), Durability.FSYNC, keyOf(config));
    }

    /** For tests: a key of its own. */
    CondorCheckpointStore(long maxImageBytes, Clock clock, Durability durability) {
        this(maxImageBytes, clock, durability, Seal.hmac(CheckpointKey.random()));
    }

    CondorCheckpointStore(long maxImageBytes, Clock clock, Durability durability, Seal seal) {
        this.seal = Objects.requireNonNull(seal, "seal");
        this.maxImageBytes = positive(maxImageBytes);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.durability = Objects.requireNonNull(durability, "durability");
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    @Modified
    void modified(Config config) throws IOException {
        maxImageBytes = positive(config.maxImageBytes());
        seal = keyOf(config);
    }

    private static Seal keyOf(Config config) throws IOException {
        Path etc = Path.of(System.getProperty("karaf.etc", "etc"));
        return Seal.hmac(CheckpointKey.loadOrCreate(etc.resolve(config.keyFile())));
    }

    private static long positive(long max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxImageBytes must be positive, is " + max);
        }
        return max;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The checkpoint file of a mobile: {@code <mobile>.rckp}. Mobile ids are safe file names. */
    static String fileName(MobileId mobile) {
        return mobile.value() + Checkpoints.SUFFIX;
    }

    /** The temporary file a save goes through: {@code .<mobile>.rckp.tmp} (hidden, never listed). */
    static String tempName(MobileId mobile) {
        return "." + fileName(mobile) + TEMP_SUFFIX;
    }

    /** The mobile a checkpoint file is named for, or {@code null} when the name is not this store's. */
    static MobileId mobileOf(String fileName) {
        if (!fileName.endsWith(Checkpoints.SUFFIX) || fileName.startsWith(".")) {
            return null;
        }
        try {
            return MobileId.of(fileName.substring(0, fileName.length() - Checkpoints.SUFFIX.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Object lock(Path directory, MobileId mobile) {
        int h = directory.hashCode() * 31 + mobile.hashCode();
        return locks[Math.floorMod(h ^ (h >>> 16), locks.length)];
    }

    // ------------------------------------------------------------------ save

    @Override
    public void save(MigratingAgent agent, long epoch, NodeId node, Path directory) throws MigrationException {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(directory, "directory");
        MobileId mobile = Objects.requireNonNull(agent.mobile(), "agent.mobile()");
        AgentImage image;
        try {
            image = agent.image();
        } catch (RuntimeException e) {
            throw new MigrationException("the runtime could not capture the image of agent " + mobile + ": " + e, e);
        }
        if (image == null || image.type() == null || image.data() == null || image.stack() == null
                || image.registers() == null) {
            throw new MigrationException("the runtime returned an incomplete image of agent " + mobile);
        }
        long bytes = (long) image.data().length + image.stack().length + image.registers().length;
        long max = maxImageBytes;
        if (bytes > max) {
            throw new MigrationException("checkpoint of " + mobile + ": image of " + bytes
                    + " bytes exceeds the store's limit of " + max + " (maxImageBytes)");
        }
        CheckpointHeader h = new CheckpointHeader(CheckpointFormat.VERSION, RECOVERY_MIGRATION_ID, epoch,
                Instant.ofEpochMilli(clock.millis()), mobile, node, image.type(), image.data().length,
                image.stack().length, image.registers().length);
        byte[] header = CheckpointFormat.header(h);
        synchronized (lock(directory, mobile)) {
            try {
                ensureDirectory(directory);
                CheckpointFormat.write(directory, directory.resolve(tempName(mobile)), fileName(mobile), header, image,
                        durability, seal);
            } catch (IOException | RuntimeException e) {
                throw new MigrationException("cannot write the checkpoint of " + mobile + " to " + directory + ": " + e,
                        e);
            }
        }
    }

    /**
     * Creates the directory when missing, its owner's only ({@code rwx------}), and forces its parent, so the new
     * entry survives a crash too.
     */
    private void ensureDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory);
        CheckpointFormat.ownerOnly(directory, true);
        Path parent = directory.toAbsolutePath().getParent();
        if (parent != null) {
            durability.forceDirectory(parent);
        }
    }

    // ------------------------------------------------------------------ list

    /**
     * The latest checkpoint of every mobile, by mobile: each {@code <mobile>.rckp} verified (checksum first)
     * and its header checked against its name. Corrupt, truncated, unreadable or misnamed files are skipped
     * with a warning; temporary files and other names are not checkpoints of this store. Should two files
     * name the same mobile (a case-insensitive copy, say), the highest epoch wins, then the newest.
     */
    @Override
    public List<CheckpointInfo> list(Path directory) throws MigrationException {
        Objects.requireNonNull(directory, "directory");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        sweepTemporaries(directory);
        long max = maxImageBytes;
        Map<MobileId, CheckpointInfo> latest = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + Checkpoints.SUFFIX)) {
            for (Path file : files) {
                MobileId named = mobileOf(file.getFileName().toString());
                if (named == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                CheckpointInfo info;
                try {
                    long size = Files.size(file);
                    info = info(checked(file, named, CheckpointFormat.readHeader(file, max, seal)), size);
                } catch (IOException | MigrationException e) {
                    LOG.log(Level.WARNING, "Condor checkpoint store: skipping {0}: {1}", file, e.getMessage());
                    continue;
                }
                latest.merge(info.mobile(), info, (a, b) -> NEWEST.compare(a, b) >= 0 ? a : b);
            }
        } catch (IOException | RuntimeException e) {
            throw new MigrationException("cannot list the checkpoints in " + directory + ": " + e, e);
        }
        List<CheckpointInfo> out = new ArrayList<>(latest.values());
        out.sort(Comparator.comparing(CheckpointInfo::mobile));
        return out;
    }

    /** A temporary file older than this was left by a save that died (a save takes milliseconds). */
    static final long STALE_TEMP_MILLIS = 60_000;

    /**
     * Deletes the temporary files ({@code .<mobile>.rckp.tmp}) that saves which died (a crash, a full disk) left
     * behind; a node lists its checkpoints when it starts, so they go then. Younger ones may be a save in progress
     * and stay.
     */
    private void sweepTemporaries(Path directory) {
        long now = clock.millis();
        int swept = 0;
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory,
                ".*" + Checkpoints.SUFFIX + TEMP_SUFFIX)) {
            for (Path t : temps) {
                try {
                    if (Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS)
                            && now - Files.getLastModifiedTime(t, LinkOption.NOFOLLOW_LINKS)
                                    .toMillis() > STALE_TEMP_MILLIS
                            && Files.deleteIfExists(t)) {
                        swept++;
                    }
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "Condor checkpoint store: cannot delete the stale temporary file {0}: {1}",
                            t,
                            e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Condor checkpoint store: cannot look for stale temporary files in {0}: {1}",
                    directory, e.getMessage());
        }
        if (swept > 0) {
            LOG.log(Level.INFO, "Condor checkpoint store: deleted {0} temporary file(s) left by saves that died in {1}",
                    swept, directory);
        }
    }

    private static final Comparator<CheckpointInfo> NEWEST = Comparator.comparingLong(CheckpointInfo::epoch)
            .thenComparingLong(CheckpointInfo::written);

    private static CheckpointHeader checked(Path file, MobileId named, CheckpointHeader h) throws MigrationException {
        if (!h.mobile().equals(named)) {
            throw new MigrationException("checkpoint " + file.getFileName() + " holds the agent of " + h.mobile()
                    + ", not of " + named);
        }
        return h;
    }

    private static CheckpointInfo info(CheckpointHeader h, long size) {
        return new CheckpointInfo(h.mobile(), h.epoch(), h.created().toEpochMilli(), size, h.type(), h.node());
    }

    // ------------------------------------------------------------------ load

    @Override
    public Checkpoint load(Path directory, MobileId mobile) throws MigrationException {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(mobile, "mobile");
        Path file = directory.resolve(fileName(mobile));
        synchronized (lock(directory, mobile)) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new MigrationException("no checkpoint of " + mobile + " in " + directory);
            }
            long size;
            org.roamer.strategy.condor.internal.Checkpoint c;
            try {
                size = Files.size(file);
                c = CheckpointFormat.read(file, maxImageBytes, seal);
            } catch (IOException | MigrationException e) {
                throw new MigrationException("the checkpoint of " + mobile + " (" + file + ") cannot be used: "
                        + e.getMessage(), e);
            }
            checked(file, mobile, c.header());
            return new Checkpoint(info(c.header(), size), c.image());
        }
    }

    // ------------------------------------------------------------------ delete

    /** Removes the mobile's checkpoint (and a temporary file left by a crash) and forces the directory. */
    @Override
    public void delete(Path directory, MobileId mobile) {
        if (directory == null || mobile == null) {
            return;
        }
        synchronized (lock(directory, mobile)) {
            try {
                boolean removed = Files.deleteIfExists(directory.resolve(fileName(mobile)));
                removed |= Files.deleteIfExists(directory.resolve(tempName(mobile)));
                if (removed) {
                    durability.forceDirectory(directory); // a deleted checkpoint must not come back after a crash
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "Condor checkpoint store: cannot delete the checkpoint of {0} in {1}: {2}",
                        mobile,
                        directory, e.toString());
            }
        }
    }
}

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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.MigrationException;

/**
 * The migration checkpoint files of the strategy's directories, by the node that wrote them and the mobile they
 * hold, so that cleaning up after an agent has left a node is a map lookup and a few deletes — not a scan of a
 * directory with one file per hosted agent on every migration (most departures, by NAIVE, have nothing to
 * delete at all).
 *
 * <p>A directory is read once, on its first use by this instance (after a restart or a bundle update the files
 * kept before are found again): a file is taken by its name, {@code <mobile>-e<epoch>-m<migration>-<node>.rckp}
 * ({@link Checkpoints#fileName}); a name that splits into more than one valid mobile and node (ids may contain
 * {@code -e1-m2-}) is settled by the file's verified header. Anything else — other names, hidden or temporary
 * files, unreadable ambiguous files, sub-directories, links — is not this strategy's and is never deleted.
 * From then on the strategy records every file it renames into place or deletes. Files put there by hand later
 * are not seen.
 *
 * <p>Thread-safe. Calls for one node and mobile come from that agent's owner, one at a time; different mobiles
 * and nodes (sharing a configured directory) proceed in parallel.
 */
final class CheckpointFiles {
    private static final System.Logger LOG = System.getLogger(CheckpointFiles.class.getName());
    /** Image limit when an ambiguous name is settled by its header: the file is read, never kept in memory. */
    private static final long HEADER_CHECK_LIMIT = 1L << 40;

    private record Key(NodeId node, MobileId mobile) {
    }

    /** One directory: the files per node and mobile (lists replaced, never changed in place). */
    private static final class Dir {
        final Path path;
        final ConcurrentHashMap<Key, List<String>> files = new ConcurrentHashMap<>();
        volatile boolean loaded;

        Dir(Path path) {
            this.path = path;
        }
    }

    /** By absolute, normalized path. */
    private final ConcurrentHashMap<Path, Dir> dirs = new ConcurrentHashMap<>();
    /** By the paths callers use (relative ones included), so the common lookup normalizes nothing. */
    private final ConcurrentHashMap<Path, Dir> aliases = new ConcurrentHashMap<>();

    /** The directory's index, read from disk on first use. */
    private Dir dir(Path directory) {
        Dir d = aliases.get(directory);
        if (d == null) {
            d = dirs.computeIfAbsent(directory.toAbsolutePath().normalize(), Dir::new);
            aliases.putIfAbsent(directory, d);
        }
        if (!d.loaded) {
            synchronized (d) {
                if (!d.loaded) {
                    load(d);
                    d.loaded = true;
                }
            }
        }
        return d;
    }

    /** Records a file renamed into place in {@code directory}, written by {@code node} for {@code mobile}. */
    void added(Path directory, NodeId node, MobileId mobile, String name) {
        dir(directory).files.compute(new Key(node, mobile), (k, v) -> {
            if (v == null) {
                return List.of(name);
            }
            if (v.contains(name)) {
                return v;
            }
            List<String> n = new ArrayList<>(v.size() + 1);
            n.addAll(v);
            n.add(name);
            return List.copyOf(n);
        });
    }

    /**
     * Deletes one file of {@code node} and {@code mobile} and forgets it. A file not recorded (written by an
     * earlier instance after this one read the directory, say) is deleted too if it exists, without a warning
     * when it cannot be.
     */
    void delete(Path directory, NodeId node, MobileId mobile, String name) {
        Dir d = dir(directory);
        boolean[] recorded = {false};
        d.files.computeIfPresent(new Key(node, mobile), (k, v) -> {
            if (!v.contains(name)) {
                return v;
            }
            recorded[0] = true;
            List<String> n = new ArrayList<>(v);
            n.remove(name);
            return n.isEmpty() ? null : List.copyOf(n);
        });
        deleteQuietly(d.path.resolve(name), recorded[0]);
    }

    /**
     * Deletes every recorded file of {@code node} and {@code mobile} in {@code directory} except {@code keep}
     * ({@code null}: all) and forgets them.
     *
     * @return how many were deleted (or already gone)
     */
    int deleteAll(Path directory, NodeId node, MobileId mobile, String keep) {
        Dir d = dir(directory);
        List<String> gone = new ArrayList<>(1);
        d.files.computeIfPresent(new Key(node, mobile), (k, v) -> {
            List<String> kept = new ArrayList<>(1);
            for (String f : v) {
                (f.equals(keep) ? kept : gone).add(f);
            }
            return kept.isEmpty() ? null : List.copyOf(kept);
        });
        for (String f : gone) {
            deleteQuietly(d.path.resolve(f), true);
        }
        return gone.size();
    }

    /** The recorded files of {@code node} and {@code mobile}; for tests. */
    List<String> files(Path directory, NodeId node, MobileId mobile) {
        return dir(directory).files.getOrDefault(new Key(node, mobile), List.of());
    }

    /** How many files are recorded in {@code directory}; for tests. */
    int size(Path directory) {
        return dir(directory).files.values().stream().mapToInt(List::size).sum();
    }

    private static void deleteQuietly(Path file, boolean warn) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            // left behind: never trusted without its checksum, and not this node's agent any more
            if (warn) {
                LOG.log(Level.WARNING, "Condor strategy: cannot delete the stale checkpoint {0}: {1}", file,
                        e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ reading a directory

    private static void load(Dir d) {
        if (!Files.isDirectory(d.path)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d.path, "*" + Checkpoints.SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Name n = owner(file, name);
                if (n != null) {
                    d.files.merge(new Key(n.node(), n.mobile()), List.of(name), (a, b) -> {
                        List<String> m = new ArrayList<>(a);
                        m.addAll(b);
                        return List.copyOf(m);
                    });
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Condor strategy: cannot read the checkpoint directory {0}: {1}; checkpoints kept"
                    + " there before are not cleaned up", d.path, e.toString());
        }
    }

    /** Whose file this is: by its name, or by its verified header when the name can be read more than one way. */
    private static Name owner(Path file, String name) {
        List<Name> candidates = parse(name);
        if (candidates.size() <= 1) {
            return candidates.isEmpty() ? null : candidates.get(0);
        }
        try {
            CheckpointHeader h = Checkpoints.readHeader(file, HEADER_CHECK_LIMIT);
            for (Name n : candidates) {
                if (n.mobile().equals(h.mobile()) && n.epoch() == h.epoch() && n.migrationId() == h.migrationId()) {
                    return n;
                }
            }
        } catch (MigrationException | RuntimeException e) {
            // unreadable: whose it is stays unknown, so it is not touched
        }
        return null;
    }

    /**
     * One way to read a checkpoint file name.
     *
     * @param mobile      the mobile
     * @param epoch       the epoch
     * @param migrationId the migration id (unsigned)
     * @param node        the node that wrote the file
     */
    record Name(MobileId mobile, long epoch, long migrationId, NodeId node) {
    }

    /**
     * Every way {@code name} can be {@link Checkpoints#fileName}{@code (mobile, epoch, migrationId, node)} with a
     * valid mobile and node id; empty when it cannot.
     */
    static List<Name> parse(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.endsWith(Checkpoints.SUFFIX)) {
            return List.of();
        }
        String base = name.substring(0, name.length() - Checkpoints.SUFFIX.length());
        List<Name> out = new ArrayList<>(1);
        for (int e = base.indexOf("-e"); e > 0; e = base.indexOf("-e", e + 1)) {
            int digits = e + 2;
            int m = digits;
            while (m < base.length() && isDigit(base.charAt(m))) {
                m++;
            }
            if (m == digits || !base.startsWith("-m", m)) {
                continue;
            }
            int id = m + 2;
            int n = id;
            while (n < base.length() && isDigit(base.charAt(n))) {
                n++;
            }
            if (n == id || n >= base.length() - 1 || base.charAt(n) != '-') {
                continue;
            }
            try {
                MobileId mobile = MobileId.of(base.substring(0, e));
                long epoch = Long.parseLong(base.substring(digits, m));
                long migrationId = Long.parseUnsignedLong(base.substring(id, n));
                NodeId node = NodeId.of(base.substring(n + 1));
                if (Checkpoints.fileName(mobile, epoch, migrationId, node).equals(name)) {
                    out.add(new Name(mobile, epoch, migrationId, node));
                }
            } catch (IllegalArgumentException x) {
                // not a valid id or number this way (NumberFormatException included)
            }
        }
        return out;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

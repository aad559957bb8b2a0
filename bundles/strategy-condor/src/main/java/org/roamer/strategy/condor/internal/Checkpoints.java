/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.MigrationException;

/**
 * Reading and listing the checkpoint files of a directory, for crash recovery ({@code roamer:checkpoints},
 * {@code roamer:restore}). Public so that a future api service can delegate to it; this package is not
 * exported, so today only this bundle calls it. Every read verifies the file's SHA-256 before parsing it.
 * Static and thread-safe; a file being renamed into place meanwhile is seen whole or not at all.
 */
public final class Checkpoints {
    /** File name suffix of checkpoint files. */
    public static final String SUFFIX = ".rckp";
    /** Sub-directory of a node's work directory where checkpoints go by default. */
    public static final String DIRECTORY = "checkpoints";

    private static final Comparator<CheckpointEntry> NEWEST_FIRST = Comparator
            .comparing((CheckpointEntry e) -> e.header().mobile())
            .thenComparing(Comparator.comparingLong((CheckpointEntry e) -> e.header().epoch()).reversed())
            .thenComparing(Comparator.comparing((CheckpointEntry e) -> e.header().created()).reversed())
            .thenComparing(CheckpointEntry::file);

    private Checkpoints() {
    }

    /** The default checkpoint directory of a node: {@code <workDirectory>/checkpoints}. */
    public static Path defaultDirectory(Path workDirectory) {
        return workDirectory.resolve(DIRECTORY);
    }

    /**
     * The file name of a checkpoint: {@code <mobile>-e<epoch>-m<migration id>-<node>.rckp}, where node is the
     * node that wrote the file. Mobile and node ids are letters, digits, {@code _ . -} only, so the name is
     * safe on every file system.
     */
    public static String fileName(MobileId mobile, long epoch, long migrationId, NodeId node) {
        return mobile.value() + "-e" + epoch + "-m" + Long.toUnsignedString(migrationId) + "-" + node.value() + SUFFIX;
    }

    /**
     * Reads a whole checkpoint: verifies its checksum, then parses it with every length checked.
     *
     * @param maxImageBytes largest image (sum of segments) accepted
     * @throws MigrationException when the file cannot be read, is corrupted, truncated or malformed
     */
    public static Checkpoint read(Path file, long maxImageBytes) throws MigrationException {
        return CheckpointFormat.read(file, maxImageBytes);
    }

    /**
     * Reads a checkpoint's header; the checksum of the whole file is verified first.
     *
     * @throws MigrationException when the file cannot be read, is corrupted, truncated or malformed
     */
    public static CheckpointHeader readHeader(Path file, long maxImageBytes) throws MigrationException {
        return CheckpointFormat.readHeader(file, maxImageBytes);
    }

    /**
     * Lists the checkpoint files ({@code *.rckp}) of a directory: intact ones with their header (mobile,
     * epoch, creation time, agent type, sizes), refused ones with the reason. Intact entries come first,
     * by mobile, newest epoch first; refused ones follow by file name. Temporary files of checkpoints
     * being written are not listed. A missing directory lists nothing.
     *
     * @throws IOException when the directory cannot be read
     */
    public static List<CheckpointEntry> list(Path dir, long maxImageBytes) throws IOException {
        List<CheckpointEntry> intact = new ArrayList<>();
        List<CheckpointEntry> refused = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                if (file.getFileName().toString().startsWith(".")
                        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long size;
                try {
                    size = Files.size(file);
                } catch (IOException e) {
                    continue; // removed meanwhile
                }
                try {
                    intact.add(new CheckpointEntry(file, size, readHeader(file, maxImageBytes), null));
                } catch (MigrationException e) {
                    refused.add(new CheckpointEntry(file, size, null, e.getMessage()));
                }
            }
        }
        intact.sort(NEWEST_FIRST);
        refused.sort(Comparator.comparing(CheckpointEntry::file));
        intact.addAll(refused);
        return intact;
    }

    /** The intact checkpoint of {@code mobile} with the highest epoch (then the newest), if any. */
    public static Optional<CheckpointEntry> latest(Path dir, MobileId mobile, long maxImageBytes) throws IOException {
        return list(dir, maxImageBytes).stream().filter(CheckpointEntry::intact)
                .filter(e -> e.header().mobile().equals(mobile)).findFirst();
    }
}

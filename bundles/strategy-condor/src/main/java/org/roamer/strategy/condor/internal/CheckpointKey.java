/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * A container's checkpoint key: {@value Seal#KEY_BYTES} random bytes in a file of its owner's only, made on first
 * use. Kept apart from the checkpoints (in {@code etc/}, not {@code data/}), so that write access to the recovery
 * directory does not give the key.
 */
final class CheckpointKey {
    private static final SecureRandom RANDOM = new SecureRandom();

    private CheckpointKey() {
    }

    /** A new random key. */
    static byte[] random() {
        byte[] key = new byte[Seal.KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * The key in {@code file}; when there is no such file, a new key written there ({@code rw-------}, through a
     * temporary file and a rename, so that a crash never leaves a partial key behind).
     *
     * @throws IOException when the file cannot be read or written, is not a regular file, or does not hold exactly
     *                     {@value Seal#KEY_BYTES} bytes
     */
    static byte[] loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try {
                CheckpointFormat.ownerOnly(temp, false);
                Files.write(temp, random());
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file);
                }
            } catch (FileAlreadyExistsException e) {
                // made in the meantime: that key is used
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("checkpoint key " + file + " is not a regular file");
        }
        long size = Files.size(file);
        if (size != Seal.KEY_BYTES) {
            throw new IOException("checkpoint key " + file + " has " + size + " bytes, not " + Seal.KEY_BYTES
                    + "; delete it to make a new one (existing checkpoints are then refused)");
        }
        return Files.readAllBytes(file);
    }
}

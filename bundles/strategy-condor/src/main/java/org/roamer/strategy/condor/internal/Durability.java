/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * How checkpoint files are made durable: the file forced to disk before its rename, the directory after.
 * {@link #FSYNC} is the only production implementation; tests wrap it to observe the calls.
 */
interface Durability {
    /** {@code FileChannel.force(true)} on the file, {@code fsync} on the directory where the platform allows it. */
    Durability FSYNC = new Durability() {
        @Override
        public void force(FileChannel channel, Path file) throws IOException {
            channel.force(true);
        }

        @Override
        public void forceDirectory(Path dir) {
            CheckpointFormat.syncDirectory(dir);
        }
    };

    /** Forces the file's content and metadata to the device. */
    void force(FileChannel channel, Path file) throws IOException;

    /** Forces the directory's entries (a rename) to the device; best effort, never throws. */
    void forceDirectory(Path dir);
}

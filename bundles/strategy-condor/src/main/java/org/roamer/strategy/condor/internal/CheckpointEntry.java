/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.nio.file.Path;

/**
 * One checkpoint file of a directory, as {@link Checkpoints#list} found it: either intact, with its header,
 * or refused, with the reason.
 *
 * @param file    the file
 * @param size    its size in bytes
 * @param header  its header when intact, else {@code null}
 * @param problem why it was refused (checksum mismatch, truncation, bad format, ...), {@code null} when intact
 */
public record CheckpointEntry(Path file, long size, CheckpointHeader header, String problem) {
    /** Whether the checksum matched and the header parsed. */
    public boolean intact() {
        return problem == null;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

import java.nio.file.Path;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;

/**
 * One migration as a strategy sees it.
 *
 * @param migrationId   unique id of the migration
 * @param mobile        the migrating agent's mobile
 * @param epoch         the epoch the agent will have at the target
 * @param source        source USS
 * @param target        target USS
 * @param maxChunkBytes largest chunk a strategy may emit
 * @param maxImageBytes largest total of all chunks
 * @param workDirectory a node-local directory the strategy may use (e.g. checkpoint files)
 */
public record MigrationContext(long migrationId, MobileId mobile, long epoch, NodeId source, NodeId target,
        int maxChunkBytes, long maxImageBytes, Path workDirectory) {
}

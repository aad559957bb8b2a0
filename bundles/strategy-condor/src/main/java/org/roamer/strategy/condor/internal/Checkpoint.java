/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import org.roamer.api.spi.migration.AgentImage;

/**
 * A checkpoint read back from its file: the header and the agent image, checksum verified.
 *
 * @param header what the header says
 * @param image  the agent's whole image
 */
public record Checkpoint(CheckpointHeader header, AgentImage image) {
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.time.Instant;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentType;

/**
 * What a checkpoint file's header says (format in the module README). Immutable.
 *
 * @param formatVersion   file format version (1)
 * @param migrationId     the migration the checkpoint was taken for
 * @param epoch           the epoch the agent was to have at the migration's target
 * @param created         when the checkpoint was taken (millisecond precision)
 * @param mobile          the agent's mobile
 * @param node            the USS the image was taken on
 * @param type            the agent implementation the image belongs to
 * @param dataLength      bytes of the data segment
 * @param stackLength     bytes of the stack segment
 * @param registersLength bytes of the registers
 */
public record CheckpointHeader(int formatVersion, long migrationId, long epoch, Instant created, MobileId mobile,
        NodeId node, AgentType type, int dataLength, int stackLength, int registersLength) {
    /** Bytes of the three segments together. */
    public long imageBytes() {
        return (long) dataLength + stackLength + registersLength;
    }
}

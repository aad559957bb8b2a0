/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * A recovery checkpoint as the console lists it ({@link RoamerNetwork#checkpoints}): the model of the network's
 * consoles, not the checkpoint store's plug-in interface.
 *
 * @param mobile           whose agent it holds
 * @param node             the USS node whose recovery directory holds it
 * @param epoch            the agent's epoch when it was written
 * @param written          when it was written, epoch milliseconds
 * @param bytes            its size on disk
 * @param agentType        the agent implementation of its image, e.g. {@code org.roamer.core 1.0.0}
 */
public record CheckpointSummary(MobileId mobile, NodeId node, long epoch, long written, long bytes,
        String agentType) {
}

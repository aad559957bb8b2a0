/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Whiteboard listener told of every application message delivered to a user agent, after the agent has
 * handled it. Register as an OSGi service. Called on the agent's owner thread: return quickly, never block.
 */
@org.osgi.annotation.versioning.ConsumerType
@FunctionalInterface
public interface DeliveryListener {
    /**
     * @param mobile the agent's mobile
     * @param node   the USS that delivered it
     * @param epoch  the agent's epoch at delivery
     * @param sender the sending party
     * @param seq    the sender's sequence number
     */
    void delivered(MobileId mobile, NodeId node, long epoch, String sender, long seq);
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Outcome of a mobile crossing into another cluster.
 *
 * @param mobile      the mobile
 * @param from        cluster it left
 * @param to          cluster it entered
 * @param migrated    whether the agent moved (false: it failed and stayed at the source, see {@code reason})
 * @param strategy    strategy negotiated for the move, or {@code null}
 * @param bytesMoved  agent state bytes transferred (TRANSFER data payloads)
 * @param buffered    messages the stub buffered during the move
 * @param drained     messages delivered from the stub to the new agent
 * @param epoch       the agent's epoch after the move
 * @param micros      MIGRATE to MIGRATE_DONE, microseconds
 * @param reason      {@code ok} or why the migration failed
 * @param routing     the routing policy of the agent's USS that decided, or {@code null} (none asked: a
 *                    {@code migrate} node, or a failure before the decision)
 * @param anchored    whether the agent stayed anchored at {@code agentNode} (then {@code migrated} is false
 *                    and nothing failed)
 * @param agentNode   the USS hosting the agent after the crossing, or {@code null} when unknown
 * @param radioPortsUpdated radio ports of {@code to} told the anchor's address (anchored only)
 * @param linksSetUp  signalling links set up between {@code to} and the anchor for this crossing (anchored,
 *                    connection scheme only; 0 when the link already existed)
 */
public record MoveResult(MobileId mobile, ClusterId from, ClusterId to, boolean migrated, String strategy,
        long bytesMoved, int buffered, int drained, long epoch, long micros, String reason, String routing,
        boolean anchored, NodeId agentNode, int radioPortsUpdated, int linksSetUp) {
    /** A migration's outcome (API 1.0). */
    public MoveResult(MobileId mobile, ClusterId from, ClusterId to, boolean migrated, String strategy,
            long bytesMoved, int buffered, int drained, long epoch, long micros, String reason) {
        this(mobile, from, to, migrated, strategy, bytesMoved, buffered, drained, epoch, micros, reason, null, false,
                null, 0, 0);
    }

    /** Whether the crossing was handled: the agent migrated or stayed anchored on purpose. */
    public boolean ok() {
        return migrated || anchored;
    }
}

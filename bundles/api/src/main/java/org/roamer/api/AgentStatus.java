/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/** What a user agent is doing, as {@code roamer:agents} shows it. */
public enum AgentStatus {
    /** Live, no conversation in progress: a stable point. */
    IDLE,
    /** A call offer or origination is being negotiated: not a stable point. */
    NEGOTIATING,
    /** At least one call is up and no negotiation runs. */
    IN_CALL,
    /** Being moved to another USS; messages for it are buffered by the stub. */
    MIGRATING
}

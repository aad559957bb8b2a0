/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.agent;

import org.roamer.api.CallType;

/**
 * A negotiation in progress: the agent's "stack". While one exists the agent is not at a stable point.
 *
 * @param callId   the call being negotiated
 * @param callee   true: an offered call (paging the terminal); false: an originated call awaiting a decision
 * @param peer     the other party
 * @param type     call type
 * @param replyTo  address the decision is owed to
 * @param corr     correlation id of the request being answered
 */
public record Conversation(String callId, boolean callee, String peer, CallType type, String replyTo, long corr) {
}

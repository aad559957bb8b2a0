/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.Objects;

import org.roamer.api.CallType;
import org.roamer.api.MobileId;

/**
 * A call negotiation a {@link FakeAgent} is in the middle of: what the seed calls the agent's "stack". While
 * one runs the agent is not at a stable point.
 *
 * @param callId      the call being negotiated
 * @param incoming    whether the call was offered to the agent (otherwise the mobile originated it)
 * @param peer        the other party
 * @param type        the call type
 * @param replyTo     where the answer goes, or {@code null} (the image layout holds one; the core's agent sets it)
 * @param correlation the correlation id of the pending request
 */
public record Negotiation(String callId, boolean incoming, MobileId peer, CallType type, String replyTo,
        long correlation) {
    /** @throws NullPointerException on a missing id, peer or type */
    public Negotiation {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(type, "type");
    }

    /** A negotiation without a reply-to address. */
    public Negotiation(String callId, boolean incoming, MobileId peer, CallType type, long correlation) {
        this(callId, incoming, peer, type, null, correlation);
    }
}

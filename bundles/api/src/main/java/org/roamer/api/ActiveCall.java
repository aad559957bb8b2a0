/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.List;

/**
 * A call the user agent takes part in; part of the agent's migration variables.
 *
 * @param callId      network-wide call identifier
 * @param type        the call type
 * @param peers       the other parties
 * @param originating whether this mobile placed the call
 * @param radioPort   the radio port serving the mobile for this call (found by paging), may be {@code null}
 */
public record ActiveCall(String callId, CallType type, List<MobileId> peers, boolean originating, String radioPort) {
    /** @throws IllegalArgumentException on a missing id or type, or more than 8 peers */
    public ActiveCall {
        Ids.check("call", callId);
        if (type == null) {
            throw new IllegalArgumentException("call type is missing");
        }
        peers = List.copyOf(peers == null ? List.of() : peers);
        if (peers.size() > 8) {
            throw new IllegalArgumentException("too many call peers: " + peers.size());
        }
    }
}

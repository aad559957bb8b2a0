/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.Map;

/**
 * One transport as {@code roamer:transport} shows it for one node.
 *
 * @param name      the transport's name ({@code tcp}, {@code udp}, ...)
 * @param listening whether the node listens on it (every installed transport, on the node's one port)
 * @param sending   whether the node sends with it now
 * @param framesIn  frames received on it
 * @param framesOut frames sent on it
 * @param badFrames malformed or refused input on it
 * @param details   transport-specific counters (e.g. UDP retransmissions, RTT estimate), unmodifiable
 */
public record TransportInfo(String name, boolean listening, boolean sending, long framesIn, long framesOut,
        long badFrames, Map<String, Long> details) {
    /** Copies the details. */
    public TransportInfo {
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}

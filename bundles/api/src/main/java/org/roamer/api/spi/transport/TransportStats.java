/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

import java.util.Map;

/**
 * Counters of an endpoint.
 *
 * @param framesIn          valid frames received
 * @param framesOut         frames sent
 * @param bytesIn           bytes received
 * @param bytesOut          bytes sent
 * @param badFrames         malformed, truncated or oversized inputs refused
 * @param connectionsOpened links opened so far (0 for connectionless)
 * @param connectionsOpen   links open now
 * @param details           further transport-specific counters and gauges by name (e.g. {@code retransmissions},
 *                          {@code srttMicros}); unmodifiable, never {@code null}, empty when the transport has none.
 *                          Names are documented by each transport; since 1.1.
 */
public record TransportStats(long framesIn, long framesOut, long bytesIn, long bytesOut, long badFrames,
        long connectionsOpened, int connectionsOpen, Map<String, Long> details) {

    /** Copies {@code details} into an unmodifiable map; {@code null} becomes the empty map. */
    public TransportStats {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** Counters without transport-specific details (the 1.0 constructor). */
    public TransportStats(long framesIn, long framesOut, long bytesIn, long bytesOut, long badFrames,
            long connectionsOpened, int connectionsOpen) {
        this(framesIn, framesOut, bytesIn, bytesOut, badFrames, connectionsOpened, connectionsOpen, Map.of());
    }

    /** A detail counter by name, or 0 when this transport does not report it. */
    public long detail(String name) {
        Long value = details.get(name);
        return value == null ? 0 : value;
    }
}

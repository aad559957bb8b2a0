/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.Map;

/**
 * Counters and latencies of the local network, as {@code roamer:stats} shows them.
 *
 * @param counters     named counters (migrations, calls, pages, air messages, stub buffered/drained/...)
 * @param framesByType frames sent per message type
 * @param bytesByType  bytes sent per message type (header and payload)
 * @param latencies    named latency summaries (migration, call setup)
 */
public record RoamerStats(Map<String, Long> counters, Map<String, Long> framesByType, Map<String, Long> bytesByType,
        Map<String, LatencySummary> latencies) {
}

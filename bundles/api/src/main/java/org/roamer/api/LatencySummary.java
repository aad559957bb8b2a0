/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Percentiles of a recorded latency, microseconds.
 *
 * @param count samples
 * @param p50   median
 * @param p90   90th percentile
 * @param p99   99th percentile
 * @param max   maximum
 */
public record LatencySummary(long count, long p50, long p90, long p99, long max) {
}

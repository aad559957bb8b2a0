/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Result of a migration benchmark run on the live network.
 *
 * @param strategy    strategy used
 * @param count       migrations completed
 * @param failed      migrations that failed (rolled back)
 * @param concurrency concurrent mobiles moving
 * @param latency     MIGRATE to MIGRATE_DONE percentiles, microseconds
 * @param perSecond   migrations per second over the whole run
 * @param bytesPerMigration mean state bytes moved per migration
 */
public record BenchResult(String strategy, long count, long failed, int concurrency, LatencySummary latency,
        double perSecond, double bytesPerMigration) {
}

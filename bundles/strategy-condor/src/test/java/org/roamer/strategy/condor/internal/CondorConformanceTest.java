/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.time.Clock;

import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.testkit.StrategyConformanceTest;

/**
 * Condor-like against the Roamer strategy conformance kit (bundles/testkit): every check of the kit runs here,
 * with the production settings — checkpoints in the node's work directory (the kit gives source and target
 * different ones), kept after the migration, default chunk size, forced to disk.
 */
class CondorConformanceTest extends StrategyConformanceTest {
    @Override
    protected MigrationStrategy strategy() {
        return new CondorStrategy(new CondorStrategy.Settings(null, true, CondorStrategy.DEFAULT_CHUNK_SIZE),
                Clock.systemUTC(), Durability.FSYNC);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit.reference;

import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.testkit.StrategyConformanceTest;

/** The kit passes a correct Condor-like strategy. */
class CheckpointConformanceTest extends StrategyConformanceTest {
    @Override
    protected MigrationStrategy strategy() {
        return new CheckpointStrategy();
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.testkit.StrategyConformanceTest;

/**
 * NAIVE against the Roamer strategy conformance kit (bundles/testkit): every check of the kit runs here. The
 * garbling check (5a) passes because every chunk carries a CRC32C of its JSON, verified before parsing: a changed
 * byte inside a value (call id {@code call-17} to {@code ball-17}) used to restore a different agent.
 */
class NaiveConformanceTest extends StrategyConformanceTest {
    @Override
    protected MigrationStrategy strategy() {
        return new NaiveStrategy();
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.testkit.StrategyConformanceTest;

/**
 * TERN-like against the Roamer strategy conformance kit (bundles/testkit): every check of the kit runs here,
 * with the default settings (4096-byte pages, one page per chunk).
 */
class TernConformanceTest extends StrategyConformanceTest {
    @Override
    protected MigrationStrategy strategy() {
        return new TernStrategy();
    }
}

package com.example.roamer.strategy.naivedeflate.internal;

import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.testkit.StrategyConformanceTest;

/** naive-deflate against Roamer's strategy conformance kit (org.roamer:org.roamer.testkit): all of its checks. */
class NaiveDeflateConformanceTest extends StrategyConformanceTest {
    @Override
    protected MigrationStrategy strategy() {
        return new NaiveDeflateStrategy();
    }
}

package ${package}.internal;

import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.testkit.StrategyConformanceTest;

/** ${strategyClass} against Roamer's strategy conformance kit (org.roamer:org.roamer.testkit): all of its checks. */
class ${strategyClass}ConformanceTest extends StrategyConformanceTest {
    @Override
    protected MigrationStrategy strategy() {
        return new ${strategyClass}();
    }
}

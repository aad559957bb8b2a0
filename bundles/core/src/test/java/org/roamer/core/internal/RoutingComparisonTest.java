/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.roamer.core.internal.RoutingComparison.Parameters;
import org.roamer.core.internal.RoutingComparison.Result;
import org.roamer.core.internal.RoutingComparison.Setup;

/** The comparison harness on a small trace without delays: what each routing set-up does, not how fast. */
class RoutingComparisonTest {
    static final Parameters SMALL = new Parameters(4, 4, 3, 2, 0, 0, 0, 7, 800);

    @Test
    void migrateMovesOnEveryCrossingAnchoredNeverAndThresholdNotOnABorderPingPong() throws Exception {
        Result migrate = RoutingComparison.run(Setup.MIGRATE, SMALL, line -> {
        });
        Result anchored = RoutingComparison.run(Setup.ANCHORED_CONNECTION, SMALL, line -> {
        });
        Result threshold = RoutingComparison.run(Setup.THRESHOLD, SMALL, line -> {
        });
        for (Result r : List.of(migrate, anchored, threshold)) {
            assertThat(r.crossings).isEqualTo(12);
            assertThat(r.failedCalls).as(r.setup + " calls").isZero();
            assertThat(r.calls).isEqualTo(24);
            assertThat(r.longFrames).as("frames between clusters and with the LS are counted").isPositive();
            assertThat(r.pingPongCrossings).isEqualTo(20);
        }
        assertThat(migrate.migrations).isEqualTo(12);
        assertThat(migrate.pingPongMigrations).isEqualTo(20);
        assertThat(anchored.migrations).isZero();
        assertThat(anchored.anchoredCrossings).isEqualTo(12);
        assertThat(anchored.pingPongMigrations).isZero();
        assertThat(threshold.pingPongMigrations).isZero();
        // an anchored agent is reached at a distance: some calls were set up with the mobile away from it
        assertThat(anchored.callSetup.keySet()).anyMatch(k -> !k.endsWith("@0"));
        assertThat(migrate.callSetup.keySet()).allMatch(k -> k.endsWith("@0"));
        assertThat(RoutingComparison.csv(List.of(migrate, anchored))).startsWith("setup,direction,distance")
                .contains("anchored/connection,in,");
        assertThat(RoutingComparison.svg(List.of(migrate, anchored))).startsWith("<svg").contains("polyline");
    }
}

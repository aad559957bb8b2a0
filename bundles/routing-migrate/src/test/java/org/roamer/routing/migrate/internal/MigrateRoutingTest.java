/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.routing.migrate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;

class MigrateRoutingTest {
    @Test
    void everyCrossingMigratesAndTheLocationServerMayStartItWithoutAsking() {
        MigrateRouting p = new MigrateRouting();
        assertThat(p.name()).isEqualTo("migrate");
        assertThat(p.alwaysMigrates()).isTrue();
        for (int away = 1; away < 5; away++) {
            assertThat(p.decide(new Crossing(MobileId.of("m1"), ClusterId.of("c1"), ClusterId.of("c1"),
                    ClusterId.of("c" + (away + 1)), away, 0, false))).isEqualTo(RoutingDecision.MIGRATE);
        }
    }
}

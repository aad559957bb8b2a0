/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.routing.anchored.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;

class AnchoredRoutingTest {
    @Test
    void theAgentNeverMovesAndNoRecheckIsAskedFor() {
        AnchoredRouting p = new AnchoredRouting();
        assertThat(p.name()).isEqualTo("anchored");
        assertThat(p.alwaysMigrates()).isFalse();
        for (int away = 1; away < 50; away++) {
            assertThat(p.decide(new Crossing(MobileId.of("m1"), ClusterId.of("c1"), ClusterId.of("c" + away),
                    ClusterId.of("c" + (away + 1)), away, away * 1_000L, away % 2 == 0)))
                    .isEqualTo(RoutingDecision.ANCHOR);
        }
    }
}

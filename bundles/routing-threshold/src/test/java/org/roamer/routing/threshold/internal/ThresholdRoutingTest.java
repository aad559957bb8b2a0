/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.routing.threshold.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingDecision.Action;

class ThresholdRoutingTest {
    private static final MobileId M = MobileId.of("m1");
    private static final ClusterId HOME = ClusterId.of("c1");

    private static Crossing crossing(String from, String to, int away, long inCluster, boolean recheck) {
        return new Crossing(M, HOME, ClusterId.of(from), ClusterId.of(to), away, inCluster, recheck);
    }

    @Test
    void aFirstCrossingAnchorsAndAsksForARecheckAfterTheDwellTime() {
        RoutingDecision d = new ThresholdRouting(5_000, 3).decide(crossing("c1", "c2", 1, 0, false));
        assertThat(d.action()).isEqualTo(Action.ANCHOR);
        assertThat(d.recheckAfterMillis()).isEqualTo(5_000);
    }

    @Test
    void aMobileThatStayedTheDwellTimeGetsItsAgent() {
        ThresholdRouting p = new ThresholdRouting(5_000, 3);
        assertThat(p.decide(crossing("c2", "c2", 1, 4_999, true))).isEqualTo(RoutingDecision.anchorAndRecheck(1));
        assertThat(p.decide(crossing("c2", "c2", 1, 5_000, true))).isEqualTo(RoutingDecision.MIGRATE);
    }

    @Test
    void kDistinctClustersAwayMigrate() {
        ThresholdRouting p = new ThresholdRouting(60_000, 3);
        assertThat(p.decide(crossing("c2", "c3", 2, 0, false)).action()).isEqualTo(Action.ANCHOR);
        assertThat(p.decide(crossing("c3", "c4", 3, 0, false)).action()).isEqualTo(Action.MIGRATE);
    }

    /** The point of the policy: a border ping-pong between the home cluster and one neighbour never migrates. */
    @Test
    void aBorderPingPongNeverMigrates() {
        ThresholdRouting p = new ThresholdRouting(1_000, 3);
        Set<String> away = new HashSet<>();
        int migrations = 0;
        String at = "c1";
        for (int i = 0; i < 1_000; i++) {
            String next = at.equals("c1") ? "c2" : "c1";
            if (!next.equals("c1")) {
                away.add(next);
                if (p.decide(crossing(at, next, away.size(), 0, false)).action() == Action.MIGRATE) {
                    migrations++;
                }
            }
            at = next;
        }
        assertThat(migrations).isZero();
    }

    @Test
    void parametersAreCheckedAndChangeAtRunTime() {
        assertThatThrownBy(() -> new ThresholdRouting(0, 3)).hasMessageContaining("dwell.ms must be >= 1");
        assertThatThrownBy(() -> new ThresholdRouting(10, 1)).hasMessageContaining("clusters.away must be >= 2");
        ThresholdRouting p = new ThresholdRouting(10_000, 3);
        p.modified(new ThresholdRouting.Config() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return ThresholdRouting.Config.class;
            }

            @Override
            public long dwell_ms() {
                return 200;
            }

            @Override
            public int clusters_away() {
                return 2;
            }
        });
        assertThat(p.description()).isEqualTo("anchored; migrates after 200 ms in one cluster or 2 clusters away");
        assertThat(p.decide(crossing("c2", "c3", 2, 0, false))).isEqualTo(RoutingDecision.MIGRATE);
    }
}

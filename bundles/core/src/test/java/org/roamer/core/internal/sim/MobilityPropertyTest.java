/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The mobility model against the fluid-flow formula: the rate of terminals leaving a square cluster is
 * {@code ρ v P / π} with P its perimeter (4 × edge), whatever the density, speed, cluster size and grid.
 */
class MobilityPropertyTest {

    /**
     * Enough simulated time for about 40,000 crossings: the count's relative spread is then about 0.5 %, so the
     * 3 % tolerance is six standard deviations wide, not luck.
     */
    @Property(tries = 12)
    void theCrossingRateIsTheFluidFlowRate(@ForAll @DoubleRange(min = 50, max = 1000) double density,
            @ForAll @DoubleRange(min = 1, max = 100) double speedKmh,
            @ForAll @DoubleRange(min = 0.2, max = 40) double edgeKm,
            @ForAll @IntRange(min = 2, max = 6) int cols, @ForAll @IntRange(min = 2, max = 6) int rows) {
        int clusters = cols * rows;
        int terminals = 4000;
        // a sample of the terminals: each walker stands for many at this density, rates scale by the weight
        double real = density * edgeKm * edgeKm * clusters;
        double weight = real / terminals;
        double perCluster = density * (speedKmh / 3600) * 4 * edgeKm / Math.PI; // per second, out of one cluster
        double seconds = 40_000 / (perCluster * clusters / weight);
        Mobility m = new Mobility(terminals, cols, rows, edgeKm, speedKmh, seconds / 20, 7);
        long[] out = new long[clusters];
        m.advance(seconds, (t, from, to, at) -> out[from]++);
        double measured = m.crossings() * weight / (clusters * seconds);
        assertThat(measured).as("crossings per second per cluster, ρ=%.1f v=%.1f L=%.2f grid %dx%d", density,
                speedKmh, edgeKm, cols, rows).isCloseTo(perCluster, org.assertj.core.data.Percentage.withPercentage(3));
        assertThat(java.util.Arrays.stream(out).sum()).isEqualTo(m.crossings());
    }

    @Test
    void crossingsGoToANeighbourInTimeOrderAndTheSameSeedGivesTheSameOnes() {
        List<double[]> first = run(11);
        assertThat(first).hasSizeGreaterThan(500);
        assertThat(run(11)).usingElementComparator((a, b) -> java.util.Arrays.equals(a, b) ? 0 : 1)
                .containsExactlyElementsOf(first);
        assertThat(run(12)).usingElementComparator((a, b) -> java.util.Arrays.equals(a, b) ? 0 : 1)
                .isNotEqualTo(first);
        double last = 0;
        for (double[] c : first) {
            assertThat(c[3]).isGreaterThanOrEqualTo(last);
            last = c[3];
            int from = (int) c[1];
            int to = (int) c[2];
            int dc = Math.abs(from % 5 - to % 5);
            int dr = Math.abs(from / 5 - to / 5);
            assertThat(Math.min(dc, 5 - dc) + Math.min(dr, 4 - dr)).as("a neighbour on the torus").isEqualTo(1);
        }
    }

    private static List<double[]> run(long seed) {
        Mobility m = new Mobility(300, 5, 4, 1.0, 30, 600, seed);
        List<double[]> out = new ArrayList<>();
        m.advance(3600, (t, from, to, at) -> out.add(new double[]{t, from, to, at}));
        for (int t = 0; t < m.terminals(); t++) {
            assertThat(m.clusterOf(t)).isBetween(0, 19);
        }
        return out;
    }
}

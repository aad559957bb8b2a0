/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.sim;

import java.util.Locale;

/**
 * The parameters of a Table 1 run, checked. The seed's Table 1 gives 2.87 million terminals, density ρ = 390 per
 * km², speed v = 5.6 km/h, "cluster (square) edge length" L = 30.3 km and 128 clusters, and computes
 * R = ρ v L / π = 5.85 crossings per second per cluster. Fluid flow gives the rate out of an area as ρ v P / π with P
 * its perimeter, so the table is consistent only if 30.3 km is the perimeter (edge 7.575 km: ρ × 57.4 km² × 128 =
 * 2.87 million); read as the edge, it means 45.8 million terminals and 4 × 5.85 = 23.4 crossings per second. Both
 * readings can be run: {@link Reading}.
 *
 * @param terminals     simulated terminals, each with a real user agent; when fewer than the density and area
 *                      imply, each stands for {@link #weight()} terminals in the rates
 * @param clusters      clusters, laid out as a grid (a torus) as square as the number allows
 * @param density       ρ, terminals per km²
 * @param speedKmh      v, every terminal's speed
 * @param lengthKm      the table's L
 * @param reading       what L is
 * @param callsPerHour  calls each terminal places per hour (Poisson); each call goes to a random other terminal
 * @param callSeconds   mean call duration (exponential); not in Table 1
 * @param routing       migrate, anchored or threshold
 * @param minutes       simulated minutes
 * @param speedup       simulated time runs at most this much faster than real time
 * @param seed          the same seed gives the same mobility and calls
 */
public record Table1(long terminals, int clusters, double density, double speedKmh, double lengthKm, Reading reading,
        double callsPerHour, double callSeconds, String routing, double minutes, double speedup, long seed) {

    /** What the table's L is. */
    public enum Reading {
        /** L is the edge of the square cluster, as the table's label says. */
        EDGE,
        /** L is the cluster's perimeter, which makes the seed's own arithmetic consistent. */
        PERIMETER
    }

    /** The seed's Table 1, read as its arithmetic reads it, with a sample of terminals that one JVM can hold. */
    public static Table1 seed(long terminals, String routing, double minutes) {
        return new Table1(terminals, 128, 390, 5.6, 30.3, Reading.PERIMETER, 1.4, 120, routing, minutes, 100, 1);
    }

    /** @throws IllegalArgumentException naming the parameter and what is allowed */
    public Table1 {
        if (terminals < 1) {
            throw new IllegalArgumentException("--terminals " + terminals + " must be at least 1");
        }
        if (terminals > 50_000_000) {
            throw new IllegalArgumentException("--terminals " + terminals + " is more than 50,000,000");
        }
        if (clusters < 2 || clusters > 100_000) {
            throw new IllegalArgumentException("--clusters " + clusters + " must be from 2 to 100000");
        }
        positive("--density", density);
        positive("--speed", speedKmh);
        positive("--edge", lengthKm);
        if (reading == null) {
            throw new IllegalArgumentException("say whether L is the edge or the perimeter");
        }
        if (!(callsPerHour >= 0) || Double.isInfinite(callsPerHour)) {
            throw new IllegalArgumentException("--calls-per-hour " + callsPerHour + " must be 0 or more");
        }
        positive("--call-seconds", callSeconds);
        if (!"migrate".equals(routing) && !"anchored".equals(routing) && !"threshold".equals(routing)) {
            throw new IllegalArgumentException("--routing '" + routing + "' must be migrate, anchored or threshold");
        }
        positive("--minutes", minutes);
        positive("--speedup", speedup);
    }

    private static void positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " " + v + " must be a positive number");
        }
    }

    /** The same run with another routing policy. */
    public Table1 withRouting(String name) {
        return new Table1(terminals, clusters, density, speedKmh, lengthKm, reading, callsPerHour, callSeconds, name,
                minutes, speedup, seed);
    }

    /** Edge of a square cluster, km. */
    public double edgeKm() {
        return reading == Reading.EDGE ? lengthKm : lengthKm / 4;
    }

    /** Terminals the density and the clusters' area imply. */
    public double impliedTerminals() {
        return density * edgeKm() * edgeKm() * clusters;
    }

    /** How many terminals one simulated terminal stands for in the rates. */
    public double weight() {
        return impliedTerminals() / terminals;
    }

    /** The fluid-flow rate out of one cluster, per second: ρ v P / π. */
    public double formulaCrossingsPerSecond() {
        return density * (speedKmh / 3600) * 4 * edgeKm() / Math.PI;
    }

    /** The seed's own number for these parameters: ρ v L / π with the table's L. */
    public double seedCrossingsPerSecond() {
        return density * (speedKmh / 3600) * lengthKm / Math.PI;
    }

    /** Columns of the cluster grid: the divisor of {@link #clusters} nearest its square root. */
    public int cols() {
        int best = 1;
        for (int c = 1; (long) c * c <= clusters; c++) {
            if (clusters % c == 0) {
                best = c;
            }
        }
        return clusters / best;
    }

    public int rows() {
        return clusters / cols();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "%d terminals (each for %.1f), %d clusters (%dx%d, edge %.3f km), ρ %.1f/km², "
                        + "v %.1f km/h, %.2f calls/h of %.0f s, routing %s, %.1f min, seed %d",
                terminals, weight(), clusters,
                cols(), rows(), edgeKm(), density, speedKmh, callsPerHour, callSeconds, routing, minutes, seed);
    }
}

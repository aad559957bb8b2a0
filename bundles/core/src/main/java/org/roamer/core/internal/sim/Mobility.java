/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.sim;

import java.util.SplittableRandom;

/**
 * The fluid-flow mobility of the seed's Table 1 as an event-driven random-direction model: terminals move in
 * straight lines at one speed on a grid of square clusters (a torus, so the density stays uniform and no
 * terminal leaves), each heading drawn uniformly from [0, 2π) and drawn again after an exponentially distributed
 * time. Positions start uniform over the grid and headings uniform, which is the model's steady state, so the
 * crossing rate out of a cluster is the fluid-flow rate {@code ρ v P / π} from the first second (P the cluster's
 * perimeter, 4 × edge).
 *
 * <p>Deterministic for a seed. Memory: 8 numbers per terminal (60 bytes with its place in the heap). Not
 * thread-safe: one simulation thread owns it.
 */
public final class Mobility {
    /** One crossing of a cluster boundary. */
    public interface Crossings {
        void crossed(int terminal, int fromCluster, int toCluster, double atSeconds);
    }

    private final int cols;
    private final int rows;
    private final double edgeKm;
    private final double speedKmPerS;
    private final double meanTurnSeconds;
    private final SplittableRandom random;

    private final double[] x;
    private final double[] y;
    private final double[] dx; // km/s
    private final double[] dy;
    private final int[] cell; // cluster index, row * cols + column
    private final double[] nextTurn;
    /** When x and y were last brought up to date. */
    private final double[] at;
    private final double[] nextEvent;
    private final int[] heap;
    private final int n;
    private double now;
    private long crossings;

    /**
     * @param terminals       walkers
     * @param cols            clusters per row of the grid
     * @param rows            rows of clusters
     * @param edgeKm          edge of a square cluster
     * @param speedKmh        every terminal's speed
     * @param meanTurnSeconds mean time between two headings; {@code Double.POSITIVE_INFINITY} for straight lines
     * @param seed            the same seed gives the same crossings
     */
    public Mobility(int terminals, int cols, int rows, double edgeKm, double speedKmh, double meanTurnSeconds,
            long seed) {
        if (terminals < 1 || cols < 1 || rows < 1 || (long) cols * rows > 1_000_000) {
            throw new IllegalArgumentException("need terminals >= 1 and a grid of 1 to 1,000,000 clusters");
        }
        if (!(edgeKm > 0) || !(speedKmh > 0) || !(meanTurnSeconds > 0) || Double.isInfinite(edgeKm)
                || Double.isInfinite(speedKmh)) {
            throw new IllegalArgumentException("edge, speed and turn time must be positive and finite (turns may be"
                    + " infinite)");
        }
        this.n = terminals;
        this.cols = cols;
        this.rows = rows;
        this.edgeKm = edgeKm;
        this.speedKmPerS = speedKmh / 3600.0;
        this.meanTurnSeconds = meanTurnSeconds;
        this.random = new SplittableRandom(seed);
        x = new double[n];
        y = new double[n];
        dx = new double[n];
        dy = new double[n];
        cell = new int[n];
        nextTurn = new double[n];
        at = new double[n];
        nextEvent = new double[n];
        heap = new int[n];
        for (int i = 0; i < n; i++) {
            int cx = random.nextInt(cols);
            int cy = random.nextInt(rows);
            x[i] = (cx + random.nextDouble()) * edgeKm;
            y[i] = (cy + random.nextDouble()) * edgeKm;
            cell[i] = cy * cols + cx;
            turn(i, 0);
            nextEvent[i] = eventTime(i);
            heap[i] = i;
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            down(i);
        }
    }

    /** The cluster terminal {@code t} is in. */
    public int clusterOf(int t) {
        return cell[t];
    }

    public int terminals() {
        return n;
    }

    public int clusters() {
        return cols * rows;
    }

    /** Simulated seconds so far. */
    public double now() {
        return now;
    }

    /** Crossings so far. */
    public long crossings() {
        return crossings;
    }

    /** Moves every terminal until {@code untilSeconds}, reporting each crossing in time order. */
    public void advance(double untilSeconds, Crossings out) {
        while (nextEvent[heap[0]] <= untilSeconds) {
            int t = heap[0];
            double at = nextEvent[t];
            step(t, at, out);
            nextEvent[t] = eventTime(t);
            down(0);
        }
        now = Math.max(now, untilSeconds);
    }

    /** The time of the next event of {@code t}: reaching a cluster edge, or a new heading. */
    private double eventTime(int t) {
        return at[t] + Math.min(timeToEdge(t), nextTurn[t] - at[t]);
    }

    private double timeToEdge(int t) {
        int cx = cell[t] % cols;
        int cy = cell[t] / cols;
        double tx = dx[t] > 0
                ? ((cx + 1) * edgeKm - x[t]) / dx[t]
                : dx[t] < 0 ? (x[t] - cx * edgeKm) / -dx[t] : Double.POSITIVE_INFINITY;
        double ty = dy[t] > 0
                ? ((cy + 1) * edgeKm - y[t]) / dy[t]
                : dy[t] < 0 ? (y[t] - cy * edgeKm) / -dy[t] : Double.POSITIVE_INFINITY;
        return Math.max(0, Math.min(tx, ty));
    }

    private void step(int t, double when, Crossings out) {
        double dt = when - at[t];
        x[t] += dx[t] * dt;
        y[t] += dy[t] * dt;
        at[t] = when;
        if (when >= nextTurn[t]) {
            turn(t, when);
            return;
        }
        int cx = cell[t] % cols;
        int cy = cell[t] / cols;
        double tol = edgeKm * 1e-9;
        int from = cell[t];
        if (dx[t] > 0 && x[t] >= (cx + 1) * edgeKm - tol) {
            cx++;
        } else if (dx[t] < 0 && x[t] <= cx * edgeKm + tol) {
            cx--;
        } else if (dy[t] > 0 && y[t] >= (cy + 1) * edgeKm - tol) {
            cy++;
        } else if (dy[t] < 0 && y[t] <= cy * edgeKm + tol) {
            cy--;
        } else {
            return; // rounding: no edge reached yet
        }
        // through the edge; on a torus the far side follows the last column or row
        if (cx == cols) {
            cx = 0;
            x[t] -= cols * edgeKm;
        } else if (cx < 0) {
            cx = cols - 1;
            x[t] += cols * edgeKm;
        }
        if (cy == rows) {
            cy = 0;
            y[t] -= rows * edgeKm;
        } else if (cy < 0) {
            cy = rows - 1;
            y[t] += rows * edgeKm;
        }
        cell[t] = cy * cols + cx;
        crossings++;
        out.crossed(t, from, cell[t], when);
    }

    private void turn(int t, double when) {
        double heading = random.nextDouble() * 2 * Math.PI;
        dx[t] = speedKmPerS * Math.cos(heading);
        dy[t] = speedKmPerS * Math.sin(heading);
        nextTurn[t] = Double.isInfinite(meanTurnSeconds)
                ? Double.POSITIVE_INFINITY
                : when - meanTurnSeconds * Math.log(1 - random.nextDouble());
    }

    private void down(int i) {
        int t = heap[i];
        double key = nextEvent[t];
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                break;
            }
            int c = l + 1 < n && nextEvent[heap[l + 1]] < nextEvent[heap[l]] ? l + 1 : l;
            if (nextEvent[heap[c]] >= key) {
                break;
            }
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = t;
    }
}

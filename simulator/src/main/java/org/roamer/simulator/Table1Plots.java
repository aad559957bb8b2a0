/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.roamer.core.internal.sim.Mobility;

/**
 * {@code bench/simulate.sh --plots DIR}: the figures of {@code docs/table1.md}. The crossing rate of the mobility
 * model against the fluid-flow formula over speed and over cluster size (the model alone, about 20,000 crossings a
 * point), and the long-distance signalling per cluster of each routing policy from the CSV files a run wrote.
 */
final class Table1Plots {
    private Table1Plots() {
    }

    static void write(Path dir, Path perimeterCsv, Path edgeCsv) throws IOException {
        Files.createDirectories(dir);
        double[] speeds = {1, 5.6, 10, 20, 40, 60, 80, 100};
        Files.writeString(dir.resolve("table1-crossings-speed.svg"), sweep("Crossings out of a cluster vs speed "
                + "(edge 7.575 km, 390/km2)", "speed, km/h", speeds, v -> rates(v, 7.575)), StandardCharsets.UTF_8);
        double[] edges = {1, 2, 5, 7.575, 10, 20, 30.3, 40};
        Files.writeString(dir.resolve("table1-crossings-edge.svg"), sweep("Crossings out of a cluster vs cluster edge "
                + "(5.6 km/h, 390/km2)", "cluster edge, km", edges, l -> rates(5.6, l)), StandardCharsets.UTF_8);
        Path setup = dir.resolve("table1-delays.csv.setup.csv");
        if (Files.isRegularFile(setup)) {
            List<String[]> rows = csv(setup);
            String[] head = rows.get(0);
            List<Svg.Series> series = new ArrayList<>();
            for (int c = 2; c < head.length; c += 3) { // the p50 column of each routing policy
                List<double[]> pts = new ArrayList<>();
                for (String[] r : rows.subList(1, rows.size())) {
                    if (!r[c].isEmpty() && Long.parseLong(r[c - 1]) >= 5) { // at least 5 calls at that distance
                        pts.add(new double[]{Double.parseDouble(r[0]), Double.parseDouble(r[c]) / 1000});
                    }
                }
                series.add(new Svg.Series(head[c].replace(" p50 us", ""), pts.stream().mapToDouble(x -> x[0]).toArray(),
                        pts.stream().mapToDouble(x -> x[1]).toArray(), true));
            }
            Files.writeString(dir.resolve("table1-setup-distance.svg"), Svg.chart("Call setup (p50) vs clusters between"
                    + " caller and callee", "clusters apart", "call setup p50, ms", series), StandardCharsets.UTF_8);
        }
        if (Files.isRegularFile(perimeterCsv) && Files.isRegularFile(edgeCsv)) {
            List<String[]> a = csv(perimeterCsv);
            List<String[]> b = csv(edgeCsv);
            String row = "long-distance kbps per cluster (MIGRATE/DONE)";
            List<String> labels = List.of(a.get(0)).subList(1, a.get(0).length);
            double[][] values = {values(a, row), values(b, row)};
            Files.writeString(dir.resolve("table1-signalling.svg"), Svg.bars("Long-distance signalling per cluster "
                    + "(MIGRATE + MIGRATE_DONE)", "kbps", labels,
                    List.of("L = perimeter (2.87 M terminals)",
                            "L = edge (45.8 M terminals)"),
                    values), StandardCharsets.UTF_8);
        }
    }

    /** Measured and formula rates for one point: {measured, formula}. */
    private static double[] rates(double speedKmh, double edgeKm) {
        int cols = 4;
        int rows = 4;
        int walkers = 4000;
        double density = 390;
        double weight = density * edgeKm * edgeKm * cols * rows / walkers;
        double formula = density * (speedKmh / 3600) * 4 * edgeKm / Math.PI;
        double seconds = 20_000 / (formula * cols * rows / weight);
        Mobility m = new Mobility(walkers, cols, rows, edgeKm, speedKmh, seconds / 20, 3);
        m.advance(seconds, (t, from, to, at) -> {
        });
        return new double[]{m.crossings() * weight / (cols * rows * seconds), formula};
    }

    private static String sweep(String title, String xLabel, double[] xs,
            java.util.function.Function<Double, double[]> point) {
        double[] measured = new double[xs.length];
        double[] formula = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            double[] r = point.apply(xs[i]);
            measured[i] = r[0];
            formula[i] = r[1];
        }
        return Svg.chart(title, xLabel, "crossings per second per cluster", List.of(
                new Svg.Series("fluid flow: rho v P / pi", xs, formula, true),
                new Svg.Series("mobility model, measured", xs, measured, false)));
    }

    private static List<String[]> csv(Path file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            rows.add(line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1));
        }
        return rows;
    }

    private static double[] values(List<String[]> rows, String label) {
        for (String[] r : rows) {
            if (r[0].replace("\"", "").equals(label)) {
                double[] v = new double[r.length - 1];
                for (int i = 1; i < r.length; i++) {
                    v[i - 1] = Double.parseDouble(r[i]);
                }
                return v;
            }
        }
        throw new IllegalArgumentException("no row '" + label + "'");
    }
}

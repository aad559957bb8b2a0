/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.sim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.routing.RoutingPolicy;

/**
 * Table 1 runs as the command line ({@code bench/simulate.sh}) and the console ({@code roamer:simulate}) ask for
 * them: the options by name, checked; one run per routing policy; the report's tables.
 */
public final class Table1Runs {
    /** Heap a terminal needs: 1.2-1.5 KB measured after 100,000-terminal runs (docs/table1.md), with a margin. */
    public static final long BYTES_PER_TERMINAL = 2_000;

    /** The options every front end takes, each with a value. */
    public static final List<String> OPTIONS = List.of("--terminals", "--clusters", "--density", "--speed", "--edge",
            "--perimeter", "--calls-per-hour", "--call-seconds", "--routing", "--minutes", "--speedup", "--seed",
            "--hop-delay-ms", "--ls-delay-ms");

    private Table1Runs() {
    }

    /** What to run: the parameters (with the first routing policy), every policy to run, the link delays. */
    public record Request(Table1 params, List<String> routings, long hopMillis, long lsMillis) {
    }

    /**
     * Checks the options (names as in {@link #OPTIONS}; absent ones take their defaults) and the heap they need.
     *
     * @throws IllegalArgumentException one sentence naming the bad value and what is allowed
     */
    public static Request parse(Map<String, String> o) {
        for (String k : o.keySet()) {
            if (!OPTIONS.contains(k)) {
                throw new IllegalArgumentException("unknown option '" + k + "'");
            }
        }
        if (o.containsKey("--edge") && o.containsKey("--perimeter")) {
            throw new IllegalArgumentException("give --edge or --perimeter, not both");
        }
        boolean edge = o.containsKey("--edge");
        String routing = o.getOrDefault("--routing", "all");
        List<String> routings = routing.equals("all") ? List.of("migrate", "anchored", "threshold") : List.of(routing);
        Table1 p = new Table1(count("--terminals", o.getOrDefault("--terminals", "20k")),
                (int) Math.min(Integer.MAX_VALUE, count("--clusters", o.getOrDefault("--clusters", "128"))),
                number("--density", o.getOrDefault("--density", "390")),
                number("--speed", o.getOrDefault("--speed", "5.6")),
                number(edge ? "--edge" : "--perimeter", o.getOrDefault(edge ? "--edge" : "--perimeter", "30.3")),
                edge ? Table1.Reading.EDGE : Table1.Reading.PERIMETER,
                number("--calls-per-hour", o.getOrDefault("--calls-per-hour", "1.4")),
                number("--call-seconds", o.getOrDefault("--call-seconds", "120")), routings.get(0),
                number("--minutes", o.getOrDefault("--minutes", "10")),
                number("--speedup", o.getOrDefault("--speedup", "100")),
                (long) number("--seed", o.getOrDefault("--seed", "1")));
        long hopMillis = count("--hop-delay-ms", o.getOrDefault("--hop-delay-ms", "0"));
        long lsMillis = count("--ls-delay-ms", o.getOrDefault("--ls-delay-ms", "0"));
        if (hopMillis > 10_000 || lsMillis > 10_000) {
            throw new IllegalArgumentException("link delays must be at most 10000 ms");
        }
        long need = p.terminals() * BYTES_PER_TERMINAL + (64L << 20);
        long max = Runtime.getRuntime().maxMemory();
        if (need > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%d terminals need about %d MB of heap "
                    + "(%d bytes each); this JVM has %d MB: raise -Xmx or lower --terminals", p.terminals(), need >> 20,
                    BYTES_PER_TERMINAL, max >> 20));
        }
        return new Request(p, routings, hopMillis, lsMillis);
    }

    /** The lines that describe a request before it runs (each within 100 columns). */
    public static List<String> describe(Request r) {
        Table1 p = r.params();
        return List.of(String.format(Locale.ROOT, "Table 1: %d terminals, each standing for %.1f; %d clusters (%dx%d), "
                + "edge %.3f km", p.terminals(), p.weight(), p.clusters(), p.cols(), p.rows(), p.edgeKm()),
                String.format(Locale.ROOT, "  density %.1f/km2, speed %.1f km/h, %.2f calls/h of %.0f s, %.1f simulated"
                        + " min, seed %d", p.density(), p.speedKmh(), p.callsPerHour(), p.callSeconds(), p.minutes(),
                        p.seed()),
                String.format(Locale.ROOT, "  L = %.2f km read as the %s: %.0f terminals by density and area",
                        p.lengthKm(), p.reading() == Table1.Reading.EDGE ? "edge" : "perimeter", p.impliedTerminals()),
                String.format(Locale.ROOT, "  crossings/s per cluster: fluid flow rho v P / pi = %.3f; the seed's "
                        + "rho v L / pi = %.3f", p.formulaCrossingsPerSecond(), p.seedCrossingsPerSecond()));
    }

    /**
     * Refuses, before anything runs, a routing policy that is neither {@code migrate} nor among {@code policies},
     * and a strategy set without NAIVE.
     */
    public static void check(Request r, List<MigrationStrategy> strategies, List<RoutingPolicy> policies) {
        for (String routing : r.routings()) {
            Simulation.checkPlugins(routing, strategies, policies);
        }
    }

    /** The same request with only the routing policies available ({@code migrate} and {@code policies}). */
    public static Request available(Request r, List<RoutingPolicy> policies) {
        List<String> names = r.routings().stream().filter(x -> "migrate".equals(x)
                || policies.stream().anyMatch(p -> p.name().equals(x))).toList();
        return new Request(r.params().withRouting(names.get(0)), names, r.hopMillis(), r.lsMillis());
    }

    /** Builds the network of one run. */
    @FunctionalInterface
    public interface Network {
        Simulation build(Table1 params, Path work) throws Exception;
    }

    /** Runs the request on the in-VM transport, one routing policy after the other; progress lines as they come. */
    public static List<Simulation.Result> run(Request r, List<MigrationStrategy> strategies,
            List<RoutingPolicy> policies, Consumer<String> progress) throws Exception {
        return run(r, strategies, policies, progress, (params, work) -> new Simulation(params, work, strategies,
                policies, r.hopMillis(), r.lsMillis()));
    }

    /** Runs the request on the networks {@code network} builds. */
    public static List<Simulation.Result> run(Request r, List<MigrationStrategy> strategies,
            List<RoutingPolicy> policies, Consumer<String> progress, Network network) throws Exception {
        check(r, strategies, policies);
        List<Simulation.Result> results = new ArrayList<>();
        for (String routing : r.routings()) {
            progress.accept("== routing " + routing);
            Path work = Files.createTempDirectory("roamer-table1-");
            try (Simulation sim = network.build(r.params().withRouting(routing), work)) {
                results.add(sim.run(line -> progress.accept("  " + line)));
            } finally {
                try (var files = Files.walk(work)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        return results;
    }

    /** Rows of the table: a label, then one value per run. */
    public static List<String[]> table(List<Simulation.Result> results) {
        List<String[]> rows = new ArrayList<>();
        int n = results.size();
        String[] head = new String[n + 1];
        head[0] = "measure";
        for (int i = 0; i < n; i++) {
            head[i + 1] = results.get(i).params().routing();
        }
        rows.add(head);
        row(rows, results, "crossings (simulated)", r -> Long.toString(r.crossings()));
        row(rows, results, "crossings/s per cluster, measured", r -> f(r.crossingsPerSecondPerCluster(), 3));
        row(rows, results, "crossings/s per cluster, rho v P / pi", r -> f(r.params().formulaCrossingsPerSecond(), 3));
        row(rows, results, "crossings that migrated the agent", r -> Long.toString(r.migrations()));
        row(rows, results, "crossings that left it anchored", r -> Long.toString(r.anchoredUpdates()));
        row(rows, results, "migrations in all (also a policy's later ones)",
                r -> Long.toString(r.counters().getOrDefault("migrations", 0L)));
        row(rows, results, "failed moves", r -> Long.toString(r.moveFailures()));
        row(rows, results, "MIGRATE+MIGRATE_DONE bytes per crossing", r -> f(r.migrateBytesPerCrossing(), 1));
        row(rows, results, "long-distance kbps per cluster (MIGRATE/DONE)", r -> f(r.migrateKbpsPerCluster(), 2));
        row(rows, results, "long-distance kbps, network", r -> f(r.migrateKbpsPerCluster() * r.params().clusters(), 1));
        row(rows, results, "frames to or from the LS per crossing",
                r -> f(per(r.frames("REGISTRATION", "MIGRATE", "MIGRATE_DONE", "LOCATION_UPDATE"), r.crossings()), 2));
        row(rows, results, "USS-to-USS frames per crossing",
                r -> f(per(r.frames("TRANSFER", "TRANSFER_DATA", "READY", "BUFFERED", "FLUSH"), r.crossings()), 2));
        row(rows, results, "all frames",
                r -> Long.toString(r.framesByType().values().stream().mapToLong(x -> x).sum()));
        row(rows, results, "all bytes", r -> Long.toString(r.bytesByType().values().stream().mapToLong(x -> x).sum()));
        row(rows, results, "calls placed", r -> Long.toString(r.callsPlaced()));
        row(rows, results, "calls accepted / rejected / failed",
                r -> r.callsAccepted() + " / " + r.callsRejected() + " / "
                        + r.callsFailed());
        row(rows, results, "call setup p50 us", r -> Long.toString(r.setupMicros().getValueAtPercentile(50)));
        row(rows, results, "call setup p99 us", r -> Long.toString(r.setupMicros().getValueAtPercentile(99)));
        row(rows, results, "pages per call", r -> f(per(r.counters().getOrDefault("pages", 0L), r.callsPlaced()), 2));
        // every move is a registration over the air (2 messages); the rest is the calls'
        row(rows, results, "air messages per call",
                r -> f(per(r.counters().getOrDefault("air.messages", 0L) - 2 * r.crossings(), r.callsPlaced()), 2));
        row(rows, results, "stub messages drained", r -> Long.toString(r.counters().getOrDefault("stub.drained", 0L)));
        row(rows, results, "agents at the end / misplaced", r -> r.agents() + " / " + r.agentsMisplaced());
        row(rows, results, "simulated s / real s", r -> f(r.simulatedSeconds(), 0) + " / " + f(r.realSeconds(), 1));
        row(rows, results, "heap after the run, MB", r -> Long.toString(r.heapBytes() >> 20));
        return rows;
    }

    /**
     * Call setup p50 and p99 by the clusters between caller and callee, as the console prints it: one column per
     * run, {@code p50/p99} in ms (within 100 columns for three runs).
     */
    public static List<String[]> setupByDistanceShort(List<Simulation.Result> results) {
        List<String[]> wide = setupByDistance(results);
        List<String[]> rows = new ArrayList<>();
        String[] head = new String[1 + results.size()];
        head[0] = "clusters apart";
        // (the caller's cluster to the callee's, on the grid)
        for (int i = 0; i < results.size(); i++) {
            head[1 + i] = results.get(i).params().routing() + " setup p50/p99 ms";
        }
        rows.add(head);
        for (String[] w : wide.subList(1, wide.size())) {
            String[] row = new String[head.length];
            row[0] = w[0];
            for (int i = 0; i < results.size(); i++) {
                row[1 + i] = w[2 + 3 * i].isEmpty()
                        ? ""
                        : f(Long.parseLong(w[2 + 3 * i]) / 1000.0, 1) + "/"
                                + f(Long.parseLong(w[3 + 3 * i]) / 1000.0, 1);
            }
            rows.add(row);
        }
        return rows;
    }

    /** Call setup p50 and p99 (µs) by the clusters between caller and callee, three columns per run (CSV). */
    public static List<String[]> setupByDistance(List<Simulation.Result> results) {
        java.util.TreeSet<Integer> distances = new java.util.TreeSet<>();
        results.forEach(r -> distances.addAll(r.setupByDistance().keySet()));
        List<String[]> rows = new ArrayList<>();
        String[] head = new String[1 + 3 * results.size()];
        head[0] = "clusters apart";
        for (int i = 0; i < results.size(); i++) {
            String name = results.get(i).params().routing();
            head[1 + 3 * i] = name + " calls";
            head[2 + 3 * i] = name + " p50 us";
            head[3 + 3 * i] = name + " p99 us";
        }
        rows.add(head);
        for (int d : distances) {
            String[] row = new String[head.length];
            row[0] = Integer.toString(d);
            for (int i = 0; i < results.size(); i++) {
                org.HdrHistogram.Histogram h = results.get(i).setupByDistance().get(d);
                row[1 + 3 * i] = h == null ? "0" : Long.toString(h.getTotalCount());
                row[2 + 3 * i] = h == null ? "" : Long.toString(h.getValueAtPercentile(50));
                row[3 + 3 * i] = h == null ? "" : Long.toString(h.getValueAtPercentile(99));
            }
            rows.add(row);
        }
        return rows;
    }

    private static void row(List<String[]> rows, List<Simulation.Result> results, String label,
            java.util.function.Function<Simulation.Result, String> value) {
        String[] row = new String[results.size() + 1];
        row[0] = label;
        for (int i = 0; i < results.size(); i++) {
            row[i + 1] = value.apply(results.get(i));
        }
        rows.add(row);
    }

    private static double per(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    private static String f(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Rows as aligned text, the first column left, the others right. */
    public static List<String> format(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                b.append(i == 0
                        ? String.format("%-" + w[i] + "s", r[i])
                        : " | " + String.format("%" + w[i] + "s", r[i]));
            }
            lines.add(b.toString().stripTrailing());
        }
        return lines;
    }

    /** A count, with an optional k (thousand) or m (million) suffix: 20000, 20k, 2.87m. */
    static long count(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        double scale = t.endsWith("k") ? 1e3 : t.endsWith("m") ? 1e6 : 1;
        double v = number(name, scale == 1 ? t : t.substring(0, t.length() - 1)) * scale;
        if (v != Math.rint(v) || v < 0 || v > 1e9) {
            throw new IllegalArgumentException(
                    name + " '" + text + "' must be a whole number (e.g. 20000, 20k, 2.87m)");
        }
        return (long) v;
    }

    static double number(String name, String text) {
        try {
            double v = Double.parseDouble(text.trim());
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a number");
        }
    }
}

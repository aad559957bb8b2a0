package org.roamer.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench/simulate.sh}: runs Table 1 on the real core for one routing policy or all three, prints progress and a
 * table side by side, and writes it as CSV. Exit code 0 when every run completed, 1 on a run's failure, 2 on bad
 * arguments.
 */
public final class Table1Main {
    /** Heap a terminal needs: 1.2-1.5 KB measured after 100,000-terminal runs (docs/table1.md), with a margin. */
    static final long BYTES_PER_TERMINAL = 2_000;

    private Table1Main() {
    }

    static final String HELP = """
            Usage: bench/simulate.sh [options]
            Runs the seed's Table 1 on the real core (one user agent per terminal, in-VM transport).
              --terminals N        simulated terminals (e.g. 20000, 20k, 2.87m); default 20k
              --clusters N         clusters (a grid, as square as N allows); default 128
              --density RHO        terminals per km2; default 390
              --speed KMH          terminal speed, km/h; default 5.6
              --edge KM            L is the square cluster's edge (the table's label)
              --perimeter KM       L is the cluster's perimeter (the seed's arithmetic); default --perimeter 30.3
              --calls-per-hour X   calls each terminal places per hour; default 1.4
              --call-seconds S     mean call duration (not in Table 1); default 120
              --routing R          migrate, anchored, threshold, or all; default all
              --minutes M          simulated minutes; default 10
              --speedup X          at most X times real time; default 100
              --seed N             the same seed gives the same counts; default 1
              --csv FILE           also write the table as CSV
              --plots DIR          only draw the figures of docs/table1.md into DIR (SVG; the signalling
                                   chart from DIR/table1-perimeter.csv and DIR/table1-edge.csv)
              --help               this text
            Fewer terminals than density x area: each simulated terminal stands for several in the rates.
            """;

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Table1 p;
        List<String> routings;
        Path csv;
        try {
            Map<String, String> o = options(args);
            if (o.containsKey("--help")) {
                out.print(HELP);
                return 0;
            }
            if (o.containsKey("--plots")) {
                Path dir = Path.of(o.get("--plots"));
                Table1Plots.write(dir, dir.resolve("table1-perimeter.csv"), dir.resolve("table1-edge.csv"));
                out.println("wrote the figures into " + dir);
                return 0;
            }
            if (o.containsKey("--edge") && o.containsKey("--perimeter")) {
                throw new IllegalArgumentException("give --edge or --perimeter, not both");
            }
            boolean edge = o.containsKey("--edge");
            String routing = o.getOrDefault("--routing", "all");
            routings = routing.equals("all") ? List.of("migrate", "anchored", "threshold") : List.of(routing);
            p = new Table1(count("--terminals", o.getOrDefault("--terminals", "20k")),
                    (int) count("--clusters", o.getOrDefault("--clusters", "128")),
                    number("--density", o.getOrDefault("--density", "390")),
                    number("--speed", o.getOrDefault("--speed", "5.6")),
                    number(edge ? "--edge" : "--perimeter", o.getOrDefault(edge ? "--edge" : "--perimeter", "30.3")),
                    edge ? Table1.Reading.EDGE : Table1.Reading.PERIMETER,
                    number("--calls-per-hour", o.getOrDefault("--calls-per-hour", "1.4")),
                    number("--call-seconds", o.getOrDefault("--call-seconds", "120")), routings.get(0),
                    number("--minutes", o.getOrDefault("--minutes", "10")),
                    number("--speedup", o.getOrDefault("--speedup", "100")),
                    (long) number("--seed", o.getOrDefault("--seed", "1")));
            csv = o.containsKey("--csv") ? Path.of(o.get("--csv")) : null;
            long need = p.terminals() * BYTES_PER_TERMINAL + (64L << 20);
            long max = Runtime.getRuntime().maxMemory();
            if (need > max) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%d terminals need about %d MB of heap "
                        + "(%d bytes each); this JVM has %d MB: raise -Xmx (JAVA_OPTS) or lower --terminals",
                        p.terminals(), need >> 20, BYTES_PER_TERMINAL, max >> 20));
            }
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            err.println("(--help lists the options)");
            return 2;
        }
        out.println("Table 1: " + p);
        out.printf(Locale.ROOT, "L read as the %s: edge %.3f km; terminals implied by density and area %.0f; "
                + "fluid flow rho v P / pi = %.3f crossings/s per cluster; the seed's rho v L / pi = %.3f%n",
                p.reading() == Table1.Reading.EDGE ? "edge" : "perimeter", p.edgeKm(), p.impliedTerminals(),
                p.formulaCrossingsPerSecond(), p.seedCrossingsPerSecond());
        List<Simulation.Result> results = new ArrayList<>();
        for (String r : routings) {
            Table1 run = p.withRouting(r);
            out.println("== routing " + r);
            Path work = Files.createTempDirectory("roamer-table1-");
            try (Simulation sim = new Simulation(run, work)) {
                results.add(sim.run(line -> out.println("  " + line)));
            } catch (RuntimeException e) {
                err.println("simulate: the " + r + " run failed: " + e);
                return 1;
            }
        }
        List<String[]> table = table(results);
        print(table, out);
        if (csv != null) {
            writeCsv(table, csv);
            out.println("wrote " + csv);
        }
        return 0;
    }

    /** Rows of the table: a label, then one value per run. */
    static List<String[]> table(List<Simulation.Result> results) {
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
        row(rows, results, "LS frames per crossing (REGISTRATION, MIGRATE, MIGRATE_DONE, LOCATION_UPDATE)",
                r -> f(per(r.frames("REGISTRATION", "MIGRATE", "MIGRATE_DONE", "LOCATION_UPDATE"), r.crossings()), 2));
        row(rows, results, "USS-to-USS frames per crossing (TRANSFER, TRANSFER_DATA, READY, BUFFERED, FLUSH)",
                r -> f(per(r.frames("TRANSFER", "TRANSFER_DATA", "READY", "BUFFERED", "FLUSH"), r.crossings()), 2));
        row(rows, results, "all frames", r -> Long.toString(r.framesByType().values().stream().mapToLong(x -> x).sum()));
        row(rows, results, "all bytes", r -> Long.toString(r.bytesByType().values().stream().mapToLong(x -> x).sum()));
        row(rows, results, "calls placed", r -> Long.toString(r.callsPlaced()));
        row(rows, results, "calls accepted / rejected / failed", r -> r.callsAccepted() + " / " + r.callsRejected() + " / "
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

    static void print(List<String[]> rows, PrintStream out) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                b.append(i == 0 ? String.format("%-" + w[i] + "s", r[i]) : " | " + String.format("%" + w[i] + "s", r[i]));
            }
            out.println(b.toString().stripTrailing());
        }
    }

    static void writeCsv(List<String[]> rows, Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : r) {
                cells.add(c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
            }
            b.append(String.join(",", cells)).append('\n');
        }
        Files.writeString(file, b, StandardCharsets.UTF_8);
    }

    /** {@code --name value} pairs; {@code --help} alone. */
    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        List<String> known = List.of("--terminals", "--clusters", "--density", "--speed", "--edge", "--perimeter",
                "--calls-per-hour", "--call-seconds", "--routing", "--minutes", "--speedup", "--seed", "--csv", "--plots");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                o.put("--help", "");
            } else if (known.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                o.put(a, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        return o;
    }

    /** A count, with an optional k (thousand) or m (million) suffix: 20000, 20k, 2.87m. */
    static long count(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        double scale = t.endsWith("k") ? 1e3 : t.endsWith("m") ? 1e6 : 1;
        double v = number(name, scale == 1 ? t : t.substring(0, t.length() - 1)) * scale;
        if (v != Math.rint(v) || v < 0 || v > 1e9) {
            throw new IllegalArgumentException(name + " '" + text + "' must be a whole number (e.g. 20000, 20k, 2.87m)");
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

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.roamer.api.NodeAddress;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.api.spi.transport.Transport;
import org.roamer.core.internal.sim.Simulation;
import org.roamer.core.internal.sim.Table1Runs;
import org.roamer.routing.anchored.internal.AnchoredRouting;
import org.roamer.routing.threshold.internal.ThresholdRouting;
import org.roamer.strategy.naive.internal.NaiveStrategy;
import org.roamer.transport.tcp.internal.TcpTransport;

/**
 * {@code bench/simulate.sh}: runs Table 1 on the real core (the engine of {@code roamer:simulate}) for one routing
 * policy or all three, with NAIVE and the routing bundles' own classes; prints progress and a table side by side,
 * and writes it as CSV. Exit code 0 when every run completed, 1 on a run's failure, 2 on bad arguments.
 */
public final class Table1Main {
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
              --hop-delay-ms D     the link-delay model: D ms one way per cluster of distance on the grid
              --ls-delay-ms D      and D ms between a USS and the Location Server; default 0 and 0 (off);
                                   calls wait for these delays, so use fewer terminals or a lower --speedup
              --transport T        invm (frames encoded and handed over in memory; default) or tcp (every node
                                   on a loopback socket: a validation run, slower)
              --csv FILE           also write the table as CSV (and FILE.setup.csv: setup time by distance)
              --plots DIR          only draw the figures of docs/table1.md into DIR (SVG; the signalling
                                   chart from DIR/table1-perimeter.csv and DIR/table1-edge.csv)
              --help               this text
            Fewer terminals than density x area: each simulated terminal stands for several in the rates.
            """;

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Table1Runs.Request request;
        Path csv;
        boolean tcp;
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
            String transport = o.getOrDefault("--transport", "invm");
            o.remove("--transport");
            if (!transport.equals("invm") && !transport.equals("tcp")) {
                throw new IllegalArgumentException("--transport '" + transport + "' must be invm or tcp");
            }
            tcp = transport.equals("tcp");
            String file = o.remove("--csv");
            csv = file == null ? null : Path.of(file);
            request = Table1Runs.parse(o);
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            err.println("(--help lists the options)");
            return 2;
        }
        Table1Runs.describe(request).forEach(out::println);
        // threshold: migrate after 30 simulated seconds in one cluster or 3 clusters away; its dwell timer runs in
        // real time, so it is scaled by the speed-up (exact while the simulation keeps pace)
        List<RoutingPolicy> policies = List.of(new AnchoredRouting(),
                new ThresholdRouting(Math.max(1, (long) (30_000 / request.params().speedup())), 3));
        List<Simulation.Result> results;
        try {
            List<MigrationStrategy> strategies = List.of(new NaiveStrategy());
            Table1Runs.Request r = request;
            results = tcp
                    ? Table1Runs.run(request, strategies, policies, out::println,
                            (params, work) -> new Simulation(params,
                                    work, strategies, policies, r.hopMillis(), r.lsMillis(), tcp(),
                                    new NodeAddress("127.0.0.1", 0)))
                    : Table1Runs.run(request, strategies, policies, out::println);
        } catch (RuntimeException e) {
            err.println("simulate: a run failed: " + e);
            return 1;
        }
        List<String[]> table = Table1Runs.table(results);
        Table1Runs.format(table).forEach(out::println);
        List<String[]> setup = Table1Runs.setupByDistance(results);
        out.println();
        Table1Runs.format(Table1Runs.setupByDistanceShort(results)).forEach(out::println);
        if (csv != null) {
            writeCsv(table, csv);
            Path setupCsv = csv.resolveSibling(csv.getFileName() + ".setup.csv");
            writeCsv(setup, setupCsv);
            out.println("wrote " + csv + " and " + setupCsv);
        }
        return 0;
    }

    /** The TCP transport with its default settings, outside OSGi (its DS configuration's defaults). */
    static Transport tcp() {
        TcpTransport.Config defaults = (TcpTransport.Config) Proxy.newProxyInstance(Table1Main.class.getClassLoader(),
                new Class<?>[]{TcpTransport.Config.class}, (proxy, method, args) -> method.getDefaultValue());
        return new TcpTransport(defaults);
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
        List<String> known = new ArrayList<>(Table1Runs.OPTIONS);
        known.add("--csv");
        known.add("--transport");
        known.add("--plots");
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
}

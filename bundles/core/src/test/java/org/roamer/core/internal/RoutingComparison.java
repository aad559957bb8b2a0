/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.Profile;
import org.roamer.api.RouteInfo;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.core.internal.node.RoutingSettings;
import org.roamer.core.internal.node.UserSignalingServer;

/**
 * Migrating vs anchored agents, measured (issue 6; the seed only argues the trade-off): the same seeded
 * mobility and call trace on a line of clusters c1..cN, once per routing set-up, with the link-delay model
 * on (neighbouring clusters {@code near} ms apart, others {@code far} ms, the Location Server {@code ls} ms
 * from everyone). Per set-up: call set-up time by direction and by the distance between the mobile and its
 * agent (p50/p99), long-distance and local frames and bytes per crossing, crossing time, air-interface
 * messages per call, and migrations per crossing on a border ping-pong trace.
 *
 * <p>The real core on the in-VM transport: agents, stubs, NAIVE-like migration (the test's variables
 * strategy), routing decisions, radio-port updates, links and paging. Run:
 * {@code mvn -q -pl bundles/api,bundles/core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.roamer.core.internal.RoutingComparison -Dexec.args="docs"} (writes
 * {@code docs/routing.csv} and {@code docs/routing.svg}).
 */
public final class RoutingComparison {
    /** The set-ups compared. */
    enum Setup {
        MIGRATE("migrate", "datagram"), ANCHORED_DATAGRAM("anchored", "datagram"), ANCHORED_CONNECTION("anchored",
                "connection"), THRESHOLD("threshold", "datagram");

        final String policy;
        final String scheme;

        Setup(String policy, String scheme) {
            this.policy = policy;
            this.scheme = scheme;
        }

        String label() {
            return this == MIGRATE || this == THRESHOLD ? policy : policy + "/" + scheme;
        }
    }

    /** Trace and network parameters. */
    record Parameters(int clusters, int mobiles, int steps, int pingPongs, long near, long far, long ls, long seed,
            long dwellMillis) {
    }

    /** What one set-up measured. */
    static final class Result {
        final Setup setup;
        final Map<String, Histogram> callSetup = new LinkedHashMap<>(); // "in@d" / "out@d" -> micros
        final Histogram crossing = new Histogram(3);
        long crossings;
        long migrations;
        long anchoredCrossings;
        long longFrames;
        long longBytes;
        long localFrames;
        long radioPortUpdates;
        long remotePages;
        long calls;
        long failedCalls;
        long callLongFrames;
        long airMessages;
        long pingPongCrossings;
        long pingPongMigrations;

        Result(Setup setup) {
            this.setup = setup;
        }

        Histogram calls(String direction, int distance) {
            return callSetup.computeIfAbsent(direction + "@" + distance, k -> new Histogram(3));
        }
    }

    private RoutingComparison() {
    }

    /** A threshold policy like the routing-threshold bundle (core tests cannot depend on a plug-in). */
    static RoutingPolicy threshold(long dwell, int away) {
        return new RoutingPolicy() {
            @Override
            public String name() {
                return "threshold";
            }

            @Override
            public RoutingDecision decide(Crossing c) {
                return c.clustersAway() >= away || c.millisInCluster() >= dwell
                        ? RoutingDecision.MIGRATE
                        : RoutingDecision.anchorAndRecheck(dwell - c.millisInCluster());
            }
        };
    }

    static final RoutingPolicy ANCHORED = new RoutingPolicy() {
        @Override
        public String name() {
            return "anchored";
        }

        @Override
        public RoutingDecision decide(Crossing c) {
            return RoutingDecision.ANCHOR;
        }
    };

    static Result run(Setup setup, Parameters p, Consumer<String> progress) throws Exception {
        Result r = new Result(setup);
        try (InVmNetwork net = new InVmNetwork(p.clusters(), 200, 5_000, 2_000)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            net.core.bindRouting(ANCHORED);
            net.core.bindRouting(threshold(p.dwellMillis(), 3));
            for (UserSignalingServer u : net.uss) {
                u.apply(u.settings(), RoutingSettings.parse(setup.policy, setup.scheme, "port", "on-demand"));
            }
            long deadline = System.currentTimeMillis() + 5_000;
            while (net.uss.stream().anyMatch(u -> !u.registered()) && System.currentTimeMillis() < deadline) {
                Thread.sleep(2);
            }
            Map<String, Long> pairs = new LinkedHashMap<>();
            for (int i = 1; i <= p.clusters(); i++) {
                for (int j = i + 1; j <= p.clusters(); j++) {
                    pairs.put(LinkDelays.key("c" + i, "c" + j), j - i == 1 ? p.near() : p.far());
                }
            }
            net.core.linkDelays(new LinkDelays(pairs, p.far(), p.ls()));
            Random rnd = new Random(p.seed());
            long migrations0 = net.core.metrics().get("migrations");
            long longFrames0 = net.core.metrics().get("link.frames.long.mobility");
            long longBytes0 = net.core.metrics().get("link.bytes.long.mobility");
            long localFrames0 = net.core.metrics().get("link.frames.local.mobility");
            long ports0 = net.core.metrics().get("radioports.updated");
            long callFrames0 = net.core.metrics().get("link.frames.long.calls");
            Profile any = new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"), null);
            int[] at = new int[p.mobiles()];
            List<MobileId> mobiles = new ArrayList<>();
            for (int i = 0; i < p.mobiles(); i++) {
                MobileId m = MobileId.of("m" + i);
                at[i] = 1 + rnd.nextInt(p.clusters());
                net.network.register(m, ClusterId.of("c" + at[i]), any);
                mobiles.add(m);
            }
            for (int step = 0; step < p.steps(); step++) {
                for (int i = 0; i < p.mobiles(); i++) {
                    // random walk on the line of clusters
                    int next = at[i] == 1
                            ? 2
                            : at[i] == p.clusters() ? p.clusters() - 1 : at[i] + (rnd.nextBoolean() ? 1 : -1);
                    at[i] = next;
                    MoveResult mr = net.network.move(mobiles.get(i), ClusterId.of("c" + next));
                    r.crossings++;
                    if (mr.anchored()) {
                        r.anchoredCrossings++;
                    }
                    r.crossing.recordValue(Math.max(1, mr.micros()));
                    int peer = (i + 1 + rnd.nextInt(p.mobiles() - 1)) % p.mobiles();
                    call(net, r, mobiles.get(peer), mobiles.get(i), "in", mobiles.get(i));
                    call(net, r, mobiles.get(i), mobiles.get(peer), "out", mobiles.get(i));
                }
                progress.accept(String.format(Locale.ROOT, "%s: step %d/%d, %d crossings, %d migrations, %d calls",
                        setup.label(), step + 1, p.steps(), r.crossings,
                        net.core.metrics().get("migrations") - migrations0, r.calls));
            }
            // a quiet moment for pending rechecks and their migrations, then the walk's totals
            if (setup == Setup.THRESHOLD) {
                Thread.sleep(Math.min(2_000, p.dwellMillis() + 200));
            }
            r.callLongFrames = net.core.metrics().get("link.frames.long.calls") - callFrames0;
            r.migrations = net.core.metrics().get("migrations") - migrations0;
            r.longFrames = net.core.metrics().get("link.frames.long.mobility") - longFrames0;
            r.longBytes = net.core.metrics().get("link.bytes.long.mobility") - longBytes0;
            r.localFrames = net.core.metrics().get("link.frames.local.mobility") - localFrames0;
            r.radioPortUpdates = net.core.metrics().get("radioports.updated") - ports0;
            r.remotePages = net.core.metrics().get("pages.remote");
            long pp0 = net.core.metrics().get("migrations");
            // border ping-pong: fresh mobiles cross c1 <-> c2 back and forth quickly
            for (int i = 0; i < p.pingPongs(); i++) {
                MobileId m = MobileId.of("pp" + i);
                net.network.register(m, ClusterId.of("c1"), any);
                for (int k = 0; k < 10; k++) {
                    net.network.move(m, ClusterId.of(k % 2 == 0 ? "c2" : "c1"));
                    r.pingPongCrossings++;
                }
            }
            if (setup == Setup.THRESHOLD) {
                Thread.sleep(Math.min(2_000, p.dwellMillis() + 200));
            }
            r.pingPongMigrations = net.core.metrics().get("migrations") - pp0;
        }
        return r;
    }

    private static void call(InVmNetwork net, Result r, MobileId caller, MobileId callee, String direction,
            MobileId subject) throws Exception {
        RouteInfo route = net.network.route(subject);
        int distance = Math.abs(index(route.agentCluster()) - index(route.mobileCluster()));
        long air = net.core.metrics().get("air.messages");
        CallResult c = net.network.call(caller, callee, CallType.VOICE);
        r.airMessages += net.core.metrics().get("air.messages") - air;
        r.calls++;
        if (!c.accepted()) {
            r.failedCalls++;
            return;
        }
        r.calls(direction, distance).recordValue(Math.max(1, c.setupMicros()));
        net.network.hangup(c.callId());
    }

    private static int index(ClusterId c) {
        return Integer.parseInt(c.value().substring(1));
    }

    /** CSV: one row per set-up and call bucket, plus the per-crossing figures on every row of the set-up. */
    static String csv(List<Result> results) {
        StringBuilder b = new StringBuilder(
                "setup,direction,distance,calls,p50_us,p99_us,crossings,migrations_per_crossing,"
                        + "long_frames_per_crossing,long_bytes_per_crossing,local_frames_per_crossing,radio_port_updates_per_crossing,"
                        + "crossing_p50_us,crossing_p99_us,long_frames_per_call,air_per_call,pingpong_migrations_per_crossing\n");
        for (Result r : results) {
            for (Map.Entry<String, Histogram> e : r.callSetup.entrySet()) {
                String[] k = e.getKey().split("@");
                Histogram h = e.getValue();
                b.append(String.format(Locale.ROOT,
                        "%s,%s,%s,%d,%d,%d,%d,%.3f,%.2f,%.1f,%.2f,%.2f,%d,%d,%.2f,%.2f,%.3f%n",
                        r.setup.label(), k[0], k[1], h.getTotalCount(), h.getValueAtPercentile(50),
                        h.getValueAtPercentile(99), r.crossings, (double) r.migrations / r.crossings,
                        (double) r.longFrames / r.crossings, (double) r.longBytes / r.crossings,
                        (double) r.localFrames / r.crossings, (double) r.radioPortUpdates / r.crossings,
                        r.crossing.getValueAtPercentile(50), r.crossing.getValueAtPercentile(99),
                        (double) r.callLongFrames / Math.max(1, r.calls), (double) r.airMessages / Math.max(1, r.calls),
                        (double) r.pingPongMigrations / Math.max(1, r.pingPongCrossings)));
            }
        }
        return b.toString();
    }

    /** A table for the console. */
    static String table(List<Result> results) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%-21s %10s %10s %9s %11s %11s %11s %12s %9s %13s %13s %9s %9s%n", "setup", "migr/cross", "long fr/cr",
                "long B/cr", "ports/cross", "cross p50us", "cross p99us", "long fr/call", "air/call", "in p50/p99 us",
                "out p50/p99 us", "calls ok", "pingpong"));
        for (Result r : results) {
            Histogram in = merged(r, "in");
            Histogram out = merged(r, "out");
            b.append(String.format(Locale.ROOT,
                    "%-21s %10.2f %10.2f %9.1f %11.2f %11d %11d %12.2f %9.2f %13s %13s %9s %9.2f%n",
                    r.setup.label(), (double) r.migrations / r.crossings, (double) r.longFrames / r.crossings,
                    (double) r.longBytes / r.crossings, (double) r.radioPortUpdates / r.crossings,
                    r.crossing.getValueAtPercentile(50), r.crossing.getValueAtPercentile(99),
                    (double) r.callLongFrames / Math.max(1, r.calls), (double) r.airMessages / Math.max(1, r.calls),
                    in.getValueAtPercentile(50) + "/" + in.getValueAtPercentile(99),
                    out.getValueAtPercentile(50) + "/" + out.getValueAtPercentile(99),
                    (r.calls - r.failedCalls) + "/" + r.calls,
                    (double) r.pingPongMigrations / Math.max(1, r.pingPongCrossings)));
        }
        return b.toString();
    }

    private static Histogram merged(Result r, String direction) {
        Histogram h = new Histogram(3);
        r.callSetup.forEach((k, v) -> {
            if (k.startsWith(direction + "@")) {
                h.add(v);
            }
        });
        return h;
    }

    /** An SVG: call set-up p50 (ms) against the mobile-agent distance, incoming and outgoing, per set-up. */
    static String svg(List<Result> results) {
        int w = 720;
        int h = 420;
        int left = 70;
        int bottom = 360;
        int top = 40;
        double max = 1;
        int maxD = 1;
        for (Result r : results) {
            for (Map.Entry<String, Histogram> e : r.callSetup.entrySet()) {
                max = Math.max(max, e.getValue().getValueAtPercentile(50) / 1000.0);
                maxD = Math.max(maxD, Integer.parseInt(e.getKey().split("@")[1]));
            }
        }
        max = Math.ceil(max / 5) * 5;
        String[] colours = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.append("<text x=\"").append(w / 2)
                .append("\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">Call set-up p50"
                        + " vs distance between mobile and agent (solid: incoming, dashed: outgoing)</text>\n");
        s.append(line(left, bottom, w - 160, bottom)).append(line(left, bottom, left, top));
        for (int t = 0; t <= 5; t++) {
            double v = max * t / 5;
            int y = bottom - (int) ((bottom - top) * t / 5.0);
            s.append(
                    String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f ms</text>%n", left - 6,
                            y + 4, v));
        }
        int span = w - 160 - left;
        for (int d = 0; d <= maxD; d++) {
            int x = left + span * d / Math.max(1, maxD);
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x,
                    bottom + 18, d));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">clusters between the mobile"
                + " and its agent</text>%n", left + span / 2, bottom + 38));
        int i = 0;
        for (Result r : results) {
            String colour = colours[i % colours.length];
            for (String dir : new String[]{"in", "out"}) {
                StringBuilder pts = new StringBuilder();
                for (int d = 0; d <= maxD; d++) {
                    Histogram hist = r.callSetup.get(dir + "@" + d);
                    if (hist == null || hist.getTotalCount() == 0) {
                        continue;
                    }
                    int x = left + span * d / Math.max(1, maxD);
                    int y = bottom - (int) ((bottom - top) * (hist.getValueAtPercentile(50) / 1000.0) / max);
                    pts.append(x).append(',').append(y).append(' ');
                    s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>%n", x, y,
                            colour));
                }
                s.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\"")
                        .append(dir.equals("out") ? " stroke-dasharray=\"6,4\"" : "").append(" points=\"")
                        .append(pts.toString().trim()).append("\"/>\n");
            }
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", w - 150, top + 20 * i, colour, w - 132, top + 10 + 20 * i,
                    r.setup.label()));
            i++;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String line(int x1, int y1, int x2, int y2) {
        return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>%n", x1, y1,
                x2, y2);
    }

    /**
     * @param args {@code [output-dir] [mobiles] [steps]}: writes routing.csv and routing.svg there when given
     */
    public static void main(String[] args) throws Exception {
        Parameters p = new Parameters(4, args.length > 1 ? Integer.parseInt(args[1]) : 16,
                args.length > 2 ? Integer.parseInt(args[2]) : 6, 10, 1, 10, 5, 42, 300);
        System.out.printf("machine: %d cores, Java %s, %s %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.arch"));
        System.out.printf("trace: %d clusters on a line, %d mobiles x %d crossings (random walk, seed %d), one incoming"
                + " and one outgoing call after each; link delays near %d ms, far %d ms, LS %d ms; threshold dwell %d ms,"
                + " 3 clusters away; ping-pong: %d mobiles x 10 crossings c1<->c2%n", p.clusters(), p.mobiles(),
                p.steps(), p.seed(), p.near(), p.far(), p.ls(), p.dwellMillis(), p.pingPongs());
        List<Result> results = new ArrayList<>();
        for (Setup s : Setup.values()) {
            results.add(run(s, p, System.out::println));
        }
        System.out.println();
        System.out.print(table(results));
        if (args.length > 0) {
            Path dir = Path.of(args[0]);
            Files.writeString(dir.resolve("routing.csv"), csv(results), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("routing.svg"), svg(results), StandardCharsets.UTF_8);
            System.out.println("wrote " + dir.resolve("routing.csv") + " and " + dir.resolve("routing.svg"));
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerStats;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.api.spi.transport.Transport;
import org.roamer.core.internal.InVmTransport;
import org.roamer.core.internal.NetworkService;
import org.roamer.core.internal.RoamerCore;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.node.CallServer;
import org.roamer.core.internal.node.ConnectionServer;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.RoutingSettings;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.node.UssSettings;

/**
 * One Table 1 run on the real core: a Location Server and, per cluster, a USS, a Call Server, a Connection Server
 * and two radio ports, all in this JVM on the in-VM transport (frames are encoded and decoded as on a wire); one
 * real user agent per terminal; every crossing of the mobility model is the terminal's registration in its new
 * cluster ({@code RoamerNetwork.move}), which the routing policy turns into a migration (NAIVE) or an anchored
 * location update; calls arrive as a Poisson process, to a random other terminal, and are hung up after an
 * exponential duration. Simulated time is processed in one-second steps on one thread and never runs more than
 * {@link Table1#speedup()} times faster than real time.
 */
public final class Simulation implements AutoCloseable {
    private final Table1 p;
    private final RoamerCore core;
    private final Transport transport;
    private final LocationServer ls;
    private final List<UserSignalingServer> uss = new ArrayList<>();
    private final NetworkService network;
    private final List<String> clusterIds = new ArrayList<>();

    /** Builds the network (no terminal yet), without link delays. */
    public Simulation(Table1 p, Path work, List<MigrationStrategy> strategies, List<RoutingPolicy> policies)
            throws Exception {
        this(p, work, strategies, policies, 0, 0);
    }

    /**
     * Builds the network (no terminal yet) with the core's link-delay model: {@code hopMillis} per cluster of
     * distance on the grid (one way, between the nodes of two clusters), {@code lsMillis} between a USS and the
     * Location Server; 0 and 0 for none.
     *
     * @param strategies migration strategies; the nodes prefer {@code naive}, which must be among them
     * @param policies   routing policies besides the built-in migrate; the one {@link Table1#routing()} names must
     *                   be among them (a threshold policy's dwell is real time: scale it by the speed-up)
     */
    public Simulation(Table1 p, Path work, List<MigrationStrategy> strategies, List<RoutingPolicy> policies,
            long hopMillis, long lsMillis) throws Exception {
        this(p, work, strategies, policies, hopMillis, lsMillis, new InVmTransport(), new NodeAddress("invm", 0));
    }

    /**
     * The same on another transport: every node listens on {@code listen} (a port 0 lets each take a free one), e.g.
     * TCP on 127.0.0.1:0 for a validation run over real sockets.
     */
    public Simulation(Table1 p, Path work, List<MigrationStrategy> strategies, List<RoutingPolicy> policies,
            long hopMillis, long lsMillis, Transport transport, NodeAddress listen) throws Exception {
        this.p = p;
        this.transport = transport;
        checkPlugins(p.routing(), strategies, policies);
        core = new RoamerCore(Math.max(2, Runtime.getRuntime().availableProcessors()),
                AgentImageCodec.type("org.roamer.core", "1.0.0"));
        strategies.forEach(core::bindStrategy);
        policies.forEach(core::bindRouting);
        ls = new LocationServer(core, transport, NodeId.of("ls1"), listen, 10_000, 10_000);
        RoutingSettings routing = RoutingSettings.DEFAULT.withPolicy(p.routing());
        for (int i = 1; i <= p.clusters(); i++) {
            String c = "c" + i;
            clusterIds.add(c);
            UssSettings s = new UssSettings(NodeId.of("uss-" + c), ClusterId.of(c), listen, null,
                    "naive", List.of("naive"), 64, 256 * 1024, 2_000, 60_000, 10_000, 2_000, FrameLimits.DEFAULT,
                    work.resolve("uss-" + c));
            UserSignalingServer u = new UserSignalingServer(core, transport, s, routing);
            u.checkpoints().endAgentsOnStop(); // a simulation's agents end with it
            uss.add(u);
            new CallServer(core, NodeId.of("call-" + c), ClusterId.of(c));
            new ConnectionServer(core, NodeId.of("conn-" + c), ClusterId.of(c));
            new RadioPort(core, NodeId.of("rp-" + c + "-1"), ClusterId.of(c));
            new RadioPort(core, NodeId.of("rp-" + c + "-2"), ClusterId.of(c));
        }
        if (hopMillis > 0 || lsMillis > 0) {
            List<String> pairs = new ArrayList<>();
            for (int a = 0; a < p.clusters(); a++) {
                for (int b = a + 1; b < p.clusters(); b++) {
                    pairs.add("c" + (a + 1) + "-c" + (b + 1) + "=" + hops(a, b) * hopMillis);
                }
            }
            core.linkDelays(org.roamer.core.internal.LinkDelays.parse(pairs.toArray(String[]::new), 0, lsMillis));
        }
        network = new NetworkService(core);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (uss.stream().anyMatch(u -> !u.registered())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the USS nodes did not register with the Location Server");
            }
            Thread.sleep(5); // the nodes announce themselves on their own timers
        }
    }

    /** What a run measured. */
    public record Result(Table1 params, long crossings, long migrations, long anchoredUpdates, long moveFailures,
            long callsPlaced, long callsAccepted, long callsRejected, long callsFailed, long callsEnded,
            Histogram setupMicros, Map<Integer, Histogram> setupByDistance, Map<String, Long> framesByType,
            Map<String, Long> bytesByType,
            Map<String, Long> counters, int agents, int agentsMisplaced, double simulatedSeconds, double realSeconds,
            long heapBytes) {

        /** Measured crossings per second per cluster, scaled to the terminals each simulated one stands for. */
        public double crossingsPerSecondPerCluster() {
            return crossings * params.weight() / (params.clusters() * simulatedSeconds);
        }

        public long frames(String... types) {
            long n = 0;
            for (String t : types) {
                n += framesByType.getOrDefault(t, 0L);
            }
            return n;
        }

        public long bytes(String... types) {
            long n = 0;
            for (String t : types) {
                n += bytesByType.getOrDefault(t, 0L);
            }
            return n;
        }

        /** The seed's long-distance signalling of a migration: MIGRATE and MIGRATE_DONE, bytes per crossing. */
        public double migrateBytesPerCrossing() {
            return crossings == 0 ? 0 : (double) bytes("MIGRATE", "MIGRATE_DONE") / crossings;
        }

        /** Long-distance signalling per cluster, kbps: measured crossing rate × MIGRATE/MIGRATE_DONE bytes. */
        public double migrateKbpsPerCluster() {
            return crossingsPerSecondPerCluster() * migrateBytesPerCrossing() * 8 / 1000;
        }
    }

    /** Powers every terminal on, runs the simulated minutes, ends every call, and measures. */
    public Result run(Consumer<String> progress) throws Exception {
        int n = Math.toIntExact(p.terminals());
        Mobility mobility = new Mobility(n, p.cols(), p.rows(), p.edgeKm(), p.speedKmh(), 3600, p.seed());
        SplittableRandom random = new SplittableRandom(p.seed() * 31 + 7);
        long t0 = System.nanoTime();
        for (int t = 0; t < n; t++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("the simulation was interrupted while powering terminals on");
            }
            network.register(mobile(t), ClusterId.of(clusterIds.get(mobility.clusterOf(t))), Profile.defaults());
            if ((t + 1) % Math.max(1, n / 10) == 0) {
                progress.accept(String.format(Locale.ROOT, "powered on %d/%d terminals (%.1f s)", t + 1, n,
                        (System.nanoTime() - t0) / 1e9));
            }
        }
        RoamerStats before = network.stats();
        long[] moves = new long[4]; // migrated, anchored, failed, crossings
        Histogram setup = new Histogram(60_000_000L, 3);
        Map<Integer, Histogram> byDistance = new TreeMap<>();
        long[] calls = new long[5]; // placed, accepted, rejected, failed, ended
        PriorityQueue<double[]> hangups = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        Map<Long, String> callIds = new HashMap<>();
        long nextCallKey = 0;
        double callRate = n * p.callsPerHour() / 3600; // per simulated second, the whole population
        double nextCall = callRate > 0 ? exp(random, callRate) : Double.POSITIVE_INFINITY;
        double end = p.minutes() * 60;
        long start = System.nanoTime();
        List<int[]> crossed = new ArrayList<>();
        for (double now = 1; now <= end + 1e-9; now += 1) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("the simulation was interrupted at simulated second " + (long) now);
            }
            crossed.clear();
            mobility.advance(now, (t, from, to, at) -> crossed.add(new int[]{t, to}));
            for (int[] c : crossed) {
                moves[3]++;
                try {
                    MoveResult r = network.move(mobile(c[0]), ClusterId.of(clusterIds.get(c[1])));
                    if (r.migrated()) {
                        moves[0]++;
                    } else if (r.anchored()) {
                        moves[1]++;
                    } else {
                        moves[2]++;
                    }
                } catch (RoamerException e) {
                    moves[2]++;
                }
            }
            while (nextCall <= now) {
                int caller = random.nextInt(n);
                int callee = random.nextInt(n - 1);
                callee = callee >= caller ? callee + 1 : callee;
                calls[0]++;
                try {
                    CallResult r = network.call(mobile(caller), mobile(callee), CallType.VOICE);
                    if (r.accepted()) {
                        calls[1]++;
                        long micros = Math.min(Math.max(0, r.setupMicros()), 60_000_000L);
                        setup.recordValue(micros);
                        // how far the call goes: from the caller's cluster to the cluster its callee is in
                        byDistance.computeIfAbsent(hops(mobility.clusterOf(caller), mobility.clusterOf(callee)),
                                d -> new Histogram(60_000_000L, 3)).recordValue(micros);
                        long key = nextCallKey++;
                        callIds.put(key, r.callId());
                        hangups.add(new double[]{nextCall - p.callSeconds() * Math.log(1 - random.nextDouble()), key});
                    } else {
                        calls[2]++;
                    }
                } catch (RoamerException e) {
                    calls[3]++;
                }
                nextCall += exp(random, callRate);
            }
            while (!hangups.isEmpty() && hangups.peek()[0] <= now) {
                hangup(callIds.remove((long) hangups.poll()[1]), calls);
            }
            pace(start, now);
            if ((long) now % 60 == 0) {
                Runtime rt = Runtime.getRuntime();
                double real = (System.nanoTime() - start) / 1e9;
                progress.accept(String.format(Locale.ROOT, "minute %d/%.0f: %d crossings (%d migrated, %d anchored, "
                        + "%d failed), %d calls, %.0fx real, heap %d MB", (long) now / 60, p.minutes(), moves[3],
                        moves[0], moves[1], moves[2], calls[0], now / Math.max(real, 1e-9),
                        (rt.totalMemory() - rt.freeMemory()) >> 20));
            }
        }
        double real = (System.nanoTime() - start) / 1e9;
        while (!hangups.isEmpty()) { // every call ends
            hangup(callIds.remove((long) hangups.poll()[1]), calls);
        }
        settle();
        RoamerStats after = network.stats();
        int misplaced = 0;
        List<AgentInfo> agents = network.agents();
        Map<String, AgentInfo> byMobile = new HashMap<>();
        for (AgentInfo a : agents) {
            byMobile.put(a.mobile().value(), a);
        }
        for (int t = 0; t < n; t++) {
            AgentInfo a = byMobile.get(mobile(t).value());
            String at = clusterIds.get(mobility.clusterOf(t));
            if (a == null || "migrate".equals(p.routing()) && !a.cluster().value().equals(at)) {
                misplaced++;
            }
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return new Result(p, moves[3], moves[0], moves[1], moves[2], calls[0], calls[1], calls[2], calls[3], calls[4],
                setup, byDistance, delta(before.framesByType(), after.framesByType()), delta(before.bytesByType(),
                        after.bytesByType()),
                delta(before.counters(), after.counters()), agents.size(), misplaced, end,
                real, rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Waits (at most 10 s) until no migration has started or ended for half a second: a threshold policy's timers
     * run in real time and may still move agents after the last simulated second.
     */
    private void settle() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long last = -1;
        while (System.nanoTime() < deadline) {
            Map<String, Long> c = network.stats().counters();
            long now = c.getOrDefault("migrations", 0L) + c.getOrDefault("migrations.refused", 0L)
                    + c.getOrDefault("routing.follow", 0L);
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(500); // a quiet half second
        }
    }

    /** The agents as the network lists them, for tests. */
    public List<AgentInfo> agents() {
        return network.agents();
    }

    private void hangup(String callId, long[] calls) {
        try {
            network.hangup(callId);
            calls[4]++;
        } catch (RoamerException e) {
            calls[3]++;
        }
    }

    /** Never more than {@code speedup} times real time: waits when the simulation is ahead of it. */
    private void pace(long startNanos, double simulatedSeconds) throws InterruptedException {
        long due = startNanos + (long) (simulatedSeconds / p.speedup() * 1e9);
        long ahead = due - System.nanoTime();
        if (ahead > 1_000_000) {
            Thread.sleep(ahead / 1_000_000);
        }
    }

    /**
     * Refuses a run without NAIVE, or with a routing policy that is neither {@code migrate} nor among {@code policies}.
     *
     * @throws IllegalArgumentException naming what to install
     */
    static void checkPlugins(String routing, List<MigrationStrategy> strategies, List<RoutingPolicy> policies) {
        if (strategies.stream().noneMatch(s -> s.name().equals("naive"))) {
            throw new IllegalArgumentException("the simulation migrates with NAIVE: install roamer-strategy-naive");
        }
        if (!"migrate".equals(routing) && policies.stream().noneMatch(r -> r.name().equals(routing))) {
            throw new IllegalArgumentException("routing policy '" + routing + "' is not installed here: "
                    + "feature:install roamer-routing-" + routing);
        }
    }

    /** Clusters between two clusters on the torus grid (index 0-based). */
    int hops(int a, int b) {
        int cols = p.cols();
        int rows = p.rows();
        int dc = Math.abs(a % cols - b % cols);
        int dr = Math.abs(a / cols - b / cols);
        return Math.min(dc, cols - dc) + Math.min(dr, rows - dr);
    }

    private static double exp(SplittableRandom r, double rate) {
        return -Math.log(1 - r.nextDouble()) / rate;
    }

    private static MobileId mobile(int t) {
        return MobileId.of("t" + t);
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> {
            long x = v - before.getOrDefault(k, 0L);
            if (x != 0) {
                d.put(k, x);
            }
        });
        return d;
    }

    @Override
    public void close() {
        for (UserSignalingServer u : uss) {
            u.deactivate();
        }
        ls.deactivate();
        core.close();
    }
}

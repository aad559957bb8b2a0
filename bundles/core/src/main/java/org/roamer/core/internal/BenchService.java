/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.HdrHistogram.ConcurrentHistogram;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.roamer.api.BenchResult;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.Profile;
import org.roamer.api.RoamerBench;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;
import org.roamer.core.internal.node.UserSignalingServer;

/**
 * {@link RoamerBench} ({@code roamer:bench}): migrates agents back and forth between two clusters of the running
 * network and measures MIGRATE→MIGRATE_DONE. It drives the network as the console does ({@link RoamerNetwork#register},
 * {@link RoamerNetwork#move}, {@link RoamerNetwork#deregister}), from a pool of its own that lives as long as a run.
 * Thread-safe: runs may overlap, each with its own mobiles.
 */
@Component(service = RoamerBench.class)
public final class BenchService implements RoamerBench {
    /** Largest application state per agent a benchmark gives (images stay far below the 64 MiB cap). */
    static final int MAX_BENCH_STATE = 16 * 1024 * 1024;
    /** Largest application state all of a benchmark's agents hold together. */
    static final long MAX_BENCH_STATE_TOTAL = 256L * 1024 * 1024;

    private final RoamerCore core;
    private final RoamerNetwork network;
    private final AtomicLong benchRuns = new AtomicLong();

    @Activate
    public BenchService(@Reference RoamerCore core, @Reference RoamerNetwork network) {
        this.core = core;
        this.network = network;
    }

    @Override
    public BenchResult run(String strategy, int count, int concurrency, int stateBytes, Consumer<String> progress)
            throws RoamerException {
        if (count < 1 || concurrency < 1 || concurrency > 1024) {
            throw new RoamerException("count must be >= 1 and concurrency 1-1024");
        }
        if (stateBytes < 0 || stateBytes > MAX_BENCH_STATE) {
            throw new RoamerException("state size must be 0-" + MAX_BENCH_STATE + " bytes (16 MiB)");
        }
        if ((long) stateBytes * concurrency > MAX_BENCH_STATE_TOTAL) {
            throw new RoamerException(
                    "state size x concurrency must stay within " + MAX_BENCH_STATE_TOTAL / (1024 * 1024)
                            + " MiB of agent state (asked for " + stateBytes + " x " + concurrency + ")");
        }
        if (core.strategy(strategy) == null) {
            throw new RoamerException("strategy '" + strategy + "' is not installed; installed: "
                    + core.strategyNames(List.of()));
        }
        // the mobiles start in a cluster of this container (they get their state here) and cross into another
        // one, of this container or, in a network of containers, of another
        List<ClusterId> local = core.directory().ussNodes().stream().map(UserSignalingServer::cluster).sorted()
                .toList();
        if (local.isEmpty()) {
            throw new RoamerException("the benchmark needs a cluster with a USS in this container (container "
                    + core.containerName() + " has none); run it in a container of a USS");
        }
        ClusterId a = local.get(0);
        ClusterId b = (local.size() > 1 ? local : network.clusters()).stream().filter(c -> !c.equals(a)).findFirst()
                .orElseThrow(
                        () -> new RoamerException("the benchmark needs a second cluster; the network has only " + a));
        Consumer<String> out = progress == null ? s -> {
        } : progress;
        long run = benchRuns.incrementAndGet();
        List<MobileId> mobiles = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "roamer-bench-" + run);
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < concurrency; i++) {
                MobileId m = MobileId.of("bench" + run + "-" + i);
                network.register(m, a, Profile.defaults());
                mobiles.add(m);
                if (stateBytes > 0) {
                    byte[] state = new byte[stateBytes];
                    ThreadLocalRandom.current().nextBytes(state);
                    if (!uss(a).views().applicationState(m, state)) {
                        throw new RoamerException("could not give " + m + " its application state");
                    }
                }
            }
            out.accept("registered " + concurrency + " mobiles in " + a + (stateBytes > 0
                    ? " with " + stateBytes
                            + " bytes of application state each"
                    : "") + "; migrating " + count + " times between " + a + " and "
                    + b + " with " + strategy);
            ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
            AtomicInteger next = new AtomicInteger();
            AtomicLong failed = new AtomicLong();
            Map<String, AtomicLong> reasons = new ConcurrentHashMap<>();
            AtomicLong bytes = new AtomicLong();
            AtomicLong done = new AtomicLong();
            long step = Math.max(1, count / 10);
            long start = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (MobileId m : mobiles) {
                workers.add(pool.submit(() -> {
                    ClusterId at = a;
                    while (!stop.get() && next.getAndIncrement() < count) {
                        ClusterId to = at.equals(a) ? b : a;
                        try {
                            MoveResult r = network.move(m, to, strategy);
                            if (r.ok()) { // migrated, or stayed anchored on purpose (a node routing 'anchored')
                                at = to;
                                latency.recordValue(Math.min(r.micros(), TimeUnit.SECONDS.toMicros(60)));
                                bytes.addAndGet(r.bytesMoved());
                            } else {
                                benchFailure(failed, reasons, r.reason(), out);
                            }
                        } catch (RoamerException e) {
                            benchFailure(failed, reasons, e.getMessage(), out);
                        }
                        long d = done.incrementAndGet();
                        if (d % step == 0) {
                            long f = failed.get();
                            out.accept(String.format("  %d/%d moves: %d migrated, %d failed, %.0f/s", d, count, d - f,
                                    f, d * 1e9 / (System.nanoTime() - start)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long ok = latency.getTotalCount();
            if (!reasons.isEmpty()) {
                out.accept("failures by reason: " + reasons.entrySet().stream()
                        .map(e -> e.getValue().get() + " x " + e.getKey())
                        .collect(java.util.stream.Collectors.joining("; ")));
            }
            return new BenchResult(strategy, ok, failed.get(), concurrency, Metrics.summary(latency),
                    ok / seconds, ok == 0 ? 0 : (double) bytes.get() / ok);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException("benchmark interrupted");
        } catch (ExecutionException e) {
            throw new RoamerException("benchmark failed: " + e.getCause());
        } finally {
            // an interrupted run (Ctrl-C): the workers finish the move they are in (a move left half-way would still
            // run in the network and keep its mobile from powering off), then stop
            stop.set(true);
            pool.shutdown();
            // the mobiles are powered off even so: waits below must not see the interrupt
            boolean interrupted = Thread.interrupted();
            try {
                if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                    out.accept("benchmark workers still moving after 30 s");
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            for (MobileId m : mobiles) {
                try {
                    network.deregister(m);
                } catch (RoamerException e) {
                    out.accept("could not deregister " + m + ": " + e.getMessage());
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counts a failed benchmark move; the first of each reason (at most 8 reasons) is printed as it happens. */
    private static void benchFailure(AtomicLong failed, Map<String, AtomicLong> reasons, String reason,
            Consumer<String> out) {
        failed.incrementAndGet();
        String why = reason == null || reason.isBlank() ? "no reason given" : reason;
        AtomicLong n = reasons.size() < 8 ? reasons.computeIfAbsent(why, k -> new AtomicLong()) : reasons.get(why);
        if (n != null && n.getAndIncrement() == 0) {
            out.accept("  failed: " + why);
        }
    }

    /** The USS of a cluster of this container. */
    private UserSignalingServer uss(ClusterId cluster) throws RoamerException {
        UserSignalingServer u = core.directory().uss(cluster.value());
        if (u == null) {
            throw new RoamerException("unknown cluster '" + cluster + "'; clusters: " + network.clusters());
        }
        return u;
    }
}

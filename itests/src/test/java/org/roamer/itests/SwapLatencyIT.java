/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import javax.inject.Inject;

import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;

/**
 * Swap latency: how long after {@code roamer:strategy} or {@code feature:install} returns the first
 * migration uses the new strategy, while mobiles keep moving between c1 and c2. Asserts that every swap
 * takes effect and that no move fails except a rollback of one caught by the uninstall; the latencies are
 * printed (a figure, not a test criterion).
 */
public class SwapLatencyIT extends RoamerTestSupport {
    static final int MOBILES = 8;
    static final int ROUNDS = 12;
    static final Duration TAKE_EFFECT = Duration.ofSeconds(30);
    static final String SOURCE = "c1";

    /** One completed migration. */
    record Done(long nanos, String from, String strategy) {
    }

    @Inject
    RoamerNetwork network;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution(), ephemeralRoamerPorts(), ussProperty("stub.idle.timeout.ms", "500"));
    }

    @Test
    public void aSwapTakesEffectOnTheNextMigrations() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        ClusterId c1 = ClusterId.of(SOURCE);
        ClusterId c2 = ClusterId.of("c2");
        List<MobileId> mobiles = new ArrayList<>();
        for (int i = 0; i < MOBILES; i++) {
            MobileId m = MobileId.of("sl" + i);
            network.register(m, c1, Profile.defaults());
            mobiles.add(m);
        }
        ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService movers = Executors.newFixedThreadPool(2);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            List<MobileId> mine = mobiles.subList(t * MOBILES / 2, (t + 1) * MOBILES / 2);
            work.add(movers.submit(() -> {
                while (running.get()) {
                    for (MobileId m : mine) {
                        ClusterId to = network.agent(m).orElseThrow().cluster().equals(c1) ? c2 : c1;
                        try {
                            MoveResult r = network.move(m, to);
                            if (r.migrated()) {
                                done.add(new Done(System.nanoTime(), r.from().value(), r.strategy()));
                            } else {
                                failures.add(m + ": " + r.reason());
                            }
                        } catch (RoamerException e) {
                            failures.add(m + ": " + e.getMessage());
                        }
                    }
                }
                return null;
            }));
        }
        List<Long> afterCommand = new ArrayList<>();
        List<Long> commandTime = new ArrayList<>();
        List<Long> afterInstall = new ArrayList<>();
        List<Long> installTime = new ArrayList<>();
        try {
            String[] cycle = {"tern", "condor", "naive"};
            for (int round = 0; round < ROUNDS; round++) {
                String next = cycle[round % cycle.length];
                long t0 = System.nanoTime();
                execute("roamer:strategy uss-" + SOURCE + " " + next);
                long t1 = System.nanoTime();
                Done first = awaitFirst(done, t1, d -> next.equals(d.strategy()));
                commandTime.add(t1 - t0);
                afterCommand.add(first.nanos() - t1);
            }
            // the preferred strategy's feature goes away and comes back: moves fall back, then use it again
            execute("roamer:strategy uss-" + SOURCE + " tern");
            awaitFirst(done, System.nanoTime(), d -> "tern".equals(d.strategy()));
            for (int round = 0; round < ROUNDS / 2; round++) {
                execute(Duration.ofSeconds(60), "feature:uninstall roamer-strategy-tern");
                awaitFirst(done, System.nanoTime(), d -> !"tern".equals(d.strategy()));
                long t0 = System.nanoTime();
                execute(Duration.ofSeconds(60), "feature:install -r roamer-strategy-tern");
                long t1 = System.nanoTime();
                Done first = awaitFirst(done, t1, d -> "tern".equals(d.strategy()));
                installTime.add(t1 - t0);
                afterInstall.add(first.nanos() - t1);
            }
        } finally {
            running.set(false);
        }
        for (Future<?> w : work) {
            w.get(60, TimeUnit.SECONDS);
        }
        movers.shutdown();
        // the only failure allowed: a migration that used the feature being uninstalled, rolled back
        assertThat(failures).as("moves that failed while strategies were swapped")
                .allSatisfy(f -> assertThat(f).containsAnyOf("strategy 'tern' was uninstalled",
                        "strategy 'tern' is not installed"));
        assertThat(network.agents().stream().filter(a -> a.mobile().value().startsWith("sl")).count())
                .isEqualTo(MOBILES);
        System.out.printf("SwapLatencyIT: %d migrations from %s while swapping, %d rolled back by an uninstall%n",
                done.stream().filter(d -> SOURCE.equals(d.from())).count(), SOURCE, failures.size());
        System.out.println("SwapLatencyIT: roamer:strategy runs in " + summary(commandTime)
                + "; first migration with the new strategy " + summary(afterCommand) + " after it returned");
        System.out.println("SwapLatencyIT: feature:install -r runs in " + summary(installTime)
                + "; first migration with the reinstalled strategy " + summary(afterInstall) + " after it returned");
        for (MobileId m : mobiles) {
            network.deregister(m);
        }
    }

    /** The first migration from {@link #SOURCE} completed after {@code since} that matches, waiting for it. */
    private static Done awaitFirst(ConcurrentLinkedQueue<Done> done, long since, Predicate<Done> matches) {
        return await().atMost(TAKE_EFFECT).until(() -> done.stream()
                .filter(d -> d.nanos() > since && SOURCE.equals(d.from()) && matches.test(d)).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    /** "p50 x ms, p90 y ms, max z ms (n=…)" of nanosecond samples. */
    static String summary(List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        return String.format("p50 %.2f ms, p90 %.2f ms, max %.2f ms (n=%d)", at(sorted, 0.5), at(sorted, 0.9),
                sorted.get(sorted.size() - 1) / 1e6, sorted.size());
    }

    private static double at(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1))) / 1e6;
    }
}

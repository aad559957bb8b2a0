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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.inject.Inject;

import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.roamer.api.ActiveCall;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;

/**
 * Strategies are uninstalled, installed, updated and switched while 200 mobiles move between clusters
 * and receive messages and call offers: no agent or message is lost, duplicated or reordered (nothing more
 * arrives in a quiet period after the last expected message), every failed move is a rollback caused by a
 * swap (its reason names the strategy that went away; the agent stays at its source with its epoch) and
 * there are at most a few per strategy removal, every call is accepted (and then listed by both agents) or
 * rejected with a reason, and the core's components are never restarted.
 */
public class HotSwapIT extends RoamerTestSupport {
    static final int MOBILES = 200;
    static final int PARTITIONS = 4;
    /** After the last expected delivery: nothing more may arrive (a duplicate) within this time. */
    static final Duration QUIET = Duration.ofMillis(500);
    /** Reasons a move may fail for while strategies are swapped: the one it negotiated went away. */
    static final java.util.regex.Pattern ROLLBACK = java.util.regex.Pattern.compile(
            "((source|target): )?strategy '(naive|tern|condor)' "
                    + "(was uninstalled( mid-migration)?|is not installed on uss-c[123])");

    @Inject
    RoamerNetwork network;

    @Inject
    ServiceComponentRuntime scr;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution(), ephemeralRoamerPorts(), ussProperty("stub.idle.timeout.ms", "500"));
    }

    /** Component configuration ids of the core bundle's components: a restart would change them. */
    Map<String, Long> coreComponents() {
        Bundle core = List.of(bundleContext.getBundles()).stream()
                .filter(b -> "org.roamer.core".equals(b.getSymbolicName())).findFirst().orElseThrow();
        Map<String, Long> ids = new TreeMap<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(core)) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                ids.put(d.name + "#" + c.properties.getOrDefault("node.id", ""), c.id);
            }
        }
        return ids;
    }

    @Test
    public void strategiesSwapUnderLoadWithoutLosingAnAgentOrAMessage() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        ConcurrentHashMap<String, List<Long>> delivered = new ConcurrentHashMap<>();
        ServiceRegistration<DeliveryListener> reg = bundleContext.registerService(DeliveryListener.class,
                (m, n, e, s, q) -> delivered.computeIfAbsent(m.value() + "/" + s, k -> new CopyOnWriteArrayList<>())
                        .add(q),
                null);
        List<ClusterId> clusters = network.clusters();
        List<MobileId> mobiles = new ArrayList<>();
        for (int i = 0; i < MOBILES; i++) {
            MobileId m = MobileId.of("hs" + i);
            network.register(m, clusters.get(i % 3), Profile.defaults());
            mobiles.add(m);
        }
        Map<String, Long> componentsBefore = coreComponents();
        Set<Long> bundleIdsBefore = List.of(bundleContext.getBundles()).stream()
                .filter(b -> b.getSymbolicName().startsWith("org.roamer.core")).map(Bundle::getBundleId)
                .collect(Collectors.toSet());

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentHashMap<String, Long> sent = new ConcurrentHashMap<>();
        AtomicInteger moves = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        /** Accepted calls by the mobiles taking part (caller and callee). */
        Map<String, Set<String>> accepted = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, AtomicInteger> rejected = new ConcurrentHashMap<>();
        /** Anything wrong with a call: an exception, a rejection without a reason. */
        List<String> callProblems = new CopyOnWriteArrayList<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        /** Failed moves that were not clean rollbacks (agent elsewhere, epoch changed) or were refused. */
        List<String> notRolledBack = new CopyOnWriteArrayList<>();
        ConcurrentHashMap<String, AtomicInteger> byStrategy = new ConcurrentHashMap<>();
        ExecutorService load = Executors.newFixedThreadPool(2 * PARTITIONS);
        List<Future<?>> workers = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            int part = p;
            List<MobileId> mine = new ArrayList<>();
            for (int i = part; i < MOBILES; i += PARTITIONS) {
                mine.add(mobiles.get(i));
            }
            // messages and call offers to this partition's agents, from one sender per partition
            workers.add(load.submit(() -> {
                Random r = new Random(part);
                long seq = 0;
                while (running.get()) {
                    MobileId m = mine.get(r.nextInt(mine.size()));
                    long s = sent.merge(m.value(), 1L, Long::sum) - 1;
                    network.send(m, "p" + part, s, new byte[]{(byte) s});
                    if (++seq % 25 == 0) {
                        MobileId callee = mine.get(r.nextInt(mine.size()));
                        if (!callee.equals(m)) {
                            calls.incrementAndGet();
                            placeCall(m, callee, accepted, rejected, callProblems);
                        }
                    }
                }
                return null;
            }));
            // moves of this partition's mobiles, concurrently with the messages
            workers.add(load.submit(() -> {
                Random r = new Random(100 + part);
                while (running.get()) {
                    MobileId m = mine.get(r.nextInt(mine.size()));
                    AgentInfo a = network.agent(m).orElseThrow();
                    List<ClusterId> others = clusters.stream().filter(c -> !c.equals(a.cluster())).toList();
                    try {
                        MoveResult res = network.move(m, others.get(r.nextInt(others.size())));
                        moves.incrementAndGet();
                        if (res.migrated()) {
                            byStrategy.computeIfAbsent(res.strategy(), k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            failures.add(res.reason());
                            // a rollback: the agent is where it was, with the epoch it had (only this worker
                            // moves m, so nothing else can have changed it meanwhile)
                            AgentInfo after = network.agent(m).orElse(null);
                            if (after == null || !after.node().equals(a.node()) || after.epoch() != a.epoch()) {
                                notRolledBack.add(m + " failed (" + res.reason() + ") but is " + (after == null
                                        ? "gone"
                                        : "at " + after.node() + " epoch " + after.epoch()) + ", was at "
                                        + a.node() + " epoch " + a.epoch());
                            }
                        }
                    } catch (RoamerException e) {
                        // one mover per mobile: a move is never refused as busy, nor may it time out
                        notRolledBack.add(m + " move refused: " + e.getMessage());
                    }
                }
                return null;
            }));
        }

        // the swaps: features out and in, bundle updates, preference switches
        String[][] swaps = {
                {"feature:uninstall roamer-strategy-tern"}, {"roamer:strategy uss-c1 condor"},
                {"feature:install -r roamer-strategy-tern"}, {"roamer:strategy uss-c2 tern"},
                {"feature:uninstall roamer-strategy-condor"}, {"roamer:strategy uss-c3 tern"},
                {"feature:install -r roamer-strategy-condor"}, {"bundle:update org.roamer.strategy.tern"},
                {"roamer:strategy uss-c1 naive"}, {"feature:uninstall roamer-strategy-naive"},
                {"roamer:strategy uss-c2 condor"}, {"feature:install -r roamer-strategy-naive"},
                {"bundle:update org.roamer.strategy.condor"}, {"roamer:strategy uss-c3 naive"},
                {"feature:uninstall roamer-strategy-tern"}, {"feature:install -r roamer-strategy-tern"},
                {"roamer:strategy uss-c1 tern"}, {"bundle:update org.roamer.strategy.naive"},
                {"feature:uninstall roamer-strategy-condor"}, {"feature:install -r roamer-strategy-condor"},
                {"roamer:strategy uss-c2 naive"}, {"roamer:strategy uss-c3 condor"},
        };
        int swapsDone = 0;
        long baselineMoves;
        long baselineNanos;
        long swapStart;
        long movesAtSwapStart;
        try {
            // a baseline without swaps, to compare the migration rate with (printed, not asserted)
            int movesAtStart = moves.get();
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> moves.get() >= movesAtStart + 1500);
            movesAtSwapStart = moves.get();
            swapStart = System.nanoTime();
            baselineMoves = movesAtSwapStart - movesAtStart;
            baselineNanos = swapStart - t0;
            for (String[] swap : swaps) {
                int movesBefore = moves.get();
                execute(Duration.ofSeconds(60), swap);
                swapsDone++;
                // let migrations run on the new arrangement before the next change
                await().atMost(Duration.ofSeconds(60)).until(() -> moves.get() >= movesBefore + 10);
            }
        } finally {
            running.set(false);
        }
        long swapMoves = moves.get() - movesAtSwapStart;
        long swapNanos = System.nanoTime() - swapStart;
        for (Future<?> w : workers) {
            w.get();
        }
        load.shutdown();

        // every message delivered exactly once, in order, per mobile and sender
        await().atMost(Duration.ofSeconds(60)).until(() -> sent.entrySet().stream().allMatch(e -> {
            List<Long> got = deliveredTo(delivered, e.getKey());
            return got.size() >= e.getValue();
        }));
        // ... and nothing more (a duplicate) arrives during a quiet period afterwards
        long total = sent.values().stream().mapToLong(Long::longValue).sum();
        await("no delivery beyond the " + total + " messages sent during " + QUIET.toMillis() + " ms").during(QUIET)
                .atMost(QUIET.multipliedBy(4))
                .until(() -> delivered.values().stream().mapToLong(List::size).sum() == total);
        for (Map.Entry<String, Long> e : sent.entrySet()) {
            List<Long> got = deliveredTo(delivered, e.getKey());
            List<Long> expected = java.util.stream.LongStream.range(0, e.getValue()).boxed().toList();
            assertThat(got).as("messages of %s", e.getKey()).isEqualTo(expected);
        }
        // exactly one agent per mobile
        List<AgentInfo> agents = network.agents();
        assertThat(agents.stream().map(a -> a.mobile().value()).filter(m -> m.startsWith("hs")).sorted().toList())
                .hasSize(MOBILES).doesNotHaveDuplicates();
        // failed migrations are rollbacks caused by the swaps: at most one per mover and strategy removal
        // (uninstall or bundle update), each with the reason naming the strategy, the agent intact at its source
        assertThat(notRolledBack).as("failed moves that were not clean rollbacks").isEmpty();
        assertThat(failures).as("failure reasons").allSatisfy(f -> assertThat(f).matches(ROLLBACK));
        long removals = Arrays.stream(swaps).map(sw -> sw[0])
                .filter(c -> c.startsWith("feature:uninstall") || c.startsWith("bundle:update")).count();
        assertThat(failures).as("failed moves").hasSizeLessThanOrEqualTo((int) (PARTITIONS * removals));
        // calls placed during the swaps: accepted and then listed by both agents, or rejected with a reason
        assertThat(callProblems).as("calls").isEmpty();
        Map<String, Set<String>> expectedCalls = new TreeMap<>();
        accepted.forEach((m, ids) -> expectedCalls.put(m, new java.util.TreeSet<>(ids)));
        long acceptedCalls = expectedCalls.values().stream().mapToLong(Set::size).sum() / 2;
        assertThat(acceptedCalls).as("accepted calls of %d", calls.get()).isPositive();
        // every agent lists exactly the accepted calls it takes part in (none lost on a move, none made up)
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> listedCalls().equals(expectedCalls));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            assertThat(listedCalls()).as("calls listed by the agents").isEqualTo(expectedCalls);
        }
        assertThat(swapsDone).isGreaterThanOrEqualTo(20);
        assertThat(moves.get()).isGreaterThan(200);
        assertThat(byStrategy.keySet()).contains("naive", "tern", "condor");
        // the core was never restarted: same bundle, same component configurations
        assertThat(coreComponents()).isEqualTo(componentsBefore);
        assertThat(List.of(bundleContext.getBundles()).stream()
                .filter(b -> b.getSymbolicName().startsWith("org.roamer.core")).map(Bundle::getBundleId)
                .collect(Collectors.toSet())).isEqualTo(bundleIdsBefore);
        System.out.printf("HotSwapIT: %d swaps, %d moves (%s), %d failed, %d calls (%d accepted, rejected %s),"
                + " %d messages%n", swapsDone, moves.get(), byStrategy, failures.size(), calls.get(), acceptedCalls,
                rejected, total);
        failures.stream().limit(10).forEach(f -> System.out.println("  failed: " + f));
        System.out.printf("HotSwapIT: %.0f moves/s without swaps (%d in %.1f s), %.0f moves/s while swapping"
                + " (%d in %.1f s)%n", baselineMoves / (baselineNanos / 1e9), baselineMoves, baselineNanos / 1e9,
                swapMoves / (swapNanos / 1e9), swapMoves, swapNanos / 1e9);
        reg.unregister();
    }

    /**
     * Places a call: an accepted one is remembered (the caller's and the callee's agents must list it once the
     * network is quiet), a rejected one must have a reason. Problems are collected, not thrown, so the load
     * goes on.
     */
    private void placeCall(MobileId caller, MobileId callee, Map<String, Set<String>> accepted,
            Map<String, AtomicInteger> rejected, List<String> problems) {
        try {
            CallResult c = network.call(caller, callee, CallType.VOICE);
            if (c.accepted()) {
                for (MobileId m : List.of(caller, callee)) {
                    accepted.computeIfAbsent(m.value(), k -> ConcurrentHashMap.newKeySet()).add(c.callId());
                }
            } else if (c.reason() == null || c.reason().isBlank()) {
                problems.add(caller + " -> " + callee + " rejected without a reason");
            } else {
                rejected.computeIfAbsent(c.reason().replaceAll("\\d+", "N"), k -> new AtomicInteger())
                        .incrementAndGet();
            }
        } catch (RoamerException | RuntimeException e) {
            problems.add(caller + " -> " + callee + ": " + e);
        }
    }

    /** The calls each agent lists, by mobile (agents without calls left out). */
    private Map<String, Set<String>> listedCalls() {
        Map<String, Set<String>> listed = new TreeMap<>();
        for (AgentInfo a : network.agents()) {
            if (a.mobile().value().startsWith("hs") && !a.calls().isEmpty()) {
                listed.put(a.mobile().value(), a.calls().stream().map(ActiveCall::callId)
                        .collect(Collectors.toCollection(java.util.TreeSet::new)));
            }
        }
        return listed;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.roamer.api.AgentInfo;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.InVmTransport.Fate;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Every fault the migration protocol claims to handle, at random, while several mobiles move at once and their
 * senders keep sending: a target whose restore fails, a READY lost on the wire (the source rolls back after its
 * time-out), a BUFFERED chunk or its ACK lost (re-sent), every control frame of a migration delivered twice,
 * MIGRATE and TRANSFER frames of earlier migrations replayed (fencing), one-way link delays between clusters,
 * stubs small enough to push back (BUSY) and idle time-outs short enough to meet late messages, and a target node
 * that dies (its process gone: no frame in or out) while it rebuilds the agent, before READY, and is started again.
 *
 * <p>What must hold: a move fails only when its fault says it must; every message is delivered exactly once and in
 * order per sender; each mobile ends with exactly one live agent, at the cluster of its last successful move; no
 * FLUSH marker is given up. Tries: {@code jqwik.tries.default} (the nightly profile raises it).
 *
 * <p>A dying target gets a cluster of its own (c4, where only such moves go; one at a time), so that its death takes
 * no other mobile's agent with it. Not injected here, with where they are tested: a source or a target that dies
 * after READY (the commit point) — {@code CommitPointTest}, {@code CrashRecoveryTest}, {@code NetworkNemesisIT}:
 * messages a dead node had taken are lost with it, so exactly-once delivery, this property's invariant, is not
 * what holds there; a lost MIGRATE_FAILED after a rollback — a known gap (docs/protocol.md, "After the commit
 * point").
 */
class MigrationFaultPropertyTest {
    /** The cluster where only moves whose target dies go. */
    private static final String DYING = "c4";

    /** What goes wrong during one move. */
    enum Fault {
        NONE, RESTORE_FAILS, LOSE_READY, LOSE_BUFFERED, LOSE_ACK, DUPLICATE, REPLAY_STALE, TARGET_DIES;

        /** Whether a move with this fault must fail (all others must succeed). */
        boolean fails() {
            return this == RESTORE_FAILS || this == LOSE_READY || this == TARGET_DIES;
        }
    }

    /** What a move ended with, as the mobile (or, when its answer was lost, the wire) saw it. */
    record Outcome(boolean migrated, String reason) {
        static Outcome of(MoveResult r) {
            return new Outcome(r.migrated(), r.reason());
        }
    }

    /** One move of one mobile to cluster c(1 + cluster). */
    record Step(int cluster, Fault fault) {
    }

    /** One try: each mobile's moves (run concurrently), its senders and the network's timing. */
    record Plan(List<List<Step>> moves, int messages, int senders, int pauseMillis, long delayMillis,
            int stubMaxMessages, long stubIdleMillis) {
    }

    private static final Set<MessageType> CONTROL = EnumSet.of(MessageType.MIGRATE, MessageType.TRANSFER,
            MessageType.READY, MessageType.BUFFERED, MessageType.ACK, MessageType.MIGRATE_DONE,
            MessageType.MIGRATE_FAILED, MessageType.FLUSH);

    @Provide
    Arbitrary<Plan> plans() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(Fault.NONE)),
                        Tuple.of(3, Arbitraries.of(Fault.class))))
                .as(Step::new);
        Arbitrary<List<List<Step>>> moves = step.list().ofMinSize(1).ofMaxSize(6).list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(moves, Arbitraries.integers().between(1, 150), Arbitraries.integers().between(1, 2),
                Arbitraries.of(0, 1, 2, 4), Arbitraries.of(0L, 1L, 5L, 15L), Arbitraries.of(4, 16, 256),
                Arbitraries.of(20L, 50L, 200L)).as(Plan::new);
    }

    /** Per mobile: the fault of its move in progress, and how many frames it may still touch. */
    private record Injection(Fault fault, AtomicInteger budget) {
        boolean take() {
            return budget.getAndDecrement() > 0;
        }
    }

    /** A frame seen on the wire, kept for replay. */
    private record Seen(NodeAddress to, byte[] bytes) {
    }

    @Property
    void everyHandledFaultKeepsMessagesAndAgents(@ForAll("plans") Plan plan) throws Exception {
        ProbeStrategies.Vars vars = new ProbeStrategies.Vars("vars");
        try (InVmNetwork net = new InVmNetwork(3, plan.stubIdleMillis(), 1000, 3000,
                AgentImageCodec.type("org.roamer.core", "1.0.0"),
                s -> s.withStub(plan.stubMaxMessages(), s.tombstoneMillis()), null)) {
            net.core.bindStrategy(vars);
            net.core.linkDelays(new LinkDelays(Map.of(), plan.delayMillis(), 0));
            net.addCluster(DYING, net.transport, plan.stubIdleMillis(), 1000, 3000);
            awaitRegistered(net);
            Lock dying = new ReentrantLock(); // one move to the dying cluster at a time
            Map<String, Injection> active = new ConcurrentHashMap<>();
            Map<String, List<Seen>> replayable = new ConcurrentHashMap<>();
            net.transport.fate((from, to, f) -> {
                if (f.type() == MessageType.MIGRATE || f.type() == MessageType.TRANSFER) {
                    replayable.computeIfAbsent(f.mobile(), k -> new CopyOnWriteArrayList<>())
                            .add(new Seen(to, FrameCodec.encode(f)));
                }
                Injection inj = active.get(f.mobile());
                if (inj == null) {
                    return Fate.DELIVER;
                }
                return switch (inj.fault()) {
                    case LOSE_READY -> f.type() == MessageType.READY && inj.take() ? Fate.LOSE : Fate.DELIVER;
                    case LOSE_BUFFERED -> f.type() == MessageType.BUFFERED && inj.take() ? Fate.LOSE : Fate.DELIVER;
                    case LOSE_ACK -> f.type() == MessageType.ACK && !f.has(Frame.REPLY) && inj.take()
                            ? Fate.LOSE
                            : Fate.DELIVER;
                    case DUPLICATE -> CONTROL.contains(f.type()) ? Fate.DUPLICATE : Fate.DELIVER;
                    case TARGET_DIES -> {
                        // the target's process ends while it rebuilds the agent: its endpoint closes
                        if (f.type() == MessageType.TRANSFER_DATA && to.equals(net.uss(DYING).address())
                                && inj.take()) {
                            net.transport.kill(to);
                            yield Fate.LOSE;
                        }
                        yield Fate.DELIVER;
                    }
                    default -> Fate.DELIVER;
                };
            });
            int mobiles = plan.moves().size();
            for (int i = 0; i < mobiles; i++) {
                net.network.register(MobileId.of("p" + i), ClusterId.of("c" + (1 + i % 3)), Profile.defaults());
            }
            ExecutorService pool = Executors.newFixedThreadPool(mobiles * (plan.senders() + 1));
            List<String> expectedAt = new CopyOnWriteArrayList<>(new String[mobiles]);
            List<String> wrongOutcomes = new CopyOnWriteArrayList<>();
            AtomicInteger moving = new AtomicInteger(mobiles);
            Map<String, Integer> sent = new ConcurrentHashMap<>();
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int i = 0; i < mobiles; i++) {
                    MobileId m = MobileId.of("p" + i);
                    for (int s = 0; s < plan.senders(); s++) {
                        String sender = "s" + s;
                        work.add(pool.submit(() -> {
                            // a burst of the minimum (pause 0), or paced messages for as long as any mobile moves,
                            // so that they meet stubs, rollbacks, drains and tombstones
                            int q = 0;
                            while (q < plan.messages() || plan.pauseMillis() > 0 && moving.get() > 0) {
                                net.network.send(m, sender, q++, new byte[]{1});
                                if (plan.pauseMillis() > 0) {
                                    Thread.sleep(plan.pauseMillis());
                                }
                            }
                            sent.put(m.value() + "/" + sender, q);
                            return null;
                        }));
                    }
                    int index = i;
                    List<Step> steps = plan.moves().get(i);
                    work.add(pool.submit(() -> {
                        String where = "c" + (1 + index % 3);
                        for (Step step : steps) {
                            String to = step.fault() == Fault.TARGET_DIES ? DYING : "c" + (step.cluster() + 1);
                            if (to.equals(where)) {
                                continue;
                            }
                            if (step.fault() == Fault.REPLAY_STALE) {
                                replay(net, replayable.getOrDefault(m.value(), List.of()));
                            }
                            if (step.fault() == Fault.RESTORE_FAILS) {
                                vars.failRestoreOf.add(m.value());
                            }
                            if (step.fault() == Fault.TARGET_DIES) {
                                dying.lock();
                            }
                            active.put(m.value(), new Injection(step.fault(), new AtomicInteger(1)));
                            Outcome r;
                            try {
                                r = step.fault() == Fault.TARGET_DIES
                                        ? moveToDyingTarget(net, m)
                                        : Outcome.of(net.network.move(m, ClusterId.of(to)));
                            } finally {
                                active.remove(m.value());
                                vars.failRestoreOf.remove(m.value());
                                if (step.fault() == Fault.TARGET_DIES) {
                                    try {
                                        restart(net, DYING, plan);
                                    } finally {
                                        dying.unlock();
                                    }
                                }
                            }
                            if (r.migrated() == step.fault().fails()) {
                                wrongOutcomes.add(m + " " + where + " -> " + to + " with " + step.fault() + ": "
                                        + (r.migrated() ? "migrated" : r.reason()));
                            }
                            if (r.migrated()) {
                                where = to;
                            }
                            if (step.fault() == Fault.REPLAY_STALE) {
                                replay(net, replayable.getOrDefault(m.value(), List.of()));
                            }
                        }
                        expectedAt.set(index, where);
                        moving.decrementAndGet();
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            Map<String, Long> c = net.core.metrics().snapshot().counters();
            for (String k : List.of("migrate.stale", "migrate.duplicate", "migrate.buffered.duplicate",
                    "stub.drain.retried", "stub.refused", "flush.returned", "stub.expiry.postponed")) {
                Statistics.label(k).collect(c.getOrDefault(k, 0L) > 0);
            }
            plan.moves().forEach(l -> l.forEach(st -> Statistics.label("fault")
                    .collect(st.fault())));
            assertThat(wrongOutcomes).as("moves whose outcome contradicts their fault").isEmpty();
            for (int i = 0; i < mobiles; i++) {
                awaitDeliveries(net, "p" + i, sent, plan.senders());
            }
            Thread.sleep(300); // a quiet moment: a duplicate would arrive after the last expected delivery
            for (int i = 0; i < mobiles; i++) {
                checkDeliveries(net, "p" + i, sent, plan.senders());
            }
            assertThat(net.core.metrics().get("flush.timeout")).as("flush.timeout; counters "
                    + net.core.metrics().snapshot().counters()).isZero();
            List<AgentInfo> agents = net.network.agents();
            assertThat(agents).as("one live agent per mobile").hasSize(mobiles);
            for (int i = 0; i < mobiles; i++) {
                String mobile = "p" + i;
                assertThat(agents.stream().filter(a -> a.mobile().value().equals(mobile)).map(a -> a.cluster().value())
                        .toList()).as("agent of " + mobile).containsExactly(expectedAt.get(i));
            }
        }
    }

    /**
     * A move whose target dies while it rebuilds the agent. The mobile registers through the target's cluster, so
     * the Location Server's answer goes to the dead node and is lost, as it would be on a real network (the mobile
     * would try again): it is taken from the wire on its way there instead of waiting for the mobile's time-out.
     */
    private static Outcome moveToDyingTarget(InVmNetwork net, MobileId m) throws Exception {
        NodeAddress target = net.uss(DYING).address();
        CompletableFuture<Frame> lostAnswer = new CompletableFuture<>();
        net.transport.filter((from, to, f) -> {
            if (to.equals(target) && f.has(Frame.REPLY) && m.value().equals(f.mobile())
                    && (f.type() == MessageType.ACK || f.type() == MessageType.ERROR)) { // the LS's answer
                lostAnswer.complete(f);
            }
            return true;
        });
        CompletableFuture<Outcome> move = CompletableFuture.supplyAsync(() -> {
            try {
                return Outcome.of(net.network.move(m, ClusterId.of(DYING)));
            } catch (RoamerException e) {
                return new Outcome(false, e.getMessage());
            }
        });
        try {
            Object first = CompletableFuture.anyOf(move, lostAnswer).get(30, TimeUnit.SECONDS);
            if (first instanceof Outcome r) { // the target died after the answer passed
                return r;
            }
            Payloads.Reply answer = Json.decode(((Frame) first).payload(), Payloads.Reply.class);
            return new Outcome(answer.ok(), answer.reason());
        } finally {
            net.transport.filter(null);
        }
    }

    /**
     * Starts the cluster's USS again after its process died: the dead one's threads stop (it can no longer send or
     * receive), a new one takes a new address and announces itself to the LS, as a restarted container does.
     */
    private static void restart(InVmNetwork net, String cluster, Plan plan) throws Exception {
        UserSignalingServer dead = net.uss(cluster);
        dead.deactivate();
        net.uss.remove(dead);
        net.addCluster(cluster, net.transport, plan.stubIdleMillis(), 1000, 3000);
        awaitRegistered(net);
    }

    private static void awaitRegistered(InVmNetwork net) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> net.uss.stream().allMatch(
                UserSignalingServer::registered));
    }

    /** Sends every recorded MIGRATE and TRANSFER of the mobile's earlier migrations again, as a peer could. */
    private static void replay(InVmNetwork net, List<Seen> frames) {
        for (Seen s : List.copyOf(frames)) {
            net.transport.inject(s.to(), s.bytes());
        }
    }

    private static int expected(String mobile, Map<String, Integer> sent, int senders) {
        int expected = 0;
        for (int s = 0; s < senders; s++) {
            expected += sent.get(mobile + "/s" + s);
        }
        return expected;
    }

    private static void awaitDeliveries(InVmNetwork net, String mobile, Map<String, Integer> sent, int senders) {
        int total = expected(mobile, sent, senders);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> net.deliveriesOf(mobile).size() >= total);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(mobile + ": delivered " + net.deliveriesOf(mobile).size() + " of " + total
                    + "; counters " + net.core.metrics().snapshot().counters(), e);
        }
    }

    private static void checkDeliveries(InVmNetwork net, String mobile, Map<String, Integer> sent, int senders) {
        int expected = expected(mobile, sent, senders);
        List<InVmNetwork.Delivery> got = net.deliveriesOf(mobile);
        assertThat(got).as(mobile + " deliveries").hasSize(expected);
        for (int s = 0; s < senders; s++) {
            String sender = "s" + s;
            List<Long> seqs = got.stream().filter(d -> d.sender().equals(sender)).map(InVmNetwork.Delivery::seq)
                    .toList();
            List<Long> inOrder = java.util.stream.LongStream.range(0, sent.get(mobile + "/" + sender)).boxed().toList();
            assertThat(seqs).as(mobile + " from " + sender + ", in order, each once").isEqualTo(inOrder);
        }
    }
}

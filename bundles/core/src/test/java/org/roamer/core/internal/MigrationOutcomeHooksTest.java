/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.core.internal.ProbeStrategies.Recording;
import org.roamer.core.internal.ProbeStrategies.Recording.Call;

/**
 * The outcome hooks of the strategy SPI 1.1 as the core calls them: {@code finished} exactly once per outgoing
 * migration at the source, on the strategy that carried it, true after the commit and false after a rollback;
 * {@code departed} on every installed strategy when the agent left (commit) or ended, never after a rollback;
 * nothing on a strategy that is gone; exceptions changing nothing.
 */
class MigrationOutcomeHooksTest {
    static final MobileId M1 = MobileId.of("m1");
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");
    static final NodeId USS_C1 = NodeId.of("uss-c1");
    /** Long enough for a hook that should not come to have come. */
    static final Duration QUIET = Duration.ofMillis(300);

    InVmNetwork net;
    ProbeStrategies.Vars inner = new ProbeStrategies.Vars("vars");
    /** NAIVE-like, non-blocking: its hooks may run on the transport thread. */
    Recording vars = new Recording("vars", inner);
    /** TERN-like, blocking by default: its hooks run on a worker, as its capture does. */
    Recording image = new Recording("image", new ProbeStrategies.Image());

    @BeforeEach
    void start() throws Exception {
        net = new InVmNetwork(3, 200, 1000, 300);
        net.core.bindStrategy(vars);
        net.core.bindStrategy(image);
        net.network.register(M1, C1, Profile.defaults());
    }

    @AfterEach
    void stop() {
        net.close();
    }

    /** Waits until {@code s} has seen {@code n} hook calls, then that no more come for a while; returns them. */
    static List<Call> settled(Recording s, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> s.calls.size() >= n);
        await().during(QUIET).atMost(QUIET.multipliedBy(4)).until(() -> s.calls.size() == n);
        return List.copyOf(s.calls);
    }

    @Test
    void aCommittedMoveCallsFinishedOnceWithTrueThenDepartedOnEveryStrategy() throws Exception {
        MoveResult r = net.network.move(M1, C3);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(r.strategy()).isEqualTo("vars");

        List<Call> calls = settled(vars, 2);
        assertThat(calls).extracting(Call::hook).containsExactly("finished", "departed");
        Call finished = calls.get(0);
        assertThat(finished.committed()).isTrue();
        assertThat(finished.ctx().mobile()).isEqualTo(M1);
        assertThat(finished.ctx().epoch()).as("the epoch the agent has at the target").isEqualTo(2);
        assertThat(finished.ctx().source()).isEqualTo(USS_C1);
        assertThat(finished.ctx().target()).isEqualTo(NodeId.of("uss-c3"));
        assertThat(finished.ctx().workDirectory()).isEqualTo(net.uss("c1").settings().workDirectory());
        Call departed = calls.get(1);
        assertThat(departed.mobile()).isEqualTo(M1);
        assertThat(departed.thread()).as("departed never runs on a transport thread").startsWith("roamer-worker");
        assertThat(departed.node()).isEqualTo(USS_C1);
        assertThat(departed.workDirectory()).isEqualTo(net.uss("c1").settings().workDirectory());

        List<Call> other = settled(image, 1);
        assertThat(other).as("a strategy that did not carry the move hears only that the agent left")
                .extracting(Call::hook, Call::mobile, Call::node).containsExactly(org.assertj.core.groups.Tuple.tuple(
                        "departed", M1, USS_C1));
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c3");
    }

    @Test
    void aRolledBackMoveCallsFinishedOnceWithFalseAndNobodyHearsOfADeparture() throws Exception {
        inner.failRestore = true;
        MoveResult r = net.network.move(M1, C2);
        assertThat(r.migrated()).isFalse();
        assertThat(r.reason()).contains("restore failure injected");

        List<Call> calls = settled(vars, 1);
        assertThat(calls.get(0).hook()).isEqualTo("finished");
        assertThat(calls.get(0).committed()).isFalse();
        assertThat(calls.get(0).ctx().epoch()).as("the epoch the agent never reached").isEqualTo(2);
        assertThat(calls.get(0).ctx().source()).isEqualTo(USS_C1);
        assertThat(settled(image, 0)).isEmpty();
        assertThat(net.network.agent(M1).orElseThrow().epoch()).isEqualTo(1);

        // the next attempt commits: one more finished(true), and the departures
        inner.failRestore = false;
        assertThat(net.network.move(M1, C2).migrated()).isTrue();
        assertThat(settled(vars, 3)).extracting(Call::hook, Call::committed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("finished", false),
                org.assertj.core.groups.Tuple.tuple("finished", true),
                org.assertj.core.groups.Tuple.tuple("departed", false));
        assertThat(vars.calls.get(1).ctx().epoch()).isEqualTo(3);
    }

    @Test
    void aBlockingStrategyHearsOfTheOutcomeOnAWorkerLikeItsCapture() throws Exception {
        MoveResult r = net.network.move(M1, C2, "image");
        assertThat(r.migrated()).as(r.reason()).isTrue();
        List<Call> calls = settled(image, 2);
        assertThat(calls).extracting(Call::hook, Call::committed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("finished", true),
                org.assertj.core.groups.Tuple.tuple("departed", false));
        assertThat(calls).allSatisfy(c -> assertThat(c.thread()).startsWith("roamer-worker"));
        assertThat(settled(vars, 1).get(0).hook()).isEqualTo("departed");

        image.failRestore = true;
        MoveResult back = net.network.move(M1, C1, "image");
        assertThat(back.migrated()).isFalse();
        List<Call> after = settled(image, 3);
        assertThat(after.get(2).hook()).isEqualTo("finished");
        assertThat(after.get(2).committed()).isFalse();
        assertThat(after.get(2).node()).isEqualTo(NodeId.of("uss-c2"));
        assertThat(after.get(2).thread()).startsWith("roamer-worker");
        assertThat(settled(vars, 1)).as("no departure on a rollback").hasSize(1);
    }

    @Test
    void hooksThatThrowAreCountedAndChangeNothing() throws Exception {
        vars.throwFromHooks = true;
        image.throwFromHooks = true;
        MoveResult r = net.network.move(M1, C2);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        settled(vars, 2);
        settled(image, 1);
        assertThat(net.core.metrics().get("strategy.hook.failed")).isEqualTo(3);
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c2");
        net.network.send(M1, "s", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("m1").size() == 1);
        assertThat(net.network.move(M1, C3).migrated()).isTrue();
        assertThat(net.network.agent(M1).orElseThrow().epoch()).isEqualTo(3);
    }

    /** Starts a move of m1 to c2 with "image" and returns once its capture is held (until holdCapture opens). */
    private CompletableFuture<MoveResult> imageMoveHeldInCapture() throws InterruptedException {
        image.holdCapture = new CountDownLatch(1);
        CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.move(M1, C2, "image");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(image.capturing.await(10, TimeUnit.SECONDS)).isTrue();
        return move;
    }

    @Test
    void aStrategyUninstalledMidMigrationHearsNothing() throws Exception {
        CompletableFuture<MoveResult> move = imageMoveHeldInCapture();
        net.core.unbindStrategy(image);
        image.holdCapture.countDown();
        MoveResult r = move.get(10, TimeUnit.SECONDS);
        assertThat(r.migrated()).isFalse();
        assertThat(settled(image, 0)).as("finished() of a strategy that is gone").isEmpty();
        assertThat(settled(vars, 0)).isEmpty();
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c1");
        assertThat(net.network.agent(M1).orElseThrow().epoch()).isEqualTo(1);
    }

    @Test
    void aStrategyUpdatedMidMigrationTellsTheNewInstanceOfTheRollback() throws Exception {
        CompletableFuture<MoveResult> move = imageMoveHeldInCapture();
        Recording updated = new Recording("image", new ProbeStrategies.Image());
        net.core.bindStrategy(updated); // replaces the old instance: its migrations roll back
        image.holdCapture.countDown();
        MoveResult r = move.get(10, TimeUnit.SECONDS);
        assertThat(r.migrated()).isFalse();
        assertThat(r.reason()).contains("uninstalled mid-migration");
        List<Call> calls = settled(updated, 1);
        assertThat(calls.get(0).hook()).isEqualTo("finished");
        assertThat(calls.get(0).committed()).isFalse();
        assertThat(calls.get(0).ctx().mobile()).isEqualTo(M1);
        assertThat(settled(image, 0)).as("the old instance is gone").isEmpty();
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c1");
    }

    @Test
    void aTerminatedAgentHasDepartedForEveryStrategy() throws Exception {
        net.network.deregister(M1);
        for (Recording s : List.of(vars, image)) {
            List<Call> calls = settled(s, 1);
            assertThat(calls.get(0).hook()).isEqualTo("departed");
            assertThat(calls.get(0).mobile()).isEqualTo(M1);
            assertThat(calls.get(0).node()).isEqualTo(USS_C1);
            assertThat(calls.get(0).workDirectory()).isEqualTo(net.uss("c1").settings().workDirectory());
        }
    }
}

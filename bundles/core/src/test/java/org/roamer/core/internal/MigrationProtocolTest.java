/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.AgentInfo;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

class MigrationProtocolTest {
    static final MobileId M1 = MobileId.of("m1");
    static final MobileId M2 = MobileId.of("m2");
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");

    InVmNetwork net;
    ProbeStrategies.Vars vars = new ProbeStrategies.Vars("vars");

    @BeforeEach
    void start() throws Exception {
        net = new InVmNetwork(3, 200, 1000, 300);
        net.core.bindStrategy(vars);
        net.core.bindStrategy(new ProbeStrategies.Image());
    }

    @AfterEach
    void stop() {
        net.close();
    }

    static Profile video() {
        return new Profile(true, Set.of("voice", "video"), Set.of("xserver"), null);
    }

    @Test
    void registrationCreatesTheAgentWithItsProfileAndPowerDownRemovesIt() throws Exception {
        AgentInfo a = net.network.register(M1, C1, video());
        assertThat(a.node().value()).isEqualTo("uss-c1");
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(a.status()).isEqualTo(AgentStatus.IDLE);
        assertThat(a.profile()).isEqualTo(video());
        assertThatThrownBy(() -> net.network.register(M1, C2, video())).isInstanceOf(RoamerException.class)
                .hasMessageContaining("already registered in c1");
        assertThatThrownBy(() -> net.network.register(M2, ClusterId.of("c9"), video()))
                .hasMessageContaining("unknown cluster 'c9'");
        net.network.deregister(M1);
        assertThat(net.network.agent(M1)).isEmpty();
        assertThatThrownBy(() -> net.network.deregister(M1)).hasMessageContaining("unknown mobile 'm1'");
    }

    /** Calls are forwarded only to a registered mobile other than itself (roamer:register --forward zz was accepted). */
    @Test
    void callsAreForwardedOnlyToAnotherRegisteredMobile() throws Exception {
        MobileId nobody = MobileId.of("zz8");
        assertThatThrownBy(() -> net.network.register(M1, C1, new Profile(true, Set.of("voice"), Set.of(), nobody)))
                .isInstanceOf(RoamerException.class)
                .hasMessage("calls of m1 cannot be forwarded to zz8: unknown mobile 'zz8'");
        assertThatThrownBy(() -> net.network.register(M1, C1, new Profile(true, Set.of("voice"), Set.of(), M1)))
                .hasMessage("calls of m1 cannot be forwarded to itself");
        assertThat(net.network.agent(M1)).as("nothing registered by a refused request").isEmpty();
        net.network.register(M2, C2, video());
        AgentInfo a = net.network.register(M1, C1, new Profile(true, Set.of("voice"), Set.of(), M2));
        assertThat(a.profile().forwardTo()).isEqualTo(M2);
    }

    @Test
    void acceptedCallPagesTheTerminalAndRejectedCallPagesNobody() throws Exception {
        net.network.register(M1, C1, video());
        net.network.register(M2, C2, new Profile(false, Set.of("voice", "data"), Set.of(), null));
        long pagesBefore = net.core.metrics().get("pages");

        CallResult rejected = net.network.call(M1, M2, CallType.VOICE);
        assertThat(rejected.accepted()).isFalse();
        assertThat(rejected.reason()).contains("mob-term off");
        assertThat(rejected.paged()).isFalse();
        assertThat(net.core.metrics().get("pages")).isEqualTo(pagesBefore);

        CallResult incompatible = net.network.call(M2, M1, CallType.DATA);
        assertThat(incompatible.accepted()).isFalse();
        assertThat(incompatible.reason()).contains("incompatible");

        CallResult accepted = net.network.call(M2, M1, CallType.VOICE);
        assertThat(accepted.accepted()).isTrue();
        assertThat(accepted.paged()).isTrue();
        assertThat(accepted.radioPort()).startsWith("rp-c1-");
        assertThat(accepted.airMessages()).isGreaterThanOrEqualTo(4);
        assertThat(net.core.metrics().get("pages")).isEqualTo(pagesBefore + 1);
        assertThat(net.network.agent(M1).orElseThrow().status()).isEqualTo(AgentStatus.IN_CALL);
        // the caller's agent mapped the short request to services; the Call Server keeps them with the call
        assertThat(net.core.directory().callServer("c2").call(accepted.callId()).services())
                .containsExactly("bearer-64k");
        assertThat(net.network.agent(M2).orElseThrow().calls()).hasSize(1);

        net.network.hangup(accepted.callId());
        await().atMost(Duration.ofSeconds(30)).until(() -> net.network.agent(M1).orElseThrow().calls().isEmpty()
                && net.network.agent(M2).orElseThrow().calls().isEmpty());
    }

    @Test
    void moveMigratesTheAgentWithItsCallsAndRaisesTheEpoch() throws Exception {
        net.network.register(M1, C1, video());
        net.network.register(M2, C2, Profile.defaults());
        CallResult call = net.network.call(M2, M1, CallType.VOICE);
        assertThat(call.accepted()).isTrue();

        MoveResult r = net.network.move(M1, C3);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(r.strategy()).isEqualTo("vars");
        assertThat(r.bytesMoved()).isPositive();
        AgentInfo a = net.network.agent(M1).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c3");
        assertThat(a.epoch()).isEqualTo(2);
        assertThat(a.profile()).isEqualTo(video());
        assertThat(a.calls()).extracting(c -> c.callId()).containsExactly(call.callId());
        assertThat(net.uss("c1").hostedAgents()).isZero();
        assertThat(net.uss("c3").hostedAgents()).isEqualTo(1);
        assertThatThrownBy(() -> net.network.move(M1, C3)).hasMessageContaining("already in cluster c3");
    }

    @Test
    void messagesSentDuringMovesArriveExactlyOnceInOrder() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        // the stream goes on until at least 3,000 messages are sent and 4 moves were made while it ran (a fixed
        // count raced the moves: on a loaded machine the stream could end before the fourth move)
        java.util.concurrent.atomic.AtomicInteger moved = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        int n;
        try {
            Future<Integer> stream = sender.submit(() -> {
                int i = 0;
                for (; i < 3000 || moved.get() < 4 && i < 1_000_000; i++) {
                    net.network.send(M1, "s1", i, new byte[]{(byte) i});
                }
                return i;
            });
            ClusterId[] route = {C2, C3, C1};
            for (int i = 0; !stream.isDone() && i <= 200; i++) {
                MoveResult r = net.network.move(M1, route[i % route.length]);
                assertThat(r.migrated()).as(r.reason()).isTrue();
                moved.incrementAndGet();
            }
            n = stream.get();
            assertThat(moved.get()).as("moves made while the stream ran").isGreaterThanOrEqualTo(4);
        } finally {
            sender.shutdownNow();
        }
        int sent = n;
        await().atMost(Duration.ofSeconds(30)).until(() -> net.deliveriesOf("m1").size() >= sent);
        List<Long> seqs = net.deliveriesOf("m1").stream().map(InVmNetwork.Delivery::seq).toList();
        assertThat(seqs).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(seqs.get(i)).isEqualTo(i);
        }
        assertThat(net.network.agents()).extracting(AgentInfo::mobile).containsExactly(M1);
    }

    @Test
    void idleStubBecomesATombstoneThatRedirectsLateMessages() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        net.network.send(M1, "s", 0, new byte[0]); // the sender now routes to c1
        assertThat(net.network.move(M1, C2).migrated()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> net.core.metrics().get("stub.expired") >= 1);
        net.network.send(M1, "s", 1, new byte[0]);
        assertThat(net.core.metrics().get("stub.redirected")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> net.deliveriesOf("m1").size() == 2);
        assertThat(net.deliveriesOf("m1").get(1).node()).isEqualTo("uss-c2");
        assertThat(net.deliveriesOf("m1").get(1).epoch()).isEqualTo(2);
    }

    @Test
    void failedRestoreRollsBackAndTheSourceAgentKeepsItsMessages() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        vars.failRestore = true;
        MoveResult r = net.network.move(M1, C2);
        assertThat(r.migrated()).isFalse();
        assertThat(r.reason()).contains("restore failure injected");
        AgentInfo a = net.network.agent(M1).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c1");
        assertThat(a.epoch()).isEqualTo(1);
        net.network.send(M1, "s", 7, new byte[0]);
        await().atMost(Duration.ofSeconds(30)).until(() -> net.deliveriesOf("m1").size() == 1);
        assertThat(net.core.metrics().get("migrations.rolledback")).isEqualTo(1);
        vars.failRestore = false;
        assertThat(net.network.move(M1, C2).migrated()).isTrue();
        assertThat(net.network.agent(M1).orElseThrow().epoch()).isEqualTo(3); // the failed attempt burnt epoch 2
    }

    /**
     * READY is lost, so the source rolls back after its time-out; its MIGRATE_FAILED to the prepared target is
     * still on its way when the LS, told of the rollback, sends the next MIGRATE to the same target. That MIGRATE
     * waits for the old migration to end instead of being refused (found by MigrationFaultPropertyTest: the move
     * failed with "agent of p0 is arriving on uss-c1 (migration ... past its commit point)"; then again when that
     * MIGRATE came twice and its copy was refused).
     */
    @Test
    void aMigrateReachingAPreparedTargetBeforeTheRollbackWaitsForIt() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        net.transport.fate((from, to, f) -> f.type() == MessageType.READY
                ? InVmTransport.Fate.LOSE
                : InVmTransport.Fate.DELIVER);
        net.transport.hold((from, to, f) -> f.type() == MessageType.MIGRATE_FAILED
                && to.equals(net.uss("c2").address()));
        MoveResult failed = net.network.move(M1, C2);
        assertThat(failed.migrated()).isFalse();
        assertThat(failed.reason()).contains("READY");
        // the next MIGRATE arrives twice: its copy must not be refused while the first waits
        net.transport.fate((from, to, f) -> f.type() == MessageType.MIGRATE
                ? InVmTransport.Fate.DUPLICATE
                : InVmTransport.Fate.DELIVER);
        net.transport.hold(null);
        // the rollback's MIGRATE_FAILED is released once the new MIGRATE waits at the prepared target
        CompletableFuture<Integer> released = CompletableFuture.supplyAsync(() -> {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> net.core.metrics().get("migrate.deferred.prepared") == 1);
            return net.transport.release();
        });
        MoveResult r = net.network.move(M1, C2);
        assertThat(released.get()).isEqualTo(1);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(net.network.agents()).extracting(a -> a.node().value()).containsExactly("uss-c2");
        assertThat(net.core.metrics().get("migrate.deferred.prepared")).isEqualTo(1);
        assertThat(net.core.metrics().get("migrate.refused.prepared")).isZero();
        assertThat(net.core.metrics().get("migrate.duplicate")).isEqualTo(1);
    }

    @Test
    void unknownStrategyOverrideIsRefusedUpFront() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        assertThatThrownBy(() -> net.network.move(M1, C2, "nope")).hasMessageContaining("'nope' is not installed");
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c1");
    }

    @Test
    void noCommonStrategyFailsWithReasonAndAgentStaysLive() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        net.core.unbindStrategy(vars);
        net.core.unbindStrategy(net.core.strategy("image"));
        MoveResult r = net.network.move(M1, C2);
        assertThat(r.migrated()).isFalse();
        assertThat(r.reason()).contains("no common strategy");
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c1");
    }

    @Test
    void aNewerMigrateEndsTheIncomingMigrationItSupersedesCleanly() throws Exception {
        // the "source" is a fake that never answers, so c2 stays INCOMING for migration 50
        try (FakeUss silent = new FakeUss(net, "cx")) {
            var c2 = net.uss("c2");
            String src = silent.endpoint.localAddress().toString();
            net.transport.inject(c2.address(), FrameCodec.encode(new Frame(MessageType.MIGRATE, 0, 50, 5, 0, "m9",
                    Json.encode(new Payloads.Migrate(src, "fake-cx", null, src)))));
            Frame t1 = FakeUss.take(silent, MessageType.TRANSFER);
            assertThat(t1.correlationId()).isEqualTo(50);
            // the LS gave up on it and starts migration 51 with a newer epoch
            net.transport.inject(c2.address(), FrameCodec.encode(new Frame(MessageType.MIGRATE, 0, 51, 6, 0, "m9",
                    Json.encode(new Payloads.Migrate(src, "fake-cx", null, src)))));
            Frame failed = FakeUss.take(silent, MessageType.MIGRATE_FAILED);
            assertThat(failed.correlationId()).isEqualTo(50);
            assertThat(Json.decode(failed.payload(), Payloads.MigrateFailed.class).reason())
                    .contains("superseded by migration 51");
            Frame t2 = FakeUss.take(silent, MessageType.TRANSFER);
            assertThat(t2.correlationId()).isEqualTo(51);
            assertThat(t2.epoch()).isEqualTo(6);
            // migration 51 is the one in progress: data for 50 is stray, 51's first chunk is taken
            long stray = net.core.metrics().get("migrate.stray.data");
            net.transport.inject(c2.address(), FrameCodec.encode(new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 50, 5,
                    0, "m9", new byte[]{4, 'v', 'a', 'r', 's', 1})));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> net.core.metrics().get("migrate.stray.data") == stray + 1);
            // only one MIGRATE_FAILED so far: 51 was not failed by 50's time-out or by the stray chunk
            assertThat(silent.received.stream().filter(f -> f.type() == MessageType.MIGRATE_FAILED)).isEmpty();
        }
    }

    @Test
    void staleTransferAndDuplicateMigrateAreRefused() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        assertThat(net.network.move(M1, C2).migrated()).isTrue(); // epoch 2 at c2
        var c2 = net.uss("c2");
        // a TRANSFER with an old epoch from a would-be target
        Frame stale = new Frame(MessageType.TRANSFER, 0, 42, 1, 0, "m1", Json.encode(new Payloads.Transfer(
                net.uss("c3").address().toString(), "uss-c3", "c3", List.of("vars"), null, null)));
        net.transport.inject(c2.address(), FrameCodec.encode(stale));
        await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("migrate.stale") == 1);
        // the same MIGRATE (epoch 2) again at the target that already has the agent
        Frame dup = new Frame(MessageType.MIGRATE, 0, 43, 2, 0, "m1", Json.encode(new Payloads.Migrate(
                net.uss("c1").address().toString(), "uss-c1", null, net.ls.address().toString())));
        net.transport.inject(c2.address(), FrameCodec.encode(dup));
        await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("migrate.duplicate") == 1);
        AgentInfo a = net.network.agent(M1).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c2");
        assertThat(a.epoch()).isEqualTo(2);
        assertThat(net.network.agents()).hasSize(1);
    }

    /** The next {@code n} frames of the given types the fake received, in order (others are skipped). */
    static List<Frame> next(FakeUss fake, int n, MessageType... types) throws InterruptedException {
        List<MessageType> wanted = List.of(types);
        List<Frame> out = new java.util.ArrayList<>();
        while (out.size() < n) {
            Frame f = fake.received.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("only " + out.size() + " of " + n + " " + wanted + " arrived: " + out);
            }
            if (wanted.contains(f.type())) {
                out.add(f);
            }
        }
        return out;
    }

    static String reason(Frame failed) throws Exception {
        return Json.decode(failed.payload(), Payloads.MigrateFailed.class).reason();
    }

    @Test
    void migrateWithAnEpochNotAboveTheHighestSeenIsRefusedAndCounted() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        assertThat(net.network.move(M1, C2).migrated()).isTrue(); // epoch 2 at c2
        assertThat(net.network.move(M1, C3).migrated()).isTrue(); // epoch 3: c2 saw it in c3's TRANSFER
        long stale = net.network.stats().counters().getOrDefault("migrate.stale", 0L);
        try (FakeUss fake = new FakeUss(net, "cx")) {
            String addr = fake.endpoint.localAddress().toString();
            byte[] migrate = Json.encode(new Payloads.Migrate(addr, "fake-cx", null, addr));
            // c2 no longer hosts the agent (it forwards, or is a tombstone): only the epoch can refuse these
            net.transport.inject(net.uss("c2").address(), FrameCodec.encode(
                    new Frame(MessageType.MIGRATE, 0, 900, 3, 0, "m1", migrate))); // equal to the highest seen
            net.transport.inject(net.uss("c2").address(), FrameCodec.encode(
                    new Frame(MessageType.MIGRATE, 0, 901, 2, 0, "m1", migrate))); // below it
            List<Frame> answers = next(fake, 2, MessageType.MIGRATE_FAILED, MessageType.TRANSFER);
            assertThat(answers).extracting(Frame::type).as("a refused MIGRATE asks no source for the agent")
                    .containsExactly(MessageType.MIGRATE_FAILED, MessageType.MIGRATE_FAILED);
            assertThat(answers).extracting(Frame::correlationId).containsExactly(900L, 901L);
            assertThat(reason(answers.get(0))).contains("stale epoch 3");
            assertThat(reason(answers.get(1))).contains("stale epoch 2");
        }
        assertThat(net.network.stats().counters().get("migrate.stale")).isEqualTo(stale + 2);
        AgentInfo a = net.network.agent(M1).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c3");
        assertThat(a.epoch()).isEqualTo(3);
        assertThat(net.network.agents()).hasSize(1);
    }

    @Test
    void transferWithAnEpochNotAboveTheAgentsIsRefusedAndCounted() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        assertThat(net.network.move(M1, C2).migrated()).isTrue(); // live at c2 with epoch 2
        long stale = net.network.stats().counters().getOrDefault("migrate.stale", 0L);
        long refused = net.network.stats().counters().getOrDefault("migrations.refused", 0L);
        try (FakeUss fake = new FakeUss(net, "cx")) {
            String addr = fake.endpoint.localAddress().toString();
            byte[] transfer = Json.encode(new Payloads.Transfer(addr, "fake-cx", "cx", List.of("vars"), null, null));
            net.transport.inject(net.uss("c2").address(), FrameCodec.encode(
                    new Frame(MessageType.TRANSFER, 0, 910, 2, 0, "m1", transfer))); // equal to the agent's
            net.transport.inject(net.uss("c2").address(), FrameCodec.encode(
                    new Frame(MessageType.TRANSFER, 0, 911, 1, 0, "m1", transfer))); // older
            List<Frame> answers = next(fake, 2, MessageType.MIGRATE_FAILED, MessageType.TRANSFER_DATA);
            assertThat(answers).extracting(Frame::type).as("a refused TRANSFER sends no image")
                    .containsExactly(MessageType.MIGRATE_FAILED, MessageType.MIGRATE_FAILED);
            assertThat(answers).extracting(Frame::correlationId).containsExactly(910L, 911L);
            assertThat(reason(answers.get(0))).contains("stale TRANSFER: epoch 2");
            assertThat(reason(answers.get(1))).contains("stale TRANSFER: epoch 1");
        }
        assertThat(net.network.stats().counters().get("migrate.stale")).isEqualTo(stale + 2);
        assertThat(net.network.stats().counters().get("migrations.refused")).isEqualTo(refused + 2);
        AgentInfo a = net.network.agent(M1).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c2");
        assertThat(a.epoch()).isEqualTo(2);
        assertThat(a.status()).isEqualTo(AgentStatus.IDLE);
        net.network.send(M1, "s", 1, new byte[0]); // still live: delivered at once
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::node).containsExactly("uss-c2");
    }

    /**
     * A strategy uninstalled between the negotiation and the start of the migration (the swap window of
     * SwapLatencyIT): the source refuses the TRANSFER with the reason instead of failing on a strategy that is gone
     * (a NullPointerException that dropped the TRANSFER, and the target waited for the agent until its time-out).
     * Here the strategy uninstalls itself while the source asks whether it can restore into the peer's agent type.
     */
    @Test
    void aStrategyUninstalledWhileTheSourceNegotiatesRefusesTheTransfer() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        assertThat(net.network.move(M1, C2).migrated()).isTrue(); // live at c2 with epoch 2
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        org.roamer.api.spi.migration.MigrationStrategy vanishing = new ProbeStrategies.Wrapper("vanishing", vars) {
            @Override
            public org.roamer.api.spi.migration.StrategyTraits traits() {
                if (gone.compareAndSet(false, true)) {
                    net.core.unbindStrategy(this); // uninstalled right now
                }
                return new org.roamer.api.spi.migration.StrategyTraits(false, true, true, false, "vanishes");
            }
        };
        net.core.bindStrategy(vanishing);
        long errors = net.network.stats().counters().getOrDefault("errors.task", 0L);
        try (FakeUss fake = new FakeUss(net, "cx")) {
            String addr = fake.endpoint.localAddress().toString();
            org.roamer.api.spi.migration.AgentType other = new org.roamer.api.spi.migration.AgentType("org.roamer.core",
                    "9.9.9", 1L); // another agent version: only a heterogeneous strategy qualifies
            byte[] transfer = Json
                    .encode(new Payloads.Transfer(addr, "fake-cx", "cx", List.of("vanishing"), null, other));
            net.transport.inject(net.uss("c2").address(), FrameCodec.encode(
                    new Frame(MessageType.TRANSFER, 0, 920, 3, 0, "m1", transfer)));
            List<Frame> answers = next(fake, 1, MessageType.MIGRATE_FAILED, MessageType.TRANSFER_DATA);
            assertThat(answers).extracting(Frame::type).containsExactly(MessageType.MIGRATE_FAILED);
            assertThat(reason(answers.get(0))).contains("strategy 'vanishing' was uninstalled");
        }
        assertThat(gone).isTrue();
        assertThat(net.network.stats().counters().getOrDefault("errors.task", 0L)).isEqualTo(errors);
        AgentInfo a = net.network.agent(M1).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c2");
        assertThat(a.status()).isEqualTo(AgentStatus.IDLE);
    }

    /**
     * A strategy whose bundle is uninstalled while it captures or restores fails with a LinkageError (a class it
     * still needed is gone), not an exception: the migration rolls back at once with the reason. Before, the error
     * escaped the agent's task, nothing was answered, and the move failed only at the target's time-out ("timed
     * out waiting for the agent").
     */
    @Test
    void aStrategyWhoseClassesAreGoneRollsBackAtOnce() throws Exception {
        for (String side : List.of("capture", "restore")) {
            String name = "gone-" + side;
            net.core.bindStrategy(new ProbeStrategies.Wrapper(name, vars) {
                @Override
                public void capture(org.roamer.api.spi.migration.MigratingAgent agent,
                        org.roamer.api.spi.migration.MigrationContext ctx, org.roamer.api.spi.migration.ChunkSink out)
                        throws org.roamer.api.spi.migration.MigrationException {
                    if (side.equals("capture")) {
                        throw new NoClassDefFoundError("org/example/gone/Codec");
                    }
                    super.capture(agent, ctx, out);
                }

                @Override
                public org.roamer.api.spi.migration.RestoreSession beginRestore(
                        org.roamer.api.spi.migration.RestoreTarget target,
                        org.roamer.api.spi.migration.MigrationContext ctx) {
                    throw new NoClassDefFoundError("org/example/gone/Codec");
                }
            });
            MobileId m = MobileId.of("lk-" + side);
            net.network.register(m, C1, Profile.defaults());
            MoveResult r = net.network.move(m, C2, name);
            assertThat(r.migrated()).isFalse();
            assertThat(r.reason()).as(side).contains("org/example/gone/Codec")
                    .contains(side.equals("capture") ? "capture failed" : "restore refused");
            assertThat(net.network.agent(m).orElseThrow().node().value()).isEqualTo("uss-c1");
        }
    }

    @Test
    void rollbackGivesTheStubsBufferedMessagesBackToTheSourceAgentInOrder() throws Exception {
        net.close();
        net = new InVmNetwork(3, 200, 60_000, 300); // no READY time-out during the test
        HeldRestore held = new HeldRestore(vars);
        net.core.bindStrategy(held);
        net.network.register(M1, C1, Profile.defaults());
        CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.move(M1, C2, held.name());
            } catch (RoamerException e) {
                throw new IllegalStateException(e);
            }
        });
        // c1 sent the image and waits for READY: its stub stands in for the agent
        assertThat(held.restoring.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 5; i++) {
            net.network.send(M1, "s", i, new byte[0]); // acknowledged by c1's stub, buffered
        }
        assertThat(net.core.metrics().get("stub.buffered")).isEqualTo(5);
        assertThat(net.deliveriesOf("m1")).isEmpty();
        held.release.countDown(); // the target's restore fails: c1 rolls back

        MoveResult r = move.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.migrated()).isFalse();
        assertThat(r.reason()).contains("restore failure held by the test");
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() >= 5);
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::seq).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::node).containsOnly("uss-c1");
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::epoch).containsOnly(1L);
        assertThat(net.network.stats().counters().get("stub.returned")).isEqualTo(5);
        assertThat(net.network.stats().counters().get("migrations.rolledback")).isEqualTo(1);
        net.network.send(M1, "s", 5, new byte[0]);
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() == 6);
        assertThat(net.network.agents()).extracting(AgentInfo::node).extracting(Object::toString)
                .containsExactly("uss-c1");
    }

    /** "vars" under another name, blocking (restores on a worker); its restore waits for the test, then fails. */
    static final class HeldRestore implements org.roamer.api.spi.migration.MigrationStrategy {
        final ProbeStrategies.Vars inner;
        final java.util.concurrent.CountDownLatch restoring = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        HeldRestore(ProbeStrategies.Vars inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return "held";
        }

        @Override
        public org.roamer.api.spi.migration.StrategyTraits traits() {
            return inner.traits();
        }

        @Override
        public void capture(org.roamer.api.spi.migration.MigratingAgent agent,
                org.roamer.api.spi.migration.MigrationContext ctx, org.roamer.api.spi.migration.ChunkSink out)
                throws org.roamer.api.spi.migration.MigrationException {
            inner.capture(agent, ctx, out);
        }

        @Override
        public org.roamer.api.spi.migration.RestoreSession beginRestore(
                org.roamer.api.spi.migration.RestoreTarget target, org.roamer.api.spi.migration.MigrationContext ctx) {
            return new org.roamer.api.spi.migration.RestoreSession() {
                @Override
                public void accept(byte[] chunk) {
                }

                @Override
                public void finish() throws org.roamer.api.spi.migration.MigrationException {
                    restoring.countDown();
                    try {
                        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new org.roamer.api.spi.migration.MigrationException("restore failure held by the test");
                }

                @Override
                public void abort() {
                }
            };
        }
    }

    @Test
    void garbageIsCountedAndTheNodeKeepsServing() throws Exception {
        net.network.register(M1, C1, Profile.defaults());
        net.transport.inject(net.uss("c1").address(), "GET / HTTP/1.1\r\n\r\n".getBytes());
        net.transport.inject(net.uss("c1").address(), new byte[]{0x52, 0x4D, 1, 21, 0, 0, 2, 0});
        assertThat(net.core.metrics().get("frames.bad")).isEqualTo(2);
        assertThat(net.network.stats().counters().get("transport.bad.frames")).isEqualTo(2);
        net.network.send(M1, "s", 1, new byte[0]);
        assertThat(net.network.move(M1, C2).migrated()).isTrue();
    }
}

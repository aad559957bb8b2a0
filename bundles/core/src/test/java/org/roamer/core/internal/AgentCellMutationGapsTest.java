/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.roamer.api.AgentInfo;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

/**
 * Protocol behaviour of {@code AgentCell} that no other test drove (found by PIT, README "Mutation testing"), grouped
 * by kind: the stub's limits and its BUSY answer, the {@link RestoreTarget} contract a strategy restores through,
 * READY / MIGRATE_FAILED / FLUSH frames that come out of the usual order, and the counters {@code roamer:stats} shows
 * for them. Frames are injected with the in-VM transport; a {@link FakeUss} plays the other side.
 */
class AgentCellMutationGapsTest {
    static final MobileId M = MobileId.of("m1");
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");

    InVmNetwork net;

    @AfterEach
    void stop() {
        if (net != null) {
            net.transport.hold(null);
            net.transport.release();
            net.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    long counter(String name) {
        return net.network.stats().counters().getOrDefault(name, 0L);
    }

    void inject(NodeAddress to, Frame f) {
        assertThat(net.transport.inject(to, FrameCodec.encode(f))).isTrue();
    }

    /** An application message of sender "s" straight from the fake (its answers go there), or forwarded by a stub. */
    static Frame message(FakeUss from, String mobile, long corr, long seq, boolean forwarded) {
        return new Frame(MessageType.AGENT_MESSAGE, forwarded ? Frame.FORWARDED : 0, corr, 0, seq, mobile,
                AgentMessages.encodeMessage(from.endpoint.localAddress().toString(), "s", new byte[]{(byte) seq}));
    }

    /** A fake USS of cluster cx, its HELLO acknowledged by the LS (that ACK is taken off its queue). */
    FakeUss fake() throws Exception {
        FakeUss f = new FakeUss(net, "cx");
        while (FakeUss.take(f, MessageType.ACK).correlationId() != 1) {
            // only the HELLO's answer is expected here
        }
        return f;
    }

    static String addr(FakeUss f) {
        return f.endpoint.localAddress().toString();
    }

    CompletableFuture<MoveResult> moveAsync(MobileId m, ClusterId to, String strategy) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.move(m, to, strategy);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    List<Long> seqsOf(String mobile) {
        return net.deliveriesOf(mobile).stream().map(InVmNetwork.Delivery::seq).toList();
    }

    /** "vars" under another name, blocking (restores on a worker): its restore waits for the test, then goes on or fails. */
    static final class Held extends ProbeStrategies.Wrapper {
        final CountDownLatch restoring = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean fail;

        Held() {
            super("held", new ProbeStrategies.Vars("vars"));
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            return new ProbeStrategies.ForwardingSession(inner.beginRestore(target, ctx)) {
                @Override
                public void finish() throws MigrationException {
                    restoring.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (fail) {
                        throw new MigrationException("restore failure held by the test");
                    }
                    inner.finish();
                }
            };
        }
    }

    // ------------------------------------------------------------------ stub limits and BUSY

    /** The queues that stand in for an agent (stub buffer, arriving agent's queue, draining agent's queue) are bounded. */
    @Nested
    class StubLimits {
        /**
         * While the agent migrates out, its stub acknowledges messages up to {@code stub.max.messages} (16 here) and
         * answers BUSY to the next one, with a retry delay shorter than the migration's time-out; a message another
         * stub forwarded (acknowledged upstream already) is still taken. After the commit the target delivers exactly
         * the accepted ones, in order.
         */
        @Test
        void aFullStubAnswersBusyWithARetryDelayAndStillTakesForwardedFrames() throws Exception {
            net = new InVmNetwork(2, 600_000, 5000, 300);
            Held held = new Held();
            net.core.bindStrategy(held);
            net.network.register(M, C1, Profile.defaults());
            try (FakeUss fake = fake()) {
                CompletableFuture<MoveResult> move = moveAsync(M, C2, "held");
                assertThat(held.restoring.await(10, TimeUnit.SECONDS)).as("c1's stub stands in for the agent").isTrue();
                NodeAddress c1 = net.uss("c1").address();
                for (int i = 1; i <= 17; i++) {
                    inject(c1, message(fake, "m1", 100 + i, i, false));
                }
                List<Frame> answers = MigrationProtocolTest.next(fake, 17, MessageType.ACK, MessageType.BUSY);
                assertThat(answers.subList(0, 16)).extracting(Frame::type).containsOnly(MessageType.ACK);
                assertThat(answers.subList(0, 16)).extracting(Frame::correlationId)
                        .containsExactly(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 110L, 111L, 112L, 113L,
                                114L, 115L, 116L);
                Frame busy = answers.get(16);
                assertThat(busy.type()).isEqualTo(MessageType.BUSY);
                assertThat(busy.correlationId()).isEqualTo(117L);
                Payloads.Busy b = Json.decode(busy.payload(), Payloads.Busy.class);
                assertThat(b.reason()).isEqualTo("stub of m1 is full while it migrates");
                assertThat(b.retryAfterMs()).as("retry soon, within the migration's time-out").isPositive()
                        .isLessThan(5000);
                assertThat(counter("stub.refused")).isEqualTo(1);

                inject(c1, message(fake, "m1", 118, 18, true)); // forwarded by another stub: taken over the limit
                await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.over.limit.forwarded") == 1);
                held.release.countDown();
                MoveResult r = move.get(10, TimeUnit.SECONDS);
                assertThat(r.migrated()).as(r.reason()).isTrue();
                assertThat(r.drained()).isEqualTo(17);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() >= 17);
            assertThat(seqsOf("m1")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L,
                    16L, 18L);
            assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::node).containsOnly("uss-c2");
            assertThat(counter("stub.buffered")).isEqualTo(17);
            assertThat(counter("stub.drained")).isEqualTo(17);
            assertThat(counter("stub.refused")).isEqualTo(1);
        }

        /**
         * A target that waits for the agent holds the messages that reach it early, up to the stub's limit, and
         * answers BUSY beyond. When the source gives up (its MIGRATE_FAILED), the target sends what it holds to the
         * source, in order, and reports the failure to the LS only: the source, which told it, hears nothing back.
         */
        @Test
        void anArrivingAgentsQueueIsBoundedAndGoesBackToTheSourceWhenTheSourceGivesUp() throws Exception {
            net = new InVmNetwork(2, 600_000, 5000, 300);
            try (FakeUss source = fake()) {
                NodeAddress c2 = net.uss("c2").address();
                String src = addr(source);
                // the fake is both the LS that asks and the source: c2 turns INCOMING and asks it for the agent
                inject(c2, new Frame(MessageType.MIGRATE, 0, 60, 5, 0, "m9",
                        Json.encode(new Payloads.Migrate(src, "fake-cx", null, src))));
                assertThat(FakeUss.take(source, MessageType.TRANSFER).correlationId()).isEqualTo(60);
                for (int i = 1; i <= 17; i++) {
                    inject(c2, message(source, "m9", 200 + i, i, false));
                }
                List<Frame> answers = MigrationProtocolTest.next(source, 17, MessageType.ACK, MessageType.BUSY);
                assertThat(answers.subList(0, 16)).extracting(Frame::type).containsOnly(MessageType.ACK);
                assertThat(answers.get(16).type()).isEqualTo(MessageType.BUSY);
                assertThat(answers.get(16).correlationId()).isEqualTo(217L);
                assertThat(Json.decode(answers.get(16).payload(), Payloads.Busy.class).reason())
                        .isEqualTo("agent of m9 is arriving and its queue is full");

                inject(c2, new Frame(MessageType.MIGRATE_FAILED, 0, 60, 5, 0, "m9",
                        Json.encode(new Payloads.MigrateFailed("capture failed at the source"))));
                List<Frame> back = MigrationProtocolTest.next(source, 17, MessageType.AGENT_MESSAGE,
                        MessageType.MIGRATE_FAILED);
                List<Frame> failures = back.stream().filter(f -> f.type() == MessageType.MIGRATE_FAILED).toList();
                assertThat(failures).as("one report, to the LS").hasSize(1);
                assertThat(MigrationProtocolTest.reason(failures.get(0)))
                        .isEqualTo("source: capture failed at the source");
                List<Frame> returned = back.stream().filter(f -> f.type() == MessageType.AGENT_MESSAGE).toList();
                assertThat(returned).extracting(Frame::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L,
                        11L, 12L, 13L, 14L, 15L, 16L);
                assertThat(returned).allMatch(f -> f.has(Frame.FORWARDED));
                await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                        .until(() -> source.received.stream().noneMatch(f -> f.type() == MessageType.MIGRATE_FAILED));
            }
            assertThat(counter("migrations.failed.target")).isEqualTo(1);
            assertThat(counter("stub.refused")).isEqualTo(1);
            assertThat(counter("stub.forwarded")).isEqualTo(16);
        }

        /**
         * The agent came back to a node of its old forwarding chain: messages that reach it directly wait for its FLUSH
         * marker, up to the stub's limit (BUSY beyond), and are delivered in order once the marker is back.
         */
        @Test
        void aDrainingAgentHoldsDirectMessagesUpToTheLimitUntilItsMarkerReturns() throws Exception {
            net = new InVmNetwork(3, 600_000, 5000, 3000);
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            net.network.register(M, C1, Profile.defaults());
            assertThat(net.network.move(M, C2).migrated()).isTrue(); // c1 forwards to c2
            assertThat(net.network.move(M, C3).migrated()).isTrue(); // c2 forwards to c3
            net.transport.hold((from, to, f) -> f.type() == MessageType.FLUSH);
            MoveResult back = net.network.move(M, C1); // c1's marker goes to c2 (held); c1 drains
            assertThat(back.migrated()).as(back.reason()).isTrue();
            try (FakeUss fake = fake()) {
                NodeAddress c1 = net.uss("c1").address();
                for (int i = 1; i <= 17; i++) {
                    inject(c1, message(fake, "m1", 300 + i, i, false));
                }
                List<Frame> answers = MigrationProtocolTest.next(fake, 17, MessageType.ACK, MessageType.BUSY);
                assertThat(answers.subList(0, 16)).extracting(Frame::type).containsOnly(MessageType.ACK);
                assertThat(answers.get(16).type()).isEqualTo(MessageType.BUSY);
                assertThat(Json.decode(answers.get(16).payload(), Payloads.Busy.class).reason())
                        .isEqualTo("agent of m1 is draining its old forwarding chain");
                assertThat(net.deliveriesOf("m1")).as("held until the marker is back").isEmpty();
                net.transport.hold(null);
                assertThat(net.transport.release()).isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() >= 16);
            assertThat(seqsOf("m1")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L,
                    16L);
            assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::node).containsOnly("uss-c1");
            assertThat(counter("flush.timeout")).isZero();
            assertThat(counter("stub.refused")).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------------ the RestoreTarget contract

    /** What a strategy may and may not do with the target's {@link RestoreTarget} (docs/migration-spi.md). */
    @Nested
    class RestoreTargetContract {
        final ProbeStrategies.Scripted probe = new ProbeStrategies.Scripted();

        void start() throws Exception {
            net = new InVmNetwork(2, 600_000, 5000, 300);
            net.core.bindStrategy(probe);
            net.network.register(M, C1, Profile.defaults());
        }

        MoveResult moveWith(ProbeStrategies.Scripted.Script script) throws Exception {
            probe.script = script;
            return net.network.move(M, C2, "probe");
        }

        void assertStillAtTheSource() {
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c1");
            assertThat(net.uss("c2").hostedAgents()).isZero();
        }

        /** One agent per migration: a second restore in the same session, by any path, fails the migration. */
        @Test
        void theAgentIsRestoredOnlyOncePerMigration() throws Exception {
            start();
            AgentType local = net.core.agentType();
            List<ProbeStrategies.Scripted.Script> second = List.of(
                    (t, ctx, vars) -> {
                        vars.run();
                        vars.run();
                    },
                    (t, ctx, vars) -> {
                        vars.run();
                        t.restoreImage(org.roamer.core.internal.agent.AgentImageCodec.capture(
                                new org.roamer.core.internal.agent.UserAgent(M, Profile.defaults(), null), local));
                    },
                    (t, ctx, vars) -> {
                        vars.run();
                        t.preCreate(local, 1, 1);
                    });
            for (ProbeStrategies.Scripted.Script s : second) {
                MoveResult r = moveWith(s);
                assertThat(r.migrated()).isFalse();
                assertThat(r.reason()).contains("the agent was already restored in this migration");
                assertStillAtTheSource();
            }
            MoveResult ok = moveWith((t, ctx, vars) -> vars.run());
            assertThat(ok.migrated()).as(ok.reason()).isTrue();
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c2");
        }

        /** Variables of another mobile, or an image of another agent type, are refused with the reason. */
        @Test
        void foreignVariablesAndAgentTypesAreRefused() throws Exception {
            start();
            MoveResult other = moveWith((t, ctx, vars) -> t.restoreVariables(new MigrationVariables(MobileId.of("m2"),
                    Profile.defaults(), List.of(), null, 0)));
            assertThat(other.migrated()).isFalse();
            assertThat(other.reason()).contains("variables are of mobile m2, expected m1");
            assertStillAtTheSource();
            AgentType foreign = new AgentType("org.example.agent", "2.0.0", 7L);
            MoveResult type = moveWith((t, ctx, vars) -> t.preCreate(foreign, 1, 1));
            assertThat(type.migrated()).isFalse();
            assertThat(type.reason()).contains("agent type " + foreign + " differs from this node's "
                    + net.core.agentType());
            assertStillAtTheSource();
        }

        /**
         * preCreate takes segments up to the migration's image limit in all (they arrive in many chunks, not one
         * frame), none negative; pages go only inside their segment, up to its last byte.
         */
        @Test
        void preCreatedSegmentsAreBoundedByTheImageLimitAndPagesByTheirSegment() throws Exception {
            start();
            List<String> seen = new ArrayList<>();
            MoveResult r = moveWith((t, ctx, vars) -> {
                AgentType local = t.localAgentType();
                int max = (int) ctx.maxImageBytes();
                seen.add("limit " + ctx.maxImageBytes());
                seen.add("max+0 " + outcome(() -> t.preCreate(local, max, 0)));
                seen.add("0+max " + outcome(() -> t.preCreate(local, 0, max)));
                seen.add("max+1 " + outcome(() -> t.preCreate(local, max, 1)));
                seen.add("1+max " + outcome(() -> t.preCreate(local, 1, max)));
                seen.add("-1+0 " + outcome(() -> t.preCreate(local, -1, 0)));
                seen.add("0+-1 " + outcome(() -> t.preCreate(local, 0, -1)));
                seen.add("0+0 " + outcome(() -> t.preCreate(local, 0, 0)));
                PreCreatedAgent p = t.preCreate(local, 8, 4);
                seen.add("data 0+8 " + outcome(() -> p.writeData(0, new byte[8])));
                seen.add("data 4+4 " + outcome(() -> p.writeData(4, new byte[4])));
                seen.add("data 5+4 " + outcome(() -> p.writeData(5, new byte[4])));
                seen.add("data 8+0 " + outcome(() -> p.writeData(8, new byte[0])));
                seen.add("data -1+1 " + outcome(() -> p.writeData(-1, new byte[1])));
                seen.add("data 0+9 " + outcome(() -> p.writeData(0, new byte[9])));
                seen.add("stack 0+4 " + outcome(() -> p.writeStack(0, new byte[4])));
                seen.add("stack 1+4 " + outcome(() -> p.writeStack(1, new byte[4])));
                seen.add("stack -1+1 " + outcome(() -> p.writeStack(-1, new byte[1])));
                vars.run(); // nothing restored so far: the session ends with the regular restore
            });
            assertThat(r.migrated()).as(r.reason()).isTrue();
            long limit = 64L * org.roamer.api.frame.FrameLimits.DEFAULT.maxDataPayload();
            assertThat(seen).containsExactly("limit " + limit, "max+0 ok", "0+max ok",
                    "max+1 refused: declared segment sizes " + limit + "+1 exceed " + limit,
                    "1+max refused: declared segment sizes 1+" + limit + " exceed " + limit,
                    "-1+0 refused: declared segment sizes -1+0 exceed " + limit,
                    "0+-1 refused: declared segment sizes 0+-1 exceed " + limit,
                    "0+0 ok",
                    "data 0+8 ok", "data 4+4 ok", "data 5+4 refused: data page at 5 (+4) outside segment of 8 bytes",
                    "data 8+0 ok", "data -1+1 refused: data page at -1 (+1) outside segment of 8 bytes",
                    "data 0+9 refused: data page at 0 (+9) outside segment of 8 bytes",
                    "stack 0+4 ok", "stack 1+4 refused: stack page at 1 (+4) outside segment of 4 bytes",
                    "stack -1+1 refused: stack page at -1 (+1) outside segment of 4 bytes");
        }
    }

    interface Step {
        void run() throws MigrationException;
    }

    static String outcome(Step s) {
        try {
            s.run();
            return "ok";
        } catch (MigrationException e) {
            return "refused: " + e.getMessage();
        }
    }

    // ------------------------------------------------------------------ frames out of the usual order

    /** READY, MIGRATE_FAILED, FLUSH and TRANSFER_DATA that come late, early or twice. A fake node is the peer. */
    @Nested
    class OutOfOrder {
        FakeUss fake;

        void start(long stablePointMillis) throws Exception {
            net = new InVmNetwork(2, 600_000, 5000, stablePointMillis);
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            fake = fake();
        }

        @AfterEach
        void closeFake() {
            if (fake != null) {
                fake.close();
            }
        }

        /** A TRANSFER from the fake, as a target asking c1 for the agent. */
        Frame transfer(long id, long epoch, String strategy) {
            return new Frame(MessageType.TRANSFER, 0, id, epoch, 0, "m1", Json.encode(new Payloads.Transfer(addr(fake),
                    "fake-cx", "cx", List.of(strategy), strategy, null)));
        }

        Frame control(MessageType type, long id, long epoch) {
            return new Frame(type, 0, id, epoch, 0, "m1", new byte[0]);
        }

        Frame failed(long id, long epoch, String reason) {
            return new Frame(MessageType.MIGRATE_FAILED, 0, id, epoch, 0, "m1",
                    Json.encode(new Payloads.MigrateFailed(reason)));
        }

        /** The fake receives no frame of these types for a while. */
        void quietly(MessageType... types) {
            List<MessageType> wanted = List.of(types);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                    .until(() -> fake.received.stream().noneMatch(f -> wanted.contains(f.type())));
        }

        /**
         * The target's own MIGRATE_FAILED rolls the migration back: the agent resumes at the source with what its
         * stub took, and the target is not told again. Its READY coming after that is answered with MIGRATE_FAILED
         * (a prepared target never drops the agent on its own); a READY for a migration this node never rolled back
         * is only counted.
         */
        @Test
        void aReadyAfterTheRollbackMakesThePreparedTargetDropItsCopy() throws Exception {
            start(300);
            net.network.register(M, C1, Profile.defaults());
            NodeAddress c1 = net.uss("c1").address();
            inject(c1, transfer(500, 2, "vars"));
            Frame data = FakeUss.take(fake, MessageType.TRANSFER_DATA);
            assertThat(data.correlationId()).isEqualTo(500);
            assertThat(data.has(Frame.LAST)).isTrue();
            inject(c1, message(fake, "m1", 501, 7, false)); // taken by the stub
            assertThat(FakeUss.take(fake, MessageType.ACK).correlationId()).isEqualTo(501);
            assertThat(net.deliveriesOf("m1")).isEmpty();

            inject(c1, failed(500, 2, "restore failed at the target"));
            await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() == 1);
            assertThat(net.deliveriesOf("m1").get(0).node()).isEqualTo("uss-c1");
            assertThat(counter("migrations.rolledback")).isEqualTo(1);
            assertThat(counter("stub.returned")).isEqualTo(1);
            AgentInfo a = net.network.agent(M).orElseThrow();
            assertThat(a.node().value()).isEqualTo("uss-c1");
            assertThat(a.epoch()).isEqualTo(1);

            inject(c1, control(MessageType.READY, 500, 2)); // the target prepared after all
            Frame drop = FakeUss.take(fake, MessageType.MIGRATE_FAILED);
            assertThat(drop.correlationId()).isEqualTo(500);
            assertThat(MigrationProtocolTest.reason(drop)).as("the target was not told when it told the source")
                    .isEqualTo("migration was rolled back");
            inject(c1, control(MessageType.READY, 599, 2)); // never seen here
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrate.late.ready") == 2);
            quietly(MessageType.MIGRATE_FAILED);
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c1");
        }

        /**
         * A FLUSH marker that overtook the TRANSFER of its migration waits at the live agent (the last 8 such markers
         * are kept, older ones counted as stray) and goes first into the stub's buffer when that migration starts: the
         * target finds it ahead of the messages the stub took.
         */
        @Test
        void aMarkerThatOvertookItsTransferLeadsTheStubsBuffer() throws Exception {
            start(300);
            net.network.register(M, C1, Profile.defaults());
            NodeAddress c1 = net.uss("c1").address();
            byte[] origin = Json.encode(new Payloads.Request(addr(fake)));
            for (long id = 701; id <= 709; id++) {
                inject(c1, new Frame(MessageType.FLUSH, 0, id, 2, 0, "m1", origin));
            }
            inject(c1, new Frame(MessageType.FLUSH, 0, 700, 2, 0, "m1", origin));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("flush.stray") == 2);
            inject(c1, transfer(700, 2, "vars"));
            FakeUss.take(fake, MessageType.TRANSFER_DATA);
            inject(c1, message(fake, "m1", 710, 1, false));
            assertThat(FakeUss.take(fake, MessageType.ACK).correlationId()).isEqualTo(710);
            inject(c1, control(MessageType.READY, 700, 2)); // commit: the stub's buffer goes to the fake
            Frame buffered = FakeUss.take(fake, MessageType.BUFFERED);
            assertThat(buffered.correlationId()).isEqualTo(700);
            List<Frame> drained = AgentMessages.decodeBuffered(buffered.payload(),
                    org.roamer.api.frame.FrameLimits.DEFAULT);
            assertThat(drained).extracting(Frame::type).containsExactly(MessageType.FLUSH, MessageType.AGENT_MESSAGE);
            assertThat(drained.get(0).correlationId()).isEqualTo(700);
            assertThat(drained.get(1).seq()).isEqualTo(1);
            assertThat(counter("flush.stray")).isEqualTo(2);
            assertThat(counter("migrations.out")).isEqualTo(1);

            // the target acknowledges the BUFFERED (an ACK, not a reply): c1 stops sending it
            long unexpected = counter("frames.unexpected");
            inject(c1, new Frame(MessageType.ACK, 0, 701, 2, 1, "m1", new byte[0])); // another migration: not this
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("frames.unexpected") == unexpected + 1);
            inject(c1, new Frame(MessageType.ACK, 0, 700, 2, 1, "m1", new byte[0]));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.drain.acked") == 1);
            fake.received.clear();
            quietly(MessageType.BUFFERED);
            assertThat(counter("stub.drain.unacked")).isZero();
        }

        /**
         * A TRANSFER that waits (here: the agent drains its old chain) ends when its target gives up (MIGRATE_FAILED):
         * the agent does not leave afterwards. Another that waits past {@code stable.point.timeout.ms} is refused with
         * the reason, and one whose strategy is uninstalled while it waits is refused at once.
         */
        @Test
        void aWaitingTransferEndsWithItsTargetsFailureItsTimeOutOrItsStrategy() throws Exception {
            net = new InVmNetwork(3, 600_000, 5000, 1000);
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            ProbeStrategies.Vars other = new ProbeStrategies.Vars("vars2");
            net.core.bindStrategy(other);
            fake = fake();
            net.network.register(M, C1, Profile.defaults());
            assertThat(net.network.move(M, C2).migrated()).isTrue();
            assertThat(net.network.move(M, C3).migrated()).isTrue();
            net.transport.hold((from, to, f) -> f.type() == MessageType.FLUSH);
            assertThat(net.network.move(M, C1).migrated()).isTrue(); // epoch 4 at c1, draining
            NodeAddress c1 = net.uss("c1").address();

            inject(c1, transfer(800, 5, "vars"));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrate.waited.stable") == 1);
            inject(c1, failed(800, 5, "the target gave up"));
            // the next one waits until the stable-point time-out
            inject(c1, transfer(801, 6, "vars"));
            Frame timedOut = FakeUss.take(fake, MessageType.MIGRATE_FAILED);
            assertThat(timedOut.correlationId()).isEqualTo(801);
            assertThat(MigrationProtocolTest.reason(timedOut)).isEqualTo("the agent was still taking in messages from"
                    + " its previous move after 1000 ms (its FLUSH marker had not returned)");
            // one that waits for a strategy that goes away
            inject(c1, transfer(802, 7, "vars2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrate.waited.stable") == 3);
            net.core.unbindStrategy(other);
            Frame gone = FakeUss.take(fake, MessageType.MIGRATE_FAILED);
            assertThat(gone.correlationId()).isEqualTo(802);
            assertThat(MigrationProtocolTest.reason(gone)).isEqualTo("strategy 'vars2' was uninstalled");

            net.transport.hold(null);
            net.transport.release(); // the marker comes back: the drain ends, nothing waits any more
            quietly(MessageType.TRANSFER_DATA, MessageType.MIGRATE_FAILED);
            assertThat(counter("flush.timeout")).isZero();
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c1");
        }

        /**
         * TRANSFER_DATA chunks must come in order and the first must name an installed strategy
         * ({@code [u8 n][name][chunk]}); otherwise the arriving migration fails with the reason, told to the source
         * and to the LS.
         */
        @Test
        void malformedOrOutOfOrderChunksFailTheArrivingMigration() throws Exception {
            start(300);
            NodeAddress c2 = net.uss("c2").address();
            String src = addr(fake);
            List<byte[]> firsts = List.of(new byte[]{1, 'v', 'a', 'r', 's'}, new byte[0], new byte[]{0},
                    new byte[]{5, 'v', 'a', 'r', 's'}, new byte[]{4, 'n', 'o', 'p', 'e'});
            List<String> reasons = new ArrayList<>();
            long id = 60;
            for (byte[] first : firsts) {
                id++;
                inject(c2, new Frame(MessageType.MIGRATE, 0, id, id, 0, "m9",
                        Json.encode(new Payloads.Migrate(src, "fake-cx", null, src))));
                assertThat(FakeUss.take(fake, MessageType.TRANSFER).correlationId()).isEqualTo(id);
                long seq = reasons.isEmpty() ? 1 : 0; // the first case: a chunk out of order
                inject(c2, new Frame(MessageType.TRANSFER_DATA, Frame.LAST, id, id, seq, "m9", first));
                List<Frame> told = MigrationProtocolTest.next(fake, 2, MessageType.MIGRATE_FAILED);
                assertThat(told).extracting(Frame::correlationId).containsOnly(id);
                assertThat(MigrationProtocolTest.reason(told.get(0)))
                        .isEqualTo(MigrationProtocolTest.reason(told.get(1)));
                reasons.add(MigrationProtocolTest.reason(told.get(0)));
            }
            assertThat(reasons).containsExactly("chunk 1 arrived, expected 0",
                    "first TRANSFER_DATA chunk does not name a strategy",
                    "first TRANSFER_DATA chunk does not name a strategy",
                    "first TRANSFER_DATA chunk does not name a strategy",
                    "strategy 'nope' is not installed on uss-c2");
            // a first chunk that names the strategy and nothing else is well-formed: the strategy gets an empty chunk
            id++;
            inject(c2, new Frame(MessageType.MIGRATE, 0, id, id, 0, "m9",
                    Json.encode(new Payloads.Migrate(src, "fake-cx", null, src))));
            FakeUss.take(fake, MessageType.TRANSFER);
            inject(c2, new Frame(MessageType.TRANSFER_DATA, Frame.LAST, id, id, 0, "m9",
                    new byte[]{4, 'v', 'a', 'r', 's'}));
            Frame told = FakeUss.take(fake, MessageType.MIGRATE_FAILED);
            assertThat(MigrationProtocolTest.reason(told)).startsWith("vars restore failed: ");
            assertThat(counter("migrations.failed.target")).isEqualTo(6);
        }
    }

    // ------------------------------------------------------------------ agent timers across a migration

    /** A whole-image strategy whose restore waits for the test, then fails (the source rolls back). */
    static final class HeldImage extends ProbeStrategies.Wrapper {
        final CountDownLatch restoring = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldImage() {
            super("held-image", new ProbeStrategies.Image());
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) {
            return new RestoreSession() {
                @Override
                public void accept(byte[] chunk) {
                }

                @Override
                public void finish() throws MigrationException {
                    restoring.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new MigrationException("restore failure held by the test");
                }

                @Override
                public void abort() {
                }
            };
        }
    }

    /**
     * The agent's conversation timer (a callee's page time-out, {@code UserAgent.PAGE_TIMEOUT_MS}) keeps running
     * across a migration. To keep a negotiation open, the agent is anchored at c1 while its mobile is in c3 and the
     * PAGE to c3 is held: only the timer can end the call offer, with "no page response" to the caller. These tests
     * wait for that timer (about 2 s each).
     */
    @Nested
    class Timers {
        final RoutingTest.Scripted anchored = new RoutingTest.Scripted("anchored",
                c -> org.roamer.api.spi.routing.RoutingDecision.ANCHOR);
        FakeUss caller;

        /** m1 anchored at c1 (its mobile in c3), negotiating a call offer from the fake whose page never returns. */
        long negotiating() throws Exception {
            net = new InVmNetwork(3, 600_000, 5000, 300);
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            net.core.bindStrategy(new ProbeStrategies.Image());
            net.core.bindRouting(anchored);
            org.roamer.core.internal.node.UserSignalingServer c1 = net.uss("c1");
            c1.apply(c1.settings(), c1.routingSettings().withPolicy("anchored"));
            await().atMost(Duration.ofSeconds(5)).until(c1::registered);
            net.network.register(M, C1, RoutingTest.ANY);
            assertThat(net.network.move(M, C3).anchored()).isTrue();
            caller = fake();
            net.transport.hold((from, to, f) -> f.type() == MessageType.PAGE);
            long offered = System.currentTimeMillis();
            inject(c1.address(), new Frame(MessageType.CALL_OFFER, 0, 900, 0, 0, "m1", Json.encode(
                    new Payloads.CallOffer("call-t1", "m7", "VOICE", addr(caller)))));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("pages.remote") == 1);
            assertThat(net.network.agent(M).orElseThrow().status()).isEqualTo(org.roamer.api.AgentStatus.NEGOTIATING);
            return offered;
        }

        @AfterEach
        void closeCaller() {
            if (caller != null) {
                caller.close();
            }
        }

        Payloads.CallDecision decision() throws Exception {
            Frame d = FakeUss.take(caller, MessageType.CALL_DECISION);
            assertThat(d.correlationId()).isEqualTo(900);
            return Json.decode(d.payload(), Payloads.CallDecision.class);
        }

        /** A whole image carries the time left on the timer; the target arms it again and it fires there. */
        @Test
        void theConversationTimerFiresAtTheTargetOfAWholeImageMigration() throws Exception {
            negotiating();
            MoveResult r = net.network.move(M, C2, "image", "migrate");
            assertThat(r.migrated()).as(r.reason()).isTrue();
            AgentInfo a = net.network.agent(M).orElseThrow();
            assertThat(a.node().value()).isEqualTo("uss-c2");
            assertThat(a.status()).as("still waiting for its page").isEqualTo(org.roamer.api.AgentStatus.NEGOTIATING);
            Payloads.CallDecision d = decision();
            assertThat(d.accepted()).isFalse();
            assertThat(d.reason()).isEqualTo("no page response");
            assertThat(d.callId()).isEqualTo("call-t1");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> net.network.agent(M).orElseThrow().status() == org.roamer.api.AgentStatus.IDLE);
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c2");
        }

        /**
         * The timer comes due while the agent is stopped for its migration (the source waits for READY): the stopped
         * agent does not act; the migration rolls back and the timer fires then, at the source.
         */
        @Test
        void aTimerDueWhileTheAgentIsStoppedFiresAfterTheRollback() throws Exception {
            HeldImage held = new HeldImage();
            long offered = negotiating();
            net.core.bindStrategy(held);
            CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
                try {
                    return net.network.move(M, C2, "held-image", "migrate");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(held.restoring.await(10, TimeUnit.SECONDS)).as("c1's agent is stopped, c1 waits for READY")
                    .isTrue();
            // let the page time-out pass while the agent is stopped
            long due = offered + org.roamer.core.internal.agent.UserAgent.PAGE_TIMEOUT_MS + 300;
            Thread.sleep(Math.max(0, due - System.currentTimeMillis()));
            assertThat(caller.received).as("a stopped agent does not answer").noneMatch(
                    f -> f.type() == MessageType.CALL_DECISION);
            held.release.countDown();
            MoveResult r = move.get(10, TimeUnit.SECONDS);
            assertThat(r.migrated()).isFalse();
            Payloads.CallDecision d = decision();
            assertThat(d.accepted()).isFalse();
            assertThat(d.reason()).isEqualTo("no page response");
            AgentInfo a = net.network.agent(M).orElseThrow();
            assertThat(a.node().value()).isEqualTo("uss-c1");
            assertThat(a.status()).isEqualTo(org.roamer.api.AgentStatus.IDLE);
        }
    }

    // ------------------------------------------------------------------ stale stub timers

    /**
     * A node whose tombstone for a mobile gets the agent back cancels the tombstone's time-to-live: when the agent
     * leaves again, the new tombstone lives its own {@code tombstone.ttl.ms}, not what was left of the old one.
     * c1's first tombstone lives 500 ms; before the second one starts, c1's TTL is raised to 60 s, so the new tombstone
     * must still redirect after the first one's time is up. Two cancellations protect this (the cell's MIGRATE and
     * the new stub's idle timer, {@code armIdle}): PIT removes one at a time, which this cannot see (README "Mutation
     * testing": equivalent one by one); without both, the old time-to-live retires the new tombstone early.
     */
    @Nested
    class StaleTimers {
        org.roamer.core.internal.node.UserSignalingServer c1;

        /** m1 went c1 → c2 and c1's stub is a tombstone (TTL 500 ms); returns when it became one, at the latest. */
        long firstTombstoneAtC1() throws Exception {
            net = new InVmNetwork(2, 50, 5000, 300, org.roamer.core.internal.agent.AgentImageCodec.type(
                    "org.roamer.core", "1.0.0"),
                    s -> s.id().value().equals("uss-c1")
                            ? s.withStub(s.stubMaxMessages(), 500)
                            : s,
                    null);
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            c1 = net.uss("c1");
            net.network.register(M, C1, Profile.defaults());
            assertThat(net.network.move(M, C2).migrated()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.expired") == 1);
            long at = System.currentTimeMillis();
            c1.apply(c1.settings().withStub(c1.settings().stubMaxMessages(), 60_000));
            await().atMost(Duration.ofSeconds(5)).until(c1::registered);
            return at;
        }

        /** After the first tombstone's time, c1 still keeps the mobile and redirects a sender to c2. */
        void theSecondTombstoneOutlivesTheFirst(long first) throws Exception {
            Thread.sleep(Math.max(0, first + 500 + 250 - System.currentTimeMillis()));
            assertThat(c1.cellCount()).as("c1's second tombstone is still there").isEqualTo(1);
            try (FakeUss sender = fake()) {
                inject(c1.address(), message(sender, "m1", 950, 1, false));
                Frame redirect = FakeUss.take(sender, MessageType.REDIRECT);
                assertThat(redirect.correlationId()).isEqualTo(950);
                assertThat(Json.decode(redirect.payload(), Payloads.Redirect.class).node()).isEqualTo("uss-c2");
            }
        }

        @Test
        void anAgentMigratingBackCancelsTheOldTombstonesTimeToLive() throws Exception {
            long first = firstTombstoneAtC1();
            assertThat(net.network.move(M, C1).migrated()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.expired") == 2); // c2's stub
            assertThat(net.network.move(M, C2).migrated()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.expired") == 3); // c1's again
            theSecondTombstoneOutlivesTheFirst(first);
        }
    }

    // ------------------------------------------------------------------ life cycle

    /** CREATE_AGENT and TERMINATE_AGENT as the LS sends them (the fake plays the LS), repeated or out of place. */
    @Nested
    class LifeCycle {
        Frame create(FakeUss ls, long corr, long epoch) {
            return new Frame(MessageType.CREATE_AGENT, 0, corr, epoch, 0, "m5", Json.encode(new Payloads.CreateAgent(
                    Payloads.ProfileDto.of(Profile.defaults()), "rp-c1-1", addr(ls))));
        }

        Frame terminate(FakeUss ls, long corr) {
            return new Frame(MessageType.TERMINATE_AGENT, 0, corr, 0, 0, "m5",
                    Json.encode(new Payloads.Request(addr(ls))));
        }

        Frame answer(FakeUss ls, long corr) throws Exception {
            Frame f = MigrationProtocolTest.next(ls, 1, MessageType.ACK, MessageType.ERROR).get(0);
            assertThat(f.correlationId()).isEqualTo(corr);
            return f;
        }

        /**
         * A repeated CREATE_AGENT of the same epoch is acknowledged again (the LS retries when an ACK is lost) without a
         * second agent; one of another epoch is refused while the agent runs. TERMINATE_AGENT ends it once, forgets its
         * checkpoint, and is refused when there is nothing to end.
         */
        @Test
        void createIsIdempotentPerEpochAndTerminateEndsTheAgentOnce() throws Exception {
            MemoryCheckpointStore disk = new MemoryCheckpointStore();
            net = new InVmNetwork(2, 600_000, 5000, 300, org.roamer.core.internal.agent.AgentImageCodec.type(
                    "org.roamer.core", "1.0.0"),
                    s -> new org.roamer.core.internal.node.UssSettings(s.id(), s.cluster(),
                            s.listen(), s.locationServer(), s.preferredStrategy(), s.strategyOrder(),
                            s.stubMaxMessages(),
                            s.stubMaxBytes(), s.stubIdleMillis(), s.tombstoneMillis(), s.migrationTimeoutMillis(),
                            s.stablePointTimeoutMillis(), s.limits(), s.workDirectory(), "condor", 3600, false),
                    disk);
            org.roamer.core.internal.node.UserSignalingServer c1 = net.uss("c1");
            try (FakeUss ls = fake()) {
                inject(c1.address(), create(ls, 11, 3));
                assertThat(answer(ls, 11).type()).isEqualTo(MessageType.ACK);
                assertThat(disk.list(c1.settings().checkpointDirectory())).as("checkpointed when acknowledged")
                        .extracting(c -> c.mobile().value() + "@" + c.epoch()).containsExactly("m5@3");
                inject(c1.address(), create(ls, 12, 3)); // the LS's retry
                assertThat(answer(ls, 12).type()).isEqualTo(MessageType.ACK);
                inject(c1.address(), create(ls, 13, 4));
                Frame refused = answer(ls, 13);
                assertThat(refused.type()).isEqualTo(MessageType.ERROR);
                assertThat(Json.decode(refused.payload(), Payloads.Reply.class).reason())
                        .isEqualTo("agent of m5 already runs on uss-c1");
                assertThat(c1.hostedAgents()).isEqualTo(1);
                assertThat(counter("agents.created")).isEqualTo(1);
                assertThat(c1.views().agent(MobileId.of("m5"), 5000).epoch()).isEqualTo(3);

                inject(c1.address(), terminate(ls, 14));
                assertThat(answer(ls, 14).type()).isEqualTo(MessageType.ACK);
                assertThat(c1.hostedAgents()).isZero();
                assertThat(c1.cellCount()).isZero();
                assertThat(disk.list(c1.settings().checkpointDirectory())).as("its checkpoint is forgotten").isEmpty();
                assertThat(counter("agents.terminated")).isEqualTo(1);
                inject(c1.address(), terminate(ls, 15));
                Frame none = answer(ls, 15);
                assertThat(none.type()).isEqualTo(MessageType.ERROR);
                assertThat(Json.decode(none.payload(), Payloads.Reply.class).reason())
                        .isEqualTo("no agent of m5 on uss-c1");
            }
            assertThat(counter("agents.terminated")).isEqualTo(1);
        }

        /** TERMINATE_AGENT while the agent migrates out is refused with its state; the agent is not lost. */
        @Test
        void terminateIsRefusedWhileTheAgentMigratesOut() throws Exception {
            net = new InVmNetwork(2, 600_000, 5000, 300);
            Held held = new Held();
            net.core.bindStrategy(held);
            net.network.register(M, C1, Profile.defaults());
            try (FakeUss ls = fake()) {
                CompletableFuture<MoveResult> move = moveAsync(M, C2, "held");
                assertThat(held.restoring.await(10, TimeUnit.SECONDS)).isTrue();
                inject(net.uss("c1").address(), new Frame(MessageType.TERMINATE_AGENT, 0, 16, 0, 0, "m1",
                        Json.encode(new Payloads.Request(addr(ls)))));
                Frame refused = MigrationProtocolTest.next(ls, 1, MessageType.ACK, MessageType.ERROR).get(0);
                assertThat(refused.type()).isEqualTo(MessageType.ERROR);
                assertThat(Json.decode(refused.payload(), Payloads.Reply.class).reason())
                        .isEqualTo("agent of m1 is outgoing on uss-c1");
                held.release.countDown();
                assertThat(move.get(10, TimeUnit.SECONDS).migrated()).isTrue();
            }
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c2");
            assertThat(counter("agents.terminated")).isZero();
        }
    }

    // ------------------------------------------------------------------ what a capture may emit

    /** "vars" plus padding chunks of sizes the test sets; the target restores from the first chunk and skips the rest. */
    static final class Padded extends ProbeStrategies.Wrapper {
        /** Sizes of the chunks after the variables; a negative size: the capture emits nothing at all. */
        volatile java.util.function.Function<MigrationContext, List<Integer>> padding = ctx -> List.of();
        volatile MigrationContext seen;

        Padded() {
            super("padded", new ProbeStrategies.Vars("vars"));
        }

        @Override
        public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
            seen = ctx;
            List<Integer> sizes = padding.apply(ctx);
            if (sizes.contains(-1)) {
                return;
            }
            inner.capture(agent, ctx, out);
            for (int n : sizes) {
                out.accept(new byte[n]);
            }
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            return new ProbeStrategies.ForwardingSession(inner.beginRestore(target, ctx)) {
                boolean first = true;

                @Override
                public void accept(byte[] chunk) throws MigrationException {
                    if (first) {
                        inner.accept(chunk);
                        first = false;
                    }
                }
            };
        }
    }

    /** docs/migration-spi.md: each chunk at most {@code ctx.maxChunkBytes()}, all of them at most {@code ctx.maxImageBytes()}. */
    @Nested
    class CaptureBounds {
        final Padded padded = new Padded();

        MoveResult move(java.util.function.Function<MigrationContext, List<Integer>> padding) throws Exception {
            padded.padding = padding;
            return net.network.move(M, C2, "padded");
        }

        void start() throws Exception {
            net = new InVmNetwork(2, 600_000, 5000, 300);
            net.core.bindStrategy(padded);
            net.network.register(M, C1, Profile.defaults());
        }

        /** A chunk as large as allowed crosses (it fits in one TRANSFER_DATA with the strategy's name); one byte more fails. */
        @Test
        void aChunkUpToTheLimitCrossesAndALargerOneRollsBack() throws Exception {
            start();
            MoveResult over = move(ctx -> List.of(ctx.maxChunkBytes() + 1));
            assertThat(over.migrated()).isFalse();
            int max = padded.seen.maxChunkBytes();
            assertThat(over.reason())
                    .contains("padded capture failed: chunk of " + (max + 1) + " bytes exceeds " + max);
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c1");
            assertThat(max + 1 + 255).as("a chunk and the longest strategy name fit in one data frame")
                    .isLessThanOrEqualTo(org.roamer.api.frame.FrameLimits.DEFAULT.maxDataPayload());
            MoveResult at = move(ctx -> List.of(ctx.maxChunkBytes()));
            assertThat(at.migrated()).as(at.reason()).isTrue();
            assertThat(at.bytesMoved()).isGreaterThan(max);
        }

        /** The image may use the whole of its limit; a byte over it fails the capture before anything is sent. */
        @Test
        void anImageUpToTheLimitCrossesAndALargerOneRollsBack() throws Exception {
            start();
            java.util.function.Function<MigrationContext, List<Integer>> fill = ctx -> {
                List<Integer> sizes = new ArrayList<>();
                long left = ctx.maxImageBytes() - 64; // the variables of an idle agent take fewer than 64 bytes
                while (left > 0) {
                    int n = (int) Math.min(left, ctx.maxChunkBytes());
                    sizes.add(n);
                    left -= n;
                }
                return sizes;
            };
            MoveResult nothing = move(ctx -> List.of(-1));
            assertThat(nothing.migrated()).isFalse();
            assertThat(nothing.reason()).contains("strategy padded captured nothing");
            // the size of the variables themselves: one move without padding, and back
            MoveResult plain = move(ctx -> List.of());
            assertThat(plain.migrated()).as(plain.reason()).isTrue();
            long exact = plain.bytesMoved();
            assertThat(net.network.move(M, C1, "padded").migrated()).isTrue();
            MoveResult over = move(ctx -> {
                List<Integer> sizes = new ArrayList<>(fill.apply(ctx));
                sizes.add((int) (64 - exact + 1));
                return sizes;
            });
            assertThat(over.migrated()).isFalse();
            assertThat(over.reason()).contains("padded capture failed: image exceeds " + padded.seen.maxImageBytes()
                    + " bytes");
            MoveResult full = move(ctx -> {
                List<Integer> sizes = new ArrayList<>(fill.apply(ctx));
                sizes.add((int) (64 - exact));
                return sizes;
            });
            assertThat(full.migrated()).as(full.reason()).isTrue();
            assertThat(full.bytesMoved()).isEqualTo(padded.seen.maxImageBytes());
        }
    }

    // ------------------------------------------------------------------ a prepared target

    /**
     * c2 is the target of migration 40 from the fake source and has sent READY: it owns the agent now and waits for the
     * source's BUFFERED. Newer MIGRATEs wait for this migration to end (only the newest), BUFFERED may come twice.
     */
    @Nested
    class PreparedTarget {
        FakeUss source;
        NodeAddress c2;

        @AfterEach
        void closeSource() {
            if (source != null) {
                source.close();
            }
        }

        /** The first TRANSFER_DATA chunk of "vars" for an idle agent of m9: [u8 n]["vars"][variables]. */
        byte[] varsImage() throws Exception {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream d = new java.io.DataOutputStream(b);
            d.writeByte(4);
            d.writeBytes("vars");
            d.writeUTF("m9");
            d.writeBoolean(true);
            d.writeUTF("voice");
            d.writeUTF("");
            d.writeLong(0);
            d.writeInt(0);
            return b.toByteArray();
        }

        Frame migrate(long id, long epoch) {
            String src = addr(source);
            return new Frame(MessageType.MIGRATE, 0, id, epoch, 0, "m9",
                    Json.encode(new Payloads.Migrate(src, "fake-cx", null, src)));
        }

        void prepared() throws Exception {
            prepared(5000);
        }

        void prepared(long migrationTimeoutMillis) throws Exception {
            net = new InVmNetwork(2, 600_000, migrationTimeoutMillis, 300);
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            source = fake();
            c2 = net.uss("c2").address();
            inject(c2, migrate(40, 5));
            FakeUss.take(source, MessageType.TRANSFER);
            inject(c2, new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 40, 5, 0, "m9", varsImage()));
            assertThat(FakeUss.take(source, MessageType.READY).correlationId()).isEqualTo(40);
        }

        Frame buffered(long id, List<Frame> messages) {
            return new Frame(MessageType.BUFFERED, Frame.LAST, id, 5, 0, "m9", AgentMessages.encodeBuffered(messages));
        }

        /**
         * While prepared, a newer MIGRATE waits (a copy of it is a duplicate); an older or equal one is refused, and a
         * newer one replaces the one waiting, which is refused. When the migration ends, the newest runs — here the
         * agent is live by then, so it is refused as one for an agent that already runs.
         */
        @Test
        void onlyTheNewestMigrateWaitsForThePreparedMigration() throws Exception {
            prepared();
            inject(c2, migrate(41, 7));
            inject(c2, migrate(41, 7)); // a copy
            inject(c2, migrate(42, 6)); // older than the one waiting
            inject(c2, migrate(43, 7)); // as old as the one waiting
            inject(c2, migrate(44, 8)); // newer: 41 is refused, 44 waits
            List<Frame> refused = MigrationProtocolTest.next(source, 3, MessageType.MIGRATE_FAILED);
            assertThat(refused).extracting(Frame::correlationId).containsExactly(42L, 43L, 41L);
            assertThat(MigrationProtocolTest.reason(refused.get(0)))
                    .isEqualTo("agent of m9 is arriving on uss-c2 (migration 40 past its commit point)");
            assertThat(counter("migrate.deferred.prepared")).isEqualTo(2);
            assertThat(counter("migrate.refused.prepared")).isEqualTo(3);
            assertThat(counter("migrate.duplicate")).isEqualTo(1);

            inject(c2, buffered(40, List.of()));
            Frame done = FakeUss.take(source, MessageType.MIGRATE_DONE);
            assertThat(done.correlationId()).isEqualTo(40);
            Frame after = FakeUss.take(source, MessageType.MIGRATE_FAILED);
            assertThat(after.correlationId()).isEqualTo(44);
            assertThat(MigrationProtocolTest.reason(after)).isEqualTo("agent of m9 already runs on uss-c2");
            assertThat(net.uss("c2").views().agent(MobileId.of("m9"), 5000).epoch()).isEqualTo(5);
        }

        /**
         * BUFFERED makes the agent live with the stub's messages, acknowledged to the source; a copy (the source's
         * retry, its ACK lost) is acknowledged again and delivers nothing twice; BUFFERED of no migration here is stray.
         */
        @Test
        void bufferedIsAcknowledgedEachTimeAndDeliveredOnce() throws Exception {
            prepared();
            List<Frame> stub = List.of(message(source, "m9", 1, 1, false), message(source, "m9", 2, 2, false));
            inject(c2, buffered(40, stub));
            Frame ack = FakeUss.take(source, MessageType.ACK);
            assertThat(ack.correlationId()).isEqualTo(40);
            assertThat(ack.has(Frame.REPLY)).isFalse();
            Frame done = FakeUss.take(source, MessageType.MIGRATE_DONE);
            assertThat(Json.decode(done.payload(), Payloads.MigrateDone.class).buffered()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m9").size() == 2);
            assertThat(seqsOf("m9")).containsExactly(1L, 2L);

            inject(c2, buffered(40, stub)); // the source's retry
            Frame again = FakeUss.take(source, MessageType.ACK);
            assertThat(again.correlationId()).isEqualTo(40);
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrate.buffered.duplicate") == 1);
            inject(c2, buffered(39, stub));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrate.stray.buffered") == 1);
            assertThat(seqsOf("m9")).as("nothing delivered twice").containsExactly(1L, 2L);
            assertThat(counter("stub.drained")).isEqualTo(2);
            assertThat(counter("migrations.in")).isEqualTo(1);
        }

        /**
         * Without BUFFERED the prepared target goes live after its wait (twice the migration time-out) and reports
         * MIGRATE_DONE; BUFFERED that comes after that is acknowledged and its messages are delivered late, in order.
         */
        @Test
        void bufferedAfterTheWaitIsDeliveredLate() throws Exception {
            prepared(250);
            Frame done = FakeUss.take(source, MessageType.MIGRATE_DONE);
            assertThat(done.correlationId()).isEqualTo(40);
            assertThat(counter("migrate.buffered.timeout")).isEqualTo(1);
            List<Frame> stub = List.of(message(source, "m9", 1, 1, false), message(source, "m9", 2, 2, false));
            inject(c2, buffered(40, stub));
            assertThat(FakeUss.take(source, MessageType.ACK).correlationId()).isEqualTo(40);
            await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m9").size() == 2);
            assertThat(seqsOf("m9")).containsExactly(1L, 2L);
            assertThat(net.deliveriesOf("m9")).extracting(InVmNetwork.Delivery::epoch).containsOnly(5L);
            assertThat(counter("migrate.buffered.late")).isEqualTo(2);
            inject(c2, buffered(40, stub)); // and once more: only acknowledged
            assertThat(FakeUss.take(source, MessageType.ACK).correlationId()).isEqualTo(40);
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrate.buffered.duplicate") == 1);
            assertThat(seqsOf("m9")).containsExactly(1L, 2L);
        }
    }

    // ------------------------------------------------------------------ crossings (anchored routing)

    /** LOCATION_UPDATE crossings as the LS sends them to the agent's node (the fake plays the LS). */
    @Nested
    class Crossings {
        final RoutingTest.Scripted policy = new RoutingTest.Scripted("anchored",
                c -> org.roamer.api.spi.routing.RoutingDecision.ANCHOR);
        FakeUss ls;
        org.roamer.core.internal.node.UserSignalingServer c1;

        @AfterEach
        void closeLs() {
            if (ls != null) {
                ls.close();
            }
        }

        void start() throws Exception {
            net = new InVmNetwork(3, 600_000, 5000, 300);
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            net.core.bindRouting(policy);
            c1 = net.uss("c1");
            c1.apply(c1.settings(), c1.routingSettings().withPolicy("anchored"));
            await().atMost(Duration.ofSeconds(5)).until(c1::registered);
            net.network.register(M, C1, RoutingTest.ANY);
            ls = fake();
        }

        /** A call offer from the fake to m1's agent; its decision. */
        Payloads.CallDecision offer(String callId) throws Exception {
            inject(c1.address(), new Frame(MessageType.CALL_OFFER, 0, 990, 0, 0, "m1", Json.encode(
                    new Payloads.CallOffer(callId, "m7", "VOICE", addr(ls)))));
            return Json.decode(FakeUss.take(ls, MessageType.CALL_DECISION).payload(), Payloads.CallDecision.class);
        }

        Payloads.Reply cross(long corr, long epoch, String cluster, String uss, String routing) throws Exception {
            inject(c1.address(), new Frame(MessageType.LOCATION_UPDATE, 0, corr, epoch, 0, "m1", Json.encode(
                    new Payloads.LocationUpdate(Payloads.LocationUpdate.CROSSING, addr(ls), cluster, uss,
                            "uss-" + cluster,
                            null, null, routing))));
            Frame f = MigrationProtocolTest.next(ls, 1, MessageType.ACK, MessageType.ERROR).get(0);
            assertThat(f.correlationId()).isEqualTo(corr);
            Payloads.Reply r = Json.decode(f.payload(), Payloads.Reply.class);
            assertThat(f.type() == MessageType.ACK).as(String.valueOf(r.reason())).isEqualTo(r.ok());
            return r;
        }

        /**
         * The node's policy anchors the agent (the mobile's cluster learns where it is), a policy named for the crossing
         * may migrate it instead, a crossing back into the agent's cluster is home; each is answered with what was
         * decided and counted.
         */
        @Test
        void eachDecisionIsAnsweredWithWhatWasDone() throws Exception {
            start();
            String c3 = net.uss("c3").address().toString();
            Payloads.Reply anchoredHere = cross(21, 1, "c3", c3, null);
            assertThat(anchoredHere.routing()).isEqualTo("anchored");
            assertThat(anchoredHere.isAnchored()).isTrue();
            assertThat(anchoredHere.ports()).as("c3's radio ports learnt the anchor").isPositive();
            assertThat(counter("routing.anchored")).isEqualTo(1);
            assertThat(offer("call-a").reason()).as("paged in c3, where the terminal is not").isEqualTo(
                    "terminal not found");
            assertThat(counter("pages.remote")).isEqualTo(1);

            net.core.bindRouting(
                    new RoutingTest.Scripted("mover", c -> org.roamer.api.spi.routing.RoutingDecision.MIGRATE));
            Payloads.Reply migrate = cross(22, 1, "c2", net.uss("c2").address().toString(), "mover");
            assertThat(migrate.routing()).isEqualTo("mover");
            assertThat(migrate.isAnchored()).isFalse();
            assertThat(counter("routing.migrate")).isEqualTo(1);
            assertThat(policy.asked).as("the policy named decided, not the node's").hasSize(1);

            Payloads.Reply home = cross(23, 1, "c1", c1.address().toString(), null);
            assertThat(home.isAnchored()).isTrue();
            assertThat(home.routing()).isEqualTo("anchored");
            assertThat(home.ports()).isZero();
            assertThat(counter("routing.home")).isEqualTo(1);
            assertThat(policy.asked).as("no policy is asked about home").hasSize(1);
            assertThat(offer("call-b").accepted()).as("paged at home again, where the terminal is").isTrue();
            assertThat(counter("pages.remote")).isEqualTo(1);
            assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c1");
        }

        /** A crossing the agent cannot take is refused with the reason; a malformed one is counted as invalid. */
        @Test
        void crossingsTheAgentCannotTakeAreRefusedWithTheReason() throws Exception {
            start();
            String c3 = net.uss("c3").address().toString();
            assertThat(cross(31, 2, "c3", c3, null).reason()).isEqualTo("agent of m1 is of epoch 1, not 2 on uss-c1");
            assertThat(cross(32, 1, "c3", c3, "nosuch").reason()).isEqualTo(
                    "routing policy 'nosuch' is not installed on uss-c1; installed: [anchored, migrate]");
            assertThat(cross(33, 1, "c3", "invm:9999", null).reason())
                    .startsWith("radio ports of c3 not updated: ");
            assertThat(counter("routing.anchored")).isZero();
            long invalid = counter("frames.invalid");
            inject(c1.address(), new Frame(MessageType.LOCATION_UPDATE, 0, 34, 1, 0, "m1", Json.encode(
                    new Payloads.LocationUpdate(Payloads.LocationUpdate.CROSSING, addr(ls), null, c3, "uss-c3", null,
                            null, null))));
            await().atMost(Duration.ofSeconds(5)).until(() -> counter("frames.invalid") == invalid + 1);
            assertThat(policy.asked).as("asked only where the ports update then failed").hasSize(1);

            assertThat(net.network.move(M, C2, null, "migrate").migrated()).isTrue(); // c1 forwards now
            assertThat(cross(35, 2, "c3", c3, null).reason()).isEqualTo("agent of m1 is forwarding on uss-c1");
        }
    }
}

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

/**
 * {@code AgentCell} behaviour that the mutants PIT left alive showed untested (docs/mutation-agentcell.md): the
 * stub's byte limits, a drain the target never acknowledges, an arriving agent's held messages, time-outs and
 * failures of an incoming migration, hop limits, and strategy names at the edges of the wire format. Frames are
 * injected with the in-VM transport; a {@link FakeUss} plays the other side, as in {@link AgentCellMutationGapsTest}.
 */
class AgentCellSurvivorsTest {
    static final MobileId M = MobileId.of("m1");
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");

    InVmNetwork net;
    final List<FakeUss> fakes = new ArrayList<>();

    @AfterEach
    void stop() {
        fakes.forEach(FakeUss::close);
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

    FakeUss fake() throws Exception {
        FakeUss f = new FakeUss(net, "cx");
        fakes.add(f);
        while (FakeUss.take(f, MessageType.ACK).correlationId() != 1) {
            // only the HELLO's answer is expected here
        }
        return f;
    }

    static String addr(FakeUss f) {
        return f.endpoint.localAddress().toString();
    }

    /** An application message of sender "s" straight from the fake, with {@code size} payload bytes. */
    static Frame message(FakeUss from, String mobile, long corr, long seq, int size) {
        byte[] body = new byte[size];
        body[0] = (byte) seq;
        return new Frame(MessageType.AGENT_MESSAGE, 0, corr, 0, seq, mobile,
                AgentMessages.encodeMessage(addr(from), "s", body));
    }

    List<Long> seqsOf(String mobile) {
        return net.deliveriesOf(mobile).stream().map(InVmNetwork.Delivery::seq).toList();
    }

    /** The variables of an idle agent of m9 as "vars" captures them (without the strategy-name prefix). */
    static byte[] varsBody() throws Exception {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(b);
        d.writeUTF("m9");
        d.writeBoolean(true);
        d.writeUTF("voice");
        d.writeUTF("");
        d.writeLong(0);
        d.writeInt(0);
        return b.toByteArray();
    }

    /** A first TRANSFER_DATA chunk: [u8 n][name][body]. */
    static byte[] named(String strategy, byte[] body) {
        byte[] name = strategy.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + name.length + body.length];
        out[0] = (byte) name.length;
        System.arraycopy(name, 0, out, 1, name.length);
        System.arraycopy(body, 0, out, 1 + name.length, body.length);
        return out;
    }

    /** MIGRATE of m9 to c2 from the fake, which plays both LS and source. */
    static Frame migrate(FakeUss source, long id, long epoch) {
        String src = addr(source);
        return new Frame(MessageType.MIGRATE, 0, id, epoch, 0, "m9",
                Json.encode(new Payloads.Migrate(src, "fake-cx", null, src)));
    }

    /** "vars" under another name whose restore session tells when it is aborted. */
    static final class Abortable extends ProbeStrategies.Wrapper {
        final AtomicInteger aborts = new AtomicInteger();

        Abortable() {
            super("abortable", new ProbeStrategies.Vars("vars"));
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            return new ProbeStrategies.ForwardingSession(inner.beginRestore(target, ctx)) {
                @Override
                public void abort() {
                    aborts.incrementAndGet();
                    inner.abort();
                }
            };
        }
    }

    // ------------------------------------------------------------------ tests

    /**
     * Messages that reach the target directly while the agent arrives are held and delivered after the stub's
     * buffered ones once the agent is live; a BUFFERED in one piece is no gap.
     */
    @Test
    void messagesHeldByTheArrivingTargetAreDeliveredAfterTheBufferedOnes() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        FakeUss source = fake();
        NodeAddress c2 = net.uss("c2").address();
        inject(c2, migrate(source, 40, 5));
        FakeUss.take(source, MessageType.TRANSFER);
        inject(c2, message(source, "m9", 502, 2, 8)); // straight to the target: held
        assertThat(FakeUss.take(source, MessageType.ACK).correlationId()).isEqualTo(502);
        inject(c2, new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 40, 5, 0, "m9", named("vars", varsBody())));
        assertThat(FakeUss.take(source, MessageType.READY).correlationId()).isEqualTo(40);
        Frame stubbed = message(source, "m9", 501, 1, 8);
        inject(c2, new Frame(MessageType.BUFFERED, Frame.LAST, 40, 5, 0, "m9",
                AgentMessages.encodeBuffered(List.of(stubbed))));
        assertThat(FakeUss.take(source, MessageType.MIGRATE_DONE).correlationId()).isEqualTo(40);
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m9").size() == 2);
        assertThat(seqsOf("m9")).containsExactly(1L, 2L);
        assertThat(counter("migrate.buffered.gap")).isZero();
        assertThat(counter("stub.drained")).isEqualTo(1);
    }

    /**
     * A session that began restoring is aborted when its migration fails (here: a chunk out of order), and a strategy
     * uninstalled before READY fails the arriving migration, told to the source.
     */
    @Test
    void aFailedOrOrphanedRestoreIsAbortedAndReported() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        Abortable abortable = new Abortable();
        net.core.bindStrategy(abortable);
        FakeUss source = fake();
        NodeAddress c2 = net.uss("c2").address();
        byte[] body = varsBody();
        byte[] half = java.util.Arrays.copyOf(body, 3);
        inject(c2, migrate(source, 41, 5));
        FakeUss.take(source, MessageType.TRANSFER);
        inject(c2, new Frame(MessageType.TRANSFER_DATA, 0, 41, 5, 0, "m9", named("abortable", half)));
        inject(c2, new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 41, 5, 5, "m9", new byte[]{1}));
        Frame failed = FakeUss.take(source, MessageType.MIGRATE_FAILED);
        assertThat(MigrationProtocolTest.reason(failed)).isEqualTo("chunk 5 arrived, expected 1");
        await().atMost(Duration.ofSeconds(5)).until(() -> abortable.aborts.get() == 1);

        inject(c2, migrate(source, 42, 6));
        assertThat(FakeUss.take(source, MessageType.TRANSFER).correlationId()).isEqualTo(42);
        inject(c2, new Frame(MessageType.TRANSFER_DATA, 0, 42, 6, 0, "m9", named("abortable", half)));
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrate.stray.data") == 0
                && net.uss("c2") != null); // the chunk is taken on the actor
        Thread.sleep(100);
        net.core.unbindStrategy(abortable);
        Frame orphaned = FakeUss.take(source, MessageType.MIGRATE_FAILED);
        assertThat(orphaned.correlationId()).isEqualTo(42);
        assertThat(MigrationProtocolTest.reason(orphaned))
                .isEqualTo("strategy 'abortable' was uninstalled mid-migration");
        await().atMost(Duration.ofSeconds(5)).until(() -> abortable.aborts.get() == 2);
        assertThat(counter("migrations.failed.target")).isEqualTo(2);
    }

    /** A node whose incoming migration failed forwards to the source, and like any stub expires when idle. */
    @Test
    void aFailedIncomingMigrationLeavesAStubThatExpires() throws Exception {
        net = new InVmNetwork(2, 200, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        FakeUss source = fake();
        NodeAddress c2 = net.uss("c2").address();
        inject(c2, migrate(source, 43, 5));
        FakeUss.take(source, MessageType.TRANSFER);
        inject(c2, new Frame(MessageType.MIGRATE_FAILED, 0, 43, 5, 0, "m9",
                Json.encode(new Payloads.MigrateFailed("capture failed at the source"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrations.failed.target") == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.expired") == 1);
        inject(c2, message(source, "m9", 600, 1, 8));
        Frame redirect = FakeUss.take(source, MessageType.REDIRECT);
        assertThat(redirect.correlationId()).isEqualTo(600);
        assertThat(Json.decode(redirect.payload(), Payloads.Redirect.class).node()).isEqualTo("fake-cx");
    }

    /**
     * READY cancels the time-out for the whole arrival (three migration time-outs from MIGRATE): a target that sent
     * READY late waits its full BUFFERED wait and goes live, it never fails on the arrival's old time-out.
     */
    @Test
    void readyCancelsTheArrivalTimeOut() throws Exception {
        net = new InVmNetwork(2, 600_000, 300, 300); // arrival time-out 900 ms; BUFFERED wait 600 ms after READY
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        FakeUss source = fake();
        NodeAddress c2 = net.uss("c2").address();
        inject(c2, migrate(source, 44, 5));
        FakeUss.take(source, MessageType.TRANSFER);
        Thread.sleep(500);
        inject(c2, new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 44, 5, 0, "m9", named("vars", varsBody())));
        assertThat(FakeUss.take(source, MessageType.READY).correlationId()).isEqualTo(44);
        List<Frame> end = MigrationProtocolTest.next(source, 1, MessageType.MIGRATE_DONE, MessageType.MIGRATE_FAILED);
        assertThat(end.get(0).type()).isEqualTo(MessageType.MIGRATE_DONE);
        assertThat(counter("migrations.failed.target")).isZero();
        assertThat(counter("migrate.buffered.timeout")).isEqualTo(1);
    }

    /** TRANSFER of m1 (epoch 2, migration 70) to c1 from the fake as target, asking for "vars". */
    void transferTo(FakeUss target, NodeAddress c1) {
        transferTo(target, c1, "vars", 70, 2);
    }

    void transferTo(FakeUss target, NodeAddress c1, String strategy, long id, long epoch) {
        inject(c1, new Frame(MessageType.TRANSFER, 0, id, epoch, 0, "m1", Json.encode(new Payloads.Transfer(
                addr(target), "fake-cx", "cx", List.of(strategy), strategy, net.core.agentType()))));
    }

    /**
     * After the commit the stub sends its buffer (BUFFERED) until the target acknowledges it: four attempts in all, one
     * every quarter of the migration time-out; then it gives up and counts the messages as unacknowledged.
     */
    @Test
    void anUnacknowledgedDrainIsSentFourTimesThenCounted() throws Exception {
        net = new InVmNetwork(2, 600_000, 400, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C1, Profile.defaults());
        FakeUss target = fake();
        NodeAddress c1 = net.uss("c1").address();
        transferTo(target, c1);
        Frame data = FakeUss.take(target, MessageType.TRANSFER_DATA);
        assertThat(data.correlationId()).isEqualTo(70);
        inject(c1, message(target, "m1", 801, 1, 8));
        inject(c1, message(target, "m1", 802, 2, 8));
        assertThat(MigrationProtocolTest.next(target, 2, MessageType.ACK)).extracting(Frame::correlationId)
                .containsExactly(801L, 802L);
        target.received.clear();
        inject(c1, new Frame(MessageType.READY, 0, 70, 2, 0, "m1", new byte[0]));
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.drain.unacked") > 0);
        Thread.sleep(400); // a fifth attempt would come 100 ms after the fourth
        List<Frame> buffered = target.received.stream().filter(f -> f.type() == MessageType.BUFFERED).toList();
        assertThat(buffered).hasSize(4).allMatch(f -> f.correlationId() == 70 && f.has(Frame.LAST));
        assertThat(counter("stub.drain.retried")).isEqualTo(3);
        assertThat(counter("stub.drain.unacked")).isEqualTo(2);
        assertThat(counter("stub.drain.acked")).isZero();
    }

    /** While the agent migrates out, its stub also bounds the bytes it buffers (64 KiB here): BUSY beyond. */
    @Test
    void aStubRefusesMessagesBeyondItsByteLimit() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C1, Profile.defaults());
        FakeUss target = fake();
        NodeAddress c1 = net.uss("c1").address();
        transferTo(target, c1);
        FakeUss.take(target, MessageType.TRANSFER_DATA);
        for (int i = 1; i <= 4; i++) {
            inject(c1, message(target, "m1", 810 + i, i, 20_000));
        }
        List<Frame> answers = MigrationProtocolTest.next(target, 4, MessageType.ACK, MessageType.BUSY);
        assertThat(answers).extracting(Frame::type).containsExactly(MessageType.ACK, MessageType.ACK, MessageType.ACK,
                MessageType.BUSY);
        assertThat(Json.decode(answers.get(3).payload(), Payloads.Busy.class).reason())
                .isEqualTo("stub of m1 is full while it migrates");
        assertThat(counter("stub.refused")).isEqualTo(1);
        assertThat(counter("stub.buffered")).isEqualTo(3);
    }

    /** A target whose agent is arriving bounds the bytes it holds (64 KiB here): BUSY beyond. */
    @Test
    void anArrivingAgentsQueueRefusesMessagesBeyondItsByteLimit() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        FakeUss source = fake();
        NodeAddress c2 = net.uss("c2").address();
        inject(c2, migrate(source, 45, 5));
        FakeUss.take(source, MessageType.TRANSFER);
        for (int i = 1; i <= 4; i++) {
            inject(c2, message(source, "m9", 820 + i, i, 20_000));
        }
        List<Frame> answers = MigrationProtocolTest.next(source, 4, MessageType.ACK, MessageType.BUSY);
        assertThat(answers).extracting(Frame::type).containsExactly(MessageType.ACK, MessageType.ACK, MessageType.ACK,
                MessageType.BUSY);
        assertThat(Json.decode(answers.get(3).payload(), Payloads.Busy.class).reason())
                .isEqualTo("agent of m9 is arriving and its queue is full");
    }

    /**
     * A forwarding stub forwards a frame that took fewer than {@link Frame#MAX_HOPS} hops and drops one that took that
     * many, answering its sender BUSY; a TRANSFER for the agent that left is refused to its target.
     */
    @Test
    void aForwardingStubEnforcesTheHopLimitAndRefusesTransfers() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C1, Profile.defaults());
        MoveResult r = net.network.move(M, C2);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        FakeUss sender = fake();
        NodeAddress c1 = net.uss("c1").address();
        Frame tooFar = message(sender, "m1", 831, 1, 8);
        tooFar = new Frame(tooFar.type(), Frame.MAX_HOPS << Frame.HOPS_SHIFT, tooFar.correlationId(), 0, 1, "m1",
                tooFar.payload());
        assertThat(tooFar.hops()).isEqualTo(Frame.MAX_HOPS);
        inject(c1, tooFar);
        Frame busy = FakeUss.take(sender, MessageType.BUSY);
        assertThat(busy.correlationId()).isEqualTo(831);
        assertThat(Json.decode(busy.payload(), Payloads.Busy.class).reason()).isEqualTo("hop limit of 32 reached");
        assertThat(counter("frames.hop.limit")).isEqualTo(1);

        Frame last = message(sender, "m1", 832, 2, 8);
        last = new Frame(last.type(), (Frame.MAX_HOPS - 1) << Frame.HOPS_SHIFT, last.correlationId(), 0, 2, "m1",
                last.payload());
        inject(c1, last);
        assertThat(FakeUss.take(sender, MessageType.ACK).correlationId()).isEqualTo(832);
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() == 1);
        assertThat(seqsOf("m1")).containsExactly(2L);

        sender.received.clear();
        transferTo(sender, c1);
        Frame refused = FakeUss.take(sender, MessageType.MIGRATE_FAILED);
        assertThat(refused.correlationId()).isEqualTo(70);
        assertThat(MigrationProtocolTest.reason(refused)).isEqualTo("no live agent of m1 on uss-c1 (forwarding)");
        assertThat(counter("migrations.refused")).isEqualTo(1);
    }

    /** Strategy names of 1 and of 255 characters, the bounds of the first chunk's [u8 n][name] prefix, migrate. */
    @Test
    void strategyNamesOfOneAndOf255CharactersMigrate() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        String longest = "x".repeat(255);
        net.core.bindStrategy(new ProbeStrategies.Vars("v"));
        net.core.bindStrategy(new ProbeStrategies.Vars(longest));
        net.network.register(M, C1, Profile.defaults());
        MoveResult one = net.network.move(M, C2, "v");
        assertThat(one.migrated()).as(one.reason()).isTrue();
        assertThat(one.strategy()).isEqualTo("v");
        MoveResult most = net.network.move(M, C1, longest);
        assertThat(most.migrated()).as(most.reason()).isTrue();
        assertThat(most.strategy()).isEqualTo(longest);
    }

    /** An agent draining its old chain bounds the bytes it holds (64 KiB here) as it does their number: BUSY beyond. */
    @Test
    void aDrainingAgentRefusesMessagesBeyondItsByteLimit() throws Exception {
        net = new InVmNetwork(3, 600_000, 5000, 3000);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C1, Profile.defaults());
        assertThat(net.network.move(M, C2).migrated()).isTrue(); // c1 forwards to c2
        assertThat(net.network.move(M, ClusterId.of("c3")).migrated()).isTrue(); // c2 forwards to c3
        net.transport.hold((from, to, f) -> f.type() == MessageType.FLUSH);
        MoveResult back = net.network.move(M, C1); // c1's marker goes to c2 (held); c1 drains
        assertThat(back.migrated()).as(back.reason()).isTrue();
        FakeUss sender = fake();
        NodeAddress c1 = net.uss("c1").address();
        for (int i = 1; i <= 4; i++) {
            inject(c1, message(sender, "m1", 840 + i, i, 20_000));
        }
        List<Frame> answers = MigrationProtocolTest.next(sender, 4, MessageType.ACK, MessageType.BUSY);
        assertThat(answers).extracting(Frame::type).containsExactly(MessageType.ACK, MessageType.ACK, MessageType.ACK,
                MessageType.BUSY);
        assertThat(Json.decode(answers.get(3).payload(), Payloads.Busy.class).reason())
                .isEqualTo("agent of m1 is draining its old forwarding chain");
        net.transport.hold(null);
        net.transport.release();
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() >= 3);
        assertThat(seqsOf("m1")).containsExactly(1L, 2L, 3L);
    }

    /**
     * An accepted call sets up its path at the callee's Connection Server, and hanging up releases it; the
     * air-interface messages of the call are counted.
     */
    @Test
    void anAcceptedCallSetsUpAndReleasesPathsAndCountsAirMessages() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        MobileId m2 = MobileId.of("m2");
        net.network.register(M, C1, Profile.defaults());
        net.network.register(m2, C2, Profile.defaults());
        long airBefore = net.core.metrics().get("air.messages");
        org.roamer.api.CallResult call = net.network.call(m2, M, org.roamer.api.CallType.VOICE);
        assertThat(call.accepted()).as(call.reason()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("paths.setup") == 1);
        assertThat(net.core.metrics().get("air.messages") - airBefore)
                .as("the call's air messages, the agents' among them")
                .isEqualTo(call.airMessages());
        net.network.hangup(call.callId());
        await().atMost(Duration.ofSeconds(10)).until(() -> net.core.metrics().get("paths.released") == 1);
    }

    /** "vars" under another name that records the threads its capture and restore steps run on. */
    static final class ThreadProbe extends ProbeStrategies.Wrapper {
        final List<String> captures = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> restores = new java.util.concurrent.CopyOnWriteArrayList<>();
        final boolean nonBlocking;

        ThreadProbe(String name, boolean nonBlocking) {
            super(name, new ProbeStrategies.Vars("vars"));
            this.nonBlocking = nonBlocking;
        }

        @Override
        public boolean nonBlocking() {
            return nonBlocking;
        }

        @Override
        public void capture(org.roamer.api.spi.migration.MigratingAgent agent, MigrationContext ctx,
                org.roamer.api.spi.migration.ChunkSink out) throws MigrationException {
            captures.add(Thread.currentThread().getName());
            inner.capture(agent, ctx, out);
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            restores.add(Thread.currentThread().getName());
            return inner.beginRestore(target, ctx);
        }
    }

    static boolean onWorker(String thread) {
        return thread.startsWith("roamer-worker");
    }

    /**
     * A non-blocking strategy captures and restores a small agent on the transport thread that brought the frame (no
     * worker hand-off), up to {@link org.roamer.api.spi.migration.MigrationStrategy#INLINE_IMAGE_BYTES} of image
     * inclusive; larger agents (their application state plus 4 KiB of headroom) and blocking strategies go to a worker.
     * The frames are injected from the test's thread, which plays the transport's.
     */
    @Test
    void smallImagesOfNonBlockingStrategiesStayOnTheTransportThread() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        ThreadProbe fast = new ThreadProbe("fast", true);
        ThreadProbe slow = new ThreadProbe("slow", false);
        net.core.bindStrategy(fast);
        net.core.bindStrategy(slow);
        FakeUss peer = fake();
        NodeAddress c2 = net.uss("c2").address();
        long id = 46;
        for (ThreadProbe s : List.of(fast, fast, slow)) {
            int size = s == fast && id == 47 ? org.roamer.api.spi.migration.MigrationStrategy.INLINE_IMAGE_BYTES : 8;
            inject(c2, migrate(peer, id, id));
            FakeUss.take(peer, MessageType.TRANSFER);
            inject(c2, new Frame(MessageType.TRANSFER_DATA, 0, id, id, 0, "m9", named(s.name(), new byte[size])));
            long n = id - 45;
            await().atMost(Duration.ofSeconds(5)).until(() -> fast.restores.size() + slow.restores.size() == n);
            inject(c2, new Frame(MessageType.MIGRATE_FAILED, 0, id, id, 0, "m9",
                    Json.encode(new Payloads.MigrateFailed("the test moves on"))));
            id++;
        }
        assertThat(fast.restores).hasSize(2).noneMatch(AgentCellSurvivorsTest::onWorker);
        assertThat(slow.restores).hasSize(1).allMatch(AgentCellSurvivorsTest::onWorker);

        // a source: a small agent is captured inline; 13000 bytes of state + 4 KiB exceed 16 KiB: on a worker
        net.network.register(M, C1, Profile.defaults());
        NodeAddress c1 = net.uss("c1").address();
        await().atMost(Duration.ofSeconds(5)).until(() -> net.uss("c1").views().cellBacklog(M) == 0); // idle: see below
        transferTo(peer, c1, "fast", 70, 2);
        FakeUss.take(peer, MessageType.TRANSFER_DATA);
        inject(c1, new Frame(MessageType.MIGRATE_FAILED, 0, 70, 2, 0, "m1",
                Json.encode(new Payloads.MigrateFailed("the test moves on"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("migrations.rolledback") == 1);
        assertThat(net.uss("c1").views().applicationState(M, new byte[13_000])).isTrue();
        // a TRANSFER that finds the cell's actor busy (the rollback's task, say) is queued and captured on a
        // worker whatever the image's size: the actor must be idle first
        await().atMost(Duration.ofSeconds(5)).until(() -> net.uss("c1").views().cellBacklog(M) == 0);
        transferTo(peer, c1, "fast", 71, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.captures.size() == 2);
        assertThat(onWorker(fast.captures.get(0))).as(fast.captures.get(0)).isFalse();
        assertThat(onWorker(fast.captures.get(1))).as(fast.captures.get(1)).isTrue();
    }

    /**
     * A FLUSH marker of an earlier migration that reaches a target before its READY goes back at once to the source,
     * behind what the target held (stamped FORWARDED with the marker's epoch); a held frame at the hop limit is dropped,
     * not returned. What went back no longer counts against the arriving agent's queue.
     */
    @Test
    void aStrayMarkerGoesBackWithWhatTheTargetHeldAndFreesItsQueue() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        FakeUss source = fake();
        NodeAddress c2 = net.uss("c2").address();
        inject(c2, migrate(source, 47, 5));
        FakeUss.take(source, MessageType.TRANSFER);
        for (int i = 1; i <= 3; i++) {
            inject(c2, message(source, "m9", 850 + i, i, 20_000));
        }
        Frame looping = message(source, "m9", 854, 4, 8);
        inject(c2, new Frame(looping.type(), Frame.MAX_HOPS << Frame.HOPS_SHIFT, 854, 0, 4, "m9", looping.payload()));
        assertThat(MigrationProtocolTest.next(source, 4, MessageType.ACK, MessageType.BUSY))
                .extracting(Frame::type).containsOnly(MessageType.ACK);
        inject(c2, new Frame(MessageType.FLUSH, 0, 30, 3, 0, "m9", Json.encode(new Payloads.Request(addr(source)))));
        List<Frame> back = MigrationProtocolTest.next(source, 4, MessageType.AGENT_MESSAGE, MessageType.FLUSH);
        assertThat(back).extracting(Frame::type).containsExactly(MessageType.AGENT_MESSAGE, MessageType.AGENT_MESSAGE,
                MessageType.AGENT_MESSAGE, MessageType.FLUSH);
        assertThat(back.subList(0, 3)).extracting(Frame::seq).containsExactly(1L, 2L, 3L);
        assertThat(back.subList(0, 3)).allMatch(f -> f.has(Frame.FORWARDED) && f.epoch() == 3);
        assertThat(back.get(3).correlationId()).isEqualTo(30);
        assertThat(counter("flush.returned")).isEqualTo(1);
        assertThat(counter("frames.hop.limit")).isEqualTo(1);
        assertThat(counter("stub.forwarded")).isEqualTo(4);
        // the queue is empty again: three more messages of the same size fit
        for (int i = 5; i <= 7; i++) {
            inject(c2, message(source, "m9", 850 + i, i, 20_000));
        }
        assertThat(MigrationProtocolTest.next(source, 3, MessageType.ACK, MessageType.BUSY))
                .extracting(Frame::type).containsOnly(MessageType.ACK);
        assertThat(counter("stub.refused")).isZero();
    }

    /**
     * With checkpointing on, the target writes the arriving agent's checkpoint before READY and the source deletes its
     * own at the commit: afterwards only the target's, of the new epoch, is on disk. A planned stop writes it again.
     */
    @Test
    void aMigrationMovesTheCheckpointToTheTarget() throws Exception {
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("survivors");
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        net = new InVmNetwork(2, 600_000, 5000, 300,
                org.roamer.core.internal.agent.AgentImageCodec.type("org.roamer.core",
                        "1.0.0"),
                s -> new org.roamer.core.internal.node.UssSettings(s.id(), s.cluster(), s.listen(),
                        s.locationServer(), s.preferredStrategy(), s.strategyOrder(), s.stubMaxMessages(),
                        s.stubMaxBytes(), s.stubIdleMillis(), s.tombstoneMillis(), s.migrationTimeoutMillis(),
                        s.stablePointTimeoutMillis(), s.limits(), work.resolve(s.id().value()), "condor", 3600, false),
                disk);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C1, Profile.defaults());
        java.nio.file.Path c1 = net.uss("c1").settings().checkpointDirectory();
        java.nio.file.Path c2 = net.uss("c2").settings().checkpointDirectory();
        await().atMost(Duration.ofSeconds(5)).until(() -> disk.list(c1).size() == 1);
        MoveResult r = net.network.move(M, C2);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> disk.list(c1).isEmpty());
        assertThat(disk.list(c2)).singleElement().satisfies(i -> {
            assertThat(i.epoch()).isEqualTo(2);
            assertThat(i.node().value()).isEqualTo("uss-c2");
        });
        assertThat(counter("checkpoints.written")).isEqualTo(2);
        org.roamer.core.internal.node.RecoveryCheckpoints.StopCheckpoints stop = net.uss("c2").checkpoints()
                .checkpointForStop(disk);
        assertThat(stop.written()).isEqualTo(1);
        assertThat(stop.failed()).isZero();
    }

    /**
     * While the agent is anchored at c2, the radio ports of its mobile's cluster c1 send the mobile's requests there;
     * when the agent then migrates into c1, those ports forget the anchor (the agent runs in their cluster now), and c2
     * forgets that it was an anchor: when the agent comes back, it pages in its own cluster.
     */
    @Test
    void anAgentArrivingInItsMobilesClusterClearsTheRadioPortsAnchor() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        // anchors on the crossing, follows the mobile on the recheck 300 ms later
        net.core.bindRouting(new RoutingTest.Scripted("anchored", c -> c.recheck()
                ? org.roamer.api.spi.routing.RoutingDecision.MIGRATE
                : org.roamer.api.spi.routing.RoutingDecision.anchorAndRecheck(300)));
        org.roamer.core.internal.node.UserSignalingServer c2 = net.uss("c2");
        c2.apply(c2.settings(), c2.routingSettings().withPolicy("anchored"));
        await().atMost(Duration.ofSeconds(5)).until(c2::registered);
        net.network.register(M, C2, RoutingTest.ANY);
        assertThat(net.network.move(M, C1).anchored()).isTrue();
        java.util.function.Supplier<Long> routes = () -> net.core.directory().radioPorts("c1").stream()
                .filter(p -> p.route("m1") != null).count();
        assertThat(routes.get()).as("c1's ports send to the anchor").isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> counter("migrations.in") == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> net.network.agent(M).orElseThrow().node().value()
                .equals("uss-c1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> routes.get() == 0);

        // the agent left c2 at the commit: nothing is anchored there any more, also when it comes back
        MoveResult back = net.network.move(M, C2);
        assertThat(back.migrated()).as(back.reason()).isTrue();
        MobileId m2 = MobileId.of("m2");
        net.network.register(m2, C2, RoutingTest.ANY);
        org.roamer.api.CallResult call = net.network.call(m2, M, org.roamer.api.CallType.VOICE);
        assertThat(call.accepted()).as(call.reason()).isTrue();
        assertThat(counter("pages.remote")).isZero();
    }

    /**
     * A source that refuses a TRANSFER tells the LS itself, not only the target: with the target's own report held
     * back, the move still fails at once with the source's reason (no common strategy), not by the LS's time-out.
     */
    @Test
    void aRefusedTransferIsReportedToTheLocationServerByTheSource() throws Exception {
        net = new InVmNetwork(2, 600_000, 3000, 300);
        net.network.register(M, C1, Profile.defaults()); // no strategy installed: the source cannot negotiate one
        NodeAddress c2 = net.uss("c2").address();
        NodeAddress ls = net.ls.address();
        net.transport.hold((from, to, f) -> f.type() == MessageType.MIGRATE_FAILED && from.equals(c2) && to.equals(ls));
        long asked = System.nanoTime();
        MoveResult r = net.network.move(M, C2);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        assertThat(r.migrated()).isFalse();
        assertThat(r.reason()).contains("no common strategy");
        assertThat(took).as("answered by the source's report, before the 3 s migration time-out").isLessThan(2000);
        assertThat(counter("migrations.refused")).isEqualTo(1);
        assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c1");
    }

    /**
     * A stub idle for its idle time still forwards while its link to the next hop carries frames, re-checking every
     * tenth of the idle time; once the link has drained it expires at the next check, well within a second.
     */
    @Test
    void aStubWaitingForItsLinkToDrainExpiresSoonAfterIt() throws Exception {
        net = new InVmNetwork(2, 200, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C1, Profile.defaults());
        MoveResult r = net.network.move(M, C2);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        FakeUss sender = fake();
        NodeAddress c1 = net.uss("c1").address();
        NodeAddress c2 = net.uss("c2").address();
        net.transport.hold((from, to, f) -> f.type() == MessageType.AGENT_MESSAGE && to.equals(c2));
        inject(c1, message(sender, "m1", 860, 1, 8)); // forwarded by c1's stub, held on the way to c2
        assertThat(FakeUss.take(sender, MessageType.ACK).correlationId()).isEqualTo(860);
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.expiry.postponed") >= 1);
        assertThat(counter("stub.expired")).isZero();
        net.transport.hold(null);
        assertThat(net.transport.release()).isEqualTo(1);
        await().atMost(Duration.ofMillis(1000)).until(() -> counter("stub.expired") == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() == 1);
    }

    /** A message as another stub forwarded it (taken by a stub over its limits). */
    static Frame forwarded(FakeUss from, String mobile, long corr, long seq, int size) {
        Frame m = message(from, mobile, corr, seq, size);
        return new Frame(m.type(), Frame.FORWARDED, corr, 0, seq, mobile, m.payload());
    }

    /**
     * A stub buffer whose encoding is one byte short of the data payload limit (1 MiB; frames another stub forwarded
     * are taken over the stub's own limits) goes to the target as one BUFFERED chunk, intact.
     */
    @Test
    void aStubBufferJustBelowTheChunkSizeIsDrainedAsOneChunk() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C1, Profile.defaults());
        FakeUss target = fake();
        NodeAddress c1 = net.uss("c1").address();
        int max = net.uss("c1").settings().limits().maxDataPayload();
        List<Frame> frames = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            frames.add(forwarded(target, "m1", 870 + i, i, 60_000));
        }
        frames.add(forwarded(target, "m1", 887, 17, 1000));
        int last = 1000 + max - 1 - AgentMessages.encodeBuffered(frames).length;
        frames.set(16, forwarded(target, "m1", 887, 17, last));
        assertThat(AgentMessages.encodeBuffered(frames).length).isEqualTo(max - 1);
        transferTo(target, c1);
        FakeUss.take(target, MessageType.TRANSFER_DATA);
        for (Frame f : frames) {
            inject(c1, f);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("stub.buffered") == 17);
        inject(c1, new Frame(MessageType.READY, 0, 70, 2, 0, "m1", new byte[0]));
        Frame buffered = FakeUss.take(target, MessageType.BUFFERED);
        assertThat(buffered.has(Frame.LAST)).isTrue();
        assertThat(buffered.seq()).isZero();
        List<Frame> drained = AgentMessages.decodeBuffered(buffered.payload(), net.uss("c1").settings().limits());
        assertThat(drained).extracting(Frame::seq).hasSize(17).endsWith(17L);
    }
}

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
import org.junit.jupiter.api.Test;
import org.roamer.api.AgentInfo;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.ProbeStrategies.Recording;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

/**
 * After the commit point (the source saw READY) the agent lives at the target, whatever happens to the source
 * or to the BUFFERED frame: a prepared participant cannot abort. And stubs never forward a frame in a loop.
 */
class CommitPointTest {
    static final MobileId M = MobileId.of("m1");
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");

    InVmNetwork net;

    @AfterEach
    void stop() {
        if (net != null) {
            net.transport.filter(null);
            net.close();
        }
    }

    /**
     * The source (c2) commits on READY and crashes before its BUFFERED leaves. The target must not throw the
     * rebuilt agent away: it goes live after its BUFFERED wait, reports MIGRATE_DONE, and the LS points there.
     */
    @Test
    void theSourceDyingRightAfterReadyLeavesTheAgentLiveAtTheTarget() throws Exception {
        net = new InVmNetwork(3, 600_000, 1000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, C2, Profile.defaults()); // c1 stays alive: the network service sends through it
        NodeAddress source = net.uss("c2").address();
        CountDownLatch died = new CountDownLatch(1);
        net.transport.filter((from, to, f) -> {
            if (from.equals(source) && f.type() == MessageType.BUFFERED) {
                net.transport.kill(source); // the source crashes right after its commit point
                died.countDown();
                return false;
            }
            return true;
        });

        MoveResult r = net.network.move(M, C3);

        assertThat(died.getCount()).as("the source saw READY and committed").isZero();
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(r.agentNode().value()).isEqualTo("uss-c3");
        assertThat(r.epoch()).isEqualTo(2);
        assertThat(net.network.route(M).agentNode().value()).as("the LS points at the target").isEqualTo("uss-c3");
        AgentInfo a = net.uss("c3").views().agent(M, 5000);
        assertThat(a).as("the agent lives at the target").isNotNull();
        assertThat(a.epoch()).isEqualTo(2);
        assertThat(net.core.metrics().get("migrate.buffered.timeout")).isEqualTo(1);
        net.network.send(M, "s", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("m1").size() == 1);
        assertThat(net.deliveriesOf("m1").get(0).node()).isEqualTo("uss-c3");
        assertThat(net.deliveriesOf("m1").get(0).epoch()).isEqualTo(2);
    }

    /**
     * A stub buffers forwarded messages (always accepted, over its limits) while its agent moves on; together
     * they are far larger than one data frame. BUFFERED is chunked and reassembled: all delivered, in order.
     */
    @Test
    void aStubBufferLargerThanTheDataFrameLimitIsDeliveredInOrder() throws Exception {
        net = new InVmNetwork(3, 600_000, 1000, 300);
        Recording image = new Recording("image", new ProbeStrategies.Image());
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.core.bindStrategy(image);
        net.network.register(M, C1, Profile.defaults());
        net.network.send(M, "s", 0, new byte[0]); // s routes to c1 from now on
        assertThat(net.network.move(M, C2).migrated()).isTrue(); // c1 forwards to c2

        image.holdCapture = new CountDownLatch(1);
        CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.move(M, C3, "image");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(image.capturing.await(10, TimeUnit.SECONDS)).isTrue(); // c2's stub stands in for the agent
        int limit = FrameLimits.DEFAULT.maxDataPayload();
        int[] sizes = {300_000, 300_000, limit - 300, 300_000, 10};
        for (int i = 0; i < sizes.length; i++) {
            // to c1, which forwards them to c2's stub: FORWARDED frames are taken over the stub's limits
            net.network.send(M, "s", i + 1, new byte[sizes[i]]);
        }
        image.holdCapture.countDown(); // the forwarded frames wait in c2's actor queue behind the capture

        MoveResult r = move.get(20, TimeUnit.SECONDS);
        assertThat(net.core.metrics().get("stub.over.limit.forwarded")).as("taken over the stub's limits").isPositive();
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(r.drained()).isEqualTo(sizes.length);
        await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("m1").size() >= sizes.length + 1);
        List<InVmNetwork.Delivery> d = net.deliveriesOf("m1");
        assertThat(d).extracting(InVmNetwork.Delivery::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(d.subList(1, d.size())).extracting(InVmNetwork.Delivery::node).containsOnly("uss-c3");
        assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c3");
        assertThat(net.core.metrics().get("stub.drain.lost")).isZero();
    }

    /**
     * Two stubs that forward to each other (c1 → c2, c2 → c1; built here from two migrations that failed at
     * their source): a message must not circle for ever. It is dropped at the hop limit and counted.
     */
    @Test
    void aForwardingLoopBetweenTwoStubsEndsAtTheHopLimit() throws Exception {
        net = new InVmNetwork(3, 600_000, 1000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        try (FakeUss fake = new FakeUss(net, "cx")) {
            String ls = fake.endpoint.localAddress().toString();
            NodeAddress c1 = net.uss("c1").address();
            NodeAddress c2 = net.uss("c2").address();
            // c1 is asked to take m9 from c2, which has no agent: c1 then forwards m9's frames to c2
            net.transport.inject(c1, FrameCodec.encode(new Frame(MessageType.MIGRATE, 0, 70, 5, 0, "m9",
                    Json.encode(new Payloads.Migrate(c2.toString(), "uss-c2", null, ls)))));
            await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("migrations.failed.target") == 1);
            // c2 is asked to take m9 from c1, which only forwards: c2 then forwards m9's frames to c1
            net.transport.inject(c2, FrameCodec.encode(new Frame(MessageType.MIGRATE, 0, 71, 6, 0, "m9",
                    Json.encode(new Payloads.Migrate(c1.toString(), "uss-c1", null, ls)))));
            await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("migrations.failed.target") == 2);

            net.transport.inject(c1, FrameCodec.encode(new Frame(MessageType.AGENT_MESSAGE, 0, 99, 0, 1, "m9",
                    AgentMessages.encodeMessage(ls, "s", new byte[]{1}))));

            await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("frames.hop.limit") == 1);
            long forwarded = net.core.metrics().get("stub.forwarded");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> net.core.metrics().get("stub.forwarded") == forwarded);
            assertThat(forwarded).as("forwarded up to the hop limit, then no more")
                    .isLessThanOrEqualTo(Frame.MAX_HOPS + 1);
            List<Frame> acks = new ArrayList<>();
            fake.received.drainTo(acks);
            assertThat(acks).filteredOn(f -> f.type() == MessageType.ACK && f.correlationId() == 99)
                    .as("the sender had its acknowledgement from the first stub").hasSize(1);
        }
    }

    /** The first BUFFERED is lost on the way: the source sends it again until the target acknowledges it. */
    @Test
    void aLostBufferedIsSentAgainUntilAcknowledged() throws Exception {
        net = new InVmNetwork(3, 600_000, 1000, 300);
        Recording image = new Recording("image", new ProbeStrategies.Image());
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.core.bindStrategy(image);
        net.network.register(M, C1, Profile.defaults());
        net.network.send(M, "s", 0, new byte[0]); // s routes to c1 from now on
        assertThat(net.network.move(M, C2).migrated()).isTrue(); // c1 forwards to c2
        await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("stub.drain.acked") == 1);
        image.holdCapture = new CountDownLatch(1);
        CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.move(M, C3, "image");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(image.capturing.await(10, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.atomic.AtomicInteger dropped = new java.util.concurrent.atomic.AtomicInteger();
        net.transport.filter((from, to, f) -> f.type() != MessageType.BUFFERED || dropped.getAndIncrement() > 0);
        for (int i = 1; i <= 3; i++) {
            net.network.send(M, "s", i, new byte[]{(byte) i}); // c1 forwards them into c2's stub
        }
        image.holdCapture.countDown();
        MoveResult r = move.get(20, TimeUnit.SECONDS);
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(r.drained()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("m1").size() >= 4);
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::seq).containsExactly(0L, 1L, 2L, 3L);
        assertThat(net.deliveriesOf("m1").subList(1, 4)).extracting(InVmNetwork.Delivery::node).containsOnly("uss-c3");
        assertThat(dropped.get()).isGreaterThanOrEqualTo(2);
        assertThat(net.core.metrics().get("stub.drain.retried")).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("stub.drain.acked") == 2);
        assertThat(net.core.metrics().get("migrate.buffered.timeout")).isZero();
        assertThat(net.core.metrics().get("stub.drain.unacked")).isZero();
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;

/**
 * The interleaving behind {@code FLUSH marker of p1 did not return} in MigrationPropertyTest: the marker of one
 * migration is caught by the target of the next one, which waits for the node that waits for the marker.
 *
 * <ol>
 * <li>The agent went c1 → c2 → c3: c1 forwards to c2, c2 to c3. c2's actor lags (here: held in the departed()
 * hook; in the property: a backlog of forwarded messages under CPU load).</li>
 * <li>Sender s (routing to c1) sends message 1: c1 forwards it to c2, where it waits in c2's queue.</li>
 * <li>Move a to c1: c1 is on the agent's old chain, so it sends FLUSH(a) to c2 (queued behind message 1) and
 * TRANSFER to c3. The move commits; c1 goes live and drains: direct messages wait for FLUSH(a).</li>
 * <li>s sends message 2 to c1 directly: held.</li>
 * <li>Move b back to c3: c3 (a stub pointing at c1, the source) turns INCOMING; its TRANSFER waits at c1, which
 * still drains.</li>
 * <li>c2 catches up: message 1 and FLUSH(a) reach c3, which is INCOMING for b and holds both until b arrives.
 * b cannot arrive before c1 stops draining, c1 does not stop before FLUSH(a) comes back: the drain times out
 * (flush.timeout), c1 delivers message 2, and message 1 is delivered at c3 after it — out of order.</li>
 * </ol>
 * Fixed: a target that has not sent READY returns a marker of another migration to its source at once, after
 * the frames it held ahead of it, stamped with the marker's epoch; c1 delivers message 1, ends its drain on
 * FLUSH(a), delivers message 2, and b goes on.
 */
class FlushMarkerReturnTest {
    static final MobileId M = MobileId.of("f1");

    InVmNetwork net;
    final SenderRouteOrderTest.Stall stall = new SenderRouteOrderTest.Stall();

    @AfterEach
    void stop() {
        stall.release.countDown();
        if (net != null) {
            net.close();
        }
    }

    @Test
    void aMarkerCaughtByTheNextMigrationsTargetComesBackToTheDrainingNodeInOrder() throws Exception {
        // stubs never go idle; migration (and drain) time-out 1 s; stable-point wait 3 s, so a drain that times
        // out does not fail move b: the test sees the time-out and the order, not a failed move
        net = new InVmNetwork(3, 600_000, 1000, 3000);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.core.bindStrategy(stall);
        net.network.register(M, ClusterId.of("c1"), Profile.defaults());
        net.network.send(M, "s", 0, new byte[0]); // s routes to c1 from now on
        assertThat(net.network.move(M, ClusterId.of("c2")).migrated()).isTrue(); // c1 → c2
        stall.node = NodeId.of("uss-c2");
        assertThat(net.network.move(M, ClusterId.of("c3")).migrated()).isTrue(); // c2 → c3
        assertThat(stall.entered.await(10, TimeUnit.SECONDS)).as("c2's actor is held").isTrue();

        net.network.send(M, "s", 1, new byte[0]); // c1 forwards it to c2: queued behind the held task

        MoveResult a = net.network.move(M, ClusterId.of("c1")); // FLUSH(a) to c2, queued behind message 1
        assertThat(a.migrated()).as(a.reason()).isTrue();
        assertThat(net.core.metrics().get("flush.timeout")).isZero();

        net.network.send(M, "s", 2, new byte[0]); // straight to c1, which holds it until FLUSH(a) is back

        CompletableFuture<MoveResult> b = CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.move(M, ClusterId.of("c3"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // c3 is INCOMING for b and its TRANSFER waits at c1, which drains
        await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("migrate.waited.stable") == 1);
        stall.release.countDown(); // c2 forwards message 1 and FLUSH(a) to c3

        MoveResult rb = b.get(20, TimeUnit.SECONDS);
        assertThat(rb.migrated()).as(rb.reason()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("f1").size() >= 3);
        assertThat(net.deliveriesOf("f1")).extracting(InVmNetwork.Delivery::seq).as("per-sender order")
                .containsExactly(0L, 1L, 2L);
        assertThat(net.core.metrics().get("flush.timeout")).as("FLUSH(a) came back to c1").isZero();
        assertThat(net.core.metrics().get("flush.returned")).as("c3 sent FLUSH(a) back to c1, the source of b")
                .isEqualTo(1);
        assertThat(net.deliveriesOf("f1").subList(1, 3)).extracting(InVmNetwork.Delivery::node)
                .as("both delivered at c1, before the agent left it").containsOnly("uss-c1");
        assertThat(net.network.agent(M).orElseThrow().node().value()).isEqualTo("uss-c3");
    }

    /**
     * The old chain leads through a node that has forgotten the mobile (its tombstone retired): c1 → c2 → c3, c2
     * retires quickly, then the agent returns to c1, whose tombstone still points at c2. c1's FLUSH marker reaches
     * c2, which keeps nothing of the mobile: it sends the marker straight back to c1 (named in the marker), so c1
     * ends its drain at once instead of after its time-out (a marker without a way back was dropped:
     * flush.stray, then flush.timeout).
     */
    @Test
    void aMarkerReachingANodeThatForgotTheMobileComesBackAtOnce() throws Exception {
        net = new InVmNetwork(3, 50, 1000, 3000, org.roamer.core.internal.agent.AgentImageCodec.type("org.roamer.core",
                "1.0.0"), s -> s.id().value().equals("uss-c2") ? s.withStub(s.stubMaxMessages(), 100) : s, null);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(M, ClusterId.of("c1"), Profile.defaults());
        assertThat(net.network.move(M, ClusterId.of("c2")).migrated()).isTrue(); // c1 → c2
        assertThat(net.network.move(M, ClusterId.of("c3")).migrated()).isTrue(); // c2 → c3
        // c2's stub expires (50 ms idle) and its tombstone retires (100 ms): c2 forgets f1
        await().atMost(Duration.ofSeconds(10)).until(() -> net.uss("c2").cellCount() == 0);
        assertThat(net.uss("c1").cellCount()).as("c1's tombstone still points at c2").isEqualTo(1);

        MoveResult back = net.network.move(M, ClusterId.of("c1")); // FLUSH to c2; c1 drains until it is back
        assertThat(back.migrated()).as(back.reason()).isTrue();
        net.network.send(M, "s", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("f1").size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> net.core.metrics().get("flush.bounced") == 1);
        assertThat(net.core.metrics().get("flush.stray")).isZero();
        assertThat(net.core.metrics().get("flush.timeout")).as("c1 did not wait out its drain").isZero();
    }

    /**
     * A marker names its origin itself, so a forged one could make a node send to itself or bounce between two
     * nodes: one naming the node it reaches, or one at the hop limit, is dropped (flush.stray), not sent.
     */
    @Test
    void aForgedMarkerIsNotBouncedToItselfNorPastTheHopLimit() throws Exception {
        net = new InVmNetwork(2, 50, 1000, 3000);
        org.roamer.api.NodeAddress c2 = net.uss("c2").address();
        org.roamer.api.NodeAddress c1 = net.uss("c1").address();
        byte[] toItself = org.roamer.api.frame.FrameCodec.encode(new org.roamer.api.frame.Frame(
                org.roamer.api.frame.MessageType.FLUSH, 0, 7, 2, 0, "nobody", org.roamer.core.internal.wire.Json.encode(
                        new org.roamer.core.internal.wire.Payloads.Request(c2.toString()))));
        assertThat(net.transport.inject(c2, toItself)).isTrue();
        byte[] atTheLimit = org.roamer.api.frame.FrameCodec.encode(new org.roamer.api.frame.Frame(
                org.roamer.api.frame.MessageType.FLUSH, org.roamer.api.frame.Frame.MAX_HOPS << 8, 7, 2, 0, "nobody",
                org.roamer.core.internal.wire.Json.encode(new org.roamer.core.internal.wire.Payloads.Request(
                        c1.toString()))));
        assertThat(net.transport.inject(c2, atTheLimit)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> net.core.metrics().get("flush.stray") == 2);
        assertThat(net.core.metrics().get("flush.bounced")).isZero();
    }
}

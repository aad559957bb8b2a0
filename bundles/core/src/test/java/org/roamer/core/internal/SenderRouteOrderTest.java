/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * The interleaving behind the reorder MigrationPropertyTest once saw ({@code expected: 48L but was: 94L}):
 * a sender's message sits in the actor queue of a lagging forwarder two hops down an old chain
 * (c1 → c2 → c3, c2's actor busy), already acknowledged by c1; the sender's next message must not take a
 * shorter path to the agent and overtake it. Every node is FIFO per actor, so the order holds as long as
 * each sender changes its path only by following a REDIRECT (or after a missing agent). It broke when the
 * route cache was one per mobile, shared by all senders: a route another sender had just learnt (c3,
 * directly) was used for this sender's next message.
 */
class SenderRouteOrderTest {
    static final MobileId M = MobileId.of("r1");

    InVmNetwork net;
    final Stall stall = new Stall();

    @AfterEach
    void stop() {
        stall.release.countDown();
        if (net != null) {
            net.close();
        }
    }

    @Test
    void aMessageQueuedAtALaggingForwarderIsNotOvertakenWhenAnotherSenderKnowsTheNewLocation() throws Exception {
        // stubs never go idle here: c1 and c2 keep forwarding
        net = new InVmNetwork(3, 600_000, 1000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.core.bindStrategy(stall);
        net.network.register(M, ClusterId.of("c1"), Profile.defaults());
        net.network.send(M, "s0", 0, new byte[0]); // s0 now routes to c1
        assertThat(net.network.move(M, ClusterId.of("c2")).migrated()).isTrue();
        stall.node = NodeId.of("uss-c2");
        assertThat(net.network.move(M, ClusterId.of("c3")).migrated()).isTrue();
        // c2 committed; its actor is now held in the departed() hook: c2 forwards nothing until released
        assertThat(stall.entered.await(10, TimeUnit.SECONDS)).isTrue();

        // s0's message 1: c1 forwards it to c2, where it waits in the actor's queue; c1 acknowledges it
        net.network.send(M, "s0", 1, new byte[0]);
        // meanwhile another sender was told where the agent is now (a REDIRECT or a LOCATE answer)
        String c3 = net.uss("c3").address().toString();
        net.network.mobiles().route(M, "s1", c3);
        // s0's message 2 must follow message 1, not go straight to c3 past it
        net.network.send(M, "s0", 2, new byte[0]);
        stall.release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("r1").size() >= 3);
        assertThat(net.deliveriesOf("r1")).extracting(InVmNetwork.Delivery::seq).containsExactly(0L, 1L, 2L);
        assertThat(net.network.mobiles().route(M, "s0")).as("s0 learnt nothing that would let it skip c1's chain")
                .isEqualTo(net.uss("c1").address().toString());
    }

    /** Holds the actor of one node's cell in {@link #departed} (the agent left that node) until released. */
    static final class Stall implements MigrationStrategy {
        volatile NodeId node;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "zz-stall";
        }

        @Override
        public StrategyTraits traits() {
            return new StrategyTraits(false, false, false, false, "holds a cell's actor in departed()");
        }

        @Override
        public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
            throw new MigrationException("not a migration strategy");
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            throw new MigrationException("not a migration strategy");
        }

        @Override
        public void departed(MobileId mobile, NodeId from, Path workDirectory) {
            if (from.equals(node)) {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}

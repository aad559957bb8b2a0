/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.TransportInfo;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.node.SignalingNode;

/** Nodes listen on every installed transport, switch what they send with, and fall back when one leaves. */
class TransportSwitchTest {
    static final MobileId M1 = MobileId.of("m1");

    /** A second in-VM transport under another name: same address space, its own endpoints. */
    static final class Renamed implements Transport {
        final String name;
        final InVmTransport delegate = new InVmTransport();

        Renamed(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Endpoint bind(NodeAddress listen, FrameLimits limits, FrameHandler handler) throws TransportException {
            return delegate.bind(listen, limits, handler);
        }
    }

    InVmNetwork net;
    final Renamed second = new Renamed("invm2");

    @BeforeEach
    void start() throws Exception {
        net = new InVmNetwork(3, 200, 1000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        assertThat(net.ls.transportAdded(second)).isTrue();
        for (SignalingNode u : net.uss) {
            assertThat(u.transportAdded(second)).isTrue();
        }
    }

    @AfterEach
    void stop() {
        net.close();
    }

    long sentWith(String node, String transport) throws Exception {
        return net.network.transports(NodeId.of(node)).stream().filter(t -> t.name().equals(transport))
                .mapToLong(TransportInfo::framesOut).sum();
    }

    @Test
    void everyNodeListensOnBothOnOnePortAndSendsWithTheOneItIsTold() throws Exception {
        assertThat(net.network.transports(NodeId.of("uss-c1"))).extracting(TransportInfo::name, TransportInfo::sending)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("invm", true),
                        org.assertj.core.groups.Tuple.tuple("invm2", false));
        net.network.register(M1, ClusterId.of("c1"), Profile.defaults());
        for (String n : new String[]{"ls1", "uss-c1", "uss-c2", "uss-c3"}) {
            net.network.useTransport(NodeId.of(n), "invm2");
        }
        long before = sentWith("uss-c2", "invm2");
        for (int i = 0; i < 10; i++) {
            net.network.send(M1, "s", i, new byte[]{1});
        }
        assertThat(net.network.move(M1, ClusterId.of("c2")).migrated()).isTrue();
        assertThat(sentWith("uss-c2", "invm2")).as("TRANSFER, READY, MIGRATE_DONE went over invm2")
                .isGreaterThan(before);
        // mixed: c2 back on invm while c1 stays on invm2 — they still talk, each listens on both
        net.network.useTransport(NodeId.of("uss-c2"), "invm");
        for (int i = 10; i < 20; i++) {
            net.network.send(M1, "s", i, new byte[]{1});
        }
        assertThat(net.network.move(M1, ClusterId.of("c1")).migrated()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() >= 20);
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::seq)
                .containsExactlyElementsOf(LongStream.range(0, 20).boxed().toList());
    }

    /**
     * A stub becomes the target of a migration whose source is its next hop: no FLUSH marker, because its TRANSFER
     * follows the message it forwarded there on the same path — also when the stub switched transports meanwhile.
     * On the new transport the TRANSFER overtook the forwarded message, the source moved the agent without it and
     * forwarded it back after the sender's next one: [0, 2, 1] (the PluginSwapIT reorder).
     */
    @Test
    void aTransferFollowsTheMessagesItsNodeForwardedToTheSourceAcrossATransportSwitch() throws Exception {
        net.network.register(M1, ClusterId.of("c1"), Profile.defaults());
        net.network.send(M1, "s", 0, new byte[]{1}); // the sender routes to c1
        assertThat(net.network.move(M1, ClusterId.of("c2")).migrated()).isTrue(); // c1 forwards to c2
        NodeAddress c1 = net.uss("c1").address();
        NodeAddress c2 = net.uss("c2").address();
        net.transport.hold((from, to, f) -> from.equals(c1) && to.equals(c2)); // c1 -> c2 on invm is slow
        net.network.send(M1, "s", 1, new byte[]{1}); // forwarded by c1 on invm: still on its way
        net.network.useTransport(NodeId.of("uss-c1"), "invm2");
        CompletableFuture<Integer> released = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            net.transport.hold(null);
            return net.transport.release();
        });
        MoveResult back = net.network.move(M1, ClusterId.of("c1")); // c1 is the target, c2 (its next hop) the source
        assertThat(back.migrated()).as(back.reason()).isTrue();
        net.network.send(M1, "s", 2, new byte[]{1});
        assertThat(released.get(10, TimeUnit.SECONDS)).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() >= 3);
        Thread.sleep(200);
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::seq).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aTransportThatLeavesClosesOnlyItsListenerAndSendingFallsBack() throws Exception {
        net.network.register(M1, ClusterId.of("c1"), Profile.defaults());
        net.network.useTransport(NodeId.of("uss-c1"), "invm2");
        net.ls.transportRemoved(second);
        for (SignalingNode u : net.uss) {
            u.transportRemoved(second);
        }
        assertThat(net.network.transports(NodeId.of("uss-c1"))).extracting(TransportInfo::name).containsExactly("invm");
        assertThat(net.uss("c1").transportName()).isEqualTo("invm");
        assertThat(net.uss("c1").preferredTransport()).as("configured, back in use when reinstalled")
                .isEqualTo("invm2");
        assertThat(net.network.move(M1, ClusterId.of("c2")).migrated()).isTrue();
        // reinstalled: listened on again, on the same port, and preferred again
        NodeAddress before = net.uss("c1").address();
        assertThat(net.uss("c1").transportAdded(second)).isTrue();
        assertThat(net.uss("c1").address()).isEqualTo(before);
        assertThat(net.uss("c1").transportName()).isEqualTo("invm2");
    }

    @Test
    void anUnknownTransportOrNodeIsAClearError() {
        assertThatThrownBy(() -> net.network.useTransport(NodeId.of("uss-c1"), "udp"))
                .hasMessageContaining("transport 'udp' is not installed on uss-c1; it listens on [invm, invm2]");
        assertThatThrownBy(() -> net.network.transports(NodeId.of("uss-c9")))
                .hasMessageContaining("unknown node 'uss-c9'");
    }
}

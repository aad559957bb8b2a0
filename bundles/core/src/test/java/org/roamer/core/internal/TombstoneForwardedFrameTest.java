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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.node.UserSignalingServer;

/**
 * A tombstone (a stub that went idle and only redirects) must not answer REDIRECT to a message another stub
 * forwarded to it: the forwarding stub acknowledged that message to its sender already, so the REDIRECT
 * reaches the sender as a late reply to a finished request and is dropped — the message is lost. It forwards
 * such frames to its next hop instead.
 *
 * <p>The chain is c1 → c3 → c2: c1 keeps forwarding (its stub never goes idle here), c3's stub goes idle and
 * becomes a tombstone. c3's inbound frames are held at a gate so that c1's acknowledgement reaches the sender
 * before c3 answers, as it does on a real network (in-VM, c3 would otherwise run inline on c1's thread and its
 * REDIRECT would win the race to the sender).
 */
class TombstoneForwardedFrameTest {
    static final MobileId M = MobileId.of("t1");

    InVmNetwork net;

    @AfterEach
    void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void aTombstoneForwardsAFrameAnotherStubForwardedInsteadOfRedirectingItsAcknowledgedSender() throws Exception {
        net = new InVmNetwork(2, 600_000, 1000, 300); // c1, c2: stubs never go idle
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        Gate gate = new Gate(net.transport);
        UserSignalingServer c3 = net.addCluster("c3", gate, 200, 1000, 300); // c3's stub goes idle quickly
        await().atMost(Duration.ofSeconds(5)).until(c3::registered);

        net.network.register(M, ClusterId.of("c1"), Profile.defaults());
        net.network.send(M, "s", 0, new byte[0]); // s now routes to c1
        assertThat(net.network.move(M, ClusterId.of("c3")).migrated()).isTrue(); // c1 forwards to c3
        assertThat(net.network.move(M, ClusterId.of("c2")).migrated()).isTrue(); // c3 forwards to c2 (epoch 3)
        await().atMost(Duration.ofSeconds(10)).until(() -> net.core.metrics().get("stub.expired") == 1); // c3 only
        long redirected = net.core.metrics().get("stub.redirected");

        gate.hold();
        net.network.send(M, "s", 1, new byte[0]); // c1 forwards it to c3 and acknowledges it: send returns
        assertThat(gate.held()).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(MessageType.AGENT_MESSAGE);
            assertThat(f.has(Frame.FORWARDED)).isTrue();
        });
        gate.open(); // c3, the tombstone, handles the forwarded frame now

        await("message 1, acknowledged by c1 and forwarded to the tombstone, delivered at c2")
                .atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("t1").size() >= 2);
        assertThat(net.core.metrics().get("stub.redirected")).as("no REDIRECT for a forwarded frame")
                .isEqualTo(redirected);
        net.network.send(M, "s", 2, new byte[0]);
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("t1").size() >= 3);
        assertThat(net.deliveriesOf("t1")).extracting(InVmNetwork.Delivery::seq).containsExactly(0L, 1L, 2L);
        assertThat(net.deliveriesOf("t1").subList(1, 3)).extracting(InVmNetwork.Delivery::node)
                .containsOnly("uss-c2");
    }

    /** The in-VM transport, with a gate in front of the handlers it binds: while held, inbound frames wait. */
    static final class Gate implements Transport {
        private final Transport inner;
        private final List<Runnable> waiting = new ArrayList<>();
        private final List<Frame> held = new ArrayList<>();
        private boolean holding;

        Gate(Transport inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Endpoint bind(NodeAddress listen, FrameLimits limits, FrameHandler handler) throws TransportException {
            return inner.bind(listen, limits, new FrameHandler() {
                @Override
                public void onFrame(Frame frame) {
                    synchronized (Gate.this) {
                        if (holding) {
                            held.add(frame);
                            waiting.add(() -> handler.onFrame(frame));
                            return;
                        }
                    }
                    handler.onFrame(frame);
                }

                @Override
                public void onBadFrame(String peer, String reason) {
                    handler.onBadFrame(peer, reason);
                }
            });
        }

        synchronized void hold() {
            holding = true;
        }

        synchronized List<Frame> held() {
            return List.copyOf(held);
        }

        /** Lets the held frames in, in order, on the calling thread. */
        void open() {
            List<Runnable> run;
            synchronized (this) {
                holding = false;
                run = List.copyOf(waiting);
                waiting.clear();
            }
            run.forEach(Runnable::run);
        }
    }
}

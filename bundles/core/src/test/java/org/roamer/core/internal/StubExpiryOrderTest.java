/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;

/**
 * A stub that expires into a tombstone redirects senders to the agent's node. If a message it forwarded is
 * still on its way there (a slow link, a retransmission), the sender's next message, sent straight to the
 * agent after the redirect, overtook it (the reorder PluginSwapIT caught now and then under load). The stub
 * now forwards on until its link to the next hop has delivered what it carries.
 */
class StubExpiryOrderTest {
    @Test
    void aStubDoesNotRedirectWhileAMessageItForwardedIsStillInFlight() throws Exception {
        try (InVmNetwork net = new InVmNetwork(2, 50, 3000, 1000)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            MobileId m = MobileId.of("m1");
            net.network.register(m, ClusterId.of("c1"), Profile.defaults());
            net.network.send(m, "s", 0, bytes("zero")); // the sender's route: uss-c1
            net.network.move(m, ClusterId.of("c2"));
            String c1 = net.uss("c1").address().toString();
            String c2 = net.uss("c2").address().toString();
            // the link uss-c1 -> uss-c2 is slow: what the stub forwards stays in flight
            net.transport.hold((from, to, f) -> from.toString().equals(c1) && to.toString().equals(c2)
                    && f.type() == MessageType.AGENT_MESSAGE && f.has(Frame.FORWARDED));
            net.network.send(m, "s", 1, bytes("one")); // to the stub, forwarded, acknowledged by the stub
            Thread.sleep(300); // six idle periods of the stub
            net.network.send(m, "s", 2, bytes("two"));
            net.transport.hold(null);
            net.transport.release();
            long deadline = System.currentTimeMillis() + 5000;
            while (net.deliveriesOf("m1").size() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            List<Long> order = net.deliveriesOf("m1").stream().map(InVmNetwork.Delivery::seq).toList();
            assertThat(order).containsExactly(0L, 1L, 2L);
            assertThat(net.core.metrics().snapshot().counters().get("stub.expiry.postponed")).isPositive();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Peer;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

/**
 * Authorization by role, on frames as an authenticating transport hands them over (with the sender's
 * {@link Peer}): the attacks of a node acting outside its role are refused and counted, and change nothing; the
 * same frame from the role that may send it is obeyed (so the refusal is the check's doing). With
 * {@code links.authenticated} on, a frame from a plaintext link is refused whatever it says.
 */
class NodeAuthorizationTest {
    private static final Peer LOCATION_SERVER = new Peer("ls-container", Set.of(Peer.LOCATION_SERVER), Set.of());
    private static final Peer USS_OF_C2 = new Peer("c2", Set.of(Peer.USER_SIGNALING_SERVER), Set.of("c2"));
    private InVmNetwork net;

    @BeforeEach
    void network() throws Exception {
        net = new InVmNetwork(2, 60_000, 3000, 1000);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.network.register(MobileId.of("m1"), ClusterId.of("c1"), Profile.defaults());
    }

    @AfterEach
    void close() {
        net.close();
    }

    private Frame terminate() throws Exception {
        return new Frame(MessageType.TERMINATE_AGENT, 0, 4242, 99, 0, "m1",
                Json.encode(new Payloads.Request(net.ls.address().toString())));
    }

    private boolean m1Lives() {
        return net.network.agent(MobileId.of("m1")).isPresent();
    }

    @Test
    void onlyALocationServerMayTerminateAnAgent() throws Exception {
        net.uss("c1").onFrame(terminate(), USS_OF_C2);
        Thread.sleep(200); // the cell's actor would have run it by now
        assertThat(m1Lives()).as("a USS credential cannot destroy m1").isTrue();
        assertThat(net.core.metrics().get("frames.unauthorized.TERMINATE_AGENT")).isEqualTo(1);

        net.uss("c1").onFrame(terminate(), LOCATION_SERVER);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !m1Lives());
        assertThat(net.core.metrics().get("frames.unauthorized")).isEqualTo(1);
    }

    @Test
    void onlyTheCredentialOfAClusterMaySayHelloForIt() throws Exception {
        // the record as it settles once c1 announced its strategies (a HELLO of c1's own would change it later)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> net.ls.clusters().get("c1").strategies().contains("vars"));
        LocationServer.UssRecord before = net.ls.clusters().get("c1");
        Frame hijack = Frame.of(MessageType.HELLO, 1, "", Json.encode(new Payloads.Hello("uss-evil",
                "user-signaling-server", "c1", "invm:9999", List.of("vars"), "invm")));
        net.ls.onFrame(hijack, USS_OF_C2);
        Thread.sleep(200);
        assertThat(net.ls.clusters().get("c1")).as("c1 still leads to its own USS").isEqualTo(before);
        assertThat(net.core.metrics().get("frames.unauthorized.HELLO")).isEqualTo(1);
        // the same HELLO from a credential that names c1 is taken
        net.ls.onFrame(hijack, new Peer("c1", Set.of(Peer.USER_SIGNALING_SERVER), Set.of("c1")));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> net.ls.clusters().get("c1").node().equals("uss-evil"));
    }

    @Test
    void aUssCredentialCannotOrderAMigration() throws Exception {
        Frame migrate = new Frame(MessageType.MIGRATE, 0, 77, 50, 0, "m1", Json.encode(new Payloads.Migrate(
                net.uss("c1").address().toString(), "uss-c1", "vars", net.ls.address().toString())));
        net.uss("c2").onFrame(migrate, USS_OF_C2);
        Thread.sleep(300);
        assertThat(net.core.metrics().get("frames.unauthorized.MIGRATE")).isEqualTo(1);
        assertThat(net.network.agent(MobileId.of("m1")).orElseThrow().node().value()).isEqualTo("uss-c1");
        assertThat(net.network.agent(MobileId.of("m1")).orElseThrow().epoch()).isEqualTo(1);
    }

    /**
     * Issue 8 (found by RoguePeerPropertyTest): any USS credential could destroy any mobile's agent with one
     * DEREGISTRATION. Only the USS of the cluster the mobile is in may deregister it now: another USS naming
     * itself is answered with an error, one naming c1's USS is refused by credential; c1's own is obeyed.
     */
    @Test
    void onlyTheUssOfTheMobilesClusterMayDeregisterIt() throws Exception {
        String c1 = net.uss("c1").address().toString();
        String c2 = net.uss("c2").address().toString();
        net.ls.onFrame(Frame.of(MessageType.DEREGISTRATION, 501, "m1", Json.encode(new Payloads.Request(c2))),
                USS_OF_C2);
        net.ls.onFrame(Frame.of(MessageType.DEREGISTRATION, 502, "m1", Json.encode(new Payloads.Request(c1))),
                USS_OF_C2);
        Thread.sleep(300);
        assertThat(m1Lives()).as("m1 after c2's DEREGISTRATIONs").isTrue();
        assertThat(net.core.metrics().get("deregistrations.refused")).isEqualTo(1);
        assertThat(net.core.metrics().get("frames.unauthorized.DEREGISTRATION")).isEqualTo(1);

        net.ls.onFrame(Frame.of(MessageType.DEREGISTRATION, 503, "m1", Json.encode(new Payloads.Request(c1))),
                new Peer("c1", Set.of(Peer.USER_SIGNALING_SERVER), Set.of("c1")));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !m1Lives());
    }

    @Test
    void withAuthenticatedLinksOnlyAPlaintextFrameIsRefused() throws Exception {
        net.core.linksAuthenticated(true);
        net.uss("c1").onFrame(terminate());
        Thread.sleep(200);
        assertThat(m1Lives()).isTrue();
        assertThat(net.core.metrics().get("frames.unauthorized.TERMINATE_AGENT")).isEqualTo(1);
        net.core.linksAuthenticated(false);
        net.uss("c1").onFrame(terminate()); // plaintext accepted again: the setting was the only obstacle
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !m1Lives());
    }
}

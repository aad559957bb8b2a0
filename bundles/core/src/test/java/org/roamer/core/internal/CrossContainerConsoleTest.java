/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.NodeInfo;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.node.CallServer;
import org.roamer.core.internal.node.ConnectionServer;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.node.UssSettings;

/**
 * Two containers on one transport: container A runs the Location Server and clusters c1 and c2, container B
 * only cluster c3 (its USS finds A's Location Server by address). Each console sees and commands the whole
 * network through ADMIN frames; a container that refuses remote administration is named as such.
 */
class CrossContainerConsoleTest {
    private InVmNetwork a;
    private RoamerCore coreB;
    private UserSignalingServer ussB;
    private NetworkService b;
    private final List<String> deliveredB = new CopyOnWriteArrayList<>();

    @BeforeEach
    void twoContainers() throws Exception {
        a = new InVmNetwork(2, 60_000, 3000, 1000);
        a.core.containerName("alpha");
        a.core.adminRemote(true);
        a.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        coreB = new RoamerCore(2, AgentImageCodec.type("org.roamer.core", "1.0.0"));
        coreB.containerName("beta");
        coreB.adminRemote(true);
        coreB.bindStrategy(new ProbeStrategies.Vars("vars"));
        coreB.bindDeliveryListener((m, n, e, s, q) -> deliveredB.add(m.value() + "/" + s + "/" + q + "@" + n));
        UssSettings s = new UssSettings(NodeId.of("uss-c3"), ClusterId.of("c3"), new NodeAddress("invm", 0),
                a.ls.address(), "vars", List.of("vars"), 16, 64 * 1024, 60_000, 60_000, 3000, 1000,
                FrameLimits.DEFAULT, Path.of(System.getProperty("java.io.tmpdir")));
        ussB = new UserSignalingServer(coreB, a.transport, s);
        new CallServer(coreB, NodeId.of("call-c3"), ClusterId.of("c3"));
        new ConnectionServer(coreB, NodeId.of("conn-c3"), ClusterId.of("c3"));
        new RadioPort(coreB, NodeId.of("rp-c3-1"), ClusterId.of("c3"));
        b = new NetworkService(coreB);
        long deadline = System.currentTimeMillis() + 5000;
        while (!ussB.registered() && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertThat(ussB.registered()).as("uss-c3 registered with the LS of container alpha").isTrue();
    }

    @AfterEach
    void close() {
        if (b != null) {
            b.close();
        }
        if (ussB != null) {
            ussB.deactivate();
        }
        if (coreB != null) {
            coreB.close();
        }
        if (a != null) {
            a.network.close();
            a.close();
        }
    }

    @Test
    void eachConsoleListsTheWholeNetworkWithItsContainers() {
        for (NetworkService console : List.of(a.network, b)) {
            Map<String, String> containers = new java.util.TreeMap<>();
            for (NodeInfo n : console.nodes()) {
                containers.put(n.node().value(), n.container());
            }
            assertThat(containers).containsEntry("ls1", "alpha").containsEntry("uss-c1", "alpha")
                    .containsEntry("uss-c2", "alpha").containsEntry("rp-c1-1", "alpha")
                    .containsEntry("uss-c3", "beta").containsEntry("call-c3", "beta").containsEntry("rp-c3-1", "beta");
            assertThat(console.clusters()).extracting(ClusterId::value).containsExactly("c1", "c2", "c3");
        }
    }

    @Test
    void aMobileRegisteredFromOneConsoleMovesAcrossContainersWithItsMessagesInOrder() throws Exception {
        MobileId m = MobileId.of("m1");
        // from alpha's console into beta's cluster: the mobile powers on at beta's radio port
        AgentInfo created = a.network.register(m, ClusterId.of("c3"),
                new Profile(true, Set.of("voice"), Set.of(), null));
        assertThat(created.node().value()).isEqualTo("uss-c3");
        assertThat(b.agents()).extracting(i -> i.mobile().value()).contains("m1");
        assertThat(a.network.agent(m)).get().extracting(i -> i.node().value()).isEqualTo("uss-c3");

        int seq = 0;
        for (String to : List.of("c1", "c3", "c2", "c3")) {
            for (int i = 0; i < 5; i++) {
                a.network.send(m, "s", ++seq, ("x" + seq).getBytes(StandardCharsets.UTF_8));
            }
            // moves typed in beta's console: to alpha's clusters and back
            MoveResult r = b.move(m, ClusterId.of(to));
            assertThat(r.migrated()).as("move to " + to).isTrue();
            assertThat(r.to().value()).isEqualTo(to);
        }
        for (int i = 0; i < 5; i++) {
            a.network.send(m, "s", ++seq, ("x" + seq).getBytes(StandardCharsets.UTF_8));
        }
        List<Long> order = new java.util.ArrayList<>();
        a.deliveriesOf("m1").forEach(d -> order.add(d.seq()));
        List<Long> seenB = deliveredB.stream().filter(d -> d.startsWith("m1/")).map(d -> Long.parseLong(
                d.substring(d.indexOf('/', 3) + 1, d.indexOf('@')))).toList();
        // every message delivered once; within each container in order (the agent alternates containers)
        assertThat(order.size() + seenB.size()).isEqualTo(seq);
        assertThat(order).isSorted();
        assertThat(seenB).isSorted();
        assertThat(b.agent(m)).get().extracting(i -> i.node().value()).isEqualTo("uss-c3");
        assertThat(a.network.agent(m)).get().extracting(AgentInfo::epoch).isEqualTo(b.agent(m).get().epoch());
    }

    /**
     * The link-delay model between containers: a node of another container is in another cluster, so frames to
     * it get the delay between clusters. They went out undelayed before (taken for a Location Server's, of 0 ms).
     */
    @Test
    void theLinkDelayModelDelaysFramesToAnotherContainersNodes() throws Exception {
        MobileId m = MobileId.of("m1");
        b.register(m, ClusterId.of("c3"), Profile.defaults());
        LinkDelays delays = new LinkDelays(Map.of(), 250, 0);
        a.core.linkDelays(delays);
        coreB.linkDelays(delays);
        MoveResult r = a.network.move(m, ClusterId.of("c1"));
        assertThat(r.migrated()).as(r.reason()).isTrue();
        // TRANSFER c1 -> c3, the image c3 -> c1, READY c1 -> c3: three hops between the containers at least
        assertThat(r.micros()).as("MIGRATE -> MIGRATE_DONE, microseconds").isGreaterThanOrEqualTo(750_000);
        assertThat(a.core.metrics().get("link.frames.long.mobility")).isPositive();
    }

    /** roamer:bench in a container of one cluster: its mobiles cross into a cluster of another container. */
    @Test
    void theBenchmarkRunsFromAContainerOfOneCluster() throws Exception {
        var r = new BenchService(coreB, b).run("vars", 20, 2, 1024, null);
        assertThat(r.count()).isEqualTo(20);
        assertThat(r.failed()).isZero();
        assertThat(a.network.agents()).noneMatch(i -> i.mobile().value().startsWith("bench"));
    }

    @Test
    void aCallStartsInTheCallersContainer() throws Exception {
        a.network.register(MobileId.of("m1"), ClusterId.of("c3"), Profile.defaults());
        a.network.register(MobileId.of("m2"), ClusterId.of("c1"), Profile.defaults());
        // typed in alpha's console; m1's radio port is in beta
        var call = a.network.call(MobileId.of("m1"), MobileId.of("m2"), CallType.VOICE);
        assertThat(call.accepted()).as(call.reason()).isTrue();
        assertThat(b.agent(MobileId.of("m1")).orElseThrow().calls()).hasSize(1);
        a.network.hangup(call.callId());
        // the release reaches the agents as CALL_RELEASE frames; until then they list the call, and a second
        // hangup would send the release again (the path for agents restored after their call server's restart)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> b.agent(MobileId.of("m1")).orElseThrow().calls().isEmpty()
                        && a.network.agent(MobileId.of("m2")).orElseThrow().calls().isEmpty());
        assertThatThrownBy(() -> b.hangup(call.callId())).hasMessageContaining("unknown call");
    }

    @Test
    void aPluginIsSwappedOnANodeOfAnotherContainer() throws Exception {
        coreB.bindStrategy(new ProbeStrategies.Vars("image"));
        // alpha's console asks beta which strategies uss-c3 has, and changes its routing and transport choice
        assertThat(a.network.strategies(NodeId.of("uss-c3"))).extracting(i -> i.name()).contains("vars");
        a.network.useRouting(NodeId.of("uss-c3"), "migrate");
        assertThat(a.network.routing(NodeId.of("uss-c3"))).anyMatch(r -> r.active() && r.name().equals("migrate"));
        assertThat(a.network.transports(NodeId.of("uss-c3"))).extracting(i -> i.name()).containsExactly("invm");
        assertThatThrownBy(() -> b.preferStrategy(NodeId.of("uss-c1"), "image"))
                .as("alpha has no 'image' strategy: its console service says so")
                .hasMessageContaining("strategy 'image' is not installed");
        assertThatThrownBy(() -> a.network.strategies(NodeId.of("uss-c9")))
                .hasMessageContaining("unknown USS node 'uss-c9'").hasMessageContaining("uss-c3");
    }

    @Test
    void aContainerWithoutRemoteAdministrationIsNamedAndRefuses() {
        coreB.adminRemote(false);
        NodeInfo c3 = a.network.nodes().stream().filter(n -> n.node().value().equals("uss-c3")).findFirst()
                .orElseThrow();
        assertThat(c3.container()).isEqualTo("beta (no remote administration)");
        assertThatThrownBy(() -> a.network.register(MobileId.of("m9"), ClusterId.of("c3"), Profile.defaults()))
                .isInstanceOf(RoamerException.class).hasMessageContaining("does not allow remote administration");
        assertThat(coreB.metrics().snapshot().counters()).containsEntry("admin.refused", 2L);
    }

    @Test
    void badAdminFramesAreRefusedWithoutHarm() throws Exception {
        Frame garbage = Frame.of(MessageType.ADMIN, 1, "", "{not json".getBytes(StandardCharsets.UTF_8));
        ussB.onFrame(garbage);
        Frame noOp = Frame.of(MessageType.ADMIN, 2, "", "{\"from\":\"invm:1\"}".getBytes(StandardCharsets.UTF_8));
        ussB.onFrame(noOp);
        assertThat(coreB.metrics().snapshot().counters()).containsEntry("frames.bad", 2L);
        RemoteConsole probe = new RemoteConsole(a.core, Map.of());
        try {
            assertThatThrownBy(() -> probe.call(a.uss.get(0), String.valueOf(ussB.address()), "format-disk", Map.of()))
                    .hasMessageContaining("unknown command 'format-disk'").hasMessageContaining("beta");
        } finally {
            probe.close();
        }
        // the console still works
        assertThat(a.network.nodes()).extracting(n -> n.node().value()).contains("uss-c3");
    }

    /**
     * A listing larger than a control frame: the answer went out as an ACK (64 KiB at most), the transport
     * refused it, and the other container's agents were silently left out after a time-out. It is a data frame.
     */
    @Test
    void aContainerWithHundredsOfAgentsListsThemAll() throws Exception {
        int n = 600;
        for (int i = 0; i < n; i++) {
            b.register(MobileId.of("many" + i), ClusterId.of("c3"), Profile.defaults());
        }
        long start = System.nanoTime();
        List<AgentInfo> all = a.network.agents();
        assertThat(all).filteredOn(i -> i.node().value().equals("uss-c3")).hasSize(n);
        assertThat((System.nanoTime() - start) / 1_000_000).as("answered, not timed out").isLessThan(5_000);
    }
}

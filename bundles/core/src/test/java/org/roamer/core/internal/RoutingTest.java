/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RouteInfo;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.RoutingSettings;
import org.roamer.core.internal.node.UserSignalingServer;

/** Anchored-agent routing on the in-VM network: decisions, radio ports, paging, calls, rechecks, fallbacks. */
class RoutingTest {
    static final MobileId M1 = MobileId.of("m1");
    static final MobileId M2 = MobileId.of("m2");
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");
    static final Profile ANY = new Profile(true, Set.of("voice", "video", "data"), Set.of("xserver"), null);

    /** A policy answering what a test sets; counts its calls. */
    static final class Scripted implements RoutingPolicy {
        final String name;
        volatile java.util.function.Function<Crossing, RoutingDecision> rule;
        final java.util.List<Crossing> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

        Scripted(String name, java.util.function.Function<Crossing, RoutingDecision> rule) {
            this.name = name;
            this.rule = rule;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public RoutingDecision decide(Crossing c) {
            asked.add(c);
            return rule.apply(c);
        }
    }

    InVmNetwork net;
    final Scripted anchored = new Scripted("anchored", c -> RoutingDecision.ANCHOR);

    @BeforeEach
    void start() throws Exception {
        net = new InVmNetwork(3, 200, 1000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.core.bindRouting(anchored);
    }

    @AfterEach
    void stop() {
        net.close();
    }

    void route(String cluster, RoutingSettings r) throws Exception {
        UserSignalingServer u = net.uss(cluster);
        u.apply(u.settings(), r);
        await().atMost(Duration.ofSeconds(5)).until(u::registered);
    }

    void use(String cluster, String policy) throws Exception {
        route(cluster, net.uss(cluster).routingSettings().withPolicy(policy));
    }

    RadioPort portOf(MobileId m) {
        String id = net.core.air().portOf(m.value());
        return net.core.directory().radioPorts().stream().filter(p -> p.id().value().equals(id)).findFirst()
                .orElseThrow();
    }

    /**
     * roamer:move --routing: one crossing decided by the policy named, not by the node's own; the node's policy is
     * unchanged for the next crossing. A policy the agent's node does not have is refused with the reason.
     */
    @Test
    void aPolicyNamedForOneMoveDecidesThatCrossingOnly() throws Exception {
        net.network.register(M1, C1, ANY); // uss-c1 routes with migrate
        MoveResult kept = net.network.move(M1, C3, null, "anchored");
        assertThat(kept.anchored()).as(kept.reason()).isTrue();
        assertThat(kept.routing()).isEqualTo("anchored");
        assertThat(net.network.agent(M1).orElseThrow().node()).isEqualTo(NodeId.of("uss-c1"));
        assertThat(anchored.asked).hasSize(1);
        MoveResult followed = net.network.move(M1, C2);
        assertThat(followed.migrated()).as("the node's own policy again: " + followed.reason()).isTrue();
        assertThat(net.network.agent(M1).orElseThrow().node()).isEqualTo(NodeId.of("uss-c2"));

        use("c2", "anchored");
        MoveResult forced = net.network.move(M1, C3, null, "migrate");
        assertThat(forced.migrated()).as(forced.reason()).isTrue();
        assertThat(net.network.agent(M1).orElseThrow().node()).isEqualTo(NodeId.of("uss-c3"));
        assertThat(anchored.asked).as("migrate named: the LS did not ask the anchored node").hasSize(1);

        assertThatThrownBy(() -> net.network.move(M1, C1, null, "nosuch")).isInstanceOf(RoamerException.class)
                .hasMessage("routing policy 'nosuch' is not installed; installed: [anchored, migrate]");
        assertThat(net.network.agent(M1).orElseThrow().node()).isEqualTo(NodeId.of("uss-c3"));
    }

    @Test
    void anAnchoredAgentStaysItsMobilesRadioPortLearnsTheAnchorAndCallsWorkBothWays() throws Exception {
        use("c1", "anchored");
        net.network.register(M1, C1, ANY);
        net.network.register(M2, C2, ANY);
        long epoch = net.network.agent(M1).orElseThrow().epoch();

        MoveResult r = net.network.move(M1, C3);
        assertThat(r.anchored()).isTrue();
        assertThat(r.migrated()).isFalse();
        assertThat(r.ok()).isTrue();
        assertThat(r.routing()).isEqualTo("anchored");
        assertThat(r.agentNode()).isEqualTo(NodeId.of("uss-c1"));
        assertThat(r.radioPortsUpdated()).isEqualTo(1);
        assertThat(r.linksSetUp()).isZero();
        // the anchor's decision time is recorded once, and is the time it took (not a clock reading)
        assertThat(net.core.metrics().snapshot().latencies().get("routing.anchor")).as("routing.anchor latency")
                .satisfies(l -> {
                    assertThat(l.count()).isEqualTo(1);
                    assertThat(l.max()).as("microseconds").isLessThan(10_000_000);
                });
        AgentInfo a = net.network.agent(M1).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c1");
        assertThat(a.epoch()).isEqualTo(epoch);
        assertThat(portOf(M1).cluster()).isEqualTo(C3);
        assertThat(portOf(M1).route(M1.value())).isEqualTo(
                new RadioPort.Route(net.uss("c1").address().toString(), "uss-c1", "datagram"));
        // the other port of c3 was not told (radioport.update = port)
        assertThat(net.core.directory().radioPorts("c3").stream().filter(p -> p.route(M1.value()) != null)).hasSize(1);
        assertThat(anchored.asked).singleElement().satisfies(c -> {
            assertThat(c.agentCluster()).isEqualTo(C1);
            assertThat(c.from()).isEqualTo(C1);
            assertThat(c.to()).isEqualTo(C3);
            assertThat(c.clustersAway()).isEqualTo(1);
            assertThat(c.recheck()).isFalse();
        });

        // incoming: the anchor pages in the paging area c3, through c3's USS
        long remotePages = net.core.metrics().get("pages.remote");
        CallResult in = net.network.call(M2, M1, CallType.VOICE);
        assertThat(in.accepted()).as(in.reason()).isTrue();
        assertThat(in.paged()).isTrue();
        assertThat(in.radioPort()).isEqualTo(portOf(M1).id().value());
        assertThat(net.core.metrics().get("pages.remote")).isEqualTo(remotePages + 1);
        // outgoing: from c3's radio port to the anchor
        CallResult out = net.network.call(M1, M2, CallType.DATA);
        assertThat(out.accepted()).as(out.reason()).isTrue();
        assertThat(net.network.agent(M1).orElseThrow().calls()).hasSize(2);

        RouteInfo route = net.network.route(M1);
        assertThat(route.anchored()).isTrue();
        assertThat(route.agentNode().value()).isEqualTo("uss-c1");
        assertThat(route.mobileCluster()).isEqualTo(C3);
        assertThat(route.routing()).isEqualTo("anchored");
        assertThat(route.callIn()).anySatisfy(h -> assertThat(h).contains("PAGE (paging area c3)"));
        assertThat(route.callOut()).anySatisfy(h -> assertThat(h).contains("datagram routers"));

        // on to c2: still anchored, two clusters away now; the calls survive the crossing
        MoveResult again = net.network.move(M1, C2);
        assertThat(again.anchored()).isTrue();
        assertThat(anchored.asked.get(1).from()).isEqualTo(C3);
        assertThat(anchored.asked.get(1).clustersAway()).isEqualTo(2);
        assertThat(net.network.agent(M1).orElseThrow().calls()).hasSize(2);
        assertThat(net.network.call(M2, M1, CallType.VOICE).radioPort()).isEqualTo(portOf(M1).id().value());

        // home again: no policy asked, nothing anchored, local paging
        MoveResult home = net.network.move(M1, C1);
        assertThat(home.anchored()).isTrue();
        assertThat(home.agentNode().value()).isEqualTo("uss-c1");
        assertThat(anchored.asked).hasSize(2);
        assertThat(net.network.route(M1).anchored()).isFalse();
        long remote = net.core.metrics().get("pages.remote");
        net.network.hangup(in.callId());
        CallResult local = net.network.call(M2, M1, CallType.VOICE);
        assertThat(local.accepted()).as(local.reason()).isTrue();
        assertThat(net.core.metrics().get("pages.remote")).isEqualTo(remote);
        assertThat(net.network.agent(M1).orElseThrow().epoch()).isEqualTo(epoch);
    }

    @Test
    void messagesReachAnAnchoredAgentAndAMigrateDecisionMovesItWithThem() throws Exception {
        use("c1", "anchored");
        net.network.register(M1, C1, ANY);
        net.network.move(M1, C2);
        for (int i = 1; i <= 20; i++) {
            net.network.send(M1, "s", i, new byte[]{1});
        }
        anchored.rule = c -> RoutingDecision.MIGRATE;
        MoveResult r = net.network.move(M1, C3);
        assertThat(r.migrated()).isTrue();
        assertThat(r.anchored()).isFalse();
        assertThat(r.routing()).isEqualTo("anchored");
        assertThat(r.from()).isEqualTo(C2);
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c3");
        for (int i = 21; i <= 40; i++) {
            net.network.send(M1, "s", i, new byte[]{1});
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() >= 40);
        assertThat(net.deliveriesOf("m1")).extracting(InVmNetwork.Delivery::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList());
        // the c2 port forgot nothing it must not: an outgoing call from c3 goes to the local agent
        assertThat(portOf(M1).route(M1.value())).isNull();
        assertThat(net.network.route(M1).anchored()).isFalse();
    }

    @Test
    void theConnectionSchemeSetsALinkUpOncePerAnchorAndCountsIt() throws Exception {
        use("c1", "anchored");
        route("c3", RoutingSettings.parse("migrate", "connection", "cluster", "on-demand"));
        net.network.register(M1, C1, ANY);
        net.network.register(M2, C1, ANY);
        MoveResult first = net.network.move(M1, C3);
        assertThat(first.linksSetUp()).isEqualTo(1);
        assertThat(first.radioPortsUpdated()).isEqualTo(2); // radioport.update = cluster
        MoveResult second = net.network.move(M2, C3);
        assertThat(second.linksSetUp()).isZero();
        assertThat(net.core.metrics().get("links.setup")).isEqualTo(1);
        assertThat(net.uss("c3").linkedAnchors()).containsExactly("uss-c1");
        assertThat(portOf(M2).route(M2.value()).via()).isEqualTo("connection");
        assertThat(net.network.call(M1, M2, CallType.VOICE).accepted()).isTrue();
    }

    @Test
    void aRecheckThatSaysMigrateMakesTheAgentFollowItsMobile() throws Exception {
        Scripted dwell = new Scripted("dwell",
                c -> c.recheck() ? RoutingDecision.MIGRATE : RoutingDecision.anchorAndRecheck(100));
        net.core.bindRouting(dwell);
        use("c1", "dwell");
        net.network.register(M1, C1, ANY);
        MoveResult r = net.network.move(M1, C2);
        assertThat(r.anchored()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> net.network.agent(M1).map(a -> a.node().value()).orElse(""),
                "uss-c2"::equals);
        assertThat(dwell.asked).hasSize(2);
        assertThat(dwell.asked.get(1).recheck()).isTrue();
        assertThat(dwell.asked.get(1).millisInCluster()).isGreaterThanOrEqualTo(100);
        assertThat(net.network.agent(M1).orElseThrow().epoch()).isEqualTo(2);
        assertThat(net.core.metrics().get("routing.followed")).isEqualTo(1);
    }

    @Test
    void aMobileThatMovesOnBeforeTheRecheckIsNotFollowedToWhereItWas() throws Exception {
        Scripted dwell = new Scripted("dwell",
                c -> c.recheck() ? RoutingDecision.MIGRATE : RoutingDecision.anchorAndRecheck(300));
        net.core.bindRouting(dwell);
        use("c1", "dwell");
        net.network.register(M1, C1, ANY);
        net.network.move(M1, C2);
        net.network.move(M1, C1); // home before the recheck: its timer is cancelled
        Thread.sleep(600); // longer than the recheck would have taken; nothing may happen in it
        assertThat(dwell.asked).hasSize(1);
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c1");
    }

    @Test
    void aNodeWhosePolicyIsNotInstalledMigratesAndSaysSo() throws Exception {
        use("c1", "anchored");
        net.network.register(M1, C1, ANY);
        net.core.unbindRouting(anchored);
        await().atMost(Duration.ofSeconds(5)).until(net.uss("c1")::registered);
        assertThat(net.uss("c1").routingName()).isEqualTo("migrate");
        MoveResult r = net.network.move(M1, C2);
        assertThat(r.migrated()).isTrue();
        assertThat(net.network.routing(NodeId.of("uss-c1"))).singleElement()
                .satisfies(i -> assertThat(i.name()).isEqualTo("migrate"));
    }

    @Test
    void aPolicyThatThrowsMigratesAndIsCounted() throws Exception {
        anchored.rule = c -> {
            throw new IllegalStateException("bug in a third-party policy");
        };
        use("c1", "anchored");
        net.network.register(M1, C1, ANY);
        assertThat(net.network.move(M1, C2).migrated()).isTrue();
        assertThat(net.core.metrics().get("routing.policy.failed")).isEqualTo(1);
    }
}

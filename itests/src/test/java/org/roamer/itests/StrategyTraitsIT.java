/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.roamer.api.AgentInfo;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.NodeRole;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;

/**
 * Table 2 with the real strategy bundles: TERN-like and Condor-like cut an agent in the middle of a call
 * negotiation and the negotiation finishes at the target; NAIVE waits for a stable point. And the checkpoint
 * files Condor-like moves leave: only of agents that live on the node, one each.
 */
public class StrategyTraitsIT extends RoamerTestSupport {
    @Inject
    RoamerNetwork network;

    FakeUssPeer far;
    NodeAddress ls;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution(), ephemeralRoamerPorts(), ussProperty("stable.point.timeout.ms", "500"));
    }

    @Before
    public void farAway() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        ls = network.nodes().stream().filter(n -> n.role() == NodeRole.LOCATION_SERVER).findFirst().orElseThrow()
                .address();
        far = new FakeUssPeer(ls, "cx");
    }

    @After
    public void close() throws Exception {
        far.close();
    }

    /** {@code caller} in c1 calls a mobile of the fake cluster, which holds its answer back. */
    CompletableFuture<CallResult> negotiating(MobileId caller, String callee) throws Exception {
        network.register(caller, ClusterId.of("c1"), Profile.defaults());
        far.register(ls, callee, "cx");
        CompletableFuture<CallResult> call = CompletableFuture.supplyAsync(() -> {
            try {
                return network.call(caller, MobileId.of(callee), CallType.VOICE);
            } catch (RoamerException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20))
                .until(() -> network.agent(caller).map(a -> a.status() == AgentStatus.NEGOTIATING).orElse(false));
        return call;
    }

    void cutsMidNegotiation(String strategy, String caller, String callee) throws Exception {
        network.preferStrategy(NodeId.of("uss-c1"), strategy);
        CompletableFuture<CallResult> call = negotiating(MobileId.of(caller), callee);
        Frame offer = far.take(MessageType.CALL_OFFER);
        MoveResult moved = network.move(MobileId.of(caller), ClusterId.of("c2"));
        assertThat(moved.migrated()).as(moved.reason()).isTrue();
        assertThat(moved.strategy()).isEqualTo(strategy);
        AgentInfo there = network.agent(MobileId.of(caller)).orElseThrow();
        assertThat(there.node().value()).isEqualTo("uss-c2");
        assertThat(there.status()).isEqualTo(AgentStatus.NEGOTIATING); // the conversation moved with it
        far.accept(offer); // answered to c1's Call Server; reaches the agent through the stub at c1
        CallResult result = call.get();
        assertThat(result.accepted()).isTrue();
        AgentInfo after = network.agent(MobileId.of(caller)).orElseThrow();
        assertThat(after.node().value()).isEqualTo("uss-c2");
        assertThat(after.status()).isEqualTo(AgentStatus.IN_CALL);
        assertThat(after.calls()).extracting(c -> c.callId()).containsExactly(result.callId());
    }

    @Test
    public void ternCutsMidNegotiationAndTheNegotiationFinishesAtTheTarget() throws Exception {
        cutsMidNegotiation("tern", "tcaller", "tfar");
    }

    @Test
    public void condorCutsMidNegotiationAndTheNegotiationFinishesAtTheTarget() throws Exception {
        cutsMidNegotiation("condor", "ccaller", "cfar");
    }

    /**
     * Mobiles moving back and forth between c1 and c2 by Condor leave on each node exactly one checkpoint file
     * per agent it hosts that arrived by Condor — the one it received, claiming the agent's current epoch —
     * and none of agents that left (by Condor, or by NAIVE) or ended. Checked over every node's directory, so
     * the other tests' mobiles must obey it too.
     */
    @Test
    public void condorMovesLeaveOneCheckpointPerHostedAgentAndNoStaleOnes() throws Exception {
        network.preferStrategy(NodeId.of("uss-c1"), "condor");
        network.preferStrategy(NodeId.of("uss-c2"), "condor");
        List<MobileId> mobiles = List.of(MobileId.of("k1"), MobileId.of("k2"), MobileId.of("k3"), MobileId.of("k4"));
        for (MobileId m : mobiles) {
            network.register(m, ClusterId.of("c1"), Profile.defaults());
        }
        int moves = 40;
        for (int i = 0; i < moves; i++) {
            MobileId m = mobiles.get(i % mobiles.size());
            String to = node(m).equals("uss-c1") ? "c2" : "c1";
            MoveResult r = network.move(m, ClusterId.of(to));
            assertThat(r.migrated()).as(r.reason()).isTrue();
            assertThat(r.strategy()).isEqualTo("condor");
        }
        Map<String, List<String>> files = checkpointsMatchHostedAgents();
        System.out.printf("StrategyTraitsIT: after %d Condor moves of %d mobiles between c1 and c2: %s%n", moves,
                mobiles.size(), files);
        for (MobileId m : mobiles) {
            assertThat(files.get("uss-c1")).as("%s lives on c1 and arrived there by Condor", m)
                    .anyMatch(f -> f.startsWith(m.value() + "-e"));
        }
        assertThat(files.get("uss-c2")).noneMatch(f -> f.startsWith("k"));

        // k1 leaves c1 by NAIVE: c1's checkpoint of k1 goes, none comes; k2 ends
        network.preferStrategy(NodeId.of("uss-c1"), "naive");
        MoveResult naive = network.move(mobiles.get(0), ClusterId.of("c2"));
        assertThat(naive.migrated()).as(naive.reason()).isTrue();
        assertThat(naive.strategy()).isEqualTo("naive");
        network.deregister(mobiles.get(1));
        files = checkpointsMatchHostedAgents();
        System.out.printf("StrategyTraitsIT: after k1 left by NAIVE and k2 ended: %s%n", files);
        assertThat(files.values().stream().flatMap(List::stream))
                .noneMatch(f -> f.startsWith("k1-") || f.startsWith("k2-"))
                .anyMatch(f -> f.startsWith("k3-")).anyMatch(f -> f.startsWith("k4-"));
    }

    String node(MobileId m) {
        return network.agent(m).orElseThrow().node().value();
    }

    /** {@code <mobile>-e<epoch>-m<migration>-<node>.rckp}, for mobile ids without '-' (those of these tests). */
    static final Pattern CHECKPOINT = Pattern.compile("([A-Za-z0-9_.]+)-e(\\d+)-m(\\d+)-(.+)\\.rckp");

    /**
     * Waits until every USS node's Condor checkpoint directory holds only files it wrote of agents it hosts, at
     * most one per agent and claiming the agent's epoch (the sources' hooks run just after the move returned);
     * returns the files by node.
     */
    Map<String, List<String>> checkpointsMatchHostedAgents() {
        Path data = Path.of(System.getProperty("karaf.data"), "roamer");
        Map<String, List<String>> byNode = new TreeMap<>();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            byNode.clear();
            for (String cluster : CLUSTERS) {
                String node = "uss-" + cluster;
                Path dir = data.resolve(node).resolve("checkpoints");
                List<String> names = new ArrayList<>();
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.list(dir)) {
                        s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted()
                                .forEach(names::add);
                    }
                }
                byNode.put(node, names);
                Set<String> mobilesWithFile = new HashSet<>();
                for (String name : names) {
                    Matcher m = CHECKPOINT.matcher(name);
                    assertThat(m.matches()).as("%s: %s is a checkpoint file", node, name).isTrue();
                    assertThat(m.group(4)).as("%s: %s written by this node", node, name).isEqualTo(node);
                    AgentInfo agent = network.agent(MobileId.of(m.group(1))).orElse(null);
                    assertThat(agent).as("%s: %s is of a registered agent", node, name).isNotNull();
                    assertThat(agent.node().value()).as("%s: %s is of an agent living here", node, name)
                            .isEqualTo(node);
                    assertThat(Long.parseLong(m.group(2))).as("%s: %s claims the agent's epoch", node, name)
                            .isEqualTo(agent.epoch());
                    assertThat(mobilesWithFile.add(m.group(1))).as("%s: one file of %s", node, m.group(1)).isTrue();
                }
            }
        });
        return byNode;
    }

    @Test
    public void naiveWaitsForAStablePoint() throws Exception {
        network.preferStrategy(NodeId.of("uss-c1"), "naive");
        MobileId caller = MobileId.of("ncaller");
        CompletableFuture<CallResult> call = negotiating(caller, "nfar");
        Frame offer = far.take(MessageType.CALL_OFFER);
        MoveResult refused = network.move(caller, ClusterId.of("c2"));
        assertThat(refused.migrated()).isFalse();
        assertThat(refused.reason()).contains("no stable point");
        assertThat(network.agent(caller).orElseThrow().node().value()).isEqualTo("uss-c1");
        far.accept(offer);
        assertThat(call.get().accepted()).isTrue();
        MoveResult moved = network.move(caller, ClusterId.of("c2"));
        assertThat(moved.migrated()).as(moved.reason()).isTrue();
        assertThat(moved.strategy()).isEqualTo("naive");
        assertThat(network.agent(caller).orElseThrow().calls()).hasSize(1);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.node.UssSettings;

/** Periodic checkpoints survive a crash of the whole network; agents come back with their state and a new epoch. */
class CrashRecoveryTest {
    @TempDir
    Path work;

    InVmNetwork network(MemoryCheckpointStore store, boolean restoreOnStart) throws Exception {
        return network(store, restoreOnStart, 1);
    }

    InVmNetwork network(MemoryCheckpointStore store, boolean restoreOnStart, long intervalSeconds) throws Exception {
        return new InVmNetwork(2, 200, 1000, 300, AgentImageCodec.type("org.roamer.core", "1.0.0"),
                s -> settings(s, intervalSeconds, restoreOnStart), store);
    }

    UssSettings settings(UssSettings s, long intervalSeconds, boolean restoreOnStart) {
        return new UssSettings(s.id(), s.cluster(), s.listen(), s.locationServer(), s.preferredStrategy(),
                s.strategyOrder(), s.stubMaxMessages(), s.stubMaxBytes(), s.stubIdleMillis(), s.tombstoneMillis(),
                s.migrationTimeoutMillis(), s.stablePointTimeoutMillis(), s.limits(), work.resolve(s.id().value()),
                "condor", intervalSeconds, restoreOnStart);
    }

    List<MobileId> checkpointed(InVmNetwork net, String node) throws Exception {
        return net.network.checkpoints(NodeId.of(node)).stream().map(org.roamer.api.CheckpointSummary::mobile).toList();
    }

    /**
     * A planned stop loses no agent: without periodic checkpoints (interval 0), every USS writes its live agents when
     * it stops, and the next start brings each back where it ran, with its profile, its calls and its count of
     * delivered messages, one epoch higher.
     */
    @Test
    void aPlannedStopCheckpointsEveryLiveAgentAndTheNextStartBringsThemBack() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        List<AgentInfo> before;
        try (InVmNetwork net = network(disk, false, 0)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            for (int i = 0; i < 20; i++) {
                net.network.register(MobileId.of("m" + i), ClusterId.of(i % 2 == 0 ? "c1" : "c2"),
                        new Profile(i % 3 != 0, Set.of("voice"), Set.of(), null));
            }
            assertThat(net.network.move(MobileId.of("m0"), ClusterId.of("c2")).migrated()).isTrue();
            assertThat(net.network.call(MobileId.of("m1"), MobileId.of("m2"), CallType.VOICE).accepted()).isTrue();
            for (int q = 0; q < 5; q++) {
                net.network.send(MobileId.of("m3"), "s", q, new byte[]{1});
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> net.deliveriesOf("m3").size() == 5);
            assertThat(disk.byKey).as("no periodic checkpoints").isEmpty();
            before = net.network.agents();
        }
        assertThat(disk.byKey).as("one checkpoint per agent, written at the stop").hasSize(20);
        try (InVmNetwork net = network(disk, true, 0)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            await().atMost(Duration.ofSeconds(20)).until(() -> net.network.agents().size() == 20);
            List<AgentInfo> after = net.network.agents();
            for (AgentInfo b : before) {
                AgentInfo a = after.stream().filter(x -> x.mobile().equals(b.mobile())).findFirst().orElseThrow();
                assertThat(a.node()).as(b.mobile() + "'s node").isEqualTo(b.node());
                assertThat(a.profile()).isEqualTo(b.profile());
                assertThat(a.calls()).extracting(c -> c.callId()).isEqualTo(b.calls().stream().map(c -> c.callId())
                        .toList());
                assertThat(a.delivered()).isEqualTo(b.delivered());
                assertThat(a.epoch()).isEqualTo(b.epoch() + 1);
            }
            assertThat(
                    after.stream().filter(a -> a.mobile().value().equals("m3")).findFirst().orElseThrow().delivered())
                    .isEqualTo(5);
            // a restored terminal can be paged and called at once (it was "terminal not found" until it moved)
            CallResult call = net.network.call(MobileId.of("m6"), MobileId.of("m7"), CallType.VOICE);
            assertThat(call.accepted()).as(call.reason()).isTrue();
            assertThat(call.paged()).isTrue();
            // the call's record died with the call server; the restored agents still list it, and it can be hung up
            String callId = after.stream().filter(a -> a.mobile().value().equals("m1")).findFirst().orElseThrow()
                    .calls()
                    .get(0).callId();
            net.network.hangup(callId);
            await().atMost(Duration.ofSeconds(10)).until(() -> net.network.agents().stream()
                    .filter(a -> a.mobile().value().equals("m1") || a.mobile().value().equals("m2"))
                    .allMatch(a -> a.calls().isEmpty()));
            MoveResult moved = net.network.move(MobileId.of("m0"), ClusterId.of("c1"));
            assertThat(moved.migrated()).as(moved.reason()).isTrue();
        }
    }

    /** roamer:checkpoints --remove: a stale checkpoint goes; the checkpoint of an agent running there stays. */
    @Test
    void aStaleCheckpointCanBeRemovedButNotTheCheckpointOfARunningAgent() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        MobileId m1 = MobileId.of("m1");
        try (InVmNetwork before = network(disk, false)) {
            before.network.register(m1, ClusterId.of("c1"), Profile.defaults());
            await().atMost(Duration.ofSeconds(10)).until(() -> checkpointed(before, "uss-c1").contains(m1));
        }
        try (InVmNetwork after = network(disk, false)) {
            after.network.register(m1, ClusterId.of("c2"), Profile.defaults()); // powered on again, elsewhere
            await().atMost(Duration.ofSeconds(10)).until(() -> checkpointed(after, "uss-c2").contains(m1));
            assertThatThrownBy(() -> after.network.removeCheckpoint(m1, NodeId.of("uss-c2")))
                    .hasMessageContaining("runs on uss-c2");
            assertThat(checkpointed(after, "uss-c2")).containsExactly(m1);
            assertThat(after.network.removeCheckpoint(m1, NodeId.of("uss-c1")).epoch()).isEqualTo(1);
            assertThat(checkpointed(after, "uss-c1")).isEmpty();
            assertThatThrownBy(() -> after.network.removeCheckpoint(m1, NodeId.of("uss-c1")))
                    .hasMessageContaining("no checkpoint of m1 on uss-c1");
        }
    }

    @Test
    void anAgentLeavingAfterCheckpointingWasTurnedOffStillHasItsCheckpointDeleted() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        MobileId m1 = MobileId.of("m1");
        try (InVmNetwork net = network(disk, false)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            net.network.register(m1, ClusterId.of("c1"), Profile.defaults());
            await().atMost(Duration.ofSeconds(10)).until(() -> checkpointed(net, "uss-c1").contains(m1));
            var c1 = net.uss("c1");
            c1.apply(settings(c1.settings(), 0, false)); // checkpointing off; m1's checkpoint stays meanwhile
            assertThat(checkpointed(net, "uss-c1")).containsExactly(m1);
            assertThat(net.network.move(m1, ClusterId.of("c2")).migrated()).isTrue();
            assertThat(checkpointed(net, "uss-c1")).as("m1 lives on c2 now").isEmpty();
        }
    }

    @Test
    void aRestoredAgentLeavingANodeWithoutCheckpointingTakesItsCheckpointAlong() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        MobileId m1 = MobileId.of("m1");
        try (InVmNetwork before = network(disk, false)) {
            before.network.register(m1, ClusterId.of("c1"), Profile.defaults());
            await().atMost(Duration.ofSeconds(10)).until(() -> checkpointed(before, "uss-c1").contains(m1));
        }
        // the store of this test keeps no files: the directory it would have written is what the node sees
        java.nio.file.Files.createDirectories(work.resolve("uss-c1").resolve("recovery"));
        try (InVmNetwork after = network(disk, false, 0)) {
            after.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            assertThat(after.network.restore(m1, NodeId.of("uss-c1")).epoch()).isEqualTo(2);
            assertThat(after.network.move(m1, ClusterId.of("c2")).migrated()).isTrue();
            assertThat(checkpointed(after, "uss-c1")).as("a stale checkpoint would be restorable a second time")
                    .isEmpty();
        }
    }

    @Test
    void aNodeThatNeverKeptCheckpointsAsksTheStoreNothingWhenAgentsLeave() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        MobileId m1 = MobileId.of("m1");
        try (InVmNetwork net = network(disk, false, 0)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            net.network.register(m1, ClusterId.of("c1"), Profile.defaults());
            for (String c : List.of("c2", "c1", "c2")) {
                assertThat(net.network.move(m1, ClusterId.of(c)).migrated()).isTrue();
            }
            net.network.deregister(m1);
            assertThat(disk.deletes).hasValue(0);
        }
    }

    /**
     * A node that died holding an old checkpoint of an agent that lives on elsewhere (its source died after the
     * commit point) is refused when it restores it, and then deletes that checkpoint: it can never be restored
     * (epochs only grow), so it is not tried again at every start nor listed by roamer:checkpoints.
     */
    @Test
    void aCheckpointRefusedAsStaleIsDeleted() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        MobileId m1 = MobileId.of("m1");
        try (InVmNetwork net = network(disk, false)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            net.network.register(m1, ClusterId.of("c1"), Profile.defaults());
            await().atMost(Duration.ofSeconds(10)).until(() -> checkpointed(net, "uss-c1").contains(m1));
            String key = disk.byKey.keySet().stream().filter(k -> k.endsWith("|m1")).findFirst().orElseThrow();
            CheckpointStore.Checkpoint old = disk.byKey.get(key);
            assertThat(net.network.move(m1, ClusterId.of("c2")).migrated()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !checkpointed(net, "uss-c1").contains(m1));
            disk.byKey.put(key, old); // what a source that died after READY keeps on its disk

            assertThatThrownBy(() -> net.network.restore(m1, NodeId.of("uss-c1"))).hasMessageContaining("is stale");
            assertThat(checkpointed(net, "uss-c1")).doesNotContain(m1);
            assertThat(net.core.metrics().get("checkpoints.stale.deleted")).isEqualTo(1);
            assertThat(net.network.agent(m1).orElseThrow().node().value()).isEqualTo("uss-c2");
        }
    }

    @Test
    void agentsComeBackFromTheirCheckpointsAfterACrash() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        MobileId m1 = MobileId.of("m1");
        MobileId m2 = MobileId.of("m2");
        Profile video = new Profile(true, Set.of("voice", "video"), Set.of("xserver"), null);
        try (InVmNetwork before = network(disk, false)) {
            before.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            before.network.register(m1, ClusterId.of("c1"), video);
            before.network.register(m2, ClusterId.of("c2"), Profile.defaults());
            assertThat(before.network.call(m2, m1, CallType.VOICE).accepted()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> before.core.metrics().get("checkpoints.written") >= 4);
            assertThat(before.network.move(m2, ClusterId.of("c1")).migrated()).isTrue();
            // m2 left c2: its checkpoint there is gone, a new one is written at c1
            await().atMost(Duration.ofSeconds(10)).until(() -> before.network.checkpoints(NodeId.of("uss-c1"))
                    .stream().map(org.roamer.api.CheckpointSummary::mobile).toList().containsAll(List.of(m1, m2)));
            assertThat(before.network.checkpoints(NodeId.of("uss-c2"))).isEmpty();
        } // the crash: every node and the Location Server are gone, the checkpoints stay

        try (InVmNetwork after = network(disk, false)) {
            after.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            assertThat(after.network.agents()).isEmpty();
            assertThat(after.network.checkpoints(NodeId.of("uss-c1")))
                    .extracting(org.roamer.api.CheckpointSummary::mobile)
                    .containsExactlyInAnyOrder(m1, m2);
            AgentInfo back = after.network.restore(m1, NodeId.of("uss-c1"));
            assertThat(back.node().value()).isEqualTo("uss-c1");
            assertThat(back.profile()).isEqualTo(video);
            assertThat(back.calls()).hasSize(1);
            assertThat(back.epoch()).isEqualTo(2); // checkpoint epoch 1, a new epoch from the LS
            assertThatThrownBy(() -> after.network.restore(m1, NodeId.of("uss-c1")))
                    .hasMessageContaining("already runs");
            assertThatThrownBy(() -> after.network.restore(MobileId.of("nobody"), NodeId.of("uss-c1")))
                    .hasMessageContaining("no checkpoint");
            // the restored agent is a full member of the network again
            after.network.send(m1, "s", 0, new byte[0]);
            assertThat(after.network.move(m1, ClusterId.of("c2")).migrated()).isTrue();
            assertThat(after.network.agent(m1).orElseThrow().epoch()).isEqualTo(3);
        }
    }

    @Test
    void restoreOnStartBringsEveryAgentBack() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        try (InVmNetwork before = network(disk, false)) {
            for (int i = 0; i < 10; i++) {
                before.network.register(MobileId.of("r" + i), ClusterId.of("c" + (1 + i % 2)), Profile.defaults());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> before.core.metrics().get("checkpoints.written") >= 10);
        }
        try (InVmNetwork after = network(disk, true)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> after.network.agents().size() == 10);
            assertThat(after.network.agents()).allSatisfy(a -> assertThat(a.epoch()).isEqualTo(2));
        }
    }

    /**
     * A restored call whose peer is gone (its agent was not restored: the Location Server does not know it) is
     * released at the restored agent once the check period has passed; a restored call whose peer came back too
     * stays. Before, such a call kept its agent "in call" for good.
     */
    @Test
    void aRestoredCallWhosePeerIsGoneIsReleased() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        try (InVmNetwork net = network(disk, false, 0)) {
            for (String m : List.of("p1", "p2", "q1", "q2")) {
                net.network.register(MobileId.of(m), ClusterId.of(m.endsWith("1") ? "c1" : "c2"), Profile.defaults());
            }
            assertThat(net.network.call(MobileId.of("p1"), MobileId.of("p2"), CallType.VOICE).accepted()).isTrue();
            assertThat(net.network.call(MobileId.of("q1"), MobileId.of("q2"), CallType.VOICE).accepted()).isTrue();
        }
        assertThat(disk.byKey.keySet().removeIf(k -> k.endsWith("p2"))).as("p2's checkpoint lost").isTrue();
        try (InVmNetwork net = new InVmNetwork(2, 200, 1000, 300, AgentImageCodec.type("org.roamer.core", "1.0.0"),
                s -> withCallCheck(settings(s, 0, true), 300), disk)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> net.network.agents().size() == 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> net.network.agent(MobileId.of("p1")).orElseThrow()
                    .calls().isEmpty());
            assertThat(net.core.metrics().get("calls.released.peer.gone")).isEqualTo(1);
            Thread.sleep(500); // past the check of q1 and q2 too
            assertThat(net.network.agent(MobileId.of("q1")).orElseThrow().calls()).hasSize(1);
            assertThat(net.network.agent(MobileId.of("q2")).orElseThrow().calls()).hasSize(1);
        }
    }

    static UssSettings withCallCheck(UssSettings s, long millis) {
        return new UssSettings(s.id(), s.cluster(), s.listen(), s.locationServer(), s.preferredStrategy(),
                s.strategyOrder(), s.stubMaxMessages(), s.stubMaxBytes(), s.stubIdleMillis(), s.tombstoneMillis(),
                s.migrationTimeoutMillis(), s.stablePointTimeoutMillis(), s.limits(), s.workDirectory(),
                s.checkpointStore(), s.checkpointSeconds(), s.restoreOnStart(), millis);
    }

    /**
     * The checkpoint store's bundle may start after the USS (Karaf's boot order is not fixed): the restore on start
     * waits for the store instead of giving up ("no restore on start: no checkpoint store 'condor' is installed",
     * and every checkpointed agent stayed on disk).
     */
    @Test
    void restoreOnStartWaitsForACheckpointStoreBoundLater() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        try (InVmNetwork before = network(disk, false, 0)) {
            for (int i = 0; i < 4; i++) {
                before.network.register(MobileId.of("w" + i), ClusterId.of("c" + (1 + i % 2)), Profile.defaults());
            }
        }
        assertThat(disk.byKey).hasSize(4);
        try (InVmNetwork after = new InVmNetwork(2, 200, 1000, 300, AgentImageCodec.type("org.roamer.core", "1.0.0"),
                s -> settings(s, 0, true), null)) {
            Thread.sleep(300); // registered with the LS, restore on start tried, no store
            assertThat(after.network.agents()).isEmpty();
            after.core.bindCheckpointStore(disk);
            await().atMost(Duration.ofSeconds(10)).until(() -> after.network.agents().size() == 4);
            assertThat(after.network.agents()).allSatisfy(a -> assertThat(a.epoch()).isEqualTo(2));
        }
    }

    /**
     * An agent that arrived (or was created) on a node just before the node crashed had no checkpoint anywhere
     * (the source forgets its own at the commit point; the periodic checkpoint had not run yet) and was lost
     * for good (found by NetworkNemesisIT). The target now writes one before READY, and a new agent at once.
     */
    @Test
    void anAgentThatArrivedOrWasCreatedJustBeforeACrashComesBack() throws Exception {
        MemoryCheckpointStore disk = new MemoryCheckpointStore();
        MobileId m1 = MobileId.of("m1");
        MobileId m2 = MobileId.of("m2");
        try (InVmNetwork before = network(disk, false, 3600)) { // no periodic checkpoint within the test
            before.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            before.network.register(m1, ClusterId.of("c1"), Profile.defaults());
            assertThat(before.network.move(m1, ClusterId.of("c2")).migrated()).isTrue();
            before.network.register(m2, ClusterId.of("c1"), Profile.defaults());
        } // the crash, right after
        try (InVmNetwork after = network(disk, false)) {
            after.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            assertThat(after.network.restore(m1, NodeId.of("uss-c2")).epoch()).isEqualTo(3);
            assertThat(after.network.restore(m2, NodeId.of("uss-c1")).epoch()).isEqualTo(2);
            assertThat(after.network.checkpoints(NodeId.of("uss-c1")))
                    .extracting(org.roamer.api.CheckpointSummary::mobile)
                    .containsExactly(m2);
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.directory.MobileRecord;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.directory.MemoryDirectory;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.node.UssSettings;

/**
 * A directory record whose highest epoch is at the top of the range (a corrupt or forged record: epochs go up by
 * one per agent and move) made the next move hand out an epoch that wrapped to a negative number. The Location
 * Server now refuses the move and says why; the agent keeps its epoch.
 */
class EpochBoundTest {
    @Test
    void aMoveIsRefusedRatherThanItsEpochWrapping() throws Exception {
        RoamerCore core = new RoamerCore(2, AgentImageCodec.type("org.roamer.core", "1.0.0"));
        core.bindStrategy(new ProbeStrategies.Vars("vars"));
        InVmTransport transport = new InVmTransport();
        MemoryDirectory directory = new MemoryDirectory();
        LocationServer ls = new LocationServer(core, transport, NodeId.of("ls1"), new NodeAddress("invm", 0), 2000,
                1000,
                directory);
        List<UserSignalingServer> uss = new java.util.ArrayList<>();
        for (String c : List.of("c1", "c2")) {
            uss.add(new UserSignalingServer(core, transport, new UssSettings(NodeId.of("uss-" + c), ClusterId.of(c),
                    new NodeAddress("invm", 0), ls.address(), "vars", List.of("vars"), 16, 64 * 1024, 60_000, 60_000,
                    1000, 500, FrameLimits.DEFAULT, Path.of(System.getProperty("java.io.tmpdir")))));
            new RadioPort(core, NodeId.of("rp-" + c + "-1"), ClusterId.of(c));
        }
        NetworkService network = new NetworkService(core);
        try {
            long deadline = System.currentTimeMillis() + 5000;
            while (uss.stream().anyMatch(u -> !u.registered()) && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            MobileId m1 = MobileId.of("m1");
            network.register(m1, ClusterId.of("c1"), Profile.defaults());
            MobileRecord now = directory.get("m1").toCompletableFuture().get().orElseThrow();
            MobileRecord corrupt = new MobileRecord("m1", now.cluster(), now.agentCluster(), now.node(), now.addr(),
                    now.epoch(), Long.MAX_VALUE, null, 0, now.version());
            assertThat(directory.put(corrupt).toCompletableFuture().get()).isPresent();

            assertThatThrownBy(() -> network.move(m1, ClusterId.of("c2"))).hasMessageContaining("no epoch left");
            assertThat(network.agent(m1).orElseThrow().epoch()).isEqualTo(1);
            assertThat(network.agent(m1).orElseThrow().node().value()).isEqualTo("uss-c1");
        } finally {
            network.close();
            uss.forEach(UserSignalingServer::deactivate);
            ls.deactivate();
            core.close();
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.AgentInfo;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.directory.MemoryDirectory;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.node.UssSettings;

/**
 * Two Location Servers serving one directory (the memory directory standing in for a replicated one): the
 * USS nodes say HELLO to both and use the first; when it dies they fail over to the second, which has every
 * mobile from the directory. Moves go on with epochs that never go back, every message sent arrives once
 * and in order, and no mobile gets a second agent.
 */
class LocationServerFailoverTest {
    private RoamerCore core;
    private LocationServer ls1;
    private LocationServer ls2;
    private final List<UserSignalingServer> uss = new ArrayList<>();
    private NetworkService network;
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        if (network != null) {
            network.close();
        }
        uss.forEach(UserSignalingServer::deactivate);
        if (ls2 != null) {
            ls2.deactivate();
        }
        if (ls1 != null) {
            ls1.deactivate();
        }
        if (core != null) {
            core.close();
        }
    }

    @Test
    void theUssNodesFailOverToTheSecondLocationServerAndNothingIsLost() throws Exception {
        core = new RoamerCore(2, AgentImageCodec.type("org.roamer.core", "1.0.0"));
        core.bindStrategy(new ProbeStrategies.Vars("vars"));
        core.bindDeliveryListener((m, n, e, s, q) -> delivered.add(m.value() + "/" + q));
        InVmTransport transport = new InVmTransport();
        MemoryDirectory directory = new MemoryDirectory();
        ls1 = new LocationServer(core, transport, NodeId.of("ls1"), new NodeAddress("invm", 0), 3000, 3000, directory);
        ls2 = new LocationServer(core, transport, NodeId.of("ls2"), new NodeAddress("invm", 0), 3000, 3000, directory);
        for (String c : List.of("c1", "c2", "c3")) {
            UssSettings s = new UssSettings(NodeId.of("uss-" + c), ClusterId.of(c), new NodeAddress("invm", 0),
                    ls1.address(), "vars", List.of("vars"), 64, 64 * 1024, 60_000, 60_000, 3000, 1000,
                    FrameLimits.DEFAULT, Path.of(System.getProperty("java.io.tmpdir")));
            UserSignalingServer u = new UserSignalingServer(core, transport, s);
            u.locationServers(List.of(ls1.address(), ls2.address()));
            uss.add(u);
            new RadioPort(core, NodeId.of("rp-" + c + "-1"), ClusterId.of(c));
        }
        network = new NetworkService(core);
        long deadline = System.currentTimeMillis() + 5000;
        while (uss.stream().anyMatch(u -> !u.registered()) || ls2.clusters().size() < 3) {
            assertThat(System.currentTimeMillis()).as("HELLO to both Location Servers").isLessThan(deadline);
            Thread.sleep(10);
        }

        int mobiles = 20;
        Map<String, Long> epochs = new HashMap<>();
        int sent = 0;
        for (int i = 0; i < mobiles; i++) {
            MobileId m = MobileId.of("m" + i);
            network.register(m, ClusterId.of("c" + (1 + i % 3)), Profile.defaults());
            network.move(m, ClusterId.of("c" + (1 + (i + 1) % 3)));
            network.send(m, "s", 1, "a".getBytes(StandardCharsets.UTF_8));
            sent++;
            epochs.put(m.value(), network.agent(m).orElseThrow().epoch());
        }
        assertThat(ls1.mobileCount()).isEqualTo(mobiles);

        ls1.deactivate(); // the LS in use dies
        ls1 = null;
        long killed = System.nanoTime();
        MoveResult first = null;
        while (first == null) {
            try {
                first = network.move(MobileId.of("m0"), ClusterId.of("c3"));
            } catch (RoamerException e) {
                assertThat((System.nanoTime() - killed) / 1_000_000).as("failover within 20 s: " + e.getMessage())
                        .isLessThan(20_000);
                Thread.sleep(100);
            }
        }
        long failoverMs = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf("first move through ls2 %d ms after ls1 stopped%n", failoverMs);
        assertThat(first.migrated()).isTrue();
        assertThat(uss).allMatch(u -> u.locationServerAddress().equals(ls2.address()));

        for (int i = 0; i < mobiles; i++) {
            MobileId m = MobileId.of("m" + i);
            network.send(m, "s", 2, "b".getBytes(StandardCharsets.UTF_8));
            sent++;
            if (i != 0) {
                network.move(m, ClusterId.of("c" + (1 + (i + 2) % 3)));
            }
            network.send(m, "s", 3, "c".getBytes(StandardCharsets.UTF_8));
            sent++;
            AgentInfo a = network.agent(m).orElseThrow();
            assertThat(a.epoch()).as(m + "'s epoch goes on").isGreaterThan(epochs.get(m.value()));
        }
        List<AgentInfo> agents = network.agents();
        assertThat(agents).hasSize(mobiles);
        assertThat(agents.stream().map(AgentInfo::mobile).distinct()).hasSize(mobiles);
        assertThat(ls2.mobileCount()).isEqualTo(mobiles);
        assertThat(delivered).hasSize(sent);
        for (int i = 0; i < mobiles; i++) {
            String m = "m" + i;
            assertThat(delivered.stream().filter(d -> d.startsWith(m + "/")).toList())
                    .containsExactly(m + "/1", m + "/2", m + "/3");
        }
        assertThat(core.metrics().snapshot().counters().get("ls.failover")).isEqualTo(3L);
    }
}

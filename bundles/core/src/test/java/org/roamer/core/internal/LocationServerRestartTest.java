/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.core.internal.node.LocationServer;

/**
 * A restarted Location Server (its directory was in memory) learns the network again: the USS nodes notice
 * its new incarnation from their keep-alive HELLO and announce their agents with their epochs; moves work
 * again and epochs go on from where they were (issue 7).
 */
class LocationServerRestartTest {
    static final MobileId M1 = MobileId.of("m1");
    static final MobileId M2 = MobileId.of("m2");

    InVmNetwork net;
    LocationServer restarted;

    @BeforeEach
    void start() throws Exception {
        net = new InVmNetwork(3, 200, 1000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
    }

    @AfterEach
    void stop() {
        if (restarted != null) {
            restarted.deactivate();
        }
        net.close();
    }

    @Test
    void theUssNodesAnnounceTheirAgentsAgainAndEpochsGoOn() throws Exception {
        net.network.register(M1, ClusterId.of("c1"), Profile.defaults());
        assertThat(net.network.move(M1, ClusterId.of("c2")).epoch()).isEqualTo(2);
        net.network.register(M2, ClusterId.of("c3"), Profile.defaults());

        NodeAddress at = net.ls.address();
        net.ls.deactivate();
        restarted = new LocationServer(net.core, net.transport, NodeId.of("ls1"), at, 5000, 5000);

        // within a keep-alive period or two the new LS knows every cluster and agent again
        await().atMost(Duration.ofSeconds(10)).until(() -> net.core.metrics().get("reannounce.ok") >= 2);
        assertThat(net.core.metrics().get("ls.restart.seen")).isEqualTo(3);
        assertThat(net.network.route(M1).agentNode().value()).isEqualTo("uss-c2");
        MoveResult r = net.network.move(M1, ClusterId.of("c3"));
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(r.epoch()).as("epochs never go backwards").isEqualTo(3);
        assertThat(net.network.move(M2, ClusterId.of("c1")).epoch()).isEqualTo(2);
        net.network.send(M1, "s", 0, new byte[]{1});
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() == 1);
        assertThat(net.deliveriesOf("m1").get(0).node()).isEqualTo("uss-c3");
    }
}

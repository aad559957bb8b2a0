/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeInfo;
import org.roamer.api.Profile;

/**
 * A USS of this container that stops (its configuration deleted) leaves the network's listing and its cluster at
 * once; before, its Location Server kept the record of its HELLO and the console listed it as a node of another
 * container that does not answer ({@code ? (not answering)}), found by the OSGi component tests. And a registration
 * right after a USS started waits for its Location Server to know it (RoutingIT failed once on CI with "unknown
 * cluster 'c1'": the test ran while the nodes were still starting).
 */
class NodeRemovalTest {
    private InVmNetwork net;

    @BeforeEach
    void network() throws Exception {
        net = new InVmNetwork(3, 60_000, 10_000, 300);
    }

    @AfterEach
    void close() {
        net.close();
    }

    @Test
    void aStoppedUssLeavesTheListingAndItsClusterAndComesBackWithItsHello() throws Exception {
        net.uss("c3").deactivate();
        net.uss.removeIf(u -> u.cluster().value().equals("c3"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(net.network.nodes()).extracting(n -> n.node().value()).doesNotContain("uss-c3");
            assertThat(net.network.clusters()).doesNotContain(ClusterId.of("c3"));
            assertThat(net.ls.clusters()).doesNotContainKey("c3");
        });
        assertThat(net.network.nodes()).extracting(NodeInfo::container).doesNotContain("? (not answering)");
        assertThatThrownBy(() -> net.network.register(MobileId.of("m1"), ClusterId.of("c3"), Profile.defaults()))
                .hasMessageContaining("c3");

        // registered at once, as the console would right after the node started: the registration waits for the
        // node's HELLO to be answered (it failed with "unknown cluster 'c3'" before)
        net.addCluster("c3", net.transport, 60_000, 10_000, 300);
        assertThat(net.network.register(MobileId.of("m1"), ClusterId.of("c3"), Profile.defaults()).node().value())
                .isEqualTo("uss-c3");
    }
}

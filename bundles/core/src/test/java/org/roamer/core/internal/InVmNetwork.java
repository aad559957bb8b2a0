/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.roamer.api.ClusterId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.transport.Transport;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.node.CallServer;
import org.roamer.core.internal.node.ConnectionServer;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.node.UssSettings;

/** A whole network in one JVM on the in-VM transport: one LS, clusters c1..cN with all roles. */
final class InVmNetwork implements AutoCloseable {
    /** One delivery seen by the listener. */
    record Delivery(String mobile, String node, long epoch, String sender, long seq) {
    }

    final RoamerCore core;
    final InVmTransport transport = new InVmTransport();
    final LocationServer ls;
    final List<UserSignalingServer> uss = new ArrayList<>();
    final NetworkService network;
    /** {@code roamer:bench} on this network. */
    final BenchService bench;
    /** Every delivery, in order; synchronized (a copy-on-write list would copy it on every one of thousands). */
    final List<Delivery> deliveries = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, Object> extra = new ConcurrentHashMap<>();

    InVmNetwork(int clusters, long stubIdleMillis, long migrationTimeoutMillis, long stablePointMillis)
            throws Exception {
        this(clusters, stubIdleMillis, migrationTimeoutMillis, stablePointMillis,
                AgentImageCodec.type("org.roamer.core", "1.0.0"));
    }

    InVmNetwork(int clusters, long stubIdleMillis, long migrationTimeoutMillis, long stablePointMillis,
            AgentType type) throws Exception {
        this(clusters, stubIdleMillis, migrationTimeoutMillis, stablePointMillis, type, s -> s, null);
    }

    private final java.util.function.UnaryOperator<UssSettings> tweak;

    InVmNetwork(int clusters, long stubIdleMillis, long migrationTimeoutMillis, long stablePointMillis,
            AgentType type, java.util.function.UnaryOperator<UssSettings> tweak,
            org.roamer.api.spi.migration.CheckpointStore store) throws Exception {
        this.tweak = tweak;
        core = new RoamerCore(2, type);
        if (store != null) {
            core.bindCheckpointStore(store);
        }
        core.bindDeliveryListener((m, n, e, s, q) -> deliveries.add(new Delivery(m.value(), n.value(), e, s, q)));
        ls = new LocationServer(core, transport, NodeId.of("ls1"), new NodeAddress("invm", 0), 5000, 5000);
        for (int i = 1; i <= clusters; i++) {
            addCluster("c" + i, transport, stubIdleMillis, migrationTimeoutMillis, stablePointMillis);
        }
        network = new NetworkService(core);
        bench = new BenchService(core, network);
        long deadline = System.currentTimeMillis() + 5000;
        while (uss.stream().anyMatch(u -> !u.registered())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("USS nodes did not register with the LS");
            }
            Thread.sleep(5);
        }
    }

    UserSignalingServer addCluster(String c, Transport t, long idle, long timeout, long stable) throws Exception {
        UssSettings s = new UssSettings(NodeId.of("uss-" + c), ClusterId.of(c), new NodeAddress("invm", 0), null,
                "vars", List.of("vars", "image"), 16, 64 * 1024, idle, 60_000, timeout, stable, FrameLimits.DEFAULT,
                Path.of(System.getProperty("java.io.tmpdir")));
        UserSignalingServer u = new UserSignalingServer(core, t, tweak.apply(s));
        uss.add(u);
        new CallServer(core, NodeId.of("call-" + c), ClusterId.of(c));
        new ConnectionServer(core, NodeId.of("conn-" + c), ClusterId.of(c));
        new RadioPort(core, NodeId.of("rp-" + c + "-1"), ClusterId.of(c));
        new RadioPort(core, NodeId.of("rp-" + c + "-2"), ClusterId.of(c));
        return u;
    }

    UserSignalingServer uss(String cluster) {
        return core.directory().uss(cluster);
    }

    List<Delivery> deliveriesOf(String mobile) {
        synchronized (deliveries) {
            return deliveries.stream().filter(d -> d.mobile().equals(mobile)).toList();
        }
    }

    @Override
    public void close() {
        for (UserSignalingServer u : uss) {
            u.deactivate();
        }
        ls.deactivate();
        core.close();
    }
}

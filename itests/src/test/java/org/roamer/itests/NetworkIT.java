/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.ServiceRegistration;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;

/**
 * The default network of the distribution, driven through {@link RoamerNetwork} and raw sockets: USS
 * nodes talk over real loopback TCP here.
 */
public class NetworkIT extends RoamerTestSupport {
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");

    @Inject
    RoamerNetwork network;

    record Delivery(String mobile, String node, long epoch, String sender, long seq) {
    }

    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    ServiceRegistration<DeliveryListener> listener;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution(), ephemeralRoamerPorts(),
                mavenBundle("org.assertj", "assertj-core",
                        System.getProperty("roamer.itest.assertj.version", "3.27.7")),
                ussProperty("stub.idle.timeout.ms", "300"), ussProperty("migration.timeout.ms", "1500"));
    }

    @Before
    public void listen() {
        listener = bundleContext.registerService(DeliveryListener.class,
                (m, n, e, s, q) -> deliveries.add(new Delivery(m.value(), n.value(), e, s, q)), null);
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS)
                && network.nodes().stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER)
                        .map(n -> n.node().value()).toList().containsAll(DEFAULT_USS));
    }

    @After
    public void unlisten() {
        listener.unregister();
    }

    List<Long> seqs(String mobile, String sender) {
        return deliveries.stream().filter(d -> d.mobile().equals(mobile) && d.sender().equals(sender))
                .map(Delivery::seq).toList();
    }

    NodeAddress ussAddress(String cluster) {
        return network.nodes().stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER
                && n.cluster().value().equals(cluster)).findFirst().orElseThrow().address();
    }

    @Test
    public void registrationAndPowerDown() throws Exception {
        MobileId m = MobileId.of("reg1");
        AgentInfo a = network.register(m, C1, new Profile(true, Set.of("voice", "video"), Set.of("xserver"), null));
        assertThat(a.node().value()).isEqualTo("uss-c1");
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(network.agent(m)).isPresent();
        assertThatThrownBy(() -> network.register(m, C2, Profile.defaults())).isInstanceOf(RoamerException.class)
                .hasMessageContaining("already registered");
        network.deregister(m);
        assertThat(network.agent(m)).isEmpty();
        assertThatThrownBy(() -> network.deregister(m)).hasMessageContaining("unknown mobile");
    }

    @Test
    public void acceptedCallPagesAndRejectedCallPagesNobody() throws Exception {
        MobileId a = MobileId.of("callA");
        MobileId b = MobileId.of("callB");
        MobileId shy = MobileId.of("callShy");
        network.register(a, C1, Profile.defaults());
        network.register(b, C2, Profile.defaults());
        network.register(shy, C3, new Profile(false, Set.of("voice"), Set.of(), null));

        long pagesBefore = network.stats().counters().getOrDefault("pages", 0L);
        CallResult rejected = network.call(a, shy, CallType.VOICE);
        assertThat(rejected.accepted()).isFalse();
        assertThat(rejected.paged()).isFalse();
        assertThat(network.stats().counters().getOrDefault("pages", 0L)).isEqualTo(pagesBefore);

        CallResult accepted = network.call(a, b, CallType.VOICE);
        assertThat(accepted.accepted()).isTrue();
        assertThat(accepted.paged()).isTrue();
        assertThat(accepted.radioPort()).startsWith("rp-c2-");
        assertThat(network.stats().counters().get("pages")).isEqualTo(pagesBefore + 1);
        assertThat(network.agent(b).orElseThrow().calls()).hasSize(1);
        network.hangup(accepted.callId());
        await().atMost(Duration.ofSeconds(10)).until(() -> network.agent(b).orElseThrow().calls().isEmpty());
    }

    @Test
    public void moveUnderAStreamOfMessagesAndACallOffer() throws Exception {
        MobileId m = MobileId.of("mover");
        MobileId caller = MobileId.of("moverCaller");
        network.register(m, C1, Profile.defaults());
        network.register(caller, C2, Profile.defaults());
        int n = 2000;
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    network.send(m, "stream", i, new byte[]{(byte) i});
                }
            } catch (RoamerException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("mover", "stream").size() > 100);
        CompletableFuture<CallResult> call = CompletableFuture.supplyAsync(() -> {
            try {
                return network.call(caller, m, CallType.VOICE);
            } catch (RoamerException e) {
                throw new IllegalStateException(e);
            }
        });
        MoveResult moved = network.move(m, C3);
        assertThat(moved.migrated()).as(moved.reason()).isTrue();
        assertThat(moved.strategy()).isEqualTo("naive");
        assertThat(moved.epoch()).isEqualTo(2);
        stream.get();
        assertThat(call.get().accepted()).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("mover", "stream").size() >= n);
        List<Long> got = seqs("mover", "stream");
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i)).isEqualTo(i);
        }
        AgentInfo at = network.agent(m).orElseThrow();
        assertThat(at.node().value()).isEqualTo("uss-c3");
        assertThat(at.epoch()).isEqualTo(2);
        assertThat(at.calls()).hasSize(1);
        assertThat(network.agents().stream().filter(x -> x.mobile().equals(m))).hasSize(1);

        // the stub at c1 goes idle and becomes a tombstone; a late message is redirected, not lost
        long expiredBefore = network.stats().counters().getOrDefault("stub.expired", 0L);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> network.stats().counters().getOrDefault("stub.expired", 0L) > expiredBefore);
        long redirected = network.stats().counters().getOrDefault("stub.redirected", 0L);
        network.send(m, "stream", n, new byte[0]);
        assertThat(network.stats().counters().get("stub.redirected")).isEqualTo(redirected + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("mover", "stream").size() == n + 1);
        Delivery late = deliveries.stream().filter(d -> d.mobile().equals("mover") && d.seq() == n).findFirst()
                .orElseThrow();
        assertThat(late.node()).isEqualTo("uss-c3");
        assertThat(late.epoch()).isEqualTo(2);
    }

    @Test
    public void duplicateMigrateIsHarmless() throws Exception {
        MobileId m = MobileId.of("dup");
        network.register(m, C1, Profile.defaults());
        assertThat(network.move(m, C2).migrated()).isTrue();
        long dupBefore = network.stats().counters().getOrDefault("migrate.duplicate", 0L);
        String migrate = "{\"source\":\"" + ussAddress("c1") + "\",\"sourceNode\":\"uss-c1\",\"from\":\""
                + ussAddress("c1") + "\"}";
        Wire.send(ussAddress("c2"), Wire.json(MessageType.MIGRATE, 77, 2, "dup", migrate));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> network.stats().counters().getOrDefault("migrate.duplicate", 0L) == dupBefore + 1);
        AgentInfo a = network.agent(m).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c2");
        assertThat(a.epoch()).isEqualTo(2);
        assertThat(network.agents().stream().filter(x -> x.mobile().equals(m))).hasSize(1);
        assertThat(network.move(m, C3).migrated()).isTrue();
    }

    @Test
    public void targetUnreachableMidMigrationRollsBackWithTheMessages() throws Exception {
        MobileId m = MobileId.of("rollback");
        network.register(m, C1, Profile.defaults());
        long rolledBack = network.stats().counters().getOrDefault("migrations.rolledback", 0L);
        try (ServerSocket fakeTarget = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String target = "127.0.0.1:" + fakeTarget.getLocalPort();
            // as a target USS would: ask the source for the agent, with a valid, higher epoch
            Wire.send(ussAddress("c1"), Wire.json(MessageType.TRANSFER, 99, 5, "rollback", "{\"target\":\"" + target
                    + "\",\"targetNode\":\"uss-fake\",\"targetCluster\":\"cx\",\"strategies\":[\"naive\"]}"));
            try (Socket s = fakeTarget.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                Frame data = Wire.read(in);
                assertThat(data.type()).isEqualTo(MessageType.TRANSFER_DATA);
                assertThat(data.has(Frame.LAST)).isTrue();
                // the first chunk names the negotiated strategy: [u8 n]["naive"][chunk]
                assertThat(data.payload()[0]).isEqualTo((byte) 5);
                assertThat(new String(data.payload(), 1, 5, java.nio.charset.StandardCharsets.US_ASCII))
                        .isEqualTo("naive");
                // the agent is stopped and its stub buffers: these messages must not be lost
                for (int i = 0; i < 20; i++) {
                    network.send(m, "during", i, new byte[0]);
                }
                assertThat(seqs("rollback", "during")).isEmpty();
            } // the fake target dies without READY
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("rollback", "during").size() == 20);
        assertThat(seqs("rollback", "during")).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 20).boxed().toList());
        assertThat(network.stats().counters().get("migrations.rolledback")).isEqualTo(rolledBack + 1);
        AgentInfo a = network.agent(m).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c1");
        assertThat(deliveries.stream().filter(d -> d.mobile().equals("rollback")).map(Delivery::node))
                .containsOnly("uss-c1");
    }

    @Test
    public void garbageOnAUssPortIsCountedAndTheNodeKeepsServing() throws Exception {
        MobileId m = MobileId.of("garbage");
        network.register(m, C1, Profile.defaults());
        long bad = network.stats().counters().getOrDefault("transport.bad.frames", 0L);
        try (Socket s = Wire.connect(ussAddress("c1"))) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: roamer\r\n\r\n".getBytes());
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> network.stats().counters().getOrDefault("transport.bad.frames", 0L) > bad);
        }
        try (Socket s = Wire.connect(ussAddress("c1"))) {
            // a header that claims a 2 GB payload
            byte[] h = new byte[36];
            h[0] = 0x52;
            h[1] = 0x4D;
            h[2] = 1;
            h[3] = 15;
            h[32] = 0x7F;
            h[33] = (byte) 0xFF;
            h[34] = (byte) 0xFF;
            h[35] = (byte) 0xFF;
            s.getOutputStream().write(h);
            s.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> network.stats().counters().getOrDefault("transport.bad.frames", 0L) > bad + 1);
        }
        network.send(m, "after", 0, new byte[0]);
        assertThat(network.move(m, C2).migrated()).isTrue();
        assertThat(seqs("garbage", "after")).containsExactly(0L);
    }

    @Test
    public void nodesAreListedWithTheirRoles() {
        List<NodeInfo> nodes = network.nodes();
        assertThat(nodes).filteredOn(n -> n.role() == NodeRole.LOCATION_SERVER).hasSize(1);
        assertThat(nodes).filteredOn(n -> n.role() == NodeRole.USER_SIGNALING_SERVER)
                .extracting(n -> n.node().value()).containsExactly("uss-c1", "uss-c2", "uss-c3");
        assertThat(nodes).filteredOn(n -> n.role() == NodeRole.RADIO_PORT).hasSize(6);
        assertThat(nodes).filteredOn(n -> n.role() == NodeRole.USER_SIGNALING_SERVER)
                .allSatisfy(n -> assertThat(n.transport()).isEqualTo("tcp"));
    }
}

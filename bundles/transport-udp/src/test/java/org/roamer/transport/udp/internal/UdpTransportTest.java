/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.api.spi.transport.TransportStats;

/** The udp transport over real sockets on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against hangs, not a performance assertion
class UdpTransportTest {
    private static final NodeAddress ANY_LOOPBACK_PORT = new NodeAddress("127.0.0.1", 0);

    private final UdpTransport transport = new UdpTransport(UdpSettings.DEFAULTS);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        transport.deactivate();
    }

    private Endpoint bind(RecordingHandler handler) throws TransportException {
        return bind(transport, handler);
    }

    private Endpoint bind(UdpTransport t, RecordingHandler handler) throws TransportException {
        Endpoint e = t.bind(ANY_LOOPBACK_PORT, FrameLimits.DEFAULT, handler);
        toClose.add(e);
        return e;
    }

    private static Frame frame(long corr, long seq, String payload) {
        return new Frame(MessageType.AGENT_MESSAGE, 0, corr, 7, seq, "m-" + corr,
                payload.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertStillServes(Endpoint server, RecordingHandler handler, UdpTransport t) throws Exception {
        int before = handler.frames.size();
        Endpoint probe = t.bind(ANY_LOOPBACK_PORT, FrameLimits.DEFAULT, new RecordingHandler());
        try {
            probe.send(server.localAddress(), frame(42, 0, "still there?"));
            await().until(() -> handler.frames.size() == before + 1);
        } finally {
            probe.close();
        }
    }

    @Test
    void the_component_is_registered_as_the_udp_transport() throws Exception {
        assertThat(transport.name()).isEqualTo("udp");
        // the DS descriptor bnd generated from the annotations (target/classes/OSGI-INF)
        try (var in = UdpTransport.class.getResourceAsStream("/OSGI-INF/" + UdpTransport.class.getName() + ".xml")) {
            assertThat(in).as("DS descriptor").isNotNull();
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(xml).contains("name=\"" + Transport.NAME_PROPERTY + "\"").contains("value=\"udp\"")
                    .contains("interface=\"" + Transport.class.getName() + "\"")
                    .contains("configuration-pid=\"org.roamer.transport.udp\"");
        }
    }

    @Test
    void ten_thousand_frames_arrive_in_order_both_ways() throws Exception {
        RecordingHandler atB = new RecordingHandler();
        RecordingHandler atA = new RecordingHandler();
        Endpoint a = bind(atA);
        Endpoint b = bind(atB);
        List<Frame> toB = new ArrayList<>();
        List<Frame> toA = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Frame f = frame(1, i, "frame " + i);
            toB.add(f);
            a.send(b.localAddress(), f);
            if (i % 10 == 0) {
                Frame r = frame(2, i, "reply " + i);
                toA.add(r);
                b.send(a.localAddress(), r);
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> atB.frames.size() == 10_000 && atA.frames.size() == 1000);
        assertThat(atB.frames()).containsExactlyElementsOf(toB);
        assertThat(atA.frames()).containsExactlyElementsOf(toA);
        TransportStats s = a.stats();
        assertThat(s.framesOut()).isEqualTo(10_000);
        assertThat(s.framesIn()).isEqualTo(1000);
        assertThat(s.badFrames()).isZero();
        assertThat(s.connectionsOpen()).isEqualTo(1);
        assertThat(s.details()).containsKeys("datagramsOut", "datagramsIn", "retransmissions", "duplicatesDropped",
                "srttMicros", "rtoMicros", "peersFailed", "fragmentsIn", "fragmentsOut", "tailLossProbes");
        assertThat(s.detail("datagramsOut")).isGreaterThanOrEqualTo(10_000);
        assertThat(b.stats().framesIn()).isEqualTo(10_000);
    }

    @Test
    void injected_loss_and_duplication_are_recovered_in_order_and_counted() throws Exception {
        RecordingHandler atB = new RecordingHandler();
        UdpEndpoint a = (UdpEndpoint) bind(new RecordingHandler());
        UdpEndpoint b = (UdpEndpoint) bind(atB);
        a.faults = FaultInjection.ofPercent(10, 5);
        b.faults = FaultInjection.ofPercent(10, 5); // acks are lost and duplicated too
        List<Frame> sent = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Frame f = frame(3, i, "frame " + i);
            sent.add(f);
            a.send(b.localAddress(), f);
        }
        byte[] page = new byte[300_000];
        new Random(11).nextBytes(page);
        Frame big = new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 9, 1, 0, "bob", page);
        sent.add(big);
        a.send(b.localAddress(), big);
        await().atMost(Duration.ofSeconds(60)).until(() -> atB.frames.size() == sent.size());
        assertThat(atB.frames()).containsExactlyElementsOf(sent);
        assertThat(a.stats().detail("faultsDropped")).isPositive();
        assertThat(a.stats().detail("faultsDuplicated")).isPositive();
        assertThat(a.stats().detail("retransmissions")).isPositive();
        assertThat(b.stats().detail("duplicatesDropped")).isPositive();
        assertThatThrownBy(() -> FaultInjection.ofPercent(60, 0)).hasMessageContaining("must be 0-50");
    }

    @Test
    void a_one_mebibyte_frame_crosses_intact() throws Exception {
        RecordingHandler receiver = new RecordingHandler();
        Endpoint to = bind(receiver);
        Endpoint from = bind(new RecordingHandler());
        byte[] page = new byte[FrameLimits.DEFAULT.maxDataPayload()];
        new Random(7).nextBytes(page);
        Frame big = new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 9, 1, 0, "bob", page);
        from.send(to.localAddress(), big);
        from.send(to.localAddress(), frame(9, 1, "after"));
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.frames.size() == 2);
        assertThat(receiver.frames()).containsExactly(big, frame(9, 1, "after"));
        assertThat(from.stats().detail("fragmentsOut")).isGreaterThan(900);
        assertThat(to.stats().badFrames()).isZero();
    }

    @Test
    void garbage_datagrams_are_counted_and_dropped_and_the_endpoint_keeps_serving() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        Endpoint server = bind(handler);
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.localAddress().port());
        Random random = new Random(1);
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 100; i++) {
                byte[] garbage = new byte[1 + random.nextInt(1500)];
                random.nextBytes(garbage);
                raw.send(new DatagramPacket(garbage, garbage.length, target));
            }
            // a frame where a datagram belongs: the frame codec's magic is not the datagram magic
            byte[] bare = FrameCodec.encode(frame(1, 0, "naked frame"));
            raw.send(new DatagramPacket(bare, bare.length, target));
            // a valid datagram carrying a frame with a forged length
            byte[] forged = FrameCodec.encode(frame(1, 0, "forged"));
            forged[35] = 100; // payload length 100, only 6 bytes follow
            byte[] dg = DatagramCodec.encode(new Datagram(DatagramCodec.DATA | DatagramCodec.FIRST
                    | DatagramCodec.LAST, 77, 0, 1, 0, 1, 0, 0, forged.length, forged));
            raw.send(new DatagramPacket(dg, dg.length, target));
        }
        await().until(() -> server.stats().badFrames() == 102);
        assertThat(server.stats().detail("badDatagrams")).isEqualTo(101);
        assertThat(handler.badFrames).singleElement().asString().contains("forged frame length");
        assertThat(handler.frames).isEmpty();
        assertStillServes(server, handler, transport);
    }

    @Test
    void datagrams_leave_from_the_listening_socket() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(5000);
            Endpoint from = bind(new RecordingHandler());
            from.send(new NodeAddress("127.0.0.1", peer.getLocalPort()), frame(1, 0, "hi"));
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            peer.receive(p);
            assertThat(p.getPort()).isEqualTo(from.localAddress().port());
            Datagram d = DatagramCodec.decode(java.util.Arrays.copyOf(p.getData(), p.getLength()));
            assertThat(FrameCodec.decode(d.payload(), FrameLimits.DEFAULT)).isEqualTo(frame(1, 0, "hi"));
        }
    }

    @Test
    void a_dead_peer_is_failed_its_frames_dropped_and_a_later_send_starts_over() throws Exception {
        UdpTransport impatient = new UdpTransport(UdpSettings.DEFAULTS.withDeadPeer(6, 300));
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Endpoint from = bind(impatient, new RecordingHandler());
            NodeAddress nowhere = new NodeAddress("127.0.0.1", silent.getLocalPort());
            for (int i = 0; i < 5; i++) {
                from.send(nowhere, frame(1, i, "anyone?"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> from.stats().detail("peersFailed") == 1);
            assertThat(from.stats().detail("framesDropped")).isEqualTo(5);
            assertThat(from.stats().detail("retransmissions")).isPositive();
            from.send(nowhere, frame(1, 5, "again")); // accepted: a new session
            assertThat(from.stats().detail("bufferedBytes")).isPositive();
        } finally {
            impatient.deactivate();
        }
    }

    @Test
    void a_peer_that_does_not_acknowledge_fills_the_queue_and_send_fails_instead_of_growing() throws Exception {
        UdpTransport small = new UdpTransport(UdpSettings.DEFAULTS.withSendBufferBytes(256 * 1024));
        try (DatagramSocket deaf = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Endpoint from = bind(small, new RecordingHandler());
            NodeAddress to = new NodeAddress("127.0.0.1", deaf.getLocalPort());
            Frame page = new Frame(MessageType.TRANSFER_DATA, 0, 1, 1, 0, "", new byte[16 * 1024]);
            TransportException refused = null;
            int sent = 0;
            while (refused == null && sent < 1000) {
                try {
                    from.send(to, page);
                    sent++;
                } catch (TransportException e) {
                    refused = e;
                }
            }
            assertThat(refused).isNotNull().hasMessageContaining("queue full");
            assertThat(sent).isBetween(15, 17);
            assertThat(from.stats().detail("queueFull")).isEqualTo(1);
        } finally {
            small.deactivate();
        }
    }

    @Test
    void a_restarted_peer_on_the_same_port_gets_new_frames_and_no_stale_ones() throws Exception {
        RecordingHandler first = new RecordingHandler();
        Endpoint server = transport.bind(ANY_LOOPBACK_PORT, FrameLimits.DEFAULT, first);
        NodeAddress address = server.localAddress();
        RecordingHandler atClient = new RecordingHandler();
        Endpoint client = bind(atClient);
        client.send(address, frame(1, 0, "one"));
        await().until(() -> first.frames.size() == 1);
        server.send(client.localAddress(), frame(2, 0, "hello client"));
        await().until(() -> atClient.frames.size() == 1);

        server.close();
        RecordingHandler second = new RecordingHandler();
        Endpoint restarted = transport.bind(address, FrameLimits.DEFAULT, second);
        toClose.add(restarted);
        client.send(address, frame(1, 1, "two")); // to the old incarnation: refused with a reset, then dropped
        await().until(() -> client.stats().detail("peerRestarts") == 1);
        client.send(address, frame(1, 2, "three"));
        await().until(() -> second.frames.size() == 1);
        assertThat(second.frames()).containsExactly(frame(1, 2, "three"));
        assertThat(client.stats().detail("framesDropped")).isEqualTo(1);
        // and the new incarnation can talk back over a fresh session
        restarted.send(client.localAddress(), frame(3, 0, "back"));
        await().until(() -> atClient.frames.size() == 2);
    }

    @Test
    void a_frame_over_the_limit_or_with_an_invalid_mobile_is_refused_at_send() throws Exception {
        Endpoint to = bind(new RecordingHandler());
        Endpoint from = bind(new RecordingHandler());
        Frame big = Frame.of(MessageType.PAGE, 1, "", new byte[FrameLimits.DEFAULT.maxControlPayload() + 1]);
        assertThatThrownBy(() -> from.send(to.localAddress(), big)).isInstanceOf(TransportException.class)
                .hasMessageContaining("exceeds");
        Frame badMobile = Frame.of(MessageType.PAGE, 1, "not a valid id!", new byte[0]);
        assertThatThrownBy(() -> from.send(to.localAddress(), badMobile)).isInstanceOf(TransportException.class);
        assertThat(from.stats().connectionsOpened()).isZero();
    }

    @Test
    void a_handler_that_throws_does_not_stop_the_endpoint() throws Exception {
        RecordingHandler handler = new RecordingHandler(f -> {
            if (f.seq() == 0) {
                throw new IllegalStateException("boom (expected by the test)");
            }
        });
        Endpoint server = bind(handler);
        Endpoint client = bind(new RecordingHandler());
        client.send(server.localAddress(), frame(1, 0, "first"));
        client.send(server.localAddress(), frame(1, 1, "second"));
        await().until(() -> handler.frames.size() == 2);
    }

    @Test
    void close_releases_the_port_and_the_thread_and_deactivate_closes_every_endpoint() throws Exception {
        UdpTransport component = new UdpTransport(UdpSettings.DEFAULTS);
        Endpoint one = component.bind(ANY_LOOPBACK_PORT, FrameLimits.DEFAULT, new RecordingHandler());
        Endpoint two = component.bind(ANY_LOOPBACK_PORT, FrameLimits.DEFAULT, new RecordingHandler());
        int port = one.localAddress().port();
        assertThat(ioThreadAlive(port)).isTrue();
        one.close();
        one.close(); // idempotent
        assertThat(ioThreadAlive(port)).isFalse();
        assertThatThrownBy(() -> one.send(two.localAddress(), frame(1, 0, "y"))).isInstanceOf(TransportException.class);
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        assertThat(component.openEndpoints()).isEqualTo(1);
        component.deactivate();
        assertThat(component.openEndpoints()).isZero();
        assertThat(ioThreadAlive(two.localAddress().port())).isFalse();
        assertThatThrownBy(() -> component.bind(ANY_LOOPBACK_PORT, FrameLimits.DEFAULT, new RecordingHandler()))
                .isInstanceOf(TransportException.class);
    }

    @Test
    void binding_a_port_in_use_fails_with_transport_exception() throws Exception {
        Endpoint first = bind(new RecordingHandler());
        assertThatThrownBy(() -> transport.bind(first.localAddress(), FrameLimits.DEFAULT, new RecordingHandler()))
                .isInstanceOf(TransportException.class).hasMessageContaining("cannot listen on");
    }

    @Test
    void stats_keep_the_seven_field_shape_and_add_details() throws Exception {
        Endpoint e = bind(new RecordingHandler());
        TransportStats s = e.stats();
        assertThat(s.details()).isUnmodifiable();
        assertThat(new TransportStats(1, 2, 3, 4, 5, 6, 7).details()).isEmpty();
        assertThat(Map.copyOf(s.details())).containsEntry("peersFailed", 0L);
    }

    @Test
    void invalid_settings_are_refused_with_the_attribute_name() {
        assertThatThrownBy(() -> UdpSettings.DEFAULTS.withSendWindow(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sendWindow");
    }

    private static boolean ioThreadAlive(int port) {
        String name = "roamer-udp-" + port + "-io";
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}

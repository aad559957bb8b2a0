/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.TransportException;

/**
 * End-to-end figures of the udp transport on loopback with 64-byte payloads (100-byte frames, 158-byte
 * datagrams), and the floor under them:
 * <ol>
 * <li>round trip driven from the handlers (ping → echo → next ping on the I/O threads): the transport alone;</li>
 * <li>round trip from an application thread that sends and then waits to be woken by the I/O thread;</li>
 * <li>the floor: a raw {@link DatagramChannel} ping-pong of 158-byte datagrams between two threads doing
 * blocking receive/send (no sessions, no selector, no handler);</li>
 * <li>one-way throughput from one sender thread to one peer.</li>
 * </ol>
 * Run: {@code java -cp <test classpath> org.roamer.transport.udp.internal.UdpRoundTripBench [roundTrips] [frames]}.
 * Prints numbers; asserts nothing.
 */
public final class UdpRoundTripBench {
    private static final NodeAddress LOOPBACK = new NodeAddress("127.0.0.1", 0);
    private static final byte[] PAYLOAD = new byte[64];

    private UdpRoundTripBench() {
    }

    public static void main(String[] args) throws Exception {
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        int datagram = DatagramCodec.HEADER_SIZE + ping(0).wireSize();
        System.out.printf("udp transport bench: JDK %s (%s), %d CPUs, %s; 64 B payload (%d B frame, %d B datagram)%n",
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " "
                        + System.getProperty("os.arch"),
                ping(0).wireSize(), datagram);
        UdpTransport transport = new UdpTransport(UdpSettings.DEFAULTS);
        try {
            rawFloor(roundTrips / 5, datagram, false);
            rawFloor(roundTrips, datagram, true);
            handlerDrivenRoundTrip(transport, roundTrips / 5, false);
            handlerDrivenRoundTrip(transport, roundTrips, true);
            applicationRoundTrip(transport, roundTrips / 5, false);
            applicationRoundTrip(transport, roundTrips, true);
            throughput(transport, frames / 5, false);
            throughput(transport, frames, true);
        } finally {
            transport.deactivate();
        }
    }

    private static Frame ping(long seq) {
        return new Frame(MessageType.AGENT_MESSAGE, 0, seq, 1, seq, "", PAYLOAD);
    }

    static void rawFloor(int n, int size, boolean report) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (DatagramChannel client = DatagramChannel.open(); DatagramChannel server = DatagramChannel.open()) {
            client.bind(new InetSocketAddress("127.0.0.1", 0));
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress serverAddress = (InetSocketAddress) server.getLocalAddress();
            Thread echo = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(2048);
                try {
                    for (int i = 0; i < n; i++) {
                        buf.clear();
                        var from = server.receive(buf);
                        buf.flip();
                        server.send(buf, from);
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "bench-raw-echo");
            echo.start();
            ByteBuffer out = ByteBuffer.allocateDirect(size);
            ByteBuffer in = ByteBuffer.allocateDirect(2048);
            for (int i = 0; i < n; i++) {
                out.clear();
                out.putLong(0, i);
                long start = System.nanoTime();
                client.send(out, serverAddress);
                in.clear();
                client.receive(in);
                histogram.recordValue(System.nanoTime() - start);
            }
            echo.join();
        }
        if (report) {
            print("floor: raw DatagramChannel ping-pong, blocking threads", histogram);
        }
    }

    /** Echoes every frame back to {@code replyTo}. */
    private static Endpoint echo(UdpTransport transport, AtomicReference<NodeAddress> replyTo)
            throws TransportException {
        AtomicReference<Endpoint> self = new AtomicReference<>();
        Endpoint e = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
            try {
                self.get().send(replyTo.get(), new Frame(MessageType.ACK, Frame.REPLY, f.correlationId(), f.epoch(),
                        f.seq(), f.mobile(), f.payload()));
            } catch (TransportException ex) {
                throw new IllegalStateException(ex);
            }
        }));
        self.set(e);
        return e;
    }

    private static void handlerDrivenRoundTrip(UdpTransport transport, int n, boolean report) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicReference<NodeAddress> clientAddress = new AtomicReference<>();
        Endpoint server = echo(transport, clientAddress);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Endpoint> clientRef = new AtomicReference<>();
        long[] sentAt = new long[1];
        Endpoint client = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
            histogram.recordValue(System.nanoTime() - sentAt[0]);
            long next = f.seq() + 1;
            if (next == n) {
                done.countDown();
                return;
            }
            sentAt[0] = System.nanoTime();
            try {
                clientRef.get().send(server.localAddress(), ping(next));
            } catch (TransportException ex) {
                throw new IllegalStateException(ex);
            }
        }));
        clientRef.set(client);
        clientAddress.set(client.localAddress());
        try {
            sentAt[0] = System.nanoTime();
            client.send(server.localAddress(), ping(0));
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("round trips did not finish");
            }
            if (report) {
                print("udp round trip, handler-driven (transport only)", histogram);
                System.out.println("  client " + client.stats().details());
            }
        } finally {
            client.close();
            server.close();
        }
    }

    private static void applicationRoundTrip(UdpTransport transport, int n, boolean report) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicReference<NodeAddress> clientAddress = new AtomicReference<>();
        Endpoint server = echo(transport, clientAddress);
        Thread waiter = Thread.currentThread();
        AtomicLong replied = new AtomicLong(-1);
        Endpoint client = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
            replied.set(f.seq());
            LockSupport.unpark(waiter);
        }));
        clientAddress.set(client.localAddress());
        try {
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                client.send(server.localAddress(), ping(i));
                while (replied.get() != i) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                histogram.recordValue(System.nanoTime() - start);
            }
            if (report) {
                print("udp round trip, application thread (send, park, unpark by I/O thread)", histogram);
            }
        } finally {
            client.close();
            server.close();
        }
    }

    private static void throughput(UdpTransport transport, int n, boolean report) throws Exception {
        AtomicLong received = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        Endpoint server = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
            if (received.incrementAndGet() == n) {
                all.countDown();
            }
        }));
        Endpoint client = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
        }));
        long refused = 0;
        try {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Frame f = ping(i);
                while (true) {
                    try {
                        client.send(server.localAddress(), f);
                        break;
                    } catch (TransportException e) {
                        refused++; // back-pressure: the bounded send buffer is full
                        Thread.yield();
                    }
                }
            }
            if (!all.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + received.get() + " of " + n + " frames arrived");
            }
            long end = System.nanoTime();
            if (report) {
                double seconds = (end - start) / 1e9;
                System.out.printf("udp throughput, 1 sender thread: %,d frames in %.2f s = %,.0f frames/s (%,d sends"
                        + " refused as queue full)%n  client %s%n", n, seconds, n / seconds, refused,
                        client.stats().details());
            }
        } finally {
            client.close();
            server.close();
        }
    }

    static void print(String what, Histogram h) {
        System.out.printf("%s: n=%,d p50=%.1f µs p90=%.1f µs p99=%.1f µs p99.9=%.1f µs max=%.1f µs%n", what,
                h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    static FrameHandler handler(java.util.function.Consumer<Frame> onFrame) {
        return new FrameHandler() {
            @Override
            public void onFrame(Frame frame) {
                onFrame.accept(frame);
            }

            @Override
            public void onBadFrame(String peer, String reason) {
                System.err.println("bad frame from " + peer + ": " + reason);
            }
        };
    }
}

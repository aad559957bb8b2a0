/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tcp.internal;

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
 * End-to-end figures of the tcp transport on loopback with 64-byte payloads (100 bytes on the wire):
 * <ol>
 * <li>round trip driven from the handlers (ping → echo → next ping on the I/O threads): the transport alone;</li>
 * <li>round trip from an application thread that sends and then waits to be woken by the I/O thread, as a
 * core that hands frames off would see it;</li>
 * <li>one-way throughput from 1 and from 4 sender threads to one peer over one connection.</li>
 * </ol>
 * Run: {@code java -cp <test classpath> org.roamer.transport.tcp.internal.TcpRoundTripBench [roundTrips] [frames]}.
 * Prints numbers; asserts nothing.
 */
public final class TcpRoundTripBench {
    private static final NodeAddress LOOPBACK = new NodeAddress("127.0.0.1", 0);
    private static final byte[] PAYLOAD = new byte[64];

    private TcpRoundTripBench() {
    }

    public static void main(String[] args) throws Exception {
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        System.out.printf("tcp transport bench: JDK %s, %d CPUs, 64 B payload (%d B on the wire)%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                ping(0).wireSize());
        TcpTransport transport = new TcpTransport(TcpSettings.DEFAULTS);
        try {
            handlerDrivenRoundTrip(transport, roundTrips / 5, false);
            handlerDrivenRoundTrip(transport, roundTrips, true);
            applicationRoundTrip(transport, roundTrips / 5, false);
            applicationRoundTrip(transport, roundTrips, true);
            throughput(transport, frames / 4, 1, false);
            throughput(transport, frames, 1, true);
            throughput(transport, frames, 4, true);
        } finally {
            transport.deactivate();
        }
    }

    private static Frame ping(long seq) {
        return new Frame(MessageType.AGENT_MESSAGE, 0, seq, 1, seq, "", PAYLOAD);
    }

    /** Echoes every frame back to {@code replyTo}. */
    private static Endpoint echo(TcpTransport transport, AtomicReference<NodeAddress> replyTo)
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

    private static void handlerDrivenRoundTrip(TcpTransport transport, int n, boolean report) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicReference<NodeAddress> clientAddress = new AtomicReference<>();
        Endpoint server = echo(transport, clientAddress);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Endpoint> clientRef = new AtomicReference<>();
        long[] sentAt = new long[1];
        Endpoint client = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
            long now = System.nanoTime();
            histogram.recordValue(now - sentAt[0]);
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
                print("round trip, handler-driven (transport only)", histogram);
            }
        } finally {
            client.close();
            server.close();
        }
    }

    private static void applicationRoundTrip(TcpTransport transport, int n, boolean report) throws Exception {
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
                print("round trip, application thread (send, park, unpark by I/O thread)", histogram);
            }
        } finally {
            client.close();
            server.close();
        }
    }

    private static void throughput(TcpTransport transport, int n, int senders, boolean report) throws Exception {
        AtomicLong received = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        long total = (long) n;
        Endpoint server = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
            if (received.incrementAndGet() == total) {
                all.countDown();
            }
        }));
        Endpoint client = transport.bind(LOOPBACK, FrameLimits.DEFAULT, handler(f -> {
        }));
        AtomicLong queueFull = new AtomicLong();
        try {
            Thread[] threads = new Thread[senders];
            long start = System.nanoTime();
            for (int t = 0; t < senders; t++) {
                int share = n / senders + (t < n % senders ? 1 : 0);
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < share; i++) {
                        Frame f = ping(i);
                        while (true) {
                            try {
                                client.send(server.localAddress(), f);
                                break;
                            } catch (TransportException e) {
                                queueFull.incrementAndGet(); // back-pressure: the bounded queue is full
                                Thread.yield();
                            }
                        }
                    }
                }, "bench-sender-" + t);
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long sent = System.nanoTime();
            if (!all.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + received.get() + " of " + n + " frames arrived");
            }
            long end = System.nanoTime();
            if (report) {
                double seconds = (end - start) / 1e9;
                System.out.printf("throughput, %d sender thread(s): %,d frames in %.2f s = %,.0f frames/s"
                        + " (%.1f MB/s on the wire; senders done after %.2f s; %,d sends refused as queue full;"
                        + " connections opened %d)%n",
                        senders, n, seconds, n / seconds, client.stats().bytesOut() / seconds / 1e6,
                        (sent - start) / 1e9, queueFull.get(), client.stats().connectionsOpened());
            }
        } finally {
            client.close();
            server.close();
        }
    }

    private static void print(String what, Histogram h) {
        System.out.printf("%s: n=%,d p50=%.1f µs p90=%.1f µs p99=%.1f µs p99.9=%.1f µs max=%.1f µs%n", what,
                h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    private static FrameHandler handler(java.util.function.Consumer<Frame> onFrame) {
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

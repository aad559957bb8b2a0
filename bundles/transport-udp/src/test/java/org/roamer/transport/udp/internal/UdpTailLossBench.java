/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.util.Map;
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
import org.roamer.api.spi.transport.TransportException;

/**
 * Request/response over the real {@link UdpTransport} on loopback with and without injected loss, with the tail
 * loss probe off (the 'before' figure) and on, in one run, plus the raw loopback floor of the same run.
 * <p>
 * An application thread sends a 64-byte request and parks until the echo (a reply frame sent from the server's
 * handler) wakes it; one round trip is one sample. A "migration" is {@value #EXCHANGES} such round trips in a
 * row (NAIVE moves a handful of small request/response frames each way). Faults are injected into the outgoing
 * datagrams of both endpoints ({@link FaultInjection#ofPercent}: 5 % loss, 2 % duplication), acks included.
 * <p>
 * Run: {@code java -cp <test classpath> org.roamer.transport.udp.internal.UdpTailLossBench [roundTrips]}.
 * Prints numbers; asserts nothing.
 */
public final class UdpTailLossBench {
    private static final NodeAddress LOOPBACK = new NodeAddress("127.0.0.1", 0);
    private static final byte[] PAYLOAD = new byte[64];
    static final int EXCHANGES = 4;

    private UdpTailLossBench() {
    }

    public static void main(String[] args) throws Exception {
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        System.out.printf("udp tail loss bench: JDK %s (%s), %d CPUs, %s %s, load average %.2f; %,d round trips"
                + " per row, %d per migration%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                roundTrips, EXCHANGES);
        int datagram = DatagramCodec.HEADER_SIZE + ping(0).wireSize();
        UdpRoundTripBench.rawFloor(roundTrips / 5, datagram, false);
        UdpRoundTripBench.rawFloor(roundTrips, datagram, true);
        FaultInjection lossy = FaultInjection.ofPercent(5, 2);
        UdpSettings off = UdpSettings.DEFAULTS.withTailLossProbe(false, UdpSettings.DEFAULTS.tlpMinMicros());
        UdpSettings on = UdpSettings.DEFAULTS;
        run("probe off, no loss  ", off, FaultInjection.NONE, roundTrips);
        run("probe on,  no loss  ", on, FaultInjection.NONE, roundTrips);
        run("probe off, 5 %/2 %  ", off, lossy, roundTrips);
        run("probe on,  5 %/2 %  ", on, lossy, roundTrips);
        run("2 probes,  5 %/2 %  ", on.withTlpMaxProbes(2), lossy, roundTrips);
    }

    private static Frame ping(long seq) {
        return new Frame(MessageType.AGENT_MESSAGE, 0, seq, 1, seq, "", PAYLOAD);
    }

    private static void run(String what, UdpSettings settings, FaultInjection faults, int n) throws Exception {
        UdpTransport transport = new UdpTransport(settings);
        try {
            AtomicReference<NodeAddress> replyTo = new AtomicReference<>();
            AtomicReference<Endpoint> self = new AtomicReference<>();
            UdpEndpoint server = (UdpEndpoint) transport.bind(LOOPBACK, FrameLimits.DEFAULT,
                    UdpRoundTripBench.handler(f -> {
                        try {
                            self.get().send(replyTo.get(), new Frame(MessageType.ACK, Frame.REPLY,
                                    f.correlationId(), f.epoch(), f.seq(), f.mobile(), f.payload()));
                        } catch (TransportException ex) {
                            throw new IllegalStateException(ex);
                        }
                    }));
            self.set(server);
            Thread waiter = Thread.currentThread();
            AtomicLong replied = new AtomicLong(-1);
            UdpEndpoint client = (UdpEndpoint) transport.bind(LOOPBACK, FrameLimits.DEFAULT,
                    UdpRoundTripBench.handler(f -> {
                        replied.set(f.seq());
                        LockSupport.unpark(waiter);
                    }));
            replyTo.set(client.localAddress());
            try {
                roundTrips(client, server, replied, n / 5, null, null); // warm-up, loss-free: RTT samples
                server.faults = faults;
                client.faults = faults;
                Histogram rt = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
                Histogram migration = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
                Map<String, Long> c0 = client.stats().details();
                Map<String, Long> s0 = server.stats().details();
                roundTrips(client, server, replied, n, rt, migration);
                Map<String, Long> c1 = client.stats().details();
                Map<String, Long> s1 = server.stats().details();
                System.out.printf("%s round trip: p50=%7.1f µs p90=%7.1f µs p99=%8.1f µs p99.9=%8.1f µs max=%8.1f µs"
                        + " | migration (%d RTs): p50=%7.1f µs p99=%8.1f µs%n", what, us(rt, 50), us(rt, 90),
                        us(rt, 99), us(rt, 99.9), rt.getMaxValue() / 1e3, EXCHANGES, us(migration, 50),
                        us(migration, 99));
                System.out.printf("    both sides: faultsDropped=%d faultsDuplicated=%d retransmissions=%d"
                        + " fastRetransmissions=%d tailLossProbes=%d duplicatesDropped=%d; client srtt=%d µs"
                        + " rto=%d µs%n", delta("faultsDropped", c0, c1, s0, s1),
                        delta("faultsDuplicated", c0, c1, s0, s1), delta("retransmissions", c0, c1, s0, s1),
                        delta("fastRetransmissions", c0, c1, s0, s1), delta("tailLossProbes", c0, c1, s0, s1),
                        delta("duplicatesDropped", c0, c1, s0, s1), c1.get("srttMicros"), c1.get("rtoMicros"));
            } finally {
                client.close();
                server.close();
            }
        } finally {
            transport.deactivate();
        }
    }

    private static void roundTrips(Endpoint client, Endpoint server, AtomicLong replied, int n, Histogram rt,
            Histogram migration) throws TransportException {
        long base = replied.get() + 1;
        long migrationStart = 0;
        for (int i = 0; i < n; i++) {
            long seq = base + i;
            long start = System.nanoTime();
            if (i % EXCHANGES == 0) {
                migrationStart = start;
            }
            client.send(server.localAddress(), ping(seq));
            while (replied.get() != seq) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            long end = System.nanoTime();
            if (rt != null) {
                rt.recordValue(end - start);
                if (i % EXCHANGES == EXCHANGES - 1) {
                    migration.recordValue(end - migrationStart);
                }
            }
        }
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    private static long delta(String key, Map<String, Long> c0, Map<String, Long> c1, Map<String, Long> s0,
            Map<String, Long> s1) {
        return c1.get(key) - c0.get(key) + s1.get(key) - s0.get(key);
    }
}

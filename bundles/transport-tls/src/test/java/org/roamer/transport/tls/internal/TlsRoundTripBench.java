/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tls.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Peer;

/**
 * Figures of the tls transport on loopback, each beside floors measured in the same run:
 * <ol>
 * <li>round trip of a 64-byte-payload frame from an application thread (send, then wait to be woken by the
 * echo's arrival), against the same frame bytes ping-ponged over a plain blocking socket and over a blocking
 * JDK TLS 1.3 socket with both ends authenticated;</li>
 * <li>the cost of a new link: first send on a new endpoint until the frame arrived (TCP connect, mutual TLS
 * handshake, frame), against a bare JDK TLS handshake;</li>
 * <li>one-way throughput from one sender.</li>
 * </ol>
 * Run: {@code bench/tls.sh [roundTrips] [frames]}. Prints numbers; asserts nothing.
 */
public final class TlsRoundTripBench {
    private static final NodeAddress LOOPBACK = new NodeAddress("127.0.0.1", 0);
    private static final byte[] PAYLOAD = new byte[64];
    private static final TlsTransport.Settings SETTINGS = new TlsTransport.Settings(5000, 300, 1000, 256, 64L << 20);

    private TlsRoundTripBench() {
    }

    public static void main(String[] args) throws Exception {
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        Path dir = Files.createTempDirectory("roamer-tls-bench");
        Pki pki = new Pki(dir);
        Credentials a = pki.credentials("c1", "--role", "user-signaling-server", "--cluster", "c1");
        Credentials b = pki.credentials("ls1", "--role", "location-server");
        System.out.printf("tls transport bench: JDK %s, %d CPUs, 64 B payload (%d B frame)%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), ping(0).wireSize());
        TlsTransport ta = new TlsTransport(1);
        ta.credentials(a, SETTINGS);
        TlsTransport tb = new TlsTransport(1);
        tb.credentials(b, SETTINGS);
        try {
            roundTrip(ta, tb, roundTrips / 5, false);
            roundTrip(ta, tb, roundTrips, true);
            rawRoundTrip(null, roundTrips, true);
            rawRoundTrip(contexts(pki, "c1", "ls1"), roundTrips, true);
            newLinks(ta, tb, 50);
            rawHandshakes(contexts(pki, "c1", "ls1"), 50);
            throughput(ta, tb, frames / 5, false);
            throughput(ta, tb, frames, true);
        } finally {
            ta.deactivate();
            tb.deactivate();
        }
    }

    private static Frame ping(long seq) {
        return new Frame(MessageType.AGENT_MESSAGE, 0, seq, 1, seq, "", PAYLOAD);
    }

    private static String percentiles(long[] nanos) {
        Arrays.sort(nanos);
        return String.format("p50 %.1f us, p90 %.1f us, p99 %.1f us", nanos[nanos.length / 2] / 1e3,
                nanos[(int) (nanos.length * 0.9)] / 1e3, nanos[(int) (nanos.length * 0.99)] / 1e3);
    }

    /** Echoes every frame to {@code back}. */
    private static final class Echo implements FrameHandler {
        volatile Endpoint self;
        volatile NodeAddress back;

        @Override
        public void onFrame(Frame frame) {
        }

        @Override
        public void onFrame(Frame frame, Peer peer) {
            try {
                self.send(back, frame);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void onBadFrame(String peer, String reason) {
        }
    }

    /** Wakes the waiting application thread on each echo. */
    private static final class Waker implements FrameHandler {
        final AtomicLong seen = new AtomicLong(-1);
        volatile Thread waiter;

        @Override
        public void onFrame(Frame frame) {
        }

        @Override
        public void onFrame(Frame frame, Peer peer) {
            seen.set(frame.seq());
            LockSupport.unpark(waiter);
        }

        @Override
        public void onBadFrame(String peer, String reason) {
        }
    }

    private static void roundTrip(TlsTransport ta, TlsTransport tb, int n, boolean print) throws Exception {
        Waker waker = new Waker();
        waker.waiter = Thread.currentThread();
        Echo echo = new Echo();
        Endpoint ea = ta.bind(LOOPBACK, FrameLimits.DEFAULT, waker);
        Endpoint eb = tb.bind(LOOPBACK, FrameLimits.DEFAULT, echo);
        echo.self = eb;
        echo.back = ea.localAddress();
        long[] t = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                ea.send(eb.localAddress(), ping(i));
                while (waker.seen.get() != i) {
                    LockSupport.parkNanos(1_000_000);
                }
                t[i] = System.nanoTime() - t0;
            }
        } finally {
            ea.close();
            eb.close();
        }
        if (print) {
            System.out.println("tls round trip (application thread, " + n + "): " + percentiles(t));
        }
    }

    /** Two JDK SSL contexts (client, server) with the credentials of {@code client} and {@code server}. */
    private static SSLContext[] contexts(Pki pki, String client, String server) throws Exception {
        return new SSLContext[]{context(pki, client), context(pki, server)};
    }

    private static SSLContext context(Pki pki, String name) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.dir.resolve(name + ".p12"))) {
            keys.load(in, pki.password());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.dir.resolve("trust.p12"))) {
            trust.load(in, pki.password());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, pki.password());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The floor: the same frame bytes ping-ponged over blocking sockets, plain ({@code tls == null}) or TLS 1.3. */
    private static void rawRoundTrip(SSLContext[] tls, int n, boolean print) throws Exception {
        byte[] frame = FrameCodec.encode(ping(0));
        try (ServerSocket server = tls == null
                ? new ServerSocket(0, 1, InetAddress.getLoopbackAddress())
                : serverSocket(tls[1])) {
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    byte[] buf = new byte[frame.length];
                    while (true) {
                        in.readFully(buf);
                        out.write(buf);
                        out.flush();
                    }
                } catch (Exception e) {
                    // the pinging side closed
                }
            }, "raw-echo");
            echo.setDaemon(true);
            echo.start();
            try (Socket s = tls == null
                    ? new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())
                    : tls[0].getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                byte[] buf = new byte[frame.length];
                long[] t = new long[n];
                for (int i = -n / 5; i < n; i++) {
                    long t0 = System.nanoTime();
                    out.write(frame);
                    out.flush();
                    in.readFully(buf);
                    if (i >= 0) {
                        t[i] = System.nanoTime() - t0;
                    }
                }
                if (print) {
                    System.out.println("floor, blocking " + (tls == null ? "plain socket" : "JDK TLS 1.3 socket")
                            + " round trip (" + n + "): " + percentiles(t));
                }
            }
        }
    }

    private static ServerSocket serverSocket(SSLContext ctx) throws Exception {
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(true);
        return s;
    }

    /** A new link each time: a fresh sending endpoint, its first frame timed until it arrived. */
    private static void newLinks(TlsTransport ta, TlsTransport tb, int n) throws Exception {
        Waker waker = new Waker();
        waker.waiter = Thread.currentThread();
        Endpoint eb = tb.bind(LOOPBACK, FrameLimits.DEFAULT, waker);
        long[] t = new long[n];
        try {
            for (int i = -5; i < n; i++) {
                Endpoint ea = ta.bind(LOOPBACK, FrameLimits.DEFAULT, new Echo());
                long seq = i + 1_000_000L;
                long t0 = System.nanoTime();
                ea.send(eb.localAddress(), ping(seq));
                while (waker.seen.get() != seq) {
                    LockSupport.parkNanos(100_000);
                }
                if (i >= 0) {
                    t[i] = System.nanoTime() - t0;
                }
                ea.close();
            }
        } finally {
            eb.close();
        }
        System.out.println("tls new link (connect + mutual handshake + first frame, " + n + "): " + percentiles(t));
    }

    private static void rawHandshakes(SSLContext[] tls, int n) throws Exception {
        long[] t = new long[n];
        try (ServerSocket server = serverSocket(tls[1])) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (SSLSocket s = (SSLSocket) server.accept()) {
                        s.setTcpNoDelay(true);
                        s.startHandshake();
                        s.getInputStream().read();
                    } catch (Exception e) {
                        // next
                    }
                }
            }, "raw-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            for (int i = -5; i < n; i++) {
                long t0 = System.nanoTime();
                try (SSLSocket s = (SSLSocket) tls[0].getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                        server.getLocalPort())) {
                    s.setTcpNoDelay(true);
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                    if (i >= 0) {
                        t[i] = System.nanoTime() - t0;
                    }
                }
            }
        }
        System.out.println("floor, bare JDK TLS 1.3 connect + mutual handshake (" + n + "): " + percentiles(t));
    }

    private static void throughput(TlsTransport ta, TlsTransport tb, int n, boolean print) throws Exception {
        AtomicLong got = new AtomicLong();
        FrameHandler count = new FrameHandler() {
            @Override
            public void onFrame(Frame frame) {
            }

            @Override
            public void onFrame(Frame frame, Peer peer) {
                got.incrementAndGet();
            }

            @Override
            public void onBadFrame(String peer, String reason) {
            }
        };
        Endpoint ea = ta.bind(LOOPBACK, FrameLimits.DEFAULT, new Echo());
        Endpoint eb = tb.bind(LOOPBACK, FrameLimits.DEFAULT, count);
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                while (true) {
                    try {
                        ea.send(eb.localAddress(), ping(i));
                        break;
                    } catch (org.roamer.api.spi.transport.TransportException full) {
                        LockSupport.parkNanos(100_000); // the outbound queue is full: back off
                    }
                }
            }
            while (got.get() < n) {
                LockSupport.parkNanos(1_000_000);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (print) {
                System.out.printf("tls throughput, one sender: %,.0f frames/s (%d frames in %.2f s)%n", n / s, n, s);
            }
        } finally {
            ea.close();
            eb.close();
        }
    }
}

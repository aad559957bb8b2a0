/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Peer;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.api.spi.transport.TransportStats;

/**
 * A transport inside one JVM: frames are encoded and decoded (so limits and the codec apply as on a
 * wire) and handed to the destination's handler on the sender's thread, which keeps them in order per
 * destination. Addresses are {@code invm:<n>}. For tests and embedding without sockets; deliberately not a
 * DS service: nodes listen on every registered transport on one address, and {@code invm:<n>} is not one.
 */
public final class InVmTransport implements Transport {
    private final ConcurrentHashMap<Integer, InVmEndpoint> endpoints = new ConcurrentHashMap<>();
    private final AtomicInteger ports = new AtomicInteger(1);
    private volatile SendFilter filter;

    /** Sees every frame before it is sent; for tests that drop frames or crash nodes at a chosen point. */
    @FunctionalInterface
    public interface SendFilter {
        /** @return false to drop the frame: the sender's send fails as if the peer were unreachable */
        boolean pass(NodeAddress from, NodeAddress to, Frame frame);
    }

    /** Chooses frames to hold back in flight (a slow path), until {@link #release()}. */
    @FunctionalInterface
    public interface HoldFilter {
        boolean hold(NodeAddress from, NodeAddress to, Frame frame);
    }

    /** What becomes of a frame on the wire: delivered, lost after the send succeeded, or delivered twice. */
    public enum Fate {
        DELIVER, LOSE, DUPLICATE
    }

    /** Decides each frame's {@link Fate}; for tests of lost and duplicated frames. */
    @FunctionalInterface
    public interface FateFilter {
        Fate fate(NodeAddress from, NodeAddress to, Frame frame);
    }

    private volatile FateFilter fateFilter;

    /** Installs a fate filter ({@code null}: every frame is delivered once). */
    public void fate(FateFilter f) {
        fateFilter = f;
    }

    private volatile HoldFilter holdFilter;
    private final java.util.concurrent.ConcurrentLinkedQueue<Held> held = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record Held(NodeAddress from, InVmEndpoint dest, byte[] bytes) {
    }

    /** Installs a hold filter ({@code null}: none); held frames stay in flight until released. */
    public void hold(HoldFilter h) {
        holdFilter = h;
    }

    /** Delivers every held frame, in the order they were sent; returns how many. */
    public int release() {
        int n = 0;
        for (Held h; (h = held.poll()) != null; n++) {
            h.dest().receive(h.from().toString(), h.bytes());
        }
        return n;
    }

    /** Installs a send filter ({@code null}: none). */
    public void filter(SendFilter f) {
        filter = f;
    }

    private volatile java.util.function.Function<NodeAddress, Peer> peers;

    /**
     * Makes this transport authenticate, as {@code tls} does between containers: every frame is handed over with
     * its sender's credential, {@code who} of its address (a frame from an address {@code who} does not know, or
     * injected, comes as from a plaintext link). For tests of authorization and tickets.
     */
    public void authenticate(java.util.function.Function<NodeAddress, Peer> who) {
        peers = who;
    }

    @Override
    public boolean authenticates() {
        return peers != null;
    }

    @Override
    public String name() {
        return "invm";
    }

    @Override
    public Endpoint bind(NodeAddress listen, FrameLimits limits, FrameHandler handler) throws TransportException {
        int port = listen.port() == 0 ? ports.getAndIncrement() : listen.port();
        InVmEndpoint e = new InVmEndpoint(new NodeAddress("invm", port), limits, handler);
        if (endpoints.putIfAbsent(port, e) != null) {
            throw new TransportException("in-VM address " + e.address + " is in use");
        }
        return e;
    }

    private final class InVmEndpoint implements Endpoint {
        final NodeAddress address;
        final FrameLimits limits;
        final FrameHandler handler;
        final AtomicLong in = new AtomicLong();
        final AtomicLong out = new AtomicLong();
        final AtomicLong bytesIn = new AtomicLong();
        final AtomicLong bytesOut = new AtomicLong();
        final AtomicLong bad = new AtomicLong();
        volatile boolean closed;

        InVmEndpoint(NodeAddress address, FrameLimits limits, FrameHandler handler) {
            this.address = address;
            this.limits = limits;
            this.handler = handler;
        }

        @Override
        public NodeAddress localAddress() {
            return address;
        }

        @Override
        public void send(NodeAddress to, Frame frame) throws TransportException {
            SendFilter sf = filter;
            if (sf != null && !sf.pass(address, to, frame)) {
                throw new TransportException(frame.type() + " to " + to + " dropped by the send filter");
            }
            InVmEndpoint dest = "invm".equals(to.host()) ? endpoints.get(to.port()) : null;
            if (dest == null || dest.closed || closed) {
                throw new TransportException("no in-VM endpoint at " + to);
            }
            byte[] bytes = FrameCodec.encode(frame);
            out.incrementAndGet();
            bytesOut.addAndGet(bytes.length);
            HoldFilter h = holdFilter;
            if (h != null && h.hold(address, to, frame)) {
                held.add(new Held(address, dest, bytes));
                return;
            }
            FateFilter ff = fateFilter;
            Fate fate = ff == null ? Fate.DELIVER : ff.fate(address, to, frame);
            if (fate == Fate.LOSE) {
                return;
            }
            dest.receive(address.toString(), bytes);
            if (fate == Fate.DUPLICATE) {
                dest.receive(address.toString(), bytes);
            }
        }

        @Override
        public boolean drained() {
            return held.stream().noneMatch(h -> h.from().equals(address));
        }

        @Override
        public boolean drained(NodeAddress to) {
            return held.stream().noneMatch(h -> h.from().equals(address) && h.dest().address.equals(to));
        }

        /** Delivers raw bytes as if read from a wire (also used by tests to inject garbage). */
        void receive(String peer, byte[] bytes) {
            bytesIn.addAndGet(bytes.length);
            Frame f;
            try {
                f = FrameCodec.decode(bytes, limits);
            } catch (FrameException e) {
                bad.incrementAndGet();
                handler.onBadFrame(peer, e.getMessage());
                return;
            }
            in.incrementAndGet();
            java.util.function.Function<NodeAddress, Peer> who = peers;
            Peer from = null;
            if (who != null && peer.startsWith("invm:")) {
                from = who.apply(NodeAddress.parse(peer));
            }
            if (from != null) {
                handler.onFrame(f, from);
            } else {
                handler.onFrame(f);
            }
        }

        @Override
        public TransportStats stats() {
            return new TransportStats(in.get(), out.get(), bytesIn.get(), bytesOut.get(), bad.get(), 0, 0);
        }

        @Override
        public void close() {
            closed = true;
            endpoints.remove(address.port(), this);
        }
    }

    /** Injects raw bytes into an endpoint, as a peer on a wire could. */
    public boolean inject(NodeAddress to, byte[] bytes) {
        InVmEndpoint dest = endpoints.get(to.port());
        if (dest == null) {
            return false;
        }
        dest.receive("test", bytes);
        return true;
    }

    /** Closes an endpoint as if its node crashed. */
    public void kill(NodeAddress at) {
        InVmEndpoint e = endpoints.get(at.port());
        if (e != null) {
            e.close();
        }
    }
}

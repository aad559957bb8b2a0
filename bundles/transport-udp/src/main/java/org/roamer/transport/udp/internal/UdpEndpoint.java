/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.api.spi.transport.TransportStats;
import org.roamer.api.spi.transport.Transports;

/**
 * One node's UDP socket and its per-peer reliable sessions ({@link UdpPeer}). A single I/O thread
 * ({@code roamer-udp-<port>-io}, a daemon thread this endpoint starts and {@link #close()} joins) owns a selector: it reads and decodes every datagram, drives the sessions'
 * acks and time-outs, and calls the handler. {@link #send} runs the peer's session on the caller's thread
 * (under the peer's lock), so the first datagrams of a frame leave without a thread hand-off; all datagrams
 * leave from the bound socket, so peers see our listen address as the source.
 */
final class UdpEndpoint implements Endpoint {
    private static final System.Logger LOG = System.getLogger(UdpEndpoint.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int READ_BATCH = 512;
    private static final long IDLE_WAIT_MS = 1000;
    private static final long AWAKE = Long.MIN_VALUE;

    final FrameLimits limits;
    final FrameHandler handler;
    final UdpSettings settings;
    private final DatagramChannel channel;
    private final Selector selector;
    private final NodeAddress local;
    private final long incarnation;
    private final Thread io;
    private final Consumer<UdpEndpoint> onClosed;
    private final UdpCounters counters = new UdpCounters();
    private final ConcurrentHashMap<InetSocketAddress, PeerSlot> peers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<NodeAddress, InetSocketAddress> resolved = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Faults injected into outgoing datagrams (off unless configured; see {@link FaultInjection}). */
    volatile FaultInjection faults = FaultInjection.NONE;
    /** When the I/O thread wakes at the latest while it waits in select; {@link #AWAKE} while it works. */
    private volatile long ioWakeAt = AWAKE;

    /** One peer: its session, the lock that serializes it, and what it produced for the I/O thread. */
    final class PeerSlot implements UdpPeer.Output {
        final InetSocketAddress address;
        final String name;
        final ReentrantLock lock = new ReentrantLock();
        final UdpPeer peer;
        /** Next time the session needs the I/O thread (copy of {@link UdpPeer#nextDeadline()}). */
        volatile long deadline = Long.MAX_VALUE;
        boolean removed; // guarded by lock
        private final ByteBuffer out = ByteBuffer.allocateDirect(DatagramCodec.MAX_DATAGRAM); // guarded by lock
        // filled and drained by the I/O thread only (offer() never delivers or fails)
        private final List<Frame> delivered = new ArrayList<>();
        private final List<String> badFrames = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        boolean touched; // I/O thread: received data in the current batch

        PeerSlot(InetSocketAddress address) {
            this.address = address;
            this.name = address.getAddress().getHostAddress() + ":" + address.getPort();
            this.peer = new UdpPeer(incarnation, settings, limits, counters, this);
        }

        @Override
        public void datagram(Datagram d) {
            out.clear();
            DatagramCodec.encode(d, out);
            out.flip();
            int size = out.remaining();
            FaultInjection f = faults;
            int copies = f.active() ? f.copies() : 1;
            if (copies == 0) {
                counters.faultsDropped.increment();
                return;
            }
            if (copies == 2) {
                counters.faultsDuplicated.increment();
                try {
                    channel.send(out.duplicate(), address);
                } catch (IOException e) {
                    counters.sendErrors.increment();
                }
            }
            try {
                if (channel.send(out, address) == 0) {
                    counters.sendErrors.increment(); // socket buffer full: as good as lost, retransmission recovers
                    return;
                }
            } catch (IOException e) {
                counters.sendErrors.increment();
                LOG.log(Level.DEBUG, () -> "udp endpoint " + local + ": send to " + name + " failed: " + e);
                return;
            }
            counters.datagramsOut.increment();
            counters.bytesOut.add(size);
        }

        @Override
        public void frame(Frame frame) {
            delivered.add(frame);
        }

        @Override
        public void badFrame(String reason) {
            badFrames.add(reason);
        }

        @Override
        public void failed(String reason, int framesDropped) {
            failures.add(reason + "; " + framesDropped + " frames dropped");
        }

        /** I/O thread, outside the lock: hands what the session produced to the handler and the log. */
        void dispatch() {
            for (String f : failures) {
                LOG.log(Level.WARNING, "udp endpoint " + local + ": session to " + name + " failed: " + f);
            }
            failures.clear();
            for (String reason : badFrames) {
                LOG.log(Level.DEBUG, () -> "bad frame from " + name + ": " + reason);
                try {
                    handler.onBadFrame(name, reason);
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "frame handler failed on a bad frame from " + name, t);
                }
            }
            badFrames.clear();
            for (Frame frame : delivered) {
                try {
                    handler.onFrame(frame);
                } catch (Throwable t) { // a faulty handler must not take the I/O thread down
                    LOG.log(Level.WARNING, "frame handler failed on " + frame + " from " + name, t);
                }
            }
            delivered.clear();
        }
    }

    private UdpEndpoint(NodeAddress local, DatagramChannel channel, Selector selector, FrameLimits limits,
            FrameHandler handler, UdpSettings settings, Consumer<UdpEndpoint> onClosed) throws IOException {
        this.local = local;
        this.channel = channel;
        this.selector = selector;
        this.limits = limits;
        this.handler = handler;
        this.settings = settings;
        this.onClosed = onClosed;
        long inc;
        do {
            inc = RANDOM.nextLong();
        } while (inc == 0);
        this.incarnation = inc;
        channel.register(selector, SelectionKey.OP_READ);
        this.io = new Thread(this::runIo, "roamer-udp-" + local.port() + "-io");
        io.setDaemon(true);
        io.setUncaughtExceptionHandler((th, e) -> LOG.log(Level.ERROR, th.getName() + " failed", e));
    }

    /** Binds a socket and starts its I/O thread. */
    static UdpEndpoint open(NodeAddress listen, FrameLimits limits, FrameHandler handler, UdpSettings settings,
            Consumer<UdpEndpoint> onClosed) throws TransportException {
        DatagramChannel channel = null;
        Selector selector = null;
        try {
            channel = DatagramChannel.open();
            if (settings.socketBufferBytes() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, settings.socketBufferBytes());
                channel.setOption(StandardSocketOptions.SO_SNDBUF, settings.socketBufferBytes());
            }
            channel.bind(new InetSocketAddress(listen.host(), listen.port()));
            channel.configureBlocking(false);
            selector = Selector.open();
            int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            UdpEndpoint endpoint = new UdpEndpoint(Transports.advertised(listen, port), channel, selector, limits,
                    handler,
                    settings, onClosed);
            endpoint.io.start();
            return endpoint;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            closeQuietly(selector);
            throw new TransportException("cannot listen on " + listen + ": " + describe(e), e);
        }
    }

    @Override
    public NodeAddress localAddress() {
        return local;
    }

    /** This endpoint's random incarnation, carried in every datagram. */
    long incarnation() {
        return incarnation;
    }

    @Override
    public void send(NodeAddress to, Frame frame) throws TransportException {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(frame, "frame");
        if (closed.get()) {
            throw new TransportException("endpoint " + local + " is closed");
        }
        byte[] bytes = Transports.encodeForSending(frame, limits);
        InetSocketAddress address = resolve(to);
        while (true) {
            PeerSlot slot = slotFor(address);
            if (slot == null) {
                throw new TransportException("cannot send to " + to + ": already " + peers.size()
                        + " peers with data in flight (maxPeers " + settings.maxPeers() + ")");
            }
            boolean accepted;
            long held;
            long deadline;
            slot.lock.lock();
            try {
                if (slot.removed) {
                    continue; // evicted meanwhile: take the new slot
                }
                accepted = slot.peer.offer(bytes, System.nanoTime());
                held = slot.peer.sendHeldBytes();
                deadline = slot.peer.nextDeadline();
                slot.deadline = deadline;
            } finally {
                slot.lock.unlock();
            }
            if (!accepted) {
                throw new TransportException("queue full to " + to + ": " + held + " bytes waiting, limit "
                        + settings.sendBufferBytes() + " bytes");
            }
            if (deadline < ioWakeAt) {
                selector.wakeup(); // the session needs a timer earlier than the I/O thread planned to wake up
            }
            return;
        }
    }

    private InetSocketAddress resolve(NodeAddress to) throws TransportException {
        InetSocketAddress a = resolved.get(to);
        if (a != null) {
            return a;
        }
        a = new InetSocketAddress(to.host(), to.port());
        if (a.isUnresolved()) {
            throw new TransportException("cannot resolve " + to);
        }
        if (resolved.size() >= 4 * settings.maxPeers()) {
            resolved.clear(); // bounded; resolving again is only slower
        }
        resolved.put(to, a);
        return a;
    }

    /** The peer's slot, created if there is room (evicting an idle peer if needed); null when full. */
    private PeerSlot slotFor(InetSocketAddress address) {
        PeerSlot slot = peers.get(address);
        if (slot != null) {
            return slot;
        }
        if (peers.size() >= settings.maxPeers() && !evictIdlePeer()) {
            return null;
        }
        PeerSlot fresh = new PeerSlot(address);
        slot = peers.putIfAbsent(address, fresh);
        if (slot == null) {
            counters.peersOpened.increment();
            return fresh;
        }
        return slot;
    }

    /** Forgets the idle peer heard from least recently; false when every peer has data under way. */
    private boolean evictIdlePeer() {
        PeerSlot oldest = null;
        long oldestHeard = 0;
        for (PeerSlot s : peers.values()) {
            if (!s.lock.tryLock()) {
                continue;
            }
            try {
                if (!s.removed && s.peer.idle() && (oldest == null || s.peer.lastHeard() - oldestHeard < 0)) {
                    oldest = s;
                    oldestHeard = s.peer.lastHeard();
                }
            } finally {
                s.lock.unlock();
            }
        }
        if (oldest == null) {
            return false;
        }
        oldest.lock.lock();
        try {
            if (oldest.removed || !oldest.peer.idle()) {
                return false;
            }
            oldest.removed = true;
            peers.remove(oldest.address, oldest);
        } finally {
            oldest.lock.unlock();
        }
        counters.peersEvicted.increment();
        LOG.log(Level.INFO, "udp endpoint " + local + ": forgot idle peer " + oldest.name + " (maxPeers "
                + settings.maxPeers() + " reached)");
        return true;
    }

    @Override
    public boolean drained() {
        for (PeerSlot s : peers.values()) {
            s.lock.lock();
            try {
                if (s.peer.sendHeldBytes() > 0) {
                    return false;
                }
            } finally {
                s.lock.unlock();
            }
        }
        return true;
    }

    @Override
    public boolean drained(NodeAddress to) {
        InetSocketAddress address;
        try {
            address = resolve(to);
        } catch (TransportException | RuntimeException e) {
            return true; // nothing can have been sent there
        }
        PeerSlot s = peers.get(address);
        if (s == null) {
            return true;
        }
        s.lock.lock();
        try {
            return s.peer.sendHeldBytes() == 0;
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public TransportStats stats() {
        long srtt = 0;
        long rto = 0;
        long buffered = 0;
        for (PeerSlot s : peers.values()) {
            s.lock.lock();
            try {
                srtt = Math.max(srtt, s.peer.srtt());
                rto = Math.max(rto, s.peer.rto());
                buffered += s.peer.bufferedBytes();
            } finally {
                s.lock.unlock();
            }
        }
        UdpCounters c = counters;
        return new TransportStats(c.framesIn.sum(), c.framesOut.sum(), c.bytesIn.sum(), c.bytesOut.sum(),
                c.badFrames.sum(), c.peersOpened.sum(), peers.size(), c.details(srtt / 1000, rto / 1000, buffered));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        selector.wakeup();
        if (Thread.currentThread() != io) {
            try {
                io.join(TimeUnit.SECONDS.toMillis(5));
                if (io.isAlive()) {
                    LOG.log(Level.WARNING, "I/O thread of udp endpoint " + local + " did not stop in 5 s");
                    io.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onClosed.accept(this);
    }

    boolean isClosed() {
        return closed.get();
    }

    // ---- I/O thread ---------------------------------------------------------------------------------

    private void runIo() {
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024); // larger than any UDP/IPv4 datagram: nothing is cut
        List<PeerSlot> touched = new ArrayList<>();
        try {
            while (!closed.get()) {
                try {
                    ioWakeAt = Long.MAX_VALUE; // from here on, a send() with an earlier deadline wakes us
                    long now = System.nanoTime();
                    long next = runTimers(now);
                    long waitMs = next == Long.MAX_VALUE
                            ? IDLE_WAIT_MS
                            : Math.min(IDLE_WAIT_MS, Math.max(0, (next - now + 999_999) / 1_000_000));
                    ioWakeAt = now + TimeUnit.MILLISECONDS.toNanos(waitMs);
                    int ready = waitMs == 0 ? selector.selectNow() : selector.select(waitMs);
                    ioWakeAt = AWAKE;
                    if (ready > 0) {
                        selector.selectedKeys().clear();
                    }
                    readBatch(in, touched);
                } catch (ClosedSelectorException | ClosedChannelException e) {
                    break;
                } catch (Throwable t) { // never let the I/O thread die: it serves every peer
                    LOG.log(Level.ERROR, "udp endpoint " + local + ": unexpected error in I/O loop", t);
                }
            }
        } finally {
            ioWakeAt = AWAKE;
            closeQuietly(selector);
            closeQuietly(channel);
            long dropped = 0;
            for (PeerSlot s : peers.values()) {
                s.lock.lock();
                try {
                    s.removed = true;
                    dropped += s.peer.sendHeldBytes();
                } finally {
                    s.lock.unlock();
                }
            }
            peers.clear();
            if (dropped > 0) {
                LOG.log(Level.DEBUG, "udp endpoint " + local + " closed with " + dropped + " bytes unsent/unacked");
            }
        }
    }

    /** Runs due session timers; returns the earliest next deadline of any session. */
    private long runTimers(long now) {
        long next = Long.MAX_VALUE;
        for (PeerSlot s : peers.values()) {
            long d = s.deadline;
            if (d != Long.MAX_VALUE && now - d >= 0) {
                s.lock.lock();
                try {
                    s.peer.onTimer(now);
                    d = s.peer.nextDeadline();
                    s.deadline = d;
                } finally {
                    s.lock.unlock();
                }
                s.dispatch();
            }
            if (d != Long.MAX_VALUE && (next == Long.MAX_VALUE || d - next < 0)) {
                next = d;
            }
        }
        return next;
    }

    private void readBatch(ByteBuffer in, List<PeerSlot> touched) throws IOException {
        try {
            for (int i = 0; i < READ_BATCH && !closed.get(); i++) {
                in.clear();
                SocketAddress from = channel.receive(in);
                if (from == null) {
                    break;
                }
                in.flip();
                onDatagram((InetSocketAddress) from, in, touched);
            }
        } finally {
            for (PeerSlot s : touched) {
                s.touched = false;
                s.lock.lock();
                try {
                    s.peer.flushAcks(); // one ack per peer and batch unless a reply already carried it
                } finally {
                    s.lock.unlock();
                }
            }
            touched.clear();
        }
    }

    private void onDatagram(InetSocketAddress from, ByteBuffer in, List<PeerSlot> touched) {
        counters.datagramsIn.increment();
        counters.bytesIn.add(in.remaining());
        Datagram d;
        try {
            d = DatagramCodec.decode(in);
        } catch (DatagramException e) {
            counters.badFrames.increment();
            counters.badDatagrams.increment();
            LOG.log(Level.DEBUG, () -> "udp endpoint " + local + ": bad datagram from " + from + ": " + e.getMessage());
            return;
        }
        PeerSlot slot = slotFor(from);
        if (slot == null) {
            counters.peersRefused.increment();
            return;
        }
        slot.lock.lock();
        try {
            if (slot.removed) {
                return;
            }
            slot.peer.onDatagram(d, System.nanoTime());
            slot.deadline = slot.peer.nextDeadline();
        } finally {
            slot.lock.unlock();
        }
        if (!slot.touched) {
            slot.touched = true;
            touched.add(slot);
        }
        slot.dispatch();
    }

    static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}

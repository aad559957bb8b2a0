/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tcp.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
 * One node's listener and its links. A single I/O thread ({@code roamer-tcp-<port>-io}) owns a selector:
 * it accepts, reads and decodes every connection, calls the handler, and finishes writes that the kernel
 * could not take at once. {@link #send} writes on the caller's thread while the link has no backlog, so an
 * idle link costs no thread hand-off; otherwise the frame joins the link's bounded backlog. Frames that the
 * I/O thread itself sends while it handles a select round (replies and forwards computed inline) are
 * corked: queued, then written together per link when the round ends, one gathering write instead of one
 * write per frame under load, and no later than the end of the round when idle.
 */
final class TcpEndpoint implements Endpoint {
    private static final System.Logger LOG = System.getLogger(TcpEndpoint.class.getName());
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    final FrameLimits limits;
    final FrameHandler handler;
    final TcpSettings settings;
    final Selector selector;
    private final ServerSocketChannel server;
    private final SelectionKey serverKey;
    private final NodeAddress local;
    private final ExecutorService io;
    private final Consumer<TcpEndpoint> onClosed;
    private final long stallNanos;
    private final long sweepNanos;
    private final ConcurrentHashMap<NodeAddress, OutboundPeer> peers = new ConcurrentHashMap<>();
    private final Set<TcpLink> links = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread ioThread;
    // I/O thread only: links with frames queued during the current select round ("corked"), flushed after it
    private boolean inRound;
    private final java.util.ArrayList<TcpLink> corked = new java.util.ArrayList<>();
    private long acceptResumesAt;
    private final AtomicInteger inboundOpen = new AtomicInteger();

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder badFrames = new LongAdder();
    /** Silent inbound connections closed to make room for a new one at the inbound limit. */
    private final LongAdder evicted = new LongAdder();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private final AtomicInteger connectionsOpen = new AtomicInteger();

    private TcpEndpoint(NodeAddress local, ServerSocketChannel server, Selector selector, FrameLimits limits,
            FrameHandler handler, TcpSettings settings, Consumer<TcpEndpoint> onClosed) throws IOException {
        this.local = local;
        this.server = server;
        this.selector = selector;
        this.limits = limits;
        this.handler = handler;
        this.settings = settings;
        this.onClosed = onClosed;
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(settings.stallTimeoutMs());
        this.sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(stallNanos / 4, TimeUnit.SECONDS.toNanos(1)));
        this.serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
        String threadName = "roamer-tcp-" + local.port() + "-io";
        this.io = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> LOG.log(Level.ERROR, th.getName() + " failed", e));
            return t;
        });
    }

    /** Binds a listener and starts its I/O thread. */
    static TcpEndpoint open(NodeAddress listen, FrameLimits limits, FrameHandler handler, TcpSettings settings,
            Consumer<TcpEndpoint> onClosed) throws TransportException {
        ServerSocketChannel server = null;
        Selector selector = null;
        try {
            server = ServerSocketChannel.open();
            if (settings.receiveBufferBytes() > 0) {
                // set on the listener so that accepted sockets negotiate a matching window
                server.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferBytes());
            }
            server.bind(new InetSocketAddress(listen.host(), listen.port()), 128);
            server.configureBlocking(false);
            selector = Selector.open();
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            TcpEndpoint endpoint = new TcpEndpoint(Transports.advertised(listen, port), server, selector, limits,
                    handler,
                    settings, onClosed);
            endpoint.io.execute(endpoint::runIo);
            return endpoint;
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            closeQuietly(selector);
            throw new TransportException("cannot listen on " + listen + ": " + describe(e), e);
        }
    }

    @Override
    public NodeAddress localAddress() {
        return local;
    }

    @Override
    public void send(NodeAddress to, Frame frame) throws TransportException {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(frame, "frame");
        if (closed.get()) {
            throw new TransportException("endpoint " + local + " is closed");
        }
        ByteBuffer bytes = ByteBuffer.wrap(Transports.encodeForSending(frame, limits));
        OutboundPeer peer = peers.computeIfAbsent(to, OutboundPeer::new);
        // A link found dead (peer closed it, write failed) is replaced once: that is the lazy reconnect.
        for (int attempt = 0;; attempt++) {
            TcpLink link = peer.link();
            if (link.offer(bytes)) {
                return;
            }
            if (attempt > 0 || closed.get()) {
                throw new TransportException("link to " + to + " failed: " + link.closeReason());
            }
            bytes.position(0);
        }
    }

    @Override
    public boolean drained() {
        for (TcpLink link : links) {
            if (!link.drained()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean drained(NodeAddress to) {
        OutboundPeer p = peers.get(to);
        if (p == null) {
            return true;
        }
        TcpLink link = p.link;
        return p.carried.isEmpty() && (link == null || link.drained());
    }

    @Override
    public TransportStats stats() {
        return new TransportStats(framesIn.sum(), framesOut.sum(), bytesIn.sum(), bytesOut.sum(), badFrames.sum(),
                connectionsOpened.get(), connectionsOpen.get(), java.util.Map.of("connectionsEvicted", evicted.sum()));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        selector.wakeup();
        io.shutdown();
        if (Thread.currentThread() != ioThread) {
            try {
                if (!io.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.log(Level.WARNING, "I/O thread of tcp endpoint " + local + " did not stop in 5 s");
                    io.shutdownNow();
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
        ioThread = Thread.currentThread();
        long nextSweep = System.nanoTime() + sweepNanos;
        try {
            while (!closed.get()) {
                try {
                    inRound = true;
                    try {
                        selector.select(this::onReady, TimeUnit.NANOSECONDS.toMillis(sweepNanos));
                    } finally {
                        inRound = false;
                        flushCorked();
                    }
                    long now = System.nanoTime();
                    if (now - nextSweep >= 0) {
                        nextSweep = now + sweepNanos;
                        sweepStalled(now);
                    }
                    if (acceptResumesAt != 0 && now - acceptResumesAt >= 0) {
                        acceptResumesAt = 0;
                        serverKey.interestOps(SelectionKey.OP_ACCEPT);
                    }
                } catch (ClosedSelectorException e) {
                    break;
                } catch (Throwable t) { // never let the I/O thread die: it serves every connection
                    LOG.log(Level.ERROR, "tcp endpoint " + local + ": unexpected error in I/O loop", t);
                }
            }
        } finally {
            shutdownIo();
        }
    }

    /**
     * Called by a link when this I/O thread queued a frame on it during a select round instead of writing
     * it: the round's frames to one peer then leave in one gathering write when the round ends.
     */
    void corked(TcpLink link) {
        corked.add(link);
    }

    /** True on this endpoint's I/O thread while it handles a select round (see {@link #corked}). */
    boolean corking() {
        return inRound && Thread.currentThread() == ioThread;
    }

    private void flushCorked() {
        // inRound is false now: nothing flushed here (nor a link opened to resend carried frames) corks again
        for (TcpLink link : corked) {
            try {
                link.flushCorked();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "tcp endpoint " + local + ": flushing " + link + " failed", e);
            }
        }
        corked.clear();
    }

    /** A dying link hands over the frames it had corked; they go first on the next link to {@code to}. */
    void carry(NodeAddress to, java.util.List<ByteBuffer> frames) {
        OutboundPeer p = peers.get(to);
        if (p == null) {
            LOG.log(Level.WARNING, "tcp endpoint " + local + ": " + frames.size() + " frames to " + to
                    + " lost with their link (no peer record)");
            return;
        }
        p.carry(frames);
    }

    /** Resends carried frames of {@code to} now (after the round in which their link died), if still there. */
    void resendCarried(NodeAddress to) {
        OutboundPeer p = peers.get(to);
        if (p != null && p.hasCarried()) {
            try {
                p.link(); // hands the carried frames to the (new) link before anything else
            } catch (TransportException e) {
                p.dropCarried("no new link: " + e.getMessage());
            }
        }
    }

    private void onReady(SelectionKey key) {
        TcpLink link = (TcpLink) key.attachment();
        try {
            if (link == null) {
                acceptAll();
                return;
            }
            if (key.isReadable()) {
                link.onReadable();
            }
            if (key.isValid() && key.isWritable()) {
                link.onWritable();
            }
        } catch (CancelledKeyException e) {
            // closed by another thread meanwhile
        } catch (Throwable t) {
            LOG.log(Level.ERROR,
                    "tcp endpoint " + local + ": unexpected error on " + (link == null ? "listener" : link), t);
            if (link != null) {
                link.close("internal error: " + t);
            }
        }
    }

    private void acceptAll() {
        for (int i = 0; i < 64 && !closed.get(); i++) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                // e.g. out of file descriptors: stop polling the listener for a while instead of spinning
                LOG.log(Level.WARNING, "tcp endpoint " + local + ": accept failed, pausing 100 ms: " + e);
                serverKey.interestOps(0);
                acceptResumesAt = System.nanoTime() + ACCEPT_PAUSE_NANOS;
                return;
            }
            if (ch == null) {
                return;
            }
            if (inboundOpen.get() >= settings.maxInboundConnections()) {
                // full: the oldest connection that has not sent a whole frame yet makes room (a real sender writes
                // one at once; sockets held open and silent must not lock the nodes' links out)
                TcpLink silent = links.stream().filter(TcpLink::silent)
                        .min(java.util.Comparator.comparingLong(l -> l.openedAt)).orElse(null);
                if (silent != null) {
                    evicted.increment();
                    silent.close("evicted: no frame since it connected, and the endpoint is at its inbound limit");
                }
            }
            if (inboundOpen.get() >= settings.maxInboundConnections()) {
                LOG.log(Level.WARNING, "tcp endpoint " + local + ": refusing connection from " + peerOf(ch)
                        + ", already " + inboundOpen.get() + " inbound connections");
                closeQuietly(ch);
                continue;
            }
            TcpLink link = null;
            try {
                configure(ch);
                link = new TcpLink(this, ch, peerOf(ch), null);
                inboundOpen.incrementAndGet();
                opened(link);
                link.register();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "tcp endpoint " + local + ": cannot set up accepted connection: " + e);
                if (link != null) {
                    link.close("setup failed: " + e);
                } else {
                    closeQuietly(ch);
                }
            }
        }
    }

    private void sweepStalled(long now) {
        for (TcpLink link : links) {
            if (link.stalledSince(now) > stallNanos) {
                link.badFrame("stalled mid-frame: no bytes for more than " + settings.stallTimeoutMs() + " ms, "
                        + link.partialBytes() + " bytes of the frame received");
            } else if (link.silent() && now - link.openedAt > stallNanos) {
                link.badFrame("no frame within " + settings.stallTimeoutMs() + " ms of connecting");
            } else if (link.frameAge(now) > 2 * stallNanos) {
                link.badFrame("frame not complete within " + 2 * settings.stallTimeoutMs() + " ms (twice the stall"
                        + " time-out): " + link.partialBytes() + " bytes of it received, trickled");
            }
        }
    }

    /** For tests: the largest body buffer an incomplete frame holds on any link now. */
    int largestBodyBuffer() {
        return links.stream().mapToInt(TcpLink::bodyBufferBytes).max().orElse(0);
    }

    private void shutdownIo() {
        for (TcpLink link : links) {
            link.close("endpoint closed");
        }
        closeQuietly(server);
        closeQuietly(selector); // really closes channels whose keys were still registered; frees the port
        peers.clear();
    }

    // ---- links --------------------------------------------------------------------------------------

    void configure(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (settings.sendBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, settings.sendBufferBytes());
        }
        if (settings.receiveBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferBytes());
        }
    }

    private void opened(TcpLink link) {
        links.add(link);
        connectionsOpened.incrementAndGet();
        connectionsOpen.incrementAndGet();
        if (closed.get()) { // close() may have swept the links already
            link.close("endpoint closed");
        }
    }

    /** Called exactly once per link, from whichever thread closed it. */
    void onLinkClosed(TcpLink link) {
        if (links.remove(link)) {
            connectionsOpen.decrementAndGet();
            if (link.inbound) {
                inboundOpen.decrementAndGet();
            }
        }
        if (Thread.currentThread() != ioThread) {
            selector.wakeup(); // let the selector release the socket now
        }
    }

    void countIn(int bytes) {
        bytesIn.add(bytes);
    }

    void countFrameIn() {
        framesIn.increment();
    }

    void countOut(long bytes, int frames) {
        bytesOut.add(bytes);
        if (frames > 0) {
            framesOut.add(frames);
        }
    }

    void countBadFrame() {
        badFrames.increment();
    }

    boolean onIoThread() {
        return Thread.currentThread() == ioThread;
    }

    @Override
    public String toString() {
        return "tcp endpoint " + local;
    }

    static String peerOf(SocketChannel ch) {
        try {
            InetSocketAddress a = (InetSocketAddress) ch.getRemoteAddress();
            return a == null ? "?" : new NodeAddress(a.getAddress().getHostAddress(), a.getPort()).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    static String describe(Throwable e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "close failed: " + e);
            }
        }
    }

    /**
     * The outbound side towards one destination: at most one open link, opened by the first send and
     * again by the first send after it failed.
     */
    private final class OutboundPeer {
        private final NodeAddress address;
        private volatile TcpLink link;
        /**
         * Frames a dead link had corked, to go first on the next link. Lock-free, because a link adds to it
         * while holding its own lock, and {@link #link()} drains it, under this, into a new link's lock.
         */
        private final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> carried = new java.util.concurrent.ConcurrentLinkedQueue<>();
        /** Connect attempts finished; lets senders that queued behind a failing attempt share its outcome. */
        private volatile long attemptsDone;
        private TransportException lastFailure;

        OutboundPeer(NodeAddress address) {
            this.address = address;
        }

        void carry(java.util.List<ByteBuffer> frames) {
            carried.addAll(frames);
        }

        boolean hasCarried() {
            return !carried.isEmpty();
        }

        synchronized void dropCarried(String why) {
            dropCarried(why, 0);
        }

        private synchronized void dropCarried(String why, int taken) {
            int n = taken;
            while (carried.poll() != null) {
                n++;
            }
            if (n > 0) {
                LOG.log(Level.WARNING, "tcp endpoint " + local + ": " + n + " frames to " + address
                        + " lost with their link: " + why);
            }
        }

        /** Under this: offers the carried frames to {@code to}, in order, before any later frame. */
        private void handOverCarried(TcpLink to) {
            for (ByteBuffer b; (b = carried.poll()) != null;) {
                try {
                    if (!to.offer(b)) {
                        dropCarried("the new link failed too (" + to.closeReason() + ")", 1);
                        return;
                    }
                } catch (TransportException e) {
                    dropCarried(e.getMessage(), 1);
                    return;
                }
            }
        }

        TcpLink link() throws TransportException {
            TcpLink current = link;
            if (current != null && current.isOpen() && carried.isEmpty()) {
                return current;
            }
            long seen = attemptsDone;
            synchronized (this) {
                current = link;
                if (current != null && current.isOpen()) {
                    handOverCarried(current);
                    return current;
                }
                if (attemptsDone != seen && lastFailure != null) {
                    // a connect that started after this send was called just failed: do not wait again
                    throw new TransportException(lastFailure.getMessage(), lastFailure.getCause());
                }
                try {
                    current = connect();
                    link = current;
                    lastFailure = null;
                    handOverCarried(current);
                    return current;
                } catch (TransportException e) {
                    lastFailure = e;
                    throw e;
                } finally {
                    attemptsDone++;
                }
            }
        }

        private TcpLink connect() throws TransportException {
            if (closed.get()) {
                throw new TransportException("endpoint " + local + " is closed");
            }
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                if (settings.receiveBufferBytes() > 0) {
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferBytes());
                }
                ch.socket().connect(new InetSocketAddress(address.host(), address.port()), settings.connectTimeoutMs());
                configure(ch);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                throw new TransportException("cannot connect to " + address + " within " + settings.connectTimeoutMs()
                        + " ms: " + describe(e), e);
            }
            TcpLink created = new TcpLink(TcpEndpoint.this, ch, address.toString(), address);
            opened(created);
            try {
                created.register();
            } catch (IOException | RuntimeException e) { // ClosedSelectorException: the endpoint closed meanwhile
                created.close("endpoint closed");
                throw new TransportException("cannot use connection to " + address + ": " + describe(e), e);
            }
            if (!created.isOpen()) {
                throw new TransportException("endpoint " + local + " is closed");
            }
            return created;
        }
    }
}

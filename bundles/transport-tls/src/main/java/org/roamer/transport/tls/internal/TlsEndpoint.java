/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tls.internal;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameHeader;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Peer;
import org.roamer.api.spi.transport.Signed;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.api.spi.transport.TransportStats;
import org.roamer.api.spi.transport.Transports;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * One node's TLS listener and its links: one outbound link per destination (opened by the first send, again by
 * the first send after it died), inbound links from peers. Nothing is read from a link before its handshake has
 * authenticated the peer; every frame then goes to the handler with the peer's {@link Peer}. Frames to one
 * destination leave in the order {@link #send} accepted them: while the link is being set up they wait in a
 * bounded queue, and every write is handed to the link's event loop in that order. A send never waits on an
 * event loop thread: from there the link is set up in the background and its frames follow.
 */
final class TlsEndpoint implements Endpoint {
    private static final System.Logger LOG = System.getLogger(TlsEndpoint.class.getName());

    private final FrameLimits limits;
    private final FrameHandler handler;
    private final Credentials credentials;
    private final TlsTransport.Settings settings;
    private final EventLoopGroup loops;
    private final Consumer<TlsEndpoint> onClosed;
    private final Channel server;
    private final NodeAddress local;
    private final Bootstrap client;
    private final ConcurrentHashMap<NodeAddress, Outbound> peers = new ConcurrentHashMap<>();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    /** Inbound channels whose handshake has not finished, with when they were accepted. */
    private final Map<Channel, Long> unauthenticated = new ConcurrentHashMap<>();
    /** Such channels closed to make room at the inbound limit. */
    private final LongAdder evicted = new LongAdder();
    private final AtomicInteger inboundOpen = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder badFrames = new LongAdder();
    private final LongAdder handshakesFailed = new LongAdder();
    private final LongAdder refusedConnections = new LongAdder();
    /** Links this endpoint closed after they idled: its own outbound ones, and inbound ones whose peer did not. */
    private final LongAdder idleClosedBySender = new LongAdder();
    private final LongAdder idleClosedByReceiver = new LongAdder();
    private final AtomicLong connectionsOpened = new AtomicLong();

    private TlsEndpoint(NodeAddress listen, FrameLimits limits, FrameHandler handler, Credentials credentials,
            TlsTransport.Settings settings, EventLoopGroup loops, Consumer<TlsEndpoint> onClosed)
            throws TransportException {
        this.limits = limits;
        this.handler = handler;
        this.credentials = credentials;
        this.settings = settings;
        this.loops = loops;
        this.onClosed = onClosed;
        ServerBootstrap sb = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        inbound(ch);
                    }
                });
        ChannelFuture bound = sb.bind(listen.host(), listen.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new TransportException("cannot listen on " + listen + ": " + describe(bound.cause()), bound.cause());
        }
        server = bound.channel();
        local = Transports.advertised(listen, ((InetSocketAddress) server.localAddress()).getPort());
        client = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMs());
    }

    static TlsEndpoint open(NodeAddress listen, FrameLimits limits, FrameHandler handler, Credentials credentials,
            TlsTransport.Settings settings, EventLoopGroup loops, Consumer<TlsEndpoint> onClosed)
            throws TransportException {
        return new TlsEndpoint(listen, limits, handler, credentials, settings, loops, onClosed);
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
        byte[] bytes = Transports.encodeForSending(frame, limits);
        peers.computeIfAbsent(to, Outbound::new).send(bytes);
    }

    @Override
    public boolean drained() {
        for (Outbound o : peers.values()) {
            if (!o.drained()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean drained(NodeAddress to) {
        Outbound o = peers.get(to);
        return o == null || o.drained();
    }

    @Override
    public Signed sign(byte[] data) throws TransportException {
        try {
            return credentials.sign(data);
        } catch (GeneralSecurityException e) {
            throw new TransportException("cannot sign with " + credentials.self.name() + "'s key: " + e.getMessage(),
                    e);
        }
    }

    @Override
    public Peer verify(byte[] data, Signed signed) throws TransportException {
        try {
            return credentials.verify(data, signed);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new TransportException("signature refused: " + e.getMessage(), e);
        }
    }

    @Override
    public TransportStats stats() {
        return new TransportStats(framesIn.sum(), framesOut.sum(), bytesIn.sum(), bytesOut.sum(), badFrames.sum(),
                connectionsOpened.get(), channels.size(), Map.of("handshakesFailed", handshakesFailed.sum(),
                        "connectionsRefused", refusedConnections.sum(), "idleClosedBySender", idleClosedBySender.sum(),
                        "idleClosedByReceiver", idleClosedByReceiver.sum(), "connectionsEvicted", evicted.sum()));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        for (Channel ch : channels) {
            ch.close();
        }
        for (Outbound o : peers.values()) {
            o.fail(new TransportException("endpoint " + local + " is closed"));
        }
        peers.clear();
        onClosed.accept(this);
    }

    @Override
    public String toString() {
        return "tls endpoint " + local;
    }

    // ---- links --------------------------------------------------------------------------------------

    private void inbound(SocketChannel ch) {
        String remote = remoteOf(ch);
        int open = inboundOpen.incrementAndGet();
        ch.closeFuture().addListener(f -> {
            inboundOpen.decrementAndGet();
            unauthenticated.remove(ch);
        });
        if (!closed.get() && open > settings.maxInboundConnections()) {
            // full: the oldest connection still without a finished handshake makes room, so that sockets held
            // open (each for up to the handshake time-out) cannot lock the network's nodes out
            Channel oldest = unauthenticated.isEmpty()
                    ? null
                    : unauthenticated.keySet().stream()
                            .min(java.util.Comparator.comparingLong(unauthenticated::get)).orElse(null);
            if (oldest != null && unauthenticated.remove(oldest) != null) {
                evicted.increment();
                oldest.close();
                open--;
            }
        }
        if (closed.get() || open > settings.maxInboundConnections()) {
            refusedConnections.increment();
            LOG.log(Level.WARNING, this + ": refusing connection from " + remote + ", already "
                    + (open - 1) + " inbound connections");
            ch.close();
            return;
        }
        track(ch);
        unauthenticated.put(ch, System.nanoTime());
        SslHandler tls = credentials.server.newHandler(ch.alloc());
        tls.setHandshakeTimeoutMillis(settings.handshakeTimeoutMs());
        ch.pipeline().addLast("tls", tls)
                .addLast("idle", new IdleStateHandler(settings.idleTimeoutS(), 0, 0, TimeUnit.SECONDS))
                .addLast("frames", new Reader(remote, null));
    }

    private void track(Channel ch) {
        channels.add(ch);
        connectionsOpened.incrementAndGet();
        ch.closeFuture().addListener(f -> channels.remove(ch));
        if (closed.get()) {
            ch.close();
        }
    }

    private static String remoteOf(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.remoteAddress();
        return a == null ? "?" : new NodeAddress(a.getAddress().getHostAddress(), a.getPort()).toString();
    }

    private boolean onEventLoop() {
        for (EventExecutor e : loops) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + m;
    }

    /**
     * Reads frames of one link once its handshake named the peer; reports a failed handshake or a bad frame and
     * closes that link only.
     */
    private final class Reader extends ByteToMessageDecoder {
        private final String remote;
        /** The destination this link was opened for, or {@code null} for an inbound link. */
        private final Outbound outbound;
        private Peer peer;
        private FrameHeader header;

        Reader(String remote, Outbound outbound) {
            this.remote = remote;
            this.outbound = outbound;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf b) {
                bytesIn.add(b.readableBytes());
            }
            super.channelRead(ctx, msg);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (peer == null) { // TLS hands nothing up before the handshake; never trust what would come
                in.skipBytes(in.readableBytes());
                return;
            }
            while (ctx.channel().isActive()) {
                if (header == null) {
                    if (in.readableBytes() < FrameCodec.HEADER_SIZE) {
                        return;
                    }
                    try {
                        header = FrameCodec.decodeHeader(in.nioBuffer(in.readerIndex(), FrameCodec.HEADER_SIZE),
                                limits);
                    } catch (FrameException e) {
                        bad(ctx, e.getMessage());
                        in.skipBytes(in.readableBytes());
                        return;
                    }
                    in.skipBytes(FrameCodec.HEADER_SIZE);
                }
                int length = header.bodyLength();
                if (in.readableBytes() < length) {
                    return; // what has arrived waits in the cumulation: no buffer sized to the header's claim
                }
                Frame frame;
                try {
                    frame = FrameCodec.decodeBody(header, in.nioBuffer(in.readerIndex(), length));
                } catch (FrameException e) {
                    bad(ctx, e.getMessage());
                    in.skipBytes(in.readableBytes());
                    return;
                }
                in.skipBytes(length);
                header = null;
                framesIn.increment();
                try {
                    handler.onFrame(frame, peer);
                } catch (Throwable t) { // a faulty handler must not take the link or the event loop down
                    LOG.log(Level.WARNING, "frame handler failed on " + frame + " from " + peer, t);
                }
            }
        }

        private void bad(ChannelHandlerContext ctx, String reason) {
            badFrames.increment();
            LOG.log(Level.DEBUG, "bad input from " + remote + ": " + reason);
            try {
                handler.onBadFrame(remote, reason);
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "frame handler failed on a bad frame from " + remote, t);
            }
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    unauthenticated.remove(ctx.channel());
                    try {
                        peer = Credentials.peerOf(ctx.pipeline().get(SslHandler.class).engine().getSession());
                    } catch (Exception e) {
                        handshakeFailed(ctx, "peer certificate: " + e.getMessage());
                        return;
                    }
                    if (outbound != null) {
                        outbound.ready(ctx.channel());
                    }
                } else {
                    handshakeFailed(ctx, describe(done.cause()));
                }
            } else if (evt instanceof IdleStateEvent) {
                if (outbound != null) {
                    outbound.closeIfIdle(ctx.channel());
                } else {
                    // the peer should have closed it first (its sender closes at 4/5 of this time-out)
                    LOG.log(Level.DEBUG, "closing idle link from " + remote);
                    idleClosedByReceiver.increment();
                    ctx.close();
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        private void handshakeFailed(ChannelHandlerContext ctx, String reason) {
            handshakesFailed.increment();
            badFrames.increment();
            String why = "TLS handshake failed: " + reason;
            LOG.log(Level.DEBUG, remote + ": " + why);
            if (outbound != null) {
                outbound.failed(ctx.channel(), new TransportException("no TLS link to " + remote + ": " + reason));
            } else {
                try {
                    handler.onBadFrame(remote, why);
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "frame handler failed on a bad handshake from " + remote, t);
                }
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (outbound != null) {
                outbound.failed(ctx.channel(), new TransportException("link to " + remote + " closed"));
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a failed handshake is also reported as its completion event; anything later ends this link only
            LOG.log(Level.DEBUG, "link with " + remote + " failed: " + describe(cause));
            ctx.close();
        }
    }

    /**
     * The outbound side towards one destination: at most one link. Frames sent while it is being set up wait
     * in order (bounded by the outbound queue); each write is handed to the link's event loop in send order.
     */
    private final class Outbound {
        private final NodeAddress to;
        private Channel channel; // guarded by this; set once the handshake succeeded
        private Channel connecting; // guarded by this
        private Promise<Void> ready; // guarded by this
        private final ArrayDeque<byte[]> waiting = new ArrayDeque<>(); // guarded by this
        /** Bytes and frames handed to send and not yet written (or dropped). */
        private final AtomicLong unwrittenBytes = new AtomicLong();
        private final AtomicLong unwrittenFrames = new AtomicLong();

        Outbound(NodeAddress to) {
            this.to = to;
        }

        boolean drained() {
            return unwrittenFrames.get() == 0;
        }

        void send(byte[] frame) throws TransportException {
            Promise<Void> wait;
            synchronized (this) {
                if (unwrittenBytes.get() + frame.length > settings.outboundQueueBytes()) {
                    throw new TransportException("outbound queue to " + to + " is full (" + unwrittenFrames.get()
                            + " frames, " + unwrittenBytes.get() + " bytes waiting)");
                }
                unwrittenBytes.addAndGet(frame.length);
                unwrittenFrames.incrementAndGet();
                if (channel != null && channel.isActive()) {
                    write(channel, frame);
                    return;
                }
                waiting.add(frame);
                if (connecting == null) {
                    connect();
                }
                wait = ready;
            }
            if (onEventLoop()) {
                return; // never wait on an I/O thread: the frames follow when the link is up
            }
            long ms = settings.connectTimeoutMs() + settings.handshakeTimeoutMs() + 1000L;
            if (!wait.awaitUninterruptibly(ms)) {
                throw new TransportException("no TLS link to " + to + " within " + ms + " ms");
            }
            if (!wait.isSuccess()) {
                Throwable c = wait.cause();
                throw new TransportException(c instanceof TransportException ? c.getMessage() : describe(c), c);
            }
        }

        /** Under this: opens the link; its handshake completes {@link #ready}. */
        private void connect() {
            ready = loops.next().newPromise();
            ChannelFuture f = client.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    track(ch);
                    SslHandler tls = credentials.client.newHandler(ch.alloc(), to.host(), to.port());
                    tls.setHandshakeTimeoutMillis(settings.handshakeTimeoutMs());
                    // the sending side closes an idle link first, at 4/5 of the receivers' idle time-out, when
                    // nothing is waiting: a receiver closing it could lose a frame sent in that instant
                    ch.pipeline().addLast("tls", tls).addLast("flush", new FlushConsolidationHandler(256, true))
                            .addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeoutS() * 800L,
                                    TimeUnit.MILLISECONDS))
                            .addLast("frames", new Reader(to.toString(), Outbound.this));
                }
            }).connect(to.host(), to.port());
            connecting = f.channel();
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    failed(f.channel(), new TransportException("cannot connect to " + to + " within "
                            + settings.connectTimeoutMs() + " ms: " + describe(done.cause()), done.cause()));
                }
            });
            LOG.log(Level.DEBUG, "opening TLS link to " + to);
        }

        /** The link's handshake succeeded: the waiting frames go first, in order. */
        void ready(Channel ch) {
            synchronized (this) {
                if (ch != connecting) {
                    return;
                }
                channel = ch;
                connecting = null;
                for (byte[] frame; (frame = waiting.poll()) != null;) {
                    write(ch, frame);
                }
                ready.trySuccess(null);
            }
        }

        /**
         * On the link's event loop, after it idled: closes it when it is still this destination's link and nothing
         * is waiting or being written, so no frame can be lost with it; the next send opens a new one.
         */
        void closeIfIdle(Channel ch) {
            synchronized (this) {
                if (ch != channel || unwrittenFrames.get() != 0 || !waiting.isEmpty()) {
                    return; // busy, or not the link in use: the idle handler fires again later
                }
                channel = null;
            }
            idleClosedBySender.increment();
            LOG.log(Level.DEBUG, "closing idle link to " + to);
            ch.close();
        }

        /** The link failed before or after its handshake: waiting frames are dropped, the next send reconnects. */
        void failed(Channel ch, TransportException why) {
            synchronized (this) {
                if (ch == channel) {
                    channel = null;
                }
                if (ch != connecting) {
                    return;
                }
                connecting = null;
                dropWaiting(why.getMessage());
                ready.tryFailure(why);
            }
        }

        /** The endpoint closes. */
        synchronized void fail(TransportException why) {
            dropWaiting(why.getMessage());
            if (ready != null) {
                ready.tryFailure(why);
            }
        }

        private void dropWaiting(String why) {
            if (!waiting.isEmpty()) {
                LOG.log(Level.WARNING,
                        TlsEndpoint.this + ": " + waiting.size() + " frames to " + to + " dropped: " + why);
            }
            for (byte[] frame; (frame = waiting.poll()) != null;) {
                unwrittenBytes.addAndGet(-frame.length);
                unwrittenFrames.decrementAndGet();
            }
        }

        /** Under this: the write goes to the link's event loop behind every earlier one. */
        private void write(Channel ch, byte[] frame) {
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            try {
                ch.eventLoop().execute(() -> ch.writeAndFlush(buf).addListener(f -> {
                    unwrittenBytes.addAndGet(-frame.length);
                    unwrittenFrames.decrementAndGet();
                    if (f.isSuccess()) {
                        framesOut.increment();
                        bytesOut.add(frame.length);
                    }
                }));
            } catch (RejectedExecutionException e) { // the event loops are shutting down
                unwrittenBytes.addAndGet(-frame.length);
                unwrittenFrames.decrementAndGet();
            }
        }
    }
}

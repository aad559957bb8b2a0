package org.roamer.core.internal.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.RoamerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node with a listener: sends frames, correlates replies to requests, and hands every other frame to
 * {@link #handle}. Replies are matched by correlation id; ids start at a random offset per node so that
 * they do not collide with another node's ids.
 */
public abstract class SignalingNode implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingNode.class);

    protected final RoamerCore core;
    protected final NodeId id;
    private final AtomicLong correlation = new AtomicLong(ThreadLocalRandom.current().nextLong() >>> 2);
    private final ConcurrentHashMap<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    private final String transportName;
    private volatile Endpoint endpoint;

    protected SignalingNode(RoamerCore core, NodeId id, String transportName) {
        this.core = core;
        this.id = id;
        this.transportName = transportName;
    }

    /** Binds the listener. */
    protected void bind(Transport transport, NodeAddress listen, FrameLimits limits) throws TransportException {
        endpoint = transport.bind(listen, limits, this);
    }

    protected void unbind() {
        Endpoint e = endpoint;
        if (e != null) {
            e.close();
        }
        pending.values().forEach(f -> f.completeExceptionally(new TransportException("node " + id + " stopped")));
        pending.clear();
    }

    public NodeId id() {
        return id;
    }

    /** The address peers reach this node at. */
    public NodeAddress address() {
        return endpoint.localAddress();
    }

    public String transportName() {
        return transportName;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public long nextCorrelation() {
        return correlation.incrementAndGet();
    }

    /** Sends a frame; counts it. */
    public void send(NodeAddress to, Frame frame) throws TransportException {
        core.metrics().sent(frame);
        endpoint.send(to, frame);
    }

    /** Sends, logging and counting a failure instead of throwing (for replies and notifications). */
    public boolean trySend(String to, Frame frame) {
        try {
            send(NodeAddress.parse(to), frame);
            return true;
        } catch (TransportException | IllegalArgumentException e) {
            core.metrics().inc("errors.send");
            LOG.warn("{}: could not send {} to {}: {}", id, frame.type(), to, e.getMessage());
            return false;
        }
    }

    /**
     * Sends a request whose reply carries the same correlation id and the REPLY flag.
     *
     * @param frame a frame whose correlation id came from {@link #nextCorrelation()}
     */
    public CompletableFuture<Frame> request(NodeAddress to, Frame frame, long timeoutMillis) {
        CompletableFuture<Frame> f = new CompletableFuture<>();
        long id = frame.correlationId();
        pending.put(id, f);
        // The core's timer, not orTimeout() (whose JDK delayer thread would be woken for every request); the
        // future fails on a worker, because its continuations (the caller's code) must not hold up the timer.
        ScheduledFuture<?> timeout = core.schedule(() -> failOnWorker(f, new TimeoutException(
                "no reply to " + frame.type() + " within " + timeoutMillis + " ms")), timeoutMillis, TimeUnit.MILLISECONDS);
        if (timeout.isCancelled()) { // the runtime is stopping: no time-out would ever fire
            f.completeExceptionally(new TimeoutException("the node is stopping; " + frame.type() + " not sent"));
            pending.remove(id, f);
            return f;
        }
        f.whenComplete((r, e) -> {
            pending.remove(id, f);
            timeout.cancel(false);
        });
        try {
            send(to, frame);
        } catch (TransportException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    private void failOnWorker(CompletableFuture<Frame> f, Throwable why) {
        try {
            core.workers().execute(() -> f.completeExceptionally(why));
        } catch (java.util.concurrent.RejectedExecutionException e) { // the pool stopped: fail here, at once
            f.completeExceptionally(why);
        }
    }

    /** A reply frame to a request. */
    protected static Frame reply(Frame request, MessageType type, byte[] payload) {
        return new Frame(type, Frame.REPLY, request.correlationId(), request.epoch(), request.seq(), request.mobile(),
                payload);
    }

    @Override
    public final void onFrame(Frame frame) {
        if (frame.has(Frame.REPLY)) {
            CompletableFuture<Frame> f = pending.remove(frame.correlationId());
            if (f != null) {
                f.complete(frame);
                return;
            }
        }
        try {
            handle(frame);
        } catch (RuntimeException e) {
            core.metrics().inc("errors.handle");
            LOG.error("{}: failed to handle {}", id, frame, e);
        }
    }

    @Override
    public void onBadFrame(String peer, String reason) {
        core.metrics().inc("frames.bad");
        LOG.warn("{}: refused bad frame from {}: {}", id, peer, reason);
    }

    /** Handles a frame that is not a reply to one of this node's requests. Called on a transport thread. */
    protected abstract void handle(Frame frame);

    /** Whether a failure is a time-out. */
    protected static boolean isTimeout(Throwable t) {
        return t instanceof TimeoutException || t.getCause() instanceof TimeoutException;
    }
}

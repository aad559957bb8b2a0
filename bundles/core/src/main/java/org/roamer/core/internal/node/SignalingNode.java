/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.ArrayList;
import java.util.List;
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
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Peer;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.LinkDelays;
import org.roamer.core.internal.RoamerCore;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node with listeners: sends frames, correlates replies to requests, and hands every other frame to
 * {@link #handle}. Replies are matched by correlation id; ids start at a random offset per node so that
 * they do not collide with another node's ids.
 *
 * <p>A node listens on <em>every</em> installed transport, all on the same host and port (TCP and UDP port
 * numbers are separate name spaces), so that a peer reaches it over whichever transport that peer prefers,
 * and sends over its own preferred transport ({@code transport} in its configuration), or over another one
 * while that one is not installed. Transports come and go at run time (hot swap): a new one is bound at once;
 * when one leaves, only its endpoint closes and sending falls back to another. Switching the preferred
 * transport leaves the old endpoint open, so that frames already handed to it are still delivered.
 */
public abstract class SignalingNode implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingNode.class);

    protected final RoamerCore core;
    protected final NodeId id;
    private final AtomicLong correlation = new AtomicLong(ThreadLocalRandom.current().nextLong() >>> 2);
    private final ConcurrentHashMap<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    /** Link-delay model on: what each pending request was and where it went, so its reply is accounted. */
    private final ConcurrentHashMap<Long, Requested> requested = new ConcurrentHashMap<>();

    private record Requested(MessageType type, NodeAddress to) {
    }
    /** Listeners by transport name; guarded by {@code this} for changes, read without locking. */
    private final ConcurrentHashMap<String, Bound> endpoints = new ConcurrentHashMap<>();
    private volatile String preferredTransport;
    /** Where sends go: the preferred transport's endpoint, or another while that one is not installed. */
    private volatile Bound sender;
    /** The address every listener of this node shares (host and port); null until the first one is bound. */
    private volatile NodeAddress address;
    private volatile NodeAddress listen;
    private volatile FrameLimits limits;
    private volatile boolean closed;
    private volatile String configurationPid;
    /** Notified by {@link #applied()} after each configuration change; guards {@link #appliedCount}. */
    private final Object applied = new Object();
    private long appliedCount;

    private record Bound(Transport transport, Endpoint endpoint) {
    }

    protected SignalingNode(RoamerCore core, NodeId id, String preferredTransport) {
        this.core = core;
        this.id = id;
        this.preferredTransport = preferredTransport;
    }

    /** The PID of the Config Admin configuration this node was made from, or {@code null} (tests, embedding). */
    public String configurationPid() {
        return configurationPid;
    }

    /** Remembers the configuration PID from the component properties DS hands to the constructor. */
    protected void configurationPid(java.util.Map<String, Object> properties) {
        Object pid = properties.get("service.pid");
        configurationPid = pid instanceof String ? (String) pid : null;
    }

    /** The factory PID of this node's role ({@code org.roamer.uss}, ...). */
    public abstract String factoryPid();

    /** The configuration properties that make this node what it is (node.id, listen, ...), as they run now. */
    public abstract java.util.Map<String, Object> identity();

    /**
     * Whether a configuration delivered at run time lacks this node's identity. Karaf's file install can read an
     * {@code etc/*.cfg} file while rewriting it (after a Config Admin update) and deliver what it read; such a
     * configuration is ignored, not applied, until a complete one arrives.
     */
    protected boolean incomplete(String nodeId) {
        if (nodeId != null && !nodeId.isBlank()) {
            return false;
        }
        core.metrics().inc("config.incomplete");
        LOG.warn("{}: ignoring a configuration without node.id (an etc/ file read while being written?); keeping the"
                + " running settings", id);
        return true;
    }

    /** Where this node listens and with which frame limits; call before any transport is added. */
    protected void listenOn(NodeAddress listen, FrameLimits limits) {
        this.listen = listen;
        this.limits = limits;
    }

    /** Binds the listener of one transport (tests, embedding: the node's only or first transport). */
    protected void bind(Transport transport, NodeAddress listen, FrameLimits limits) throws TransportException {
        listenOn(listen, limits);
        if (!transportAdded(transport)) {
            throw new TransportException("node " + id + " could not listen on " + listen + " with " + transport.name());
        }
    }

    /**
     * A transport is available: this node listens on it too, on its address's port (or the configured listen
     * address while it has none).
     *
     * @return whether it listens on it now
     */
    public synchronized boolean transportAdded(Transport t) {
        if (closed || endpoints.containsKey(t.name())) {
            return !closed;
        }
        leaving.remove(t.name());
        NodeAddress at = address != null ? address : listen;
        try {
            Endpoint e = t.bind(at, limits, this);
            Bound b = new Bound(t, e);
            endpoints.put(t.name(), b);
            if (address == null) {
                address = e.localAddress();
            }
            chooseSender();
            LOG.info("{}: listening on {} ({})", id, address, t.name());
            return true;
        } catch (TransportException | RuntimeException e) {
            core.metrics().inc("errors.bind");
            LOG.error("{}: could not listen on {} with {}: {}", id, at, t.name(), e.getMessage());
            return false;
        }
    }

    /**
     * A transport is going away (its bundle stops): without losing what was already sent on it. First every
     * node of this container stops sending with it (falls back to another transport); then this node waits,
     * still listening, until every node's endpoint of that transport has drained (written, or acknowledged by
     * the peer) — at most {@link #DRAIN_MILLIS}; then its own endpoint closes.
     */
    public void transportRemoved(Transport t) {
        Bound b = endpoints.get(t.name());
        if (b == null || b.transport() != t) {
            return;
        }
        List<SignalingNode> nodes = new ArrayList<>(core.directory().ussNodes());
        nodes.addAll(core.directory().locationServers());
        if (!nodes.contains(this)) {
            nodes.add(this);
        }
        for (SignalingNode n : nodes) {
            n.stopSendingWith(t);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        boolean drained = false;
        try {
            while (!(drained = nodes.stream().allMatch(n -> n.drainedOn(t))) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!drained) {
            core.metrics().inc("transport.drain.timeout");
            LOG.warn("{}: frames on {} were not all delivered within {} ms; closing it", id, t.name(), DRAIN_MILLIS);
        }
        synchronized (this) {
            if (!endpoints.remove(t.name(), b)) {
                return;
            }
            leaving.remove(t.name());
            chooseSender();
        }
        b.endpoint().close();
        LOG.info("{}: stopped listening with {}; sending with {}", id, t.name(), transportName());
    }

    /** Longest wait for frames already sent on a leaving transport. */
    static final long DRAIN_MILLIS = 3_000;

    /** Transports about to leave: still listened on, no longer sent with. */
    private final java.util.Set<String> leaving = ConcurrentHashMap.newKeySet();

    private synchronized void stopSendingWith(Transport t) {
        Bound b = endpoints.get(t.name());
        if (b != null && b.transport() == t && leaving.add(t.name())) {
            chooseSender();
        }
    }

    private boolean drainedOn(Transport t) {
        Bound b = endpoints.get(t.name());
        return b == null || b.transport() != t || b.endpoint().drained();
    }

    /** Whether the installed transport {@code name} authenticates its links ({@code false} when not installed). */
    public boolean authenticates(String name) {
        Bound b = endpoints.get(name);
        return b != null && b.transport().authenticates();
    }

    /** Makes {@code name} the transport this node sends with (another one while it is not installed). */
    public synchronized void preferTransport(String name) {
        preferredTransport = name;
        chooseSender();
    }

    private void chooseSender() {
        Bound b = leaving.contains(preferredTransport) ? null : endpoints.get(preferredTransport);
        if (b == null) {
            b = endpoints.values().stream().filter(x -> !leaving.contains(x.transport().name()))
                    .min(java.util.Comparator.comparing(x -> x.transport().name())).orElse(null);
        }
        sender = b;
    }

    /** Whether this node listens on a transport that authenticates its links (migration tickets need one). */
    protected boolean hasAuthenticatingTransport() {
        return endpoints.values().stream().anyMatch(b -> b.transport().authenticates());
    }

    protected synchronized void unbind() {
        closed = true;
        endpoints.values().forEach(b -> b.endpoint().close());
        endpoints.clear();
        sender = null;
        pending.values().forEach(f -> f.completeExceptionally(new TransportException("node " + id + " stopped")));
        pending.clear();
    }

    /** The transport configured for sending (may not be installed). */
    public String preferredTransport() {
        return preferredTransport;
    }

    /** Names of the transports this node listens on, sorted. */
    public java.util.List<String> transports() {
        return endpoints.keySet().stream().sorted().toList();
    }

    /** Counters of this node's listener on one transport, or {@code null} when it does not listen on it. */
    public org.roamer.api.spi.transport.TransportStats transportStats(String name) {
        Bound b = endpoints.get(name);
        return b == null ? null : b.endpoint().stats();
    }

    /** Tells {@link #awaitApplied} waiters that a configuration change has been applied. */
    protected void applied() {
        synchronized (applied) {
            appliedCount++;
            applied.notifyAll();
        }
    }

    /** Configuration changes applied since the node started (see {@link #awaitApplied}). */
    public long appliedCount() {
        synchronized (applied) {
            return appliedCount;
        }
    }

    /**
     * Waits until more than {@code seen} configuration changes have been applied (Config Admin delivers them
     * asynchronously).
     *
     * @return false when none was within {@code millis}
     */
    public boolean awaitApplied(long seen, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (applied) {
            while (appliedCount <= seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(applied, left);
            }
            return true;
        }
    }

    public NodeId id() {
        return id;
    }

    /** The address peers reach this node at, on every transport; {@code null} before any transport is bound. */
    public NodeAddress address() {
        return address;
    }

    /** The transport this node sends with now, or {@code null} when none is installed. */
    public String transportName() {
        Bound b = sender;
        return b == null ? null : b.transport().name();
    }

    public long nextCorrelation() {
        return correlation.incrementAndGet();
    }

    /** Sends a frame; counts it. */
    public void send(NodeAddress to, Frame frame) throws TransportException {
        Bound preferred = sender;
        if (preferred == null) {
            throw new TransportException("node " + id + " has no transport installed");
        }
        Bound b = relayed(frame) ? relayTransport(to, preferred) : preferred;
        core.metrics().sent(frame);
        LinkDelays delays = core.linkDelays();
        if (delays == LinkDelays.NONE) {
            b.endpoint().send(to, frame);
            return;
        }
        String there = clusterAt(to);
        long ms = delays.millis(linkCluster(), there);
        if (!frame.has(Frame.REPLY)) { // a reply is accounted by its requester, by the request's kind
            account(frame.type(), !java.util.Objects.equals(linkCluster(), there), frame.wireSize());
        }
        if (ms <= 0) {
            b.endpoint().send(to, frame);
            return;
        }
        // one timer thread, equal delays per destination: frames to one peer keep their order
        core.schedule(() -> {
            try {
                b.endpoint().send(to, frame);
            } catch (TransportException | RuntimeException e) {
                core.metrics().inc("errors.send");
                LOG.warn("{}: could not send delayed {} to {}: {}", id, frame.type(), to, e.getMessage());
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Link-delay model accounting: frames and bytes by distance ({@code long}: between clusters or with a
     * Location Server; {@code local}: within a cluster) and by kind ({@code mobility}: registrations,
     * migrations, location updates; {@code calls}: call set-up and paging; {@code other}), e.g.
     * {@code link.frames.long.mobility}.
     */
    private void account(MessageType type, boolean far, int bytes) {
        String kind = switch (type) {
            case REGISTRATION, DEREGISTRATION, CREATE_AGENT, TERMINATE_AGENT, MIGRATE, TRANSFER, TRANSFER_DATA, READY,
                    BUFFERED, MIGRATE_DONE, MIGRATE_FAILED, LOCATION_UPDATE, FLUSH ->
                "mobility";
            case CALL_OFFER, CALL_DECISION, PAGE, PAGE_RESPONSE, ORIGINATE, CALL_REQUEST, CALL_RELEASE, LOCATE ->
                "calls";
            default -> "other";
        };
        String d = far ? "long" : "local";
        core.metrics().inc("link.frames." + d);
        core.metrics().add("link.bytes." + d, bytes);
        core.metrics().inc("link.frames." + d + "." + kind);
        core.metrics().add("link.bytes." + d + "." + kind, bytes);
    }

    /**
     * Frames a node passes on and acknowledges before the next hop has them: a stub's forwarded messages and
     * FLUSH markers, the drained buffer, a strategy's chunk stream. Their order to one destination must
     * survive a change of transport: two transports are two paths, and the later frame could overtake.
     */
    private static boolean relayed(Frame f) {
        // TRANSFER too: a stub that becomes the target of a migration whose source is its next hop sends no FLUSH
        // marker, because the TRANSFER follows the messages it forwarded there on the same FIFO path. On another
        // transport it overtook one (PluginSwapIT: the source captured without it, then forwarded it back after
        // the agent had taken the sender's next message: 108 before 107; TransportSwitchTest)
        return f.has(Frame.FORWARDED) || f.type() == MessageType.BUFFERED || f.type() == MessageType.FLUSH
                || f.type() == MessageType.TRANSFER_DATA || f.type() == MessageType.TRANSFER;
    }

    /** The last transport relayed frames went on, per destination, and when. */
    private final ConcurrentHashMap<NodeAddress, Relay> relays = new ConcurrentHashMap<>();

    private record Relay(Bound bound, long nanos) {
    }

    /** How long a destination's relayed frames stay on their transport after the last one, at least. */
    static final long RELAY_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /**
     * The transport for a relayed frame to {@code to}: the one the previous relayed frame to it took, while
     * that one is still bound and has frames outstanding or carried one within {@link #RELAY_QUIET_NANOS};
     * else the node's sender. Frames of one relay stream so keep one path across a transport switch.
     */
    private Bound relayTransport(NodeAddress to, Bound preferred) {
        long now = System.nanoTime();
        Relay last = relays.get(to);
        Bound use = preferred;
        String lastName = last == null ? null : last.bound().transport().name();
        if (last != null && last.bound() != preferred && endpoints.get(lastName) == last.bound()
                && !leaving.contains(lastName) // a leaving transport's peers may have closed it already
                && (now - last.nanos() < RELAY_QUIET_NANOS || !last.bound().endpoint().drained())) {
            use = last.bound();
            core.metrics().inc("transport.relay.kept");
        }
        relays.put(to, new Relay(use, now));
        return use;
    }

    /** This node's cluster for the link-delay model; {@code null} for a Location Server. */
    protected String linkCluster() {
        return null;
    }

    /**
     * Whether every frame this node sent to {@code to}, on every transport, has left it (see
     * {@link Endpoint#drained(NodeAddress)}).
     */
    public boolean drainedTo(NodeAddress to) {
        for (Bound b : endpoints.values()) {
            if (!b.endpoint().drained(to)) {
                return false;
            }
        }
        return true;
    }

    /** The cluster of the node at an address in this container, {@code null} for a Location Server or unknown. */
    String clusterAt(NodeAddress to) {
        UserSignalingServer u = core.directory().ussByAddress(to.toString());
        if (u != null) {
            return u.cluster().value();
        }
        if (isLocationServer(to)) {
            return null;
        }
        // a node of another container: in another cluster, whose name this container need not know
        return OTHER_CLUSTER;
    }

    /** The cluster {@link #clusterAt} gives a node of another container: not a cluster name (no '?' in ids). */
    static final String OTHER_CLUSTER = "?";

    /** Whether {@code to} is a Location Server: one of this container, or one this node was configured with. */
    protected boolean isLocationServer(NodeAddress to) {
        for (LocationServer l : core.directory().locationServers()) {
            if (to.equals(l.address())) {
                return true;
            }
        }
        return false;
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
        ScheduledFuture<?> timeout = core.schedule(() -> {
            // logged too: a lost reply is a fault of the network or of a node, whose log must show it
            String what = "no reply to " + frame.type() + " within " + timeoutMillis + " ms";
            if (!f.isDone()) {
                LOG.warn("{}: {} (to {}, mobile {}, correlation {})", this.id, what, to, frame.mobile(), id);
            }
            failOnWorker(f, new TimeoutException(what));
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        if (timeout.isCancelled()) { // the runtime is stopping: no time-out would ever fire
            f.completeExceptionally(new TimeoutException("the node is stopping; " + frame.type() + " not sent"));
            pending.remove(id, f);
            return f;
        }
        if (core.linkDelays() != LinkDelays.NONE) {
            requested.put(id, new Requested(frame.type(), to));
        }
        f.whenComplete((r, e) -> {
            pending.remove(id, f);
            requested.remove(id);
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

    /**
     * The answer to a request as a {@link Reply}: {@code refusal} is null when the request was granted, else why
     * not (no answer, an ERROR, a refusal, an unreadable body).
     */
    public record Answer(Reply reply, String refusal) {
        /** From what {@link #request} completed with. */
        public static Answer of(Frame answer, Throwable failure) {
            if (failure != null) {
                return new Answer(null, String.valueOf(failure.getMessage()));
            }
            try {
                Reply r = Json.decode(answer.payload(), Reply.class);
                return new Answer(r, r.ok() ? null : r.reason());
            } catch (FrameException e) {
                return new Answer(null, e.getMessage());
            }
        }
    }

    /** A reply frame to a request. */
    protected static Frame reply(Frame request, MessageType type, byte[] payload) {
        return new Frame(type, Frame.REPLY, request.correlationId(), request.epoch(), request.seq(), request.mobile(),
                payload);
    }

    /**
     * A frame from a plaintext link: its origin is unknown. Refused when this container takes authenticated links
     * only ({@code links.authenticated}).
     */
    @Override
    public final void onFrame(Frame frame) {
        if (core.linksAuthenticated()) {
            refuse(frame, null, "it came over a plaintext link, and this container takes authenticated links only");
            return;
        }
        accept(frame);
    }

    /** A frame from an authenticated peer: handled when the peer's credential allows it to send it. */
    @Override
    public final void onFrame(Frame frame, Peer peer) {
        String refusal = authorize(frame, peer);
        if (refusal != null) {
            refuse(frame, peer, refusal);
            return;
        }
        accept(frame);
    }

    /**
     * Why {@code peer} may not send {@code frame}, or {@code null} when it may. Requests that create, move or
     * destroy agents come from a Location Server only; the migration protocol's frames, HELLO and registrations
     * from a User Signaling Server only; anything else (messages, calls, replies, ADMIN) from any node of the
     * network. A reply is matched to a request this node made, by correlation id.
     */
    protected String authorize(Frame frame, Peer peer) {
        if (frame.has(Frame.REPLY)) {
            return null;
        }
        return switch (frame.type()) {
            case MIGRATE, CREATE_AGENT, TERMINATE_AGENT -> peer.isLocationServer()
                    ? null
                    : "only a Location Server may send " + frame.type();
            case TRANSFER, TRANSFER_DATA, READY, BUFFERED, MIGRATE_FAILED, MIGRATE_DONE, HELLO, REGISTRATION,
                    DEREGISTRATION ->
                peer.roles().contains(Peer.USER_SIGNALING_SERVER)
                        ? null
                        : "only a User Signaling Server may send " + frame.type();
            default -> null;
        };
    }

    private void refuse(Frame frame, Peer peer, String why) {
        core.metrics().inc("frames.unauthorized");
        core.metrics().inc("frames.unauthorized." + frame.type());
        LOG.warn("{}: refused {} for '{}' from {}: {}", id, frame.type(), frame.mobile(),
                peer == null ? "an unauthenticated peer" : peer, why);
    }

    private void accept(Frame frame) {
        if (frame.has(Frame.REPLY)) {
            Requested q = requested.remove(frame.correlationId());
            if (q != null) {
                account(q.type(), !java.util.Objects.equals(linkCluster(), clusterAt(q.to())), frame.wireSize());
            }
            CompletableFuture<Frame> f = pending.remove(frame.correlationId());
            if (f != null) {
                f.complete(frame);
                return;
            }
        }
        if (frame.type() == MessageType.ADMIN) {
            if (frame.has(Frame.REPLY)) {
                core.metrics().inc("frames.late.reply"); // its requester gave up waiting
            } else {
                admin(frame);
            }
            return;
        }
        try {
            handle(frame);
        } catch (RuntimeException e) {
            core.metrics().inc("errors.handle");
            LOG.error("{}: failed to handle {}", id, frame, e);
        }
    }

    /** An operator's command from another container: to the console service, unless this container refuses. */
    private void admin(Frame frame) {
        RoamerCore.AdminHandler h = core.admin();
        if (h != null && core.adminRemote()) {
            h.serve(this, frame);
            return;
        }
        core.metrics().inc("admin.refused");
        try {
            String from = Json.decode(frame.payload(), Payloads.Request.class).from();
            trySend(from, reply(frame, MessageType.ERROR, Json.encode(Reply.error(h == null
                    ? "container " + core.containerName() + " has no console service running"
                    : "container " + core.containerName() + " does not allow remote administration"
                            + " (admin.remote in etc/org.roamer.runtime.cfg)"))));
        } catch (FrameException | RuntimeException e) {
            onBadFrame(String.valueOf(frame.mobile()), "ADMIN: " + e.getMessage());
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

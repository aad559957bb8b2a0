/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.directory.LocationDirectory;
import org.roamer.api.spi.directory.MobileRecord;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.Actor;
import org.roamer.core.internal.RoamerCore;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.CreateAgent;
import org.roamer.core.internal.wire.Payloads.Hello;
import org.roamer.core.internal.wire.Payloads.MigrateDone;
import org.roamer.core.internal.wire.Payloads.MigrateFailed;
import org.roamer.core.internal.wire.Payloads.Registration;
import org.roamer.core.internal.wire.Payloads.Reply;
import org.roamer.core.internal.wire.Payloads.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Location Server: tracks the cluster of every mobile and the USS hosting its agent, creates and
 * terminates agents on REGISTRATION / DEREGISTRATION, starts migrations (MIGRATE) when a mobile registers
 * in another cluster, and assigns each migration an id and the agent a new epoch (fencing token). All
 * state is owned by one actor.
 */
@Component(configurationPid = "org.roamer.location", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
@Designate(ocd = LocationServer.Config.class, factory = true)
public final class LocationServer extends SignalingNode {
    private static final Logger LOG = LoggerFactory.getLogger(LocationServer.class);

    @ObjectClassDefinition(name = "Roamer Location Server", description = "Tracks which cluster each mobile is in")
    public @interface Config {
        @AttributeDefinition(name = "Node id")
        String node_id();

        @AttributeDefinition(description = "Listen address host:port (port 0: any free port)")
        String listen() default "127.0.0.1:0";

        @AttributeDefinition(name = "Transport", description = "The transport this node sends with (tcp, udp, ...);"
                + " it listens on every installed one, and sends with another while this one is not installed")
        String transport() default "tcp";

        @AttributeDefinition(description = "A migration without MIGRATE_DONE or MIGRATE_FAILED after this long is failed (ms)")
        long migration_timeout_ms() default 8000;

        @AttributeDefinition(description = "Time-out of requests to USS nodes (ms)")
        long request_timeout_ms() default 5000;

        @AttributeDefinition(name = "Location directory", description = "Where the record of every mobile is kept:"
                + " memory (this container, the default) or another installed directory such as zookeeper")
        String directory() default "memory";
    }

    /**
     * A USS known from its HELLO.
     *
     * @param routing         its routing policy
     * @param routingMigrates whether that policy migrates on every crossing: the LS then starts migrations of
     *                        agents there at once instead of asking the USS first
     * @param container       the Karaf container it runs in, {@code null} when its HELLO did not say
     * @param ls              the Location Servers it knows (when it has several), by address
     */
    public record UssRecord(String node, String cluster, String addr, List<String> strategies, String transport,
            String routing, boolean routingMigrates, String container, List<String> ls) {
    }

    private static final class Entry {
        /** The mobile's id as the entry was made with (for {@link #sharedId}); null when read from the directory. */
        String mobile;
        /** The cluster the mobile is in (its paging area). */
        String cluster;
        /** The cluster of the USS hosting the agent: {@link #cluster} unless the agent is anchored elsewhere. */
        String agentCluster;
        String node;
        String addr;
        long epoch;
        long maxEpoch;
        Pending pending;
        boolean creating;
        /** The directory's version of the record this entry was last read from or written as. */
        long version;
    }

    private static final class Pending {
        long id;
        /** Waiting for the agent's USS to decide a crossing (LOCATION_UPDATE), not yet migrating. */
        boolean asking;
        /** The routing policy that decided, for the answer. */
        String routing;
        String sourceCluster;
        long epoch;
        UssRecord target;
        String requester;
        Frame request;
        long started;
        ScheduledFuture<?> timeout;
        /** MIGRATE_DONE came; its record is being written. */
        boolean done;
    }

    private final Actor actor;
    private final NodeAddress listen;
    private final long migrationTimeout;
    private final long requestTimeout;
    private final ConcurrentHashMap<String, Entry> mobiles = new ConcurrentHashMap<>();
    /** Each cluster's USS's migration-ticket key, from its HELLO (authenticated links only): cluster → key. */
    private final ConcurrentHashMap<String, byte[]> ticketKeys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, UssRecord> clusters = new ConcurrentHashMap<>();
    /** The highest epoch a USS may announce: far from overflow however many migrations follow. */
    static final long MAX_EPOCH = Long.MAX_VALUE / 4;
    /** Deregistered mobiles as the directory keeps them: their highest epoch and the record's version. */
    private final ConcurrentHashMap<String, MobileRecord> retired = new ConcurrentHashMap<>();
    /** Installed directories by name; the one {@link #directoryName} names is used. */
    private final ConcurrentHashMap<String, LocationDirectory> directories = new ConcurrentHashMap<>();
    private final String directoryName;
    private final AtomicLong migrationIds = new AtomicLong(ThreadLocalRandom.current().nextLong() >>> 2);
    /** Random per start (see {@link Payloads.HelloAck}). */
    private final long incarnation = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    /**
     * The DS constructor: the node starts without a listener; SCR then binds every installed transport
     * ({@link #bindTransport}), and the node listens on each.
     */
    @Activate
    public LocationServer(@Reference RoamerCore core, Config c, Map<String, Object> properties) {
        this(core, c.transport().trim(), NodeId.of(c.node_id()), NodeAddress.parse(c.listen()),
                c.migration_timeout_ms(), c.request_timeout_ms(), c.directory().trim());
        configurationPid(properties);
    }

    /** Every installed location directory; the LS uses the one its configuration names. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDirectory(LocationDirectory d) {
        directories.put(d.name(), d);
        if (d.name().equals(directoryName)) {
            LOG.info("{}: location directory {}", id, d.describe());
        }
    }

    void unbindDirectory(LocationDirectory d) {
        directories.remove(d.name(), d);
    }

    /** The directory in use, or {@code null} when the configured one is not installed. */
    private LocationDirectory directory() {
        return directories.get(directoryName);
    }

    /** The directory in use, described for operators. */
    public String directoryInfo() {
        LocationDirectory d = directory();
        return d == null ? directoryName + " (not installed)" : d.describe();
    }

    @Override
    public String factoryPid() {
        return "org.roamer.location";
    }

    @Override
    public Map<String, Object> identity() {
        return Map.of("node.id", id.value(), "listen", listen.toString());
    }

    public LocationServer(RoamerCore core, Transport transport, NodeId id, NodeAddress listen, long migrationTimeout,
            long requestTimeout) throws TransportException {
        this(core, transport, id, listen, migrationTimeout, requestTimeout,
                new org.roamer.core.internal.directory.MemoryDirectory());
    }

    /** For tests and embedding: a Location Server with its directory. */
    public LocationServer(RoamerCore core, Transport transport, NodeId id, NodeAddress listen, long migrationTimeout,
            long requestTimeout, LocationDirectory directory) throws TransportException {
        this(core, transport.name(), id, listen, migrationTimeout, requestTimeout, directory.name());
        directories.put(directory.name(), directory);
        bind(transport, listen, FrameLimits.DEFAULT);
    }

    private LocationServer(RoamerCore core, String transport, NodeId id, NodeAddress listen, long migrationTimeout,
            long requestTimeout, String directory) {
        super(core, id, transport);
        this.directoryName = directory.isEmpty() ? "memory" : directory;
        this.actor = core.actor("location server " + id);
        this.listen = listen;
        this.migrationTimeout = migrationTimeout;
        this.requestTimeout = requestTimeout;
        listenOn(listen, FrameLimits.DEFAULT);
        core.directory().add(this);
        LOG.info("Location Server {} starting on {}, sending with {}", id, listen, transport);
    }

    /** Every installed transport: this node listens on each (see {@link SignalingNode}). */
    @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindTransport(Transport t) {
        transportAdded(t);
    }

    void unbindTransport(Transport t) {
        transportRemoved(t);
    }

    /**
     * A changed configuration: the transport this node sends with changes at run time; the other settings
     * (identity, address, time-outs) when the node restarts.
     */
    @Modified
    public void modified(Config c) {
        if (incomplete(c.node_id())) {
            return;
        }
        preferTransport(c.transport().trim());
        applied();
    }

    @Deactivate
    public void deactivate() {
        core.directory().remove(this);
        unbind();
    }

    /** Mobiles tracked. */
    public int mobileCount() {
        return mobiles.size();
    }

    /**
     * Forgets the USS of {@code cluster} at {@code addr}, a node of this container that stopped (its configuration
     * deleted, its bundle stopped). A record of the cluster from another address (a newer HELLO) stays.
     */
    public void forgetUss(String cluster, String addr) {
        // not through the actor: the runtime may be stopping; remove(key, record) leaves a newer HELLO's record
        UssRecord r = clusters.get(cluster);
        if (r != null && r.addr().equals(addr) && clusters.remove(cluster, r)) {
            LOG.info("{}: USS {} of cluster {} at {} stopped", id, r.node(), cluster, addr);
        }
    }

    /** Clusters known from HELLO, by id. */
    public Map<String, UssRecord> clusters() {
        return new TreeMap<>(clusters);
    }

    @Override
    protected void handle(Frame f) {
        if (f.has(Frame.REPLY)) {
            core.metrics().inc("frames.late.reply");
            return;
        }
        actor.executeInline(() -> {
            try {
                switch (f.type()) {
                    case HELLO -> onHello(f);
                    case REGISTRATION, DEREGISTRATION, LOCATE -> refresh(f);
                    case MIGRATE_DONE -> onMigrateDone(f);
                    case MIGRATE_FAILED -> onMigrateFailed(f);
                    default -> {
                        core.metrics().inc("frames.unexpected");
                        LOG.warn("{}: unexpected {}", id, f.type());
                    }
                }
            } catch (FrameException e) {
                core.metrics().inc("frames.invalid");
                LOG.warn("{}: invalid {}: {}", id, f.type(), e.getMessage());
            }
        });
    }

    /**
     * Reads the mobile's record from the directory, then handles the request with it: another Location Server
     * may have changed the mobile since this one last saw it. Skipped while this one has a change of the
     * mobile in progress (its own state is the newest then).
     */
    private void refresh(Frame f) throws FrameException {
        String mobile = f.mobile();
        String from = Json.decode(f.payload(), Request.class).from();
        Entry mine = mobiles.get(mobile);
        if (mine != null && (mine.pending != null || mine.creating)) {
            dispatch(f);
            return;
        }
        LocationDirectory d = directory();
        if (d == null) {
            answer(from, f, Reply.error("location directory '" + directoryName + "' is not installed on " + id
                    + " (feature:install roamer-directory-" + directoryName + ")"));
            return;
        }
        bounded(d.get(mobile), "read of " + mobile).whenComplete((rec, ex) -> actor.execute(() -> {
            if (ex != null) {
                core.metrics().inc("directory.errors");
                answer(from, f, Reply.error("location directory unavailable: " + cause(ex)));
                return;
            }
            Entry cur = mobiles.get(mobile);
            if (cur == null || cur.pending == null && !cur.creating) {
                adopt(mobile, rec.orElse(null), cur);
            }
            MobileRecord r = rec.orElse(null);
            if (r != null && f.type() != MessageType.LOCATE && r.claimedByOther(id.value(), System.currentTimeMillis())
                    && !newerAgent(f, r)) {
                answer(from, f, Reply.error("mobile '" + mobile + "' is busy: Location Server " + r.owner()
                        + " is changing it; try again"));
                return;
            }
            try {
                dispatch(f);
            } catch (FrameException e) {
                core.metrics().inc("frames.invalid");
                LOG.warn("{}: invalid {}: {}", id, f.type(), e.getMessage());
            }
        }));
    }

    /**
     * Whether a request is a USS announcing an agent newer than the record (REGISTRATION {@code live}): that agent
     * exists, with an epoch the directory handed out, whoever claims the mobile (its claimant may have died
     * before it could record the migration).
     */
    private static boolean newerAgent(Frame f, MobileRecord r) {
        if (f.type() != MessageType.REGISTRATION) {
            return false;
        }
        try {
            Long live = Json.decode(f.payload(), Registration.class).live();
            return live != null && live > r.epoch() && live <= r.maxEpoch();
        } catch (FrameException e) {
            return false;
        }
    }

    private void dispatch(Frame f) throws FrameException {
        switch (f.type()) {
            case REGISTRATION -> onRegistration(f);
            case DEREGISTRATION -> onDeregistration(f);
            case LOCATE -> onLocate(f);
            default -> throw new IllegalStateException(f.type().name());
        }
    }

    /** Makes the directory's record the entry of a mobile not being changed here. */
    private void adopt(String mobile, MobileRecord rec, Entry cur) {
        if (rec == null) {
            if (cur != null && cur.version != 0) {
                mobiles.remove(mobile, cur); // gone from the directory
            }
            retired.remove(mobile); // and so is its tombstone: a write on its version could never succeed
            return;
        }
        if (cur != null && cur.version == rec.version() && rec.registered()) {
            return; // unchanged
        }
        if (!rec.registered()) {
            mobiles.remove(mobile);
            retired.put(mobile, rec);
            return;
        }
        retired.remove(mobile);
        Entry e = cur != null ? cur : new Entry();
        e.cluster = rec.cluster();
        e.agentCluster = rec.agentCluster();
        e.node = rec.node();
        e.addr = rec.addr();
        e.epoch = rec.epoch();
        e.maxEpoch = Math.max(e.maxEpoch, rec.maxEpoch());
        e.version = rec.version();
        mobiles.put(mobile, e);
    }

    /**
     * Writes a mobile's entry to the directory (a tombstone keeping its highest epoch when {@code e} is
     * deregistered), compare-and-set on the version it was read with; then runs {@code then} on the actor with
     * {@code null}, or why the write failed (another Location Server changed the mobile first; the directory
     * is unavailable).
     *
     * @param claim whether this LS claims the mobile (a change in progress: others answer "busy") until
     *              {@code claimMillis} from now
     */
    private void write(String mobile, Entry e, boolean registered, long claimMillis,
            java.util.function.Consumer<String> then) {
        LocationDirectory d = directory();
        if (d == null) {
            then.accept("location directory '" + directoryName + "' is not installed");
            return;
        }
        MobileRecord rec;
        try {
            rec = registered
                    ? new MobileRecord(mobile, e.cluster, e.agentCluster, e.node, e.addr, e.epoch, e.maxEpoch,
                            claimMillis > 0 ? id.value() : null,
                            claimMillis > 0 ? System.currentTimeMillis() + claimMillis : 0, e.version)
                    : new MobileRecord(mobile, null, null, null, null, 0, e.maxEpoch, null, 0, e.version);
        } catch (IllegalArgumentException ex) {
            then.accept("invalid record of " + mobile + ": " + ex.getMessage());
            return;
        }
        bounded(d.put(rec), "write of " + mobile).whenComplete((stored, ex) -> actor.execute(() -> {
            if (ex != null) {
                core.metrics().inc("directory.errors");
                then.accept("location directory unavailable: " + cause(ex));
            } else if (stored.isEmpty()) {
                core.metrics().inc("directory.conflicts");
                then.accept("mobile '" + mobile + "' was changed by another Location Server; try again");
            } else {
                e.version = stored.get().version();
                core.metrics().inc("directory.writes");
                then.accept(null);
            }
        }));
    }

    /**
     * A directory operation that fails after {@code requestTimeout} when the directory never answers (it was
     * closed mid-operation, its retries cut off): a mobile must not stay busy for good waiting for it. On the
     * core's timer; the operation's own answer, should it come later, is ignored.
     */
    private <T> CompletableFuture<T> bounded(java.util.concurrent.CompletionStage<T> op, String what) {
        CompletableFuture<T> f = new CompletableFuture<>();
        ScheduledFuture<?> t = core.schedule(() -> f.completeExceptionally(new TimeoutException(what
                + ": no answer from the location directory within " + requestTimeout + " ms")), requestTimeout,
                TimeUnit.MILLISECONDS);
        op.whenComplete((v, e) -> {
            t.cancel(false);
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(v);
            }
        });
        return f;
    }

    private static String cause(Throwable ex) {
        Throwable c = ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null
                ? ex.getCause()
                : ex;
        return String.valueOf(c.getMessage());
    }

    /** The time a claim lasts: the change's time-out, and a margin. */
    private long claimMillis() {
        return migrationTimeout + requestTimeout;
    }

    /** Besides the roles: a HELLO names a cluster, and only a credential that names that cluster may say it. */
    @Override
    protected String authorize(Frame frame, org.roamer.api.spi.transport.Peer peer) {
        String refusal = super.authorize(frame, peer);
        if (refusal == null && frame.type() == MessageType.DEREGISTRATION && !frame.has(Frame.REPLY)) {
            // a mobile powers off in its own cluster: the requester must be a USS this LS knows, and the sender
            // that USS's credential (onDeregistration checks that it is the USS of the mobile's cluster)
            try {
                String from = Json.decode(frame.payload(), Request.class).from();
                UssRecord requester = clusters.values().stream().filter(u -> u.addr().equals(from)).findFirst()
                        .orElse(null);
                return requester == null
                        ? "DEREGISTRATION from " + from + ", which is no USS known here"
                        : peer.servesCluster(requester.cluster())
                                ? null
                                : "the credential of " + peer.name() + " does not serve cluster " + requester.cluster();
            } catch (FrameException e) {
                return null; // unreadable: refused as a bad frame where it is handled
            }
        }
        if (refusal != null || frame.type() != MessageType.HELLO || frame.has(Frame.REPLY)) {
            return refusal;
        }
        try {
            String cluster = Json.decode(frame.payload(), Hello.class).cluster();
            return peer.servesCluster(cluster)
                    ? null
                    : "the credential of " + peer.name() + " does not name cluster " + cluster;
        } catch (FrameException e) {
            return null; // unreadable: refused as a bad frame where it is handled
        }
    }

    private void onHello(Frame f) throws FrameException {
        Hello h = Json.decode(f.payload(), Hello.class);
        try {
            NodeAddress.parse(h.addr());
            NodeId.of(h.node());
            org.roamer.api.ClusterId.of(h.cluster());
            if (h.container() != null) {
                NodeId.of(h.container()); // a container name is shown by every console: an identifier only
            }
        } catch (IllegalArgumentException | NullPointerException x) {
            throw new FrameException("HELLO: " + x.getMessage());
        }
        byte[] key = MigrationTickets.keyOf(h.ticketKey());
        if (key != null) { // a HELLO is taken only from the credential of its cluster (authorize)
            ticketKeys.put(h.cluster(), key);
        }
        boolean migrates = h.routingMigrates() == null || h.routingMigrates();
        UssRecord now = new UssRecord(h.node(), h.cluster(), h.addr(),
                h.strategies() == null ? List.of() : List.copyOf(h.strategies()), h.transport(),
                h.routing() == null ? "migrate" : h.routing(), migrates, h.container(),
                h.ls() == null
                        ? List.of()
                        : h.ls().stream().limit(16).map(a -> NodeAddress.parse(a).toString()).toList());
        UssRecord before = clusters.put(h.cluster(), now);
        if (!now.equals(before)) { // a keep-alive HELLO that changes nothing is not news
            LOG.info("{}: USS {} of cluster {} at {} with strategies {}, routing {}", id, h.node(), h.cluster(),
                    h.addr(), h.strategies(), h.routing());
        }
        trySend(h.addr(), reply(f, MessageType.ACK, Json.encode(new Payloads.HelloAck(true, incarnation))));
    }

    /**
     * A USS announces an agent it runs (after this LS restarted and lost its directory): recorded with the
     * agent's epoch, so epochs continue from there. When another USS already announced a newer epoch for the
     * mobile, this one is stale and refused; one agent per mobile stays known.
     */
    private void live(Frame f, Registration r) {
        String mobile = f.mobile();
        UssRecord uss = clusters.values().stream().filter(u -> u.addr().equals(r.from())).findFirst().orElse(null);
        if (uss == null) {
            answer(r.from(), f, Reply.error("unknown USS at " + r.from() + ": send HELLO first"));
            return;
        }
        Entry e = mobiles.get(mobile);
        if (e != null && (e.pending != null || e.creating)) {
            answer(r.from(), f, Reply.error("mobile '" + mobile + "' is busy; announce it again later"));
            return;
        }
        if (e != null && !e.node.equals(uss.node()) && e.epoch >= r.live()) {
            core.metrics().inc("reannounce.stale");
            answer(r.from(), f, Reply.error("mobile '" + mobile + "' runs on " + e.node + " with epoch " + e.epoch
                    + "; the agent of epoch " + r.live() + " on " + uss.node() + " is stale"));
            return;
        }
        Entry n = e != null ? e : fresh(mobile);
        n.node = uss.node();
        n.addr = uss.addr();
        n.agentCluster = uss.cluster();
        n.cluster = clusters.containsKey(r.cluster()) ? r.cluster() : uss.cluster();
        n.epoch = r.live();
        n.maxEpoch = Math.max(n.maxEpoch, r.live());
        store(f, r.from(), mobile, n, "reannounced");
    }

    /**
     * The mobile id instance this server's entry keeps, for the other nodes of this container to share (one copy
     * per mobile instead of one per node that decoded it from a frame); {@code mobile} itself when there is none.
     * Thread-safe: an entry's id is set before the entry is published and never changes.
     */
    public MobileId sharedId(MobileId mobile) {
        Entry e = mobiles.get(mobile.value());
        String s = e == null ? null : e.mobile;
        return s == null || s == mobile.value() ? mobile : MobileId.of(s);
    }

    /** A new entry for a mobile, continuing its epochs where the directory's tombstone left them. */
    private Entry fresh(String mobile) {
        Entry n = new Entry();
        n.mobile = mobile;
        MobileRecord tomb = retired.get(mobile);
        if (tomb != null) {
            n.maxEpoch = tomb.maxEpoch();
            n.version = tomb.version();
        }
        return n;
    }

    /** Stores a changed entry in the directory, then answers with its location (or why it was not stored). */
    private void store(Frame f, String to, String mobile, Entry n, String counter) {
        n.creating = true; // other requests for the mobile wait for the write
        mobiles.put(mobile, n);
        write(mobile, n, true, 0, failed -> {
            n.creating = false;
            if (failed != null) {
                mobiles.remove(mobile, n); // read again from the directory on the next request
                answer(to, f, Reply.error(failed));
                return;
            }
            retired.remove(mobile);
            core.metrics().inc(counter);
            answer(to, f, Reply.location(n.node, n.cluster, n.addr, n.epoch));
        });
    }

    private void answer(String to, Frame request, Reply r) {
        trySend(to, reply(request, r.ok() ? MessageType.ACK : MessageType.ERROR, Json.encode(r)));
    }

    private void onRegistration(Frame f) throws FrameException {
        Registration r = Json.decode(f.payload(), Registration.class);
        String mobile = f.mobile();
        if (r.live() != null) {
            if (r.live() < 1 || r.live() > MAX_EPOCH) {
                throw new FrameException("live epoch " + r.live() + " not in 1.." + MAX_EPOCH);
            }
            live(f, r);
            return;
        }
        UssRecord uss = clusters.get(r.cluster());
        if (uss == null) {
            answer(r.from(), f, Reply.error("unknown cluster '" + r.cluster() + "'"));
            return;
        }
        Entry e = mobiles.get(mobile);
        if (r.restore() != null && (r.restore() < 1 || r.restore() > MAX_EPOCH)) {
            throw new FrameException("restore epoch " + r.restore() + " not in 1.." + MAX_EPOCH);
        }
        if (r.restore() != null) {
            restored(f, r, e, uss);
            return;
        }
        if (e == null) {
            if (r.profile() == null) {
                answer(r.from(), f, Reply.error("mobile '" + mobile + "' is not registered: power it on first"));
                return;
            }
            create(f, r, uss);
            return;
        }
        if (e.pending != null || e.creating) {
            answer(r.from(), f, Reply.error("mobile '" + mobile + "' is busy: " + (e.creating
                    ? "being created"
                    : "migrating to " + e.pending.target.cluster())));
            return;
        }
        if (r.profile() != null) {
            answer(r.from(), f, Reply.error("mobile '" + mobile + "' is already registered in " + e.cluster));
            return;
        }
        if (Boolean.TRUE.equals(r.follow())) {
            follow(f, r, e, uss);
            return;
        }
        if (e.cluster.equals(r.cluster())) {
            answer(r.from(), f, Reply.location(e.node, e.cluster, e.addr, e.epoch));
            return;
        }
        UssRecord anchor = clusters.get(e.agentCluster);
        boolean home = r.cluster().equals(e.agentCluster);
        boolean asked = r.routing() == null
                ? anchor != null && !anchor.routingMigrates()
                : !r.routing().equals(RoutingSettings.DEFAULT.policy()); // a policy named for this move decides it
        if (home || asked) {
            cross(f, r, e, uss); // the agent's USS decides (its routing policy), or the mobile is home again
        } else {
            migrate(f, r, e, uss, null);
        }
    }

    /**
     * The mobile crossed into {@code target}'s cluster and the USS hosting its agent has a routing policy
     * that may keep it there: ask it (LOCATION_UPDATE). It answers with the decision: migrate (started here
     * at once), or anchored (the mobile's cluster has learnt the agent's address; only the location changes).
     */
    private void cross(Frame f, Registration r, Entry e, UssRecord target) {
        String mobile = f.mobile();
        Pending p = begin(f, r, e, target, "no routing decision from " + e.node);
        p.asking = true;
        claim(mobile, e, p, () -> ask(f, r, e, target, p));
    }

    /**
     * Claims the mobile of pending change {@code p} in the directory (with its new epoch, if any), then runs
     * {@code then} on the actor; the change fails instead when the claim does, and nothing happens when it
     * timed out meanwhile.
     */
    private void claim(String mobile, Entry e, Pending p, Runnable then) {
        write(mobile, e, true, claimMillis(), claimFailed -> {
            if (e.pending != p) {
                return; // timed out meanwhile
            }
            if (claimFailed != null) {
                finishFailed(mobile, e, claimFailed);
                return;
            }
            then.run();
        });
    }

    private void ask(Frame f, Registration r, Entry e, UssRecord target, Pending p) {
        String mobile = f.mobile();
        Frame update = new Frame(MessageType.LOCATION_UPDATE, 0, nextCorrelation(), e.epoch, 0, mobile,
                Json.encode(new Payloads.LocationUpdate(Payloads.LocationUpdate.CROSSING, address().toString(),
                        target.cluster(), target.addr(), target.node(), e.addr, e.node, r.routing())));
        request(NodeAddress.parse(e.addr), update, requestTimeout).whenComplete((rep, ex) -> actor.execute(() -> {
            if (e.pending != p) {
                return; // timed out meanwhile
            }
            Reply d = null;
            if (ex == null && rep.type() == MessageType.ACK) {
                try {
                    d = Json.decode(rep.payload(), Reply.class);
                } catch (FrameException x) {
                    d = null;
                }
            }
            if (d == null) {
                finishFailed(mobile, e, e.node + " did not route the crossing: " + reason(rep, ex));
                return;
            }
            if (!d.isAnchored()) {
                e.pending = null;
                p.timeout.cancel(false);
                migrate(f, r, e, target, d.routing());
                return;
            }
            p.timeout.cancel(false);
            p.done = true;
            e.cluster = target.cluster();
            Reply decided = d;
            write(mobile, e, true, 0, failed -> { // the new paging area, and the claim ends
                e.pending = null;
                if (failed != null) {
                    LOG.warn("{}: {} anchored, but the directory keeps its old paging area: {}", id, mobile, failed);
                }
                long micros = (System.nanoTime() - p.started) / 1000;
                boolean home = e.cluster.equals(e.agentCluster);
                core.metrics().inc(home ? "crossings.home" : "crossings.anchored");
                core.metrics().latency("crossing.anchored", micros * 1000);
                answer(p.requester, p.request, new Reply(true, "ok", e.node, e.cluster, e.addr, e.epoch, null, null,
                        null, null, micros, p.sourceCluster, decided.routing(), true, decided.ports(), decided.links(),
                        e.agentCluster));
            });
        }));
    }

    /**
     * An anchored agent's USS asks that the agent follow its mobile into the cluster it is in (its routing
     * policy decided so on a recheck). Only that USS may ask, only while the mobile is there.
     */
    private void follow(Frame f, Registration r, Entry e, UssRecord target) {
        if (!e.cluster.equals(r.cluster()) || e.agentCluster.equals(r.cluster()) || !e.addr.equals(r.from())) {
            answer(r.from(), f, Reply.error("mobile '" + f.mobile() + "' is in " + e.cluster + " with its agent on "
                    + e.node + ": nothing to follow into " + r.cluster()));
            return;
        }
        UssRecord anchor = clusters.get(e.agentCluster);
        migrate(f, r, e, target, anchor == null ? null : anchor.routing());
    }

    /** A USS brought the agent back from a checkpoint (crash recovery): it runs there, with a new epoch. */
    private void restored(Frame f, Registration r, Entry e, UssRecord uss) {
        String mobile = f.mobile();
        if (e != null && (e.pending != null || e.creating)) {
            answer(r.from(), f, Reply.error("mobile '" + mobile + "' is busy; try again"));
            return;
        }
        // a checkpoint newer than the record was written by the target of a migration the LS never saw finish
        // (the target died after READY): its epoch was handed out for that node, and the source committed
        boolean newer = e != null && r.restore() > e.epoch && r.restore() <= e.maxEpoch;
        if (e != null && !e.node.equals(uss.node()) && !newer) {
            // names where the agent runs and its epoch: the USS may then drop its stale checkpoint for good
            answer(r.from(), f, new Reply(false, "mobile '" + mobile + "' runs on " + e.node + " (epoch " + e.epoch
                    + "); the checkpoint of epoch " + r.restore() + " on " + uss.node() + " is stale", e.node,
                    e.cluster, e.addr, e.epoch, null, null, null, null, null, null));
            return;
        }
        Entry n = e != null ? e : fresh(mobile);
        n.cluster = uss.cluster();
        n.agentCluster = uss.cluster();
        n.node = uss.node();
        n.addr = uss.addr();
        n.maxEpoch = Math.max(n.maxEpoch, r.restore()) + 1;
        n.epoch = n.maxEpoch;
        store(f, r.from(), mobile, n, "restorations");
    }

    /**
     * Why {@code e} cannot get a new epoch, or {@code null}: epochs go up by one per agent and migration, so only a
     * corrupt or forged directory record gets near the bound; the request is refused rather than the epoch wrap.
     */
    private static String epochsExhausted(String mobile, Entry e) {
        return e.maxEpoch >= MAX_EPOCH
                ? "mobile '" + mobile + "' has no epoch left (highest " + e.maxEpoch
                        + ", bound " + MAX_EPOCH + "): its directory record is corrupt"
                : null;
    }

    private void create(Frame f, Registration r, UssRecord uss) {
        String mobile = f.mobile();
        Entry e = fresh(mobile);
        String exhausted = epochsExhausted(mobile, e);
        if (exhausted != null) {
            answer(r.from(), f, Reply.error(exhausted));
            return;
        }
        e.cluster = uss.cluster();
        e.agentCluster = uss.cluster();
        e.node = uss.node();
        e.addr = uss.addr();
        e.maxEpoch++;
        e.epoch = e.maxEpoch;
        e.creating = true;
        mobiles.put(mobile, e);
        // claimed in the directory first: no other Location Server creates a second agent meanwhile
        write(mobile, e, true, claimMillis(), claimFailed -> {
            if (claimFailed != null) {
                e.creating = false;
                mobiles.remove(mobile, e);
                answer(r.from(), f, Reply.error(claimFailed));
                return;
            }
            Frame create = new Frame(MessageType.CREATE_AGENT, 0, nextCorrelation(), e.epoch, 0, mobile,
                    Json.encode(new CreateAgent(r.profile(), null, address().toString())));
            request(NodeAddress.parse(uss.addr()), create, requestTimeout)
                    .whenComplete((rep, ex) -> actor.execute(() -> {
                        if (ex == null && rep.type() == MessageType.ACK) {
                            write(mobile, e, true, 0, released -> { // the claim ends
                                e.creating = false;
                                if (released != null) {
                                    LOG.warn("{}: {} created, but its record keeps this LS's claim until it lapses: {}",
                                            id,
                                            mobile, released);
                                }
                                core.metrics().inc("registrations");
                                answer(r.from(), f, Reply.location(e.node, e.cluster, e.addr, e.epoch));
                            });
                        } else {
                            String why = "USS " + uss.node() + " did not create the agent: " + reason(rep, ex);
                            retire(mobile, e, failed -> answer(r.from(), f, Reply.error(why)));
                        }
                    }));
        });
    }

    /**
     * Writes a mobile's tombstone (its highest epoch, no agent), forgets its entry, then runs {@code then} with
     * null or why the write failed (the entry is forgotten anyway: the next request reads the directory).
     */
    private void retire(String mobile, Entry e, java.util.function.Consumer<String> then) {
        write(mobile, e, false, 0, failed -> {
            e.creating = false;
            mobiles.remove(mobile, e);
            if (failed == null) {
                retired.put(mobile,
                        new MobileRecord(mobile, null, null, null, null, 0, e.maxEpoch, null, 0, e.version));
            } else {
                LOG.warn("{}: the directory keeps a record of {} that has no agent: {}", id, mobile, failed);
            }
            then.accept(failed);
        });
    }

    private void migrate(Frame f, Registration r, Entry e, UssRecord target, String routing) {
        String mobile = f.mobile();
        String exhausted = epochsExhausted(mobile, e);
        if (exhausted != null) {
            answer(r.from(), f, Reply.error(exhausted));
            return;
        }
        Pending p = begin(f, r, e, target, "no MIGRATE_DONE");
        p.routing = routing;
        p.id = migrationIds.incrementAndGet();
        p.epoch = ++e.maxEpoch;
        // the new epoch is recorded, and the mobile claimed, before any USS hears of it
        claim(mobile, e, p, () -> {
            Payloads.Ticket ticket = null;
            if (hasAuthenticatingTransport()) { // on authenticated links the target and the source want the LS's word
                // by cluster: a HELLO for a cluster is taken only from a credential that serves it
                byte[] sourceKey = ticketKeys.get(e.agentCluster);
                byte[] targetKey = ticketKeys.get(target.cluster());
                if (sourceKey == null || targetKey == null) {
                    finishFailed(mobile, e, "no ticket key of the USS of " + (sourceKey == null
                            ? e.agentCluster
                            : target.cluster()) + " yet (a USS gives it in its HELLO)");
                    return;
                }
                ticket = MigrationTickets.issue(sourceKey, targetKey, mobile, p.id, p.epoch, e.node, e.cluster,
                        target.node(), target.cluster(), target.addr());
            }
            Frame migrate = new Frame(MessageType.MIGRATE, 0, p.id, p.epoch, 0, mobile,
                    Json.encode(new Payloads.Migrate(e.addr, e.node, r.strategy(), address().toString(), ticket)));
            try {
                send(NodeAddress.parse(target.addr()), migrate);
            } catch (TransportException ex) {
                finishFailed(mobile, e, "target USS " + target.node() + " unreachable: " + ex.getMessage());
            }
        });
    }

    /**
     * Makes a crossing of {@code e}'s mobile pending (other registrations of it answer "busy") until it is done,
     * failed, or {@code migrationTimeout} passes ("{@code silence} within ... ms").
     */
    private Pending begin(Frame f, Registration r, Entry e, UssRecord target, String silence) {
        Pending p = new Pending();
        p.sourceCluster = e.cluster;
        p.target = target;
        p.requester = r.from();
        p.request = f;
        p.started = System.nanoTime();
        e.pending = p;
        p.timeout = core.schedule(() -> actor.execute(() -> {
            if (e.pending == p && !p.done) { // done: the outcome is being written, and will be answered
                finishFailed(f.mobile(), e, silence + " within " + migrationTimeout + " ms");
            }
        }), migrationTimeout, TimeUnit.MILLISECONDS);
        return p;
    }

    private void onMigrateDone(Frame f) throws FrameException {
        MigrateDone d = Json.decode(f.payload(), MigrateDone.class);
        Entry e = mobiles.get(f.mobile());
        if (e == null || e.pending == null || e.pending.asking || e.pending.id != f.correlationId()
                || e.pending.done) {
            core.metrics().inc("migrate.done.stray");
            return;
        }
        Pending p = e.pending;
        p.done = true;
        p.timeout.cancel(false);
        long micros = (System.nanoTime() - p.started) / 1000;
        // the target's record holds the same names: kept once per node, not once per mobile (the directory of
        // millions of mobiles would otherwise hold a fresh copy of each from every MIGRATE_DONE)
        UssRecord t = p.target;
        e.cluster = t != null ? same(t.cluster(), d.cluster()) : d.cluster();
        e.agentCluster = e.cluster;
        e.node = t != null ? same(t.node(), d.node()) : d.node();
        e.addr = t != null ? same(t.addr(), d.addr()) : d.addr();
        e.epoch = p.epoch;
        // the migration is done whatever the directory says: the record follows, and the claim ends
        write(f.mobile(), e, true, 0, failed -> {
            e.pending = null;
            if (failed != null) {
                LOG.warn("{}: {} migrated to {}, but the directory keeps its old record: {}", id, f.mobile(), e.node,
                        failed);
            }
            migrated(p, d, e, micros);
        });
    }

    /** {@code known} when it equals {@code fresh} (one shared instance), else {@code fresh}. */
    private static String same(String known, String fresh) {
        return known.equals(fresh) ? known : fresh;
    }

    private void migrated(Pending p, MigrateDone d, Entry e, long micros) {
        core.metrics().inc("migrations");
        core.metrics().inc("migrations." + d.strategy());
        core.metrics().latency("migration", micros * 1000);
        core.metrics().latency("migration." + d.strategy(), micros * 1000);
        core.metrics().add("migration.bytes", d.bytes());
        answer(p.requester, p.request,
                new Reply(true, "ok", e.node, e.cluster, e.addr, e.epoch, d.strategy(), d.bytes(),
                        d.buffered(), d.drained(), micros, p.sourceCluster, p.routing, false, null, null,
                        e.agentCluster));
    }

    private void onMigrateFailed(Frame f) throws FrameException {
        MigrateFailed m = Json.decode(f.payload(), MigrateFailed.class);
        Entry e = mobiles.get(f.mobile());
        if (e == null || e.pending == null || e.pending.asking || e.pending.id != f.correlationId()
                || e.pending.done) {
            return; // the other side already reported it
        }
        finishFailed(f.mobile(), e, m.reason());
    }

    private void finishFailed(String mobile, Entry e, String reason) {
        Pending p = e.pending;
        e.pending = null;
        p.timeout.cancel(false);
        write(mobile, e, true, 0, failed -> { // the claim ends (the record keeps the epoch handed out)
            if (failed != null) {
                LOG.debug("{}: claim on {} not released: {}", id, mobile, failed);
            }
        });
        core.metrics().inc("migrations.failed");
        LOG.info("{}: {} of {} to {} failed: {}", id, p.asking ? "crossing" : "migration " + p.id, mobile,
                p.target.node(), reason);
        answer(p.requester, p.request, new Reply(false, reason, e.node, e.cluster, e.addr, e.epoch, null, null, null,
                null, (System.nanoTime() - p.started) / 1000, p.sourceCluster, p.routing, false, null, null,
                e.agentCluster));
    }

    private void onDeregistration(Frame f) throws FrameException {
        Request r = Json.decode(f.payload(), Request.class);
        String mobile = f.mobile();
        Entry e = mobiles.get(mobile);
        if (e == null) {
            answer(r.from(), f, Reply.error("unknown mobile '" + mobile + "'"));
            return;
        }
        UssRecord home = clusters.get(e.cluster);
        if (home == null || !home.addr().equals(r.from())) {
            // only the USS of the cluster the mobile is in hears it power off (issue 8: any USS could destroy any
            // mobile's agent with one DEREGISTRATION)
            core.metrics().inc("deregistrations.refused");
            answer(r.from(), f, Reply.error("mobile '" + mobile + "' is in cluster " + e.cluster
                    + "; only its USS may deregister it"));
            return;
        }
        if (e.pending != null || e.creating) {
            answer(r.from(), f, Reply.error("mobile '" + mobile + "' is busy migrating; try again"));
            return;
        }
        e.creating = true; // blocks other requests until the USS answered
        Frame terminate = new Frame(MessageType.TERMINATE_AGENT, 0, nextCorrelation(), e.epoch, 0, mobile,
                Json.encode(new Request(address().toString())));
        request(NodeAddress.parse(e.addr), terminate, requestTimeout).whenComplete((rep, ex) -> actor.execute(() -> {
            if (ex == null && rep.type() == MessageType.ACK) {
                retire(mobile, e, failed -> {
                    core.metrics().inc("deregistrations");
                    answer(r.from(), f, Reply.success());
                });
            } else {
                e.creating = false;
                answer(r.from(), f, Reply.error("USS " + e.node + " did not terminate the agent: " + reason(rep, ex)));
            }
        }));
    }

    private void onLocate(Frame f) throws FrameException {
        Request r = Json.decode(f.payload(), Request.class);
        Entry e = mobiles.get(f.mobile());
        UssRecord anchor = e == null ? null : clusters.get(e.agentCluster);
        answer(r.from(), f, e == null
                ? Reply.error("unknown mobile '" + f.mobile() + "'")
                : Reply.location(e.node, e.cluster, e.addr, e.epoch, e.agentCluster,
                        anchor == null ? null : anchor.routing()));
    }

    static String reason(Frame reply, Throwable ex) {
        if (ex != null) {
            return isTimeout(ex) ? "no answer in time" : String.valueOf(ex.getMessage());
        }
        try {
            Reply r = Json.decode(reply.payload(), Reply.class);
            return r.reason() == null ? reply.type().name() : r.reason();
        } catch (FrameException e) {
            return reply.type().name();
        }
    }
}

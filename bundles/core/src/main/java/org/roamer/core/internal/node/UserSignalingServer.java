/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.RoamerCore;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.Hello;
import org.roamer.core.internal.wire.Payloads.PageResponse;
import org.roamer.core.internal.wire.Payloads.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A User Signaling Server: hosts the user agents of one cluster, and runs the USS side of the migration
 * protocol (MIGRATE, TRANSFER, stub, READY/drain, MIGRATE_DONE, rollback). One factory configuration per
 * node. Frames are handed from the transport thread to the owning agent's actor.
 */
@Component(configurationPid = "org.roamer.uss", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
@Designate(ocd = UserSignalingServer.Config.class, factory = true)
public final class UserSignalingServer extends SignalingNode implements RoamerCore.StrategyListener {
    private static final Logger LOG = LoggerFactory.getLogger(UserSignalingServer.class);

    @ObjectClassDefinition(name = "Roamer User Signaling Server", description = "One USS node: hosts the user agents of a cluster and migrates them")
    public @interface Config {
        @AttributeDefinition(name = "Node id", description = "Unique in the network, e.g. uss-c1")
        String node_id();

        @AttributeDefinition(description = "The cluster this USS serves, e.g. c1")
        String cluster();

        @AttributeDefinition(description = "Listen address host:port (port 0: any free port)")
        String listen() default "127.0.0.1:0";

        @AttributeDefinition(name = "Location Server", description = "LS address host:port, or several separated by"
                + " commas (the node says HELLO to each and fails over to the next when its LS stops answering);"
                + " empty: the LS in this container")
        String location_server() default "";

        @AttributeDefinition(name = "Transport", description = "The transport this node sends with (tcp, udp, ...);"
                + " it listens on every installed one, and sends with another while this one is not installed")
        String transport() default "tcp";

        @AttributeDefinition(name = "Preferred strategy", description = "Used when the peer USS has it too")
        String strategy_preferred() default "naive";

        @AttributeDefinition(name = "Strategy order", description = "Fallback order, comma separated")
        String[] strategy_order() default {"naive", "tern", "condor"};

        @AttributeDefinition(description = "Stub capacity in messages")
        int stub_max_messages() default 1024;

        @AttributeDefinition(description = "Stub capacity in bytes")
        int stub_max_bytes() default 262144;

        @AttributeDefinition(description = "A forwarding stub becomes a tombstone after this long without traffic (ms)")
        long stub_idle_timeout_ms() default 2000;

        @AttributeDefinition(description = "A tombstone redirects late messages for this long (ms)")
        long tombstone_ttl_ms() default 60000;

        @AttributeDefinition(description = "The source waits this long for READY, then rolls back (ms)")
        long migration_timeout_ms() default 2000;

        @AttributeDefinition(description = "Longest wait for a stable point before a NAIVE migration (ms)")
        long stable_point_timeout_ms() default 2000;

        @AttributeDefinition(description = "Largest data frame (state pages, drained messages), bytes")
        int max_frame_bytes() default 1048576;

        @AttributeDefinition(description = "Largest control frame payload, bytes")
        int max_control_bytes() default 65536;

        @AttributeDefinition(description = "Directory for strategy files (checkpoints); empty: karaf.data/roamer/<node>")
        String work_directory() default "";

        @AttributeDefinition(description = "Checkpoint store used for crash recovery (a roamer.checkpoints service)")
        String checkpoint_store() default "condor";

        @AttributeDefinition(description = "Write a checkpoint of every live agent this often (seconds); 0 = never")
        long checkpoint_interval_s() default 0;

        @AttributeDefinition(description = "Bring agents back from their checkpoints when the node starts")
        boolean checkpoint_restore_on_start() default true;

        @AttributeDefinition(description = "This long (ms) after an agent was restored from a checkpoint, each of its"
                + " calls whose peer the Location Server does not know any more is released (the peer is gone)")
        long restored_call_check_ms() default UssSettings.DEFAULT_RESTORED_CALL_CHECK_MS;

        @AttributeDefinition(description = "On a planned stop (shutdown, bin/stop, the node's configuration"
                + " removed), write a checkpoint of every live agent with the checkpoint store, so that the next"
                + " start brings them back (with checkpoint.restore.on.start)")
        boolean checkpoint_on_stop() default true;

        @AttributeDefinition(name = "Routing policy", description = "Whether this node's agents follow their mobiles:"
                + " the name of an installed routing policy (migrate, anchored, threshold, ...); migrate when it is"
                + " not installed")
        String routing() default "migrate";

        @AttributeDefinition(name = "Radio-port scheme", description = "How this cluster's radio ports reach agents"
                + " anchored elsewhere (Fig. 9 of the seed): datagram (through datagram routers) or connection (a"
                + " signalling link from this cluster to the anchor's USS)")
        String radioport_scheme() default "datagram";

        @AttributeDefinition(name = "Radio ports updated", description = "port: only the radio port the arriving"
                + " mobile is at learns its anchor; cluster: every radio port of this cluster")
        String radioport_update() default "port";

        @AttributeDefinition(name = "Signalling links", description = "connection scheme: on-demand (set up as the"
                + " first mobile of an anchor arrives) or pre-established (to every USS known here, in advance)")
        String radioport_links() default "on-demand";
    }

    private volatile UssSettings settings;
    private volatile RoutingSettings routing;
    /** Signalling links from this cluster to anchor USS nodes (connection scheme), by anchor node id. */
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> links = new ConcurrentHashMap<>();
    private final ClusterId cluster;
    /** The migration tickets this node admitted (authenticated links only). */
    private final MigrationTickets tickets;
    private final ConcurrentHashMap<String, AgentCell> cells = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Profile, Profile> profiles = new ConcurrentHashMap<>();
    private static final int MAX_PORT_NAMES = 4096;
    private final ConcurrentHashMap<String, String> portNames = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger hosted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean registered;
    private volatile boolean stopped;
    /** The recovery checkpoints of this node's agents. */
    private final RecoveryCheckpoints checkpoints;
    /** This node's agents as the console sees them. */
    private final AgentViews views = new AgentViews(this);
    private volatile ScheduledFuture<?> hello;
    private volatile ScheduledFuture<?> keepAlive;
    /** The LS's incarnation from its last HELLO answer (see {@link Payloads.HelloAck}). */
    private volatile Long lsIncarnation;
    /** Every Location Server configured, in order (empty: one, as {@link UssSettings#locationServer()}). */
    private volatile List<NodeAddress> locationServers = List.of();
    /** Which of {@link #locationServers} this node uses now. */
    private volatile int currentLs;
    /** Keep-alive HELLOs in a row the LS in use did not answer. */
    private final java.util.concurrent.atomic.AtomicInteger lsMisses = new java.util.concurrent.atomic.AtomicInteger();
    /** Keep-alives the LS in use may miss before this node fails over to the next one. */
    static final int LS_MISSES = 2;
    /** HELLOs (every 250 ms until one is answered) an LS may leave unanswered before the node tries the next. */
    static final int HELLO_MISSES = 8;
    /** How often a registered node says HELLO again, to learn of (and repair) a restarted LS. */
    static final long KEEP_ALIVE_MS = 2_000;
    /**
     * Counts {@link #announce} calls: an ACK to a HELLO sent before the latest announcement (which may carry
     * strategies or a routing policy that changed since) does not count as registered.
     */
    private final java.util.concurrent.atomic.AtomicLong announcements = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The DS constructor: the node starts without a listener; SCR then binds every installed transport
     * ({@link #bindTransport}), and the node listens on each.
     */
    @Activate
    public UserSignalingServer(@Reference RoamerCore core, Config config, java.util.Map<String, Object> properties) {
        this(core, config.transport().trim(), settings(config), routingSettings(config));
        checkpoints.checkpointOnStop(config.checkpoint_on_stop());
        configurationPid(properties);
        if (!config.location_server().isBlank()) {
            locationServers(locationServers(config.location_server()));
        }
    }

    /** Every installed transport: this node listens on each (see {@link SignalingNode}). */
    @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindTransport(Transport t) {
        if (transportAdded(t)) {
            announce(); // the LS learns the transports this node listens on
        }
    }

    void unbindTransport(Transport t) {
        transportRemoved(t);
        announce();
    }

    @Override
    public String factoryPid() {
        return "org.roamer.uss";
    }

    @Override
    public java.util.Map<String, Object> identity() {
        UssSettings s = settings;
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("node.id", id.value());
        m.put("cluster", cluster.value());
        m.put("listen", s.listen().toString());
        m.put("location.server", s.locationServer() == null ? "" : s.locationServer().toString());
        return m;
    }

    public UserSignalingServer(RoamerCore core, Transport transport, UssSettings settings) throws TransportException {
        this(core, transport, settings, RoutingSettings.DEFAULT);
    }

    public UserSignalingServer(RoamerCore core, Transport transport, UssSettings settings, RoutingSettings routing)
            throws TransportException {
        this(core, transport.name(), settings, routing);
        bind(transport, settings.listen(), settings.limits());
    }

    private UserSignalingServer(RoamerCore core, String transport, UssSettings settings, RoutingSettings routing) {
        super(core, settings.id(), transport);
        this.settings = settings;
        this.routing = routing;
        this.cluster = settings.cluster();
        this.tickets = new MigrationTickets(settings.id().value(), cluster.value());
        this.checkpoints = new RecoveryCheckpoints(this);
        listenOn(settings.listen(), settings.limits());
        core.directory().add(this);
        core.addStrategyListener(this);
        hello = core.scheduleWithFixedDelay(this::hello, 0, 250, TimeUnit.MILLISECONDS);
        keepAlive = core.scheduleWithFixedDelay(this::keepAlive, KEEP_ALIVE_MS, KEEP_ALIVE_MS, TimeUnit.MILLISECONDS);
        checkpoints.schedule();
        LOG.info("USS {} of cluster {} starting on {}, sending with {}, routing {}", id, cluster, settings.listen(),
                transport, routing.policy());
    }

    /**
     * Besides the roles ({@link SignalingNode#authorize}), on a network of authenticated links: a MIGRATE must
     * carry a ticket of a Location Server naming this node as the target, a TRANSFER one sealed for this node
     * naming it as the source and its sender's cluster as the target; the migration's other frames come only from the
     * other end's credential ({@link MigrationTickets}).
     */
    @Override
    protected String authorize(Frame frame, org.roamer.api.spi.transport.Peer peer) {
        String refusal = super.authorize(frame, peer);
        if (refusal != null || frame.has(Frame.REPLY) || !core.linksAuthenticated()) {
            return refusal;
        }
        try {
            return switch (frame.type()) {
                case MIGRATE -> {
                    Payloads.Migrate m = Json.decode(frame.payload(), Payloads.Migrate.class);
                    yield tickets.admitMigrate(frame, m.ticket(), m.sourceNode(), peer);
                }
                case TRANSFER -> {
                    Payloads.Transfer t = Json.decode(frame.payload(), Payloads.Transfer.class);
                    yield tickets.admitTransfer(frame, t.ticket(), t.targetNode(), t.targetCluster(), t.target(),
                            peer);
                }
                case TRANSFER_DATA, READY, BUFFERED, MIGRATE_FAILED -> tickets.admitFollowing(frame, peer);
                default -> null;
            };
        } catch (FrameException e) {
            return "unreadable " + frame.type() + ": " + e.getMessage();
        }
    }

    static RoutingSettings routingSettings(Config c) {
        return RoutingSettings.parse(c.routing(), c.radioport_scheme(), c.radioport_update(), c.radioport_links());
    }

    /** The Location Servers of a {@code location.server} setting, in order: the first is used first. */
    @Override
    protected boolean isLocationServer(NodeAddress to) {
        return locationServers.contains(to) || super.isLocationServer(to);
    }

    static List<NodeAddress> locationServers(String setting) {
        List<NodeAddress> out = new ArrayList<>();
        for (String a : setting.split(",")) {
            if (!a.isBlank()) {
                out.add(NodeAddress.parse(a.trim()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("location.server '" + setting + "' names no address");
        }
        return List.copyOf(out);
    }

    static UssSettings settings(Config c) {
        String dir = c.work_directory().isBlank()
                ? System.getProperty("karaf.data", System.getProperty("java.io.tmpdir")) + "/roamer/" + c.node_id()
                : c.work_directory();
        List<String> order = new ArrayList<>();
        for (String s : c.strategy_order()) {
            Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(order::add);
        }
        return new UssSettings(NodeId.of(c.node_id()), ClusterId.of(c.cluster()), NodeAddress.parse(c.listen()),
                c.location_server().isBlank() ? null : locationServers(c.location_server()).get(0),
                c.strategy_preferred().trim(), order, c.stub_max_messages(), c.stub_max_bytes(),
                c.stub_idle_timeout_ms(), c.tombstone_ttl_ms(), c.migration_timeout_ms(), c.stable_point_timeout_ms(),
                new FrameLimits(c.max_control_bytes(), c.max_frame_bytes()), Path.of(dir), c.checkpoint_store().trim(),
                c.checkpoint_interval_s(), c.checkpoint_restore_on_start(), c.restored_call_check_ms());
    }

    /**
     * Applies a changed configuration without restarting the node (its agents keep running): strategy
     * preference and order, stub limits and time-outs. Identity and listen address changes need a restart
     * of the node and are refused with a warning.
     */
    @Modified
    public void modified(Config config) {
        if (incomplete(config.node_id())) {
            return;
        }
        RoutingSettings r;
        try {
            r = routingSettings(config);
        } catch (IllegalArgumentException e) {
            LOG.error("USS {}: routing settings refused, keeping {}: {}", id, routing, e.getMessage());
            r = routing;
        }
        apply(settings(config), r, config.transport().trim());
        checkpoints.checkpointOnStop(config.checkpoint_on_stop());
        List<NodeAddress> lss = config.location_server().isBlank()
                ? List.of()
                : locationServers(config.location_server());
        if (!lss.equals(locationServers)) {
            locationServers(lss);
        }
    }

    /** Applies new settings at run time, routing unchanged; see {@link #modified}. */
    public void apply(UssSettings next) {
        apply(next, routing);
    }

    /** Applies new settings at run time; see {@link #modified}. */
    public void apply(UssSettings next, RoutingSettings nextRouting) {
        apply(next, nextRouting, preferredTransport());
    }

    /** Applies new settings at run time, the transport this node sends with included; see {@link #modified}. */
    public void apply(UssSettings next, RoutingSettings nextRouting, String transport) {
        preferTransport(transport);
        UssSettings now = settings;
        if (!next.id().equals(now.id()) || !next.cluster().equals(now.cluster()) || !next.listen().equals(now.listen())
                || !next.limits().equals(now.limits())) {
            LOG.warn("USS {}: node id, cluster, listen address and frame limits change only when the node restarts "
                    + "(delete and re-create its configuration); applying the other settings", id);
            next = new UssSettings(now.id(), now.cluster(), now.listen(), next.locationServer(),
                    next.preferredStrategy(), next.strategyOrder(), next.stubMaxMessages(), next.stubMaxBytes(),
                    next.stubIdleMillis(), next.tombstoneMillis(), next.migrationTimeoutMillis(),
                    next.stablePointTimeoutMillis(), now.limits(), next.workDirectory(), next.checkpointStore(),
                    next.checkpointSeconds(), next.restoreOnStart(), next.restoredCallCheckMillis());
        }
        checkpoints.settingsChanging(now, next);
        settings = next;
        routing = nextRouting;
        LOG.info("USS {}: preferred strategy {}, order {}, routing {} ({}, radio ports {}, links {})", id,
                next.preferredStrategy(), next.strategyOrder(), nextRouting.policy(), nextRouting.scheme().label(),
                nextRouting.updateAll() ? "all" : "the mobile's", nextRouting.preEstablish()
                        ? "pre-established"
                        : "on demand");
        checkpoints.schedule();
        preEstablishLinks();
        announce();
        applied();
    }

    @Deactivate
    public void deactivate() {
        stopped = true;
        checkpoints.cancel();
        ScheduledFuture<?> h = hello;
        if (h != null) {
            h.cancel(false);
        }
        ScheduledFuture<?> k = keepAlive;
        if (k != null) {
            k.cancel(false);
        }
        core.removeStrategyListener(this);
        core.directory().remove(this);
        NodeAddress was = address();
        if (was != null) {
            // a Location Server of this container forgets this node at once: listed on, it would look like a node
            // of another container that does not answer (one of another container learns it from the failures)
            core.directory().locationServers().forEach(ls -> ls.forgetUss(cluster.value(), was.toString()));
        }
        unbind(); // no frame comes in any more: what the agents hold now is what the checkpoints keep
        checkpoints.stop();
    }

    // ------------------------------------------------------------------ accessors

    @Override
    protected String linkCluster() {
        return cluster.value();
    }

    public ClusterId cluster() {
        return cluster;
    }

    public UssSettings settings() {
        return settings;
    }

    /** The recovery checkpoints of this node's agents (crash recovery). */
    public RecoveryCheckpoints checkpoints() {
        return checkpoints;
    }

    /** This node's agents as the console sees them. */
    public AgentViews views() {
        return views;
    }

    /** Whether the node was deactivated. */
    boolean stopped() {
        return stopped;
    }

    public RoutingSettings routingSettings() {
        return routing;
    }

    /** The routing policy this node asks about crossings, or {@code null} when it is not installed (migrate). */
    RoutingPolicy routingPolicy() {
        return core.routing(routing.policy());
    }

    /** The routing policy in use: the configured one, or {@code migrate} when that is not installed. */
    public String routingName() {
        RoutingPolicy p = routingPolicy();
        return p == null ? RoutingSettings.DEFAULT.policy() : p.name();
    }

    RoamerCore core() {
        return core;
    }

    /** Whether the Location Server has acknowledged this node's HELLO. */
    public boolean registered() {
        return registered;
    }

    /**
     * Waits until the Location Server has acknowledged this node's latest HELLO ({@link #registered}), at most
     * {@code millis}.
     *
     * @return whether it has
     */
    public synchronized boolean awaitRegistered(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = deadline - System.nanoTime(); !registered && left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return registered;
    }

    /** Mobiles with a cell here (live agents, stubs, tombstones). */
    public int cellCount() {
        return cells.size();
    }

    /** The cells here (live agents, stubs, tombstones), as they are now and will be. */
    java.util.Collection<AgentCell> cells() {
        return cells.values();
    }

    /** The cell of a mobile here, or {@code null}. */
    AgentCell cell(MobileId mobile) {
        return cells.get(mobile.value());
    }

    /** The cell of a mobile here, created if it has none. */
    AgentCell openCell(MobileId mobile) {
        AgentCell c = cells.get(mobile.value());
        if (c != null) {
            return c;
        }
        MobileId m = core.directory().locationServers().stream().map(ls -> ls.sharedId(mobile))
                .filter(id -> id != mobile).findFirst().orElse(mobile); // the container's copy, not this frame's
        return cells.computeIfAbsent(m.value(), k -> new AgentCell(this, m, core.actor(m)));
    }

    /**
     * The mobile id instance the agent's cell here keeps, for the other nodes of this container to share (one
     * copy per mobile); {@code mobile} itself when it has no cell here.
     */
    public MobileId sharedId(MobileId mobile) {
        AgentCell c = cells.get(mobile.value());
        return c == null ? mobile : c.mobile;
    }

    /** Installed strategies in this node's order of preference (preferred first). */
    public List<String> strategyNames() {
        List<String> order = new ArrayList<>();
        order.add(settings.preferredStrategy());
        order.addAll(settings.strategyOrder());
        return core.strategyNames(order);
    }

    /**
     * Picks the strategy for a migration with a peer ({@link StrategyNegotiator}): this node's installed strategies in
     * its order of preference and its agent type against what the peer said.
     *
     * @param peerNode the peer's node id as it gave it
     * @param peer     the peer's strategies, or {@code null} when it named none
     * @param peerType the peer's agent type, or {@code null} when it did not say (no filtering)
     * @return the strategy, or why none qualifies (for MIGRATE_FAILED)
     */
    StrategyNegotiator.Outcome negotiate(String peerNode, List<String> peer, String requested, AgentType peerType) {
        return StrategyNegotiator.negotiate(new StrategyNegotiator.End(id.value(), strategyNames(), core.agentType()),
                new StrategyNegotiator.End(peerNode, peer, peerType), requested, name -> {
                    MigrationStrategy s = core.strategy(name);
                    return s != null && s.traits().heterogeneous();
                });
    }

    /** A peer-supplied name as it may appear in a reason or a log line: printable ASCII, at most 64 characters. */
    static String printable(String s) {
        if (s == null) {
            return "?";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }

    /** The LS this node reports to, or {@code null} when none is configured or running here. */
    public NodeAddress locationServerAddress() {
        return locationServer();
    }

    /** Agents hosted here: live, or migrating out and not yet committed. */
    public int hostedAgents() {
        return hosted.get();
    }

    void hosted(int delta) {
        hosted.addAndGet(delta);
    }

    /**
     * Sets the Location Servers this node may use, in order (two or more: it fails over between them); the
     * first one is used first.
     */
    public void locationServers(List<NodeAddress> all) {
        locationServers = List.copyOf(all);
        currentLs = 0;
    }

    NodeAddress locationServer() {
        List<NodeAddress> all = locationServers;
        if (all.size() > 1) {
            return all.get(Math.floorMod(currentLs, all.size()));
        }
        if (settings.locationServer() != null) {
            return settings.locationServer();
        }
        LocationServer ls = core.directory().locationServer();
        return ls == null ? null : ls.address();
    }

    /** One shared instance per distinct profile: most mobiles share a handful. */
    Profile canonical(Profile p) {
        Profile c = profiles.putIfAbsent(p, p);
        return c == null ? p : c;
    }

    /**
     * One instance per radio port name for the agents here (each agent keeps the port its mobile is at, decoded
     * from its own frame otherwise). Bounded: past {@link #MAX_PORT_NAMES} names a name is kept as it came.
     */
    String canonicalPort(String port) {
        if (port == null) {
            return null;
        }
        String c = portNames.get(port);
        if (c != null) {
            return c;
        }
        if (portNames.size() >= MAX_PORT_NAMES) {
            return port;
        }
        c = portNames.putIfAbsent(port, port);
        return c == null ? port : c;
    }

    // ------------------------------------------------------------------ frames

    @Override
    protected void handle(Frame f) {
        if (f.has(Frame.REPLY)) {
            core.metrics().inc("frames.late.reply");
            return; // a reply whose request already timed out
        }
        switch (f.type()) {
            case HELLO, LOCATE, REGISTRATION, DEREGISTRATION, MIGRATE_DONE -> {
                core.metrics().inc("frames.unexpected");
                LOG.warn("{}: {} is for a Location Server", id, f.type());
            }
            case PAGE -> onPage(f);
            case LOCATION_UPDATE -> onLocationUpdate(f);
            default -> dispatch(f);
        }
    }

    /** Hands a frame about a mobile to its cell, creating one for CREATE_AGENT and MIGRATE. */
    void dispatch(Frame f) {
        MobileId mobile;
        try {
            mobile = MobileId.of(f.mobile());
        } catch (IllegalArgumentException e) {
            core.metrics().inc("frames.invalid");
            LOG.warn("{}: {} without a valid mobile id", id, f.type());
            return;
        }
        AgentCell cell = f.type() == MessageType.CREATE_AGENT || f.type() == MessageType.MIGRATE
                ? openCell(mobile)
                : cell(mobile);
        if (cell == null) {
            noAgent(f);
        } else {
            cell.post(f);
        }
    }

    void remove(AgentCell cell) {
        cells.remove(cell.mobile.value(), cell);
    }

    /** A frame for a mobile that has no agent here: tell the sender, who then asks the LS. */
    void noAgent(Frame f) {
        core.metrics().inc("frames.noagent");
        String replyTo = replyAddress(f);
        String why = "no agent of " + f.mobile() + " on " + id;
        switch (f.type()) {
            case AGENT_MESSAGE, CALL_OFFER, ORIGINATE -> {
                if (replyTo != null) {
                    trySend(replyTo, reply(f, MessageType.ERROR, Json.encode(Reply.error(why))));
                }
            }
            case TRANSFER -> {
                try {
                    Payloads.Transfer t = Json.decode(f.payload(), Payloads.Transfer.class);
                    trySend(t.target(), new Frame(MessageType.MIGRATE_FAILED, 0, f.correlationId(), f.epoch(), 0,
                            f.mobile(), Json.encode(new Payloads.MigrateFailed(why))));
                } catch (FrameException e) {
                    core.metrics().inc("frames.invalid");
                }
            }
            case TERMINATE_AGENT -> {
                try {
                    trySend(Json.decode(f.payload(), Payloads.Request.class).from(),
                            reply(f, MessageType.ERROR, Json.encode(Reply.error(why))));
                } catch (FrameException e) {
                    core.metrics().inc("frames.invalid");
                }
            }
            case FLUSH -> bounceFlush(f);
            default -> LOG.debug("{}: dropped {} — {}", id, f.type(), why);
        }
    }

    /**
     * A FLUSH marker reached this node, which keeps nothing of the mobile (its tombstone retired after
     * {@code tombstone.ttl.ms}, or it never hosted it): nothing it forwarded can still be on its way, so the marker
     * goes straight back to the node that sent it and waits for it, which would otherwise deliver what it holds
     * only after its drain time-out. A marker of an earlier release (no payload) is dropped.
     */
    void bounceFlush(Frame f) {
        NodeAddress origin = null;
        if (f.payload().length > 0) {
            try {
                origin = NodeAddress.parse(Json.decode(f.payload(), Payloads.Request.class).from());
            } catch (FrameException | IllegalArgumentException | NullPointerException e) {
                LOG.warn("{}: FLUSH marker of {} with a bad payload: {}", id, f.mobile(), e.getMessage());
            }
        }
        // a marker names its origin itself, so a forged one could point anywhere: the hop limit bounds any loop
        // (a node sending to itself, two nodes bouncing to each other), as it bounds a stub's forwarding
        if (origin == null || origin.equals(address()) || f.hops() >= Frame.MAX_HOPS) {
            core.metrics().inc("flush.stray");
            return;
        }
        try {
            send(origin, f.forwarded(0, f.epoch()));
            core.metrics().inc("flush.bounced");
        } catch (TransportException e) {
            core.metrics().inc("flush.stray");
            LOG.warn("{}: could not send FLUSH marker of {} back to {}: {}", id, f.mobile(), origin, e.getMessage());
        }
    }

    /** Where a request wants its answer, for the types that carry one; {@code null} otherwise. */
    static String replyAddress(Frame f) {
        try {
            return switch (f.type()) {
                case AGENT_MESSAGE -> AgentMessages.decodeMessage(f.payload()).replyTo();
                case CALL_OFFER -> Json.decode(f.payload(), Payloads.CallOffer.class).from();
                case ORIGINATE -> Json.decode(f.payload(), Payloads.Originate.class).from();
                default -> null;
            };
        } catch (FrameException e) {
            return null;
        }
    }

    /** Reports to the LS (MIGRATE_FAILED); a lost report is covered by the LS's own time-out. */
    void tellLocationServer(Frame f) {
        NodeAddress ls = locationServer();
        if (ls != null) {
            trySend(ls.toString(), f);
        }
    }

    @Override
    public void strategyRemoved(MigrationStrategy strategy) {
        announce();
        String name = strategy.name();
        for (AgentCell c : cells.values()) {
            c.actor.execute(() -> c.strategyRemoved(name));
        }
    }

    private void hello() {
        if (stopped) {
            ScheduledFuture<?> h = hello;
            if (h != null) {
                h.cancel(false);
            }
            return;
        }
        if (registered) {
            return;
        }
        NodeAddress ls = locationServer();
        if (ls == null || address() == null) {
            return; // no LS known yet, or no transport bound yet
        }
        long generation = announcements.get();
        Frame f = helloFrame();
        int using = currentLs;
        request(ls, f, 1000).whenComplete((r, e) -> {
            if (e == null && r.type() == MessageType.ACK) {
                lsMisses.set(0);
                lsIncarnation(r);
            } else if (locationServers.size() > 1 && lsMisses.incrementAndGet() >= HELLO_MISSES) {
                failOver(using, ls); // not registered yet, and this LS does not answer: try the next one
            }
            if (e == null && r.type() == MessageType.ACK && acknowledged(generation)) {
                LOG.info("USS {} registered with the Location Server at {}", id, ls);
                preEstablishLinks();
                checkpoints.registered();
            }
        });
    }

    /** This node as the LS must know it: strategies, transport, routing policy. */
    private Frame helloFrame() {
        RoutingPolicy policy = routingPolicy();
        return Frame.of(MessageType.HELLO, nextCorrelation(), "",
                Json.encode(new Hello(id.value(), "uss", cluster.value(), address().toString(), strategyNames(),
                        transportName(), routingName(), policy == null || policy.alwaysMigrates(),
                        core.containerName(), locationServers.stream().map(NodeAddress::toString).toList(),
                        // the ticket key only where the links are authenticated (and encrypted)
                        hasAuthenticatingTransport() ? tickets.keyForHello() : null)));
    }

    /**
     * Keep-alive HELLO once registered: tells a restarted LS about this node, and this node about the restart.
     * With several Location Servers configured, every one hears it (each must know the clusters), and when the
     * one in use misses {@link #LS_MISSES} in a row, this node fails over to the next.
     */
    private void keepAlive() {
        NodeAddress ls = locationServer();
        if (stopped || !registered || ls == null || address() == null) {
            return;
        }
        for (NodeAddress other : locationServers) {
            if (!other.equals(ls)) {
                request(other, helloFrame(), 1000); // a standby: its answer does not matter here
            }
        }
        int using = currentLs;
        request(ls, helloFrame(), 1000).whenComplete((r, e) -> {
            if (e == null && r.type() == MessageType.ACK) {
                lsMisses.set(0);
                lsIncarnation(r);
            } else if (locationServers.size() > 1 && lsMisses.incrementAndGet() >= LS_MISSES) {
                failOver(using, ls);
            }
        });
    }

    /**
     * The Location Server in use stopped answering: use the next one. This node announces itself to it and,
     * since its incarnation differs, announces every live agent to it again.
     */
    private synchronized void failOver(int from, NodeAddress was) {
        if (currentLs != from || stopped) {
            return; // already failed over
        }
        lsMisses.set(0);
        currentLs = from + 1;
        core.metrics().inc("ls.failover");
        LOG.warn("USS {}: the Location Server at {} does not answer; failing over to {}", id, was, locationServer());
        announce();
    }

    /**
     * Notes the LS's incarnation from a HELLO answer. When it changed, the LS restarted and knows nothing of this
     * node's agents: each live agent is announced to it again, with its epoch.
     */
    private void lsIncarnation(Frame ack) {
        Long now;
        try {
            now = Json.decode(ack.payload(), Payloads.HelloAck.class).incarnation();
        } catch (FrameException x) {
            return;
        }
        if (now == null) {
            return; // an LS that does not say (older version)
        }
        Long before = lsIncarnation;
        lsIncarnation = now;
        if (before != null && !before.equals(now)) {
            core.metrics().inc("ls.restart.seen");
            LOG.warn("USS {}: the Location Server restarted; announcing {} agents to it again", id, cells.size());
            for (AgentCell c : cells.values()) {
                c.actor.execute(c::announceLive);
            }
        }
    }

    /** Tells the LS that an agent runs here (after an LS restart); see {@link AgentCell#announceLive}. */
    void announceLive(MobileId mobile, ClusterId mobileCluster, long epoch) {
        register(mobile, Payloads.Registration.live(mobileCluster.value(), address().toString(), epoch), 5_000,
                why -> {
                    if (why == null) {
                        core.metrics().inc("reannounce.ok");
                    } else {
                        core.metrics().inc("reannounce.failed");
                        LOG.warn("USS {}: the Location Server did not take the agent of {} back: {}", id, mobile, why);
                    }
                });
    }

    /**
     * The LS acknowledged the HELLO of announcement {@code generation}: registered, and HELLOs stop — unless a
     * newer announcement came meanwhile (its HELLO carries what changed; its ACK counts). Atomic with
     * {@link #announce}: an ACK handled between announce's steps could otherwise cancel the new HELLOs and
     * leave the node unregistered for good.
     */
    private synchronized boolean acknowledged(long generation) {
        if (generation != announcements.get()) {
            return false;
        }
        registered = true;
        notifyAll(); // awaitRegistered
        ScheduledFuture<?> h = hello;
        if (h != null) {
            h.cancel(false);
        }
        return true;
    }

    /** Re-announces this node to the LS (its strategies, routing policy or transports changed). */
    public synchronized void announce() {
        ScheduledFuture<?> h = hello;
        if (h != null) {
            h.cancel(false);
        }
        registered = false;
        announcements.incrementAndGet();
        hello = core.scheduleWithFixedDelay(this::hello, 0, 250, TimeUnit.MILLISECONDS);
    }

    @Override
    public void strategyAdded(MigrationStrategy strategy) {
        announce();
    }

    @Override
    public void checkpointStoreAdded(String name) {
        checkpoints.storeAdded(name);
    }

    @Override
    public void routingChanged() {
        announce(); // the LS must know whether to ask this node about crossings
    }

    // ------------------------------------------------------------------ in-cluster roles, for agents

    /** Pages a mobile on every radio port of the cluster; the PAGE_RESPONSE goes to the agent's cell. */
    void page(MobileId mobile, String callId) {
        core.workers().execute(() -> dispatch(pageHere(mobile.value(), callId)));
    }

    /** Pages a mobile on every radio port of this cluster; the PAGE_RESPONSE to send. */
    private Frame pageHere(String mobile, String callId) {
        List<RadioPort> ports = core.directory().radioPorts(cluster.value());
        String found = null;
        for (RadioPort p : ports) {
            if (p.page(mobile)) {
                found = p.id().value();
            }
        }
        int air = ports.size() + (found != null ? 1 : 0);
        core.metrics().add("air.messages", air);
        core.metrics().inc("pages");
        return new Frame(MessageType.PAGE_RESPONSE, 0, 0, 0, 0, mobile,
                Json.encode(new PageResponse(callId, found == null ? "" : found, air)));
    }

    /** PAGE from the USS an agent is anchored at: this cluster is its mobile's paging area. */
    private void onPage(Frame f) {
        Payloads.Page p;
        try {
            p = Json.decode(f.payload(), Payloads.Page.class);
            MobileId.of(f.mobile());
            NodeAddress.parse(p.from());
        } catch (FrameException | IllegalArgumentException | NullPointerException e) {
            core.metrics().inc("frames.invalid");
            LOG.warn("{}: invalid PAGE: {}", id, e.getMessage());
            return;
        }
        core.metrics().inc("pages.for.anchor");
        core.workers().execute(() -> trySend(p.from(), pageHere(f.mobile(), p.callId())));
    }

    // ------------------------------------------------------------------ anchored routing (Fig. 9)

    /** LOCATION_UPDATE: a crossing goes to the agent's cell; radio-port updates and link set-ups are answered here. */
    private void onLocationUpdate(Frame f) {
        Payloads.LocationUpdate u;
        try {
            u = Json.decode(f.payload(), Payloads.LocationUpdate.class);
            NodeAddress.parse(u.from());
        } catch (FrameException | IllegalArgumentException | NullPointerException e) {
            core.metrics().inc("frames.invalid");
            LOG.warn("{}: invalid LOCATION_UPDATE: {}", id, e.getMessage());
            return;
        }
        switch (String.valueOf(u.kind())) {
            case Payloads.LocationUpdate.CROSSING -> dispatch(f);
            case Payloads.LocationUpdate.PORTS -> updateRadioPorts(f, u);
            case Payloads.LocationUpdate.LINK -> {
                core.metrics().inc("links.accepted");
                trySend(u.from(), reply(f, MessageType.ACK, Json.encode(Reply.success())));
            }
            default -> {
                core.metrics().inc("frames.invalid");
                trySend(u.from(), reply(f, MessageType.ERROR,
                        Json.encode(Reply.error("unknown LOCATION_UPDATE kind " + printable(u.kind())))));
            }
        }
    }

    /**
     * The mobile arrived in this cluster while its agent stays anchored at {@code u.anchor()}: the radio port
     * it is at (or every port of the cluster) learns the anchor's address; with the connection scheme, over a
     * signalling link to the anchor, set up now if there is none.
     */
    private void updateRadioPorts(Frame f, Payloads.LocationUpdate u) {
        RoutingSettings r = routing;
        String mobile = f.mobile();
        boolean link = r.scheme() == RoutingSettings.Scheme.CONNECTION;
        CompletableFuture<Boolean> ready = link
                ? link(u.anchorNode(), u.anchor())
                : CompletableFuture.completedFuture(false);
        ready.whenComplete((setUp, e) -> {
            if (e != null) {
                trySend(u.from(), reply(f, MessageType.ERROR, Json.encode(Reply.error("no signalling link from " + id
                        + " to " + printable(u.anchorNode()) + ": " + e.getMessage()))));
                return;
            }
            List<RadioPort> ports = core.directory().radioPorts(cluster.value());
            String at = core.air().portOf(mobile);
            boolean atKnown = ports.stream().anyMatch(p -> p.id().value().equals(at));
            RadioPort.Route route = new RadioPort.Route(u.anchor(), u.anchorNode(), r.scheme().label());
            int updated = 0;
            for (RadioPort p : ports) {
                if (r.updateAll() || !atKnown || p.id().value().equals(at)) {
                    p.learn(mobile, route);
                    updated++;
                }
            }
            core.metrics().add("radioports.updated", updated);
            core.metrics().add(link ? "air.routes.link" : "air.routes.datagram", updated);
            trySend(u.from(), reply(f, MessageType.ACK, Json.encode(Reply.routed(null, true, updated,
                    Boolean.TRUE.equals(setUp) ? 1 : 0))));
        });
    }

    /**
     * The signalling link from this cluster to an anchor USS: completes with true when this call set it up,
     * false when it existed already; fails when the anchor did not answer (a later call tries again).
     */
    CompletableFuture<Boolean> link(String anchorNode, String anchorAddress) {
        CompletableFuture<Boolean> existing = links.get(anchorNode);
        if (existing != null && !existing.isCompletedExceptionally()) {
            return existing.thenApply(x -> false);
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> raced = existing == null
                ? links.putIfAbsent(anchorNode, mine)
                : links.replace(anchorNode, existing, mine) ? null : links.get(anchorNode);
        if (raced != null) {
            return raced.thenApply(x -> false);
        }
        long start = System.nanoTime();
        Frame setUp = Frame.of(MessageType.LOCATION_UPDATE, nextCorrelation(), "", Json.encode(
                new Payloads.LocationUpdate(Payloads.LocationUpdate.LINK, address().toString(), cluster.value(),
                        address().toString(), id.value(), anchorAddress, anchorNode)));
        request(NodeAddress.parse(anchorAddress), setUp, settings.migrationTimeoutMillis()).whenComplete((rep, e) -> {
            if (e == null && rep.type() == MessageType.ACK) {
                core.metrics().inc("links.setup");
                core.metrics().latency("link.setup", System.nanoTime() - start);
                LOG.info("USS {}: signalling link to {} set up", id, anchorNode);
                mine.complete(true);
            } else {
                links.remove(anchorNode, mine);
                mine.completeExceptionally(e != null ? e : new IllegalStateException(rep.type().name()));
            }
        });
        return mine;
    }

    /** Signalling links set up from this cluster, by anchor node. */
    public List<String> linkedAnchors() {
        return links.entrySet().stream().filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
                .map(java.util.Map.Entry::getKey).sorted().toList();
    }

    /** Connection scheme with pre-established links: one to every other USS known in this container. */
    private void preEstablishLinks() {
        RoutingSettings r = routing;
        if (r.scheme() != RoutingSettings.Scheme.CONNECTION || !r.preEstablish()) {
            return;
        }
        for (UserSignalingServer other : core.directory().ussNodes()) {
            if (other != this && other.address() != null) {
                link(other.id().value(), other.address().toString());
            }
        }
    }

    /** The agent of a mobile now runs in this cluster: this cluster's radio ports need no anchor for it. */
    void forgetAnchor(MobileId mobile) {
        for (RadioPort p : core.directory().radioPorts(cluster.value())) {
            p.forget(mobile.value());
        }
    }

    /**
     * The routing policy decided on a recheck that an anchored agent follows its mobile: asks the LS for the
     * migration (a REGISTRATION with {@code follow}), as the mobile's own registration would.
     */
    void follow(MobileId mobile, ClusterId to) {
        register(mobile, new Payloads.Registration(to.value(), address().toString(), null, null, null, true),
                2 * settings.migrationTimeoutMillis() + 5_000, why -> {
                    if (why == null) {
                        core.metrics().inc("routing.followed");
                    } else {
                        core.metrics().inc("routing.follow.failed");
                        LOG.info("USS {}: agent of {} did not follow its mobile to {}: {}", id, mobile, to, why);
                    }
                });
    }

    /** Sends a REGISTRATION about a mobile to the LS; {@code outcome} gets null when granted, else why not. */
    private void register(MobileId mobile, Payloads.Registration registration, long timeoutMillis,
            java.util.function.Consumer<String> outcome) {
        NodeAddress ls = locationServer();
        if (ls == null) {
            return;
        }
        Frame reg = Frame.of(MessageType.REGISTRATION, nextCorrelation(), mobile.value(), Json.encode(registration));
        request(ls, reg, timeoutMillis).whenComplete((rep, e) -> outcome.accept(Answer.of(rep, e).refusal()));
    }

    void connect(String callId, CallType type, String radioPort) {
        ConnectionServer cs = core.directory().connectionServer(cluster.value());
        if (cs != null) {
            cs.setUp(callId, type, radioPort);
        }
    }

    void release(String callId) {
        ConnectionServer cs = core.directory().connectionServer(cluster.value());
        if (cs != null) {
            cs.release(callId);
        }
    }

    void callRequest(MobileId caller, String callId, String callee, CallType type, List<String> services) {
        CallServer cs = core.directory().callServer(cluster.value());
        if (cs == null) {
            dispatch(new Frame(MessageType.CALL_DECISION, 0, 0, 0, 0, caller.value(),
                    Json.encode(new Payloads.CallDecision(callId, false, "no Call Server in cluster " + cluster, false,
                            null, 0, callee, type.name()))));
            return;
        }
        cs.callRequest(this, caller, callId, callee, type, services);
    }

    @Override
    public String toString() {
        return "USS " + id + " (" + cluster + ") " + Objects.toString(address());
    }
}

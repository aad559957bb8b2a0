/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.CheckpointSummary;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.RoamerStats;
import org.roamer.api.RouteInfo;
import org.roamer.api.RoutingInfo;
import org.roamer.api.StrategyInfo;
import org.roamer.api.TransportInfo;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.StrategyTraits;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.api.spi.transport.TransportStats;
import org.roamer.core.internal.node.CallServer;
import org.roamer.core.internal.node.ConnectionServer;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.RoutingSettings;
import org.roamer.core.internal.node.SignalingNode;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.Reply;

import com.google.gson.JsonElement;
import com.google.gson.reflect.TypeToken;

/**
 * {@link RoamerNetwork} over the nodes of this container and, through {@link RemoteConsole}, of the other
 * containers of the network. The mobile's side of the air interface is simulated for it ({@link MobileSide}): a
 * registration or move enters through a radio port of the named cluster and travels to the Location Server as a real
 * frame through that cluster's USS; for a cluster of another container, the command runs in that container's console
 * service (ADMIN frames), where the cluster's radio ports are. Run-time changes of a node go through its Config Admin
 * configuration ({@link NodeConfigurator}). The migration benchmark is a service of its own ({@link BenchService}).
 */
@Component(service = RoamerNetwork.class)
public final class NetworkService implements RoamerNetwork {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NetworkService.class);
    static final long TIMEOUT_MS = 10_000;

    private final RoamerCore core;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConfigurationAdmin configAdmin;

    private final RemoteConsole remote;
    private final MobileSide mobiles;
    private final NodeConfigurator configurator = new NodeConfigurator(() -> configAdmin);

    @Activate
    public NetworkService(@Reference RoamerCore core) {
        this.core = core;
        this.mobiles = new MobileSide(core, this);
        this.remote = new RemoteConsole(core, commands());
        core.admin(remote::serve);
    }

    /** The mobile's side of the air interface, as this console simulates it. */
    MobileSide mobiles() {
        return mobiles;
    }

    @Deactivate
    void close() {
        core.admin(null);
        remote.close();
    }

    // ------------------------------------------------------------------ other containers

    private static final Type STRATEGIES = TypeToken.getParameterized(List.class, StrategyInfo.class).getType();
    private static final Type ROUTINGS = TypeToken.getParameterized(List.class, RoutingInfo.class).getType();
    private static final Type TRANSPORTS = TypeToken.getParameterized(List.class, TransportInfo.class).getType();
    private static final Type CHECKPOINTS = TypeToken.getParameterized(List.class, CheckpointSummary.class)
            .getType();
    private static final Type NODES = TypeToken.getParameterized(List.class, NodeInfo.class).getType();
    private static final Type AGENTS = TypeToken.getParameterized(List.class, AgentInfo.class).getType();

    /** The commands other containers' consoles may run here (see {@link RemoteConsole}). */
    private Map<String, RemoteConsole.Command> commands() {
        Map<String, RemoteConsole.Command> c = new java.util.HashMap<>();
        c.put("network", a -> {
            if (core.directory().locationServers().isEmpty()) {
                throw new RoamerException("no Location Server runs in container " + core.containerName());
            }
            return remote.localNetwork();
        });
        c.put("nodes", a -> localNodes());
        c.put("agents", a -> localAgents());
        c.put("agent", a -> localAgent(MobileId.of(arg(a, "mobile"))));
        c.put("register", a -> register(MobileId.of(arg(a, "mobile")), ClusterId.of(arg(a, "cluster")),
                profile(arg(a, "profile"))));
        c.put("deregister", a -> {
            deregister(MobileId.of(arg(a, "mobile")));
            return true;
        });
        c.put("move", a -> move(MobileId.of(arg(a, "mobile")), ClusterId.of(arg(a, "cluster")), a.get("strategy"),
                a.get("routing")));
        c.put("call", a -> call(MobileId.of(arg(a, "caller")), MobileId.of(arg(a, "callee")),
                callType(arg(a, "type"))));
        c.put("hangup", a -> {
            hangup(arg(a, "call"));
            return true;
        });
        c.put("route", a -> route(MobileId.of(arg(a, "mobile"))));
        c.put("strategies", a -> strategies(NodeId.of(arg(a, "node"))));
        c.put("prefer-strategy", a -> {
            preferStrategy(NodeId.of(arg(a, "node")), arg(a, "strategy"));
            return true;
        });
        c.put("routing", a -> routing(NodeId.of(arg(a, "node"))));
        c.put("use-routing", a -> {
            useRouting(NodeId.of(arg(a, "node")), arg(a, "policy"));
            return true;
        });
        c.put("transports", a -> transports(NodeId.of(arg(a, "node"))));
        c.put("use-transport", a -> {
            useTransport(NodeId.of(arg(a, "node")), arg(a, "transport"));
            return true;
        });
        c.put("checkpoints", a -> checkpoints(NodeId.of(arg(a, "node"))));
        c.put("restore", a -> restore(MobileId.of(arg(a, "mobile")), NodeId.of(arg(a, "node"))));
        c.put("remove-checkpoint", a -> removeCheckpoint(MobileId.of(arg(a, "mobile")), NodeId.of(arg(a, "node"))));
        return c;
    }

    private static String arg(Map<String, String> args, String name) throws RoamerException {
        String v = args.get(name);
        if (v == null) {
            throw new RoamerException("missing argument '" + name + "'");
        }
        return v;
    }

    private static Profile profile(String json) throws RoamerException {
        try {
            Profile p = Json.fromTree(com.google.gson.JsonParser.parseString(json), Profile.class);
            if (p == null) {
                throw new RoamerException("no profile");
            }
            return p;
        } catch (FrameException | RuntimeException e) {
            throw new RoamerException("invalid profile: " + e.getMessage());
        }
    }

    private static CallType callType(String name) throws RoamerException {
        try {
            return CallType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new RoamerException("unknown call type '" + name + "'");
        }
    }

    /** The node this container's console sends from: a USS, else the Location Server. */
    SignalingNode sender() throws RoamerException {
        List<UserSignalingServer> all = core.directory().ussNodes();
        if (!all.isEmpty()) {
            return all.get(0);
        }
        LocationServer ls = core.directory().locationServer();
        if (ls != null && ls.address() != null) {
            return ls;
        }
        throw new RoamerException("no User Signaling Server or Location Server runs in container "
                + core.containerName());
    }

    /** The Location Server the console asks: the one the local USS nodes use, else this container's own. */
    NodeAddress lsAddress() throws RoamerException {
        List<UserSignalingServer> all = core.directory().ussNodes();
        if (!all.isEmpty()) {
            return locationServer(all.get(0));
        }
        LocationServer ls = core.directory().locationServer();
        if (ls != null && ls.address() != null) {
            return ls.address();
        }
        throw new RoamerException("no Location Server configured or running");
    }

    private RemoteConsole.Network network() throws RoamerException {
        return remote.network(sender(), lsAddress());
    }

    /** The USS of a cluster that is not in this container, from the Location Server's view; else an error. */
    private LocationServer.UssRecord remoteUss(ClusterId cluster) throws RoamerException {
        RemoteConsole.Network n = network();
        for (LocationServer.UssRecord u : n.uss()) {
            if (u.cluster().equals(cluster.value())) {
                return u;
            }
        }
        throw new RoamerException("unknown cluster '" + cluster + "'; clusters: " + clusters(n));
    }

    /** The address of a node (USS or Location Server) of another container; else an error. */
    private String remoteNode(NodeId node, boolean ussOnly) throws RoamerException {
        RemoteConsole.Network n = network();
        for (LocationServer.UssRecord u : n.uss()) {
            if (u.node().equals(node.value())) {
                return u.addr();
            }
        }
        if (!ussOnly && n.ls().containsKey(node.value())) {
            return n.ls().get(node.value());
        }
        List<String> known = new ArrayList<>(n.uss().stream().map(LocationServer.UssRecord::node).toList());
        if (!ussOnly) {
            // Location Servers known by address only: their containers name them
            for (Map.Entry<String, String> l : n.ls().entrySet()) {
                if (!l.getKey().startsWith(RemoteConsole.UNNAMED)) {
                    known.add(l.getKey());
                    continue;
                }
                try {
                    List<NodeInfo> theirs = forward(l.getValue(), "nodes", Map.of(), NODES);
                    for (NodeInfo i : theirs) {
                        if (i.node().equals(node) && i.role() == NodeRole.LOCATION_SERVER) {
                            return l.getValue();
                        }
                        if (i.role() == NodeRole.LOCATION_SERVER) {
                            known.add(i.node().value());
                        }
                    }
                } catch (RoamerException e) {
                    LOG.debug("Location Server at {} not asked: {}", l.getValue(), e.getMessage());
                }
            }
        }
        java.util.Collections.sort(known);
        throw new RoamerException("unknown " + (ussOnly ? "USS node" : "node") + " '" + node + "'; "
                + (ussOnly ? "USS nodes" : "nodes") + " of the network: " + known);
    }

    private <T> T forward(String addr, String op, Map<String, String> args, Type type) throws RoamerException {
        return remote.call(sender(), addr, op, args, type);
    }

    private void forward(String addr, String op, Map<String, String> args) throws RoamerException {
        remote.call(sender(), addr, op, args);
    }

    private boolean localUss(NodeId node) {
        return core.directory().ussNodes().stream().anyMatch(u -> u.id().equals(node));
    }

    private boolean localNode(NodeId node) {
        return localUss(node) || core.directory().locationServers().stream().anyMatch(l -> l.id().equals(node));
    }

    // ------------------------------------------------------------------ strategies

    @Override
    public List<StrategyInfo> strategies(NodeId node) throws RoamerException {
        if (!localUss(node)) {
            return forward(remoteNode(node, true), "strategies", Map.of("node", node.value()), STRATEGIES);
        }
        UserSignalingServer u = ussNode(node);
        List<StrategyInfo> out = new ArrayList<>();
        int rank = 1;
        for (String name : u.strategyNames()) {
            MigrationStrategy s = core.strategy(name);
            if (s == null) {
                continue;
            }
            StrategyTraits t = s.traits();
            out.add(new StrategyInfo(name, t.independentOfAgentLogic(), t.heterogeneous(), t.asynchronousInitiation(),
                    t.optimizesData(), t.description(), name.equals(u.settings().preferredStrategy()), rank++));
        }
        return out;
    }

    @Override
    public void preferStrategy(NodeId node, String strategy) throws RoamerException {
        if (!localUss(node)) {
            forward(remoteNode(node, true), "prefer-strategy", Map.of("node", node.value(), "strategy", strategy));
            return;
        }
        UserSignalingServer u = ussNode(node);
        if (core.strategy(strategy) == null) {
            throw new RoamerException("strategy '" + strategy + "' is not installed; installed: "
                    + core.strategyNames(List.of()));
        }
        if (!configurator.configure(u, node, "strategy.preferred", strategy,
                x -> x.apply(x.settings().withPreferredStrategy(strategy)),
                x -> strategy.equals(x.settings().preferredStrategy()))) {
            throw new RoamerException(node + " applied the change, but another one came in meanwhile: it now prefers "
                    + u.settings().preferredStrategy());
        }
    }

    // ------------------------------------------------------------------ routing

    @Override
    public List<RoutingInfo> routing(NodeId node) throws RoamerException {
        if (!localUss(node)) {
            return forward(remoteNode(node, true), "routing", Map.of("node", node.value()), ROUTINGS);
        }
        UserSignalingServer u = ussNode(node);
        String active = u.routingName();
        List<RoutingInfo> out = new ArrayList<>();
        java.util.Map<String, RoutingPolicy> installed = new TreeMap<>(core.routingPolicies());
        if (!installed.containsKey(RoutingSettings.DEFAULT.policy())) {
            out.add(new RoutingInfo(RoutingSettings.DEFAULT.policy(), "built in: the agent follows the mobile"
                    + " (no routing bundle installed)", active.equals(RoutingSettings.DEFAULT.policy())));
        }
        for (RoutingPolicy p : installed.values()) {
            out.add(new RoutingInfo(p.name(), p.description(), p.name().equals(active)));
        }
        return out;
    }

    @Override
    public void useRouting(NodeId node, String policy) throws RoamerException {
        if (!localUss(node)) {
            forward(remoteNode(node, true), "use-routing", Map.of("node", node.value(), "policy", policy));
            return;
        }
        UserSignalingServer u = ussNode(node);
        if (core.routing(policy) == null && !policy.equals(RoutingSettings.DEFAULT.policy())) {
            throw new RoamerException("routing policy '" + policy + "' is not installed; installed: "
                    + new TreeMap<>(core.routingPolicies()).keySet() + " (feature:install roamer-routing-" + policy
                    + " if it exists)");
        }
        if (!configurator.configure(u, node, "routing", policy,
                x -> x.apply(x.settings(), x.routingSettings().withPolicy(policy)),
                x -> policy.equals(x.routingSettings().policy()))) {
            throw new RoamerException(node + " applied the change, but another one came in meanwhile: it now uses "
                    + u.routingSettings().policy());
        }
        // the LS learns the policy from the node's next HELLO: return once it has been acknowledged
        boolean acknowledged;
        try {
            acknowledged = u.awaitRegistered(TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException("interrupted while " + node + " announced its routing policy");
        }
        if (!acknowledged) {
            throw new RoamerException(
                    node + " uses " + policy + " but the Location Server has not acknowledged it within "
                            + TIMEOUT_MS + " ms");
        }
    }

    // ------------------------------------------------------------------ transports

    @Override
    public List<TransportInfo> transports(NodeId node) throws RoamerException {
        if (!localNode(node)) {
            return forward(remoteNode(node, false), "transports", Map.of("node", node.value()), TRANSPORTS);
        }
        SignalingNode n = signalingNode(node);
        List<TransportInfo> out = new ArrayList<>();
        String sending = n.transportName();
        for (String name : n.transports()) {
            TransportStats t = n.transportStats(name);
            if (t != null) {
                out.add(new TransportInfo(name, true, name.equals(sending), t.framesIn(), t.framesOut(), t.badFrames(),
                        t.details()));
            }
        }
        return out;
    }

    @Override
    public void useTransport(NodeId node, String transport) throws RoamerException {
        if (!localNode(node)) {
            forward(remoteNode(node, false), "use-transport", Map.of("node", node.value(), "transport", transport));
            return;
        }
        SignalingNode n = signalingNode(node);
        if (!n.transports().contains(transport)) {
            throw new RoamerException("transport '" + transport + "' is not installed on " + node + "; it listens on "
                    + n.transports() + " (feature:install roamer-transport-" + transport + " if it exists)");
        }
        if (core.linksAuthenticated() && !n.authenticates(transport)) {
            throw new RoamerException("transport '" + transport + "' does not authenticate its links, and container "
                    + core.containerName() + " takes authenticated links only (links.authenticated in"
                    + " etc/org.roamer.runtime.cfg): the network's nodes would refuse everything " + node + " sent");
        }
        if (!configurator.configure(n, node, "transport", transport, x -> x.preferTransport(transport),
                x -> transport.equals(x.transportName()))) {
            throw new RoamerException(
                    node + " applied the change, but another one came in meanwhile: it now sends with "
                            + n.transportName());
        }
    }

    private SignalingNode signalingNode(NodeId node) throws RoamerException {
        for (LocationServer l : core.directory().locationServers()) {
            if (l.id().equals(node)) {
                return l;
            }
        }
        return ussNode(node);
    }

    @Override
    public RouteInfo route(MobileId mobile) throws RoamerException {
        Reply r = locate(mobile);
        ClusterId mobileCluster = ClusterId.of(r.cluster());
        if (core.directory().uss(mobileCluster.value()) == null && !RemoteConsole.serving()) {
            // the mobile's radio ports are in another container: it draws the route
            return forward(remoteUss(mobileCluster).addr(), "route", Map.of("mobile", mobile.value()), RouteInfo.class);
        }
        ClusterId agentCluster = ClusterId.of(r.agentCluster() != null ? r.agentCluster() : r.cluster());
        boolean anchored = !agentCluster.equals(mobileCluster);
        UserSignalingServer agentUss = core.directory().uss(agentCluster.value());
        String routing = agentUss != null ? agentUss.routingName() : r.routing() != null ? r.routing() : "?";
        String portId = core.air().portOf(mobile.value());
        RadioPort port = portId == null
                ? null
                : core.directory().radioPorts(mobileCluster.value()).stream()
                        .filter(p -> p.id().value().equals(portId)).findFirst().orElse(null);
        RadioPort.Route learnt = port == null ? null : port.route(mobile.value());
        UserSignalingServer here = core.directory().uss(mobileCluster.value());
        String scheme = here == null ? "?" : here.routingSettings().scheme().label();
        List<String> in = new ArrayList<>();
        in.add("call server of the caller's cluster -> location server: LOCATE " + mobile + " = " + r.node());
        in.add("call server -> " + r.node() + " (" + agentCluster + "): CALL_OFFER to the agent");
        if (anchored) {
            in.add(r.node() + " -> USS of " + mobileCluster + ": PAGE (paging area " + mobileCluster + ")");
        }
        in.add("radio ports of " + mobileCluster + ": page " + mobile + " over the air");
        List<String> out = new ArrayList<>();
        out.add(mobile + " -> radio port " + (portId == null ? "?" : portId) + " (" + mobileCluster + "): ORIGINATE");
        if (anchored) {
            out.add((portId == null ? "radio port" : portId) + " -> " + r.node() + " (" + agentCluster + ") over "
                    + (learnt == null
                            ? "no route learnt yet (located through the LS)"
                            : "connection".equals(learnt.via())
                                    ? "the signalling link " + mobileCluster + "-" + agentCluster
                                    : "datagram routers")
                    + " [" + scheme + " scheme]");
        } else {
            out.add((portId == null ? "radio port" : portId) + " -> " + r.node() + " (" + agentCluster + ")");
        }
        out.add(r.node() + " -> call server of " + agentCluster + ": CALL_REQUEST");
        return new RouteInfo(mobile, NodeId.of(r.node()), agentCluster, mobileCluster, routing, anchored, in, out);
    }

    // ------------------------------------------------------------------ crash recovery

    /** A checkpoint store's record as the consoles list it. */
    static CheckpointSummary summary(CheckpointStore.CheckpointInfo i) {
        return new CheckpointSummary(i.mobile(), i.node(), i.epoch(), i.written(), i.bytes(),
                i.type().bundle() + " " + i.type().version());
    }

    @Override
    public List<CheckpointSummary> checkpoints(NodeId node) throws RoamerException {
        if (!localUss(node)) {
            return forward(remoteNode(node, true), "checkpoints", Map.of("node", node.value()), CHECKPOINTS);
        }
        try {
            return ussNode(node).checkpoints().list().stream().map(NetworkService::summary).toList();
        } catch (MigrationException e) {
            throw new RoamerException(e.getMessage(), e);
        }
    }

    @Override
    public CheckpointSummary removeCheckpoint(MobileId mobile, NodeId node) throws RoamerException {
        if (!localUss(node)) {
            return forward(remoteNode(node, true), "remove-checkpoint", Map.of("mobile", mobile.value(), "node",
                    node.value()), CheckpointSummary.class);
        }
        try {
            return summary(ussNode(node).checkpoints().remove(mobile));
        } catch (MigrationException e) {
            throw new RoamerException(e.getMessage(), e);
        }
    }

    @Override
    public AgentInfo restore(MobileId mobile, NodeId node) throws RoamerException {
        if (!localUss(node)) {
            AgentInfo a = forward(remoteNode(node, true), "restore", Map.of("mobile", mobile.value(), "node",
                    node.value()), AgentInfo.class);
            mobiles.forgetRoutes(mobile);
            return a;
        }
        UserSignalingServer u = ussNode(node);
        try {
            AgentInfo a = u.checkpoints().restore(mobile).get(TIMEOUT_MS + 1000, TimeUnit.MILLISECONDS);
            mobiles.forgetRoutes(mobile);
            return a;
        } catch (ExecutionException e) {
            throw new RoamerException("restore of " + mobile + " on " + node + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new RoamerException("restore of " + mobile + " on " + node + " did not finish in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException("interrupted");
        }
    }

    private UserSignalingServer ussNode(NodeId node) throws RoamerException {
        for (UserSignalingServer u : core.directory().ussNodes()) {
            if (u.id().equals(node)) {
                return u;
            }
        }
        throw new RoamerException("unknown USS node '" + node + "'; USS nodes here: "
                + core.directory().ussNodes().stream().map(UserSignalingServer::id).toList());
    }

    // ------------------------------------------------------------------ views

    /**
     * Every node of the network: this container's, and each other container's as its console service lists
     * them. A container that does not answer is shown by the Location Server's view of its USS nodes, its
     * name marked with why.
     */
    @Override
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>(localNodes());
        RemoteConsole.Network n;
        try {
            n = network();
        } catch (RoamerException e) {
            LOG.debug("network view unavailable: {}", e.getMessage());
            return out;
        }
        java.util.Set<NodeId> seen = new java.util.HashSet<>();
        out.forEach(i -> seen.add(i.node()));
        for (Map.Entry<String, String> c : remote.otherContainers(n).entrySet()) {
            List<NodeInfo> theirs;
            try {
                if (!speaksAdmin(n, c.getValue())) {
                    throw new RoamerException("no console service");
                }
                theirs = forward(c.getValue(), "nodes", Map.of(), NODES);
            } catch (RoamerException e) {
                String why = c.getKey().startsWith("@") ? "?" : c.getKey();
                why += " (" + shortReason(e.getMessage()) + ")";
                theirs = new ArrayList<>();
                for (LocationServer.UssRecord u : n.uss()) {
                    if (c.getValue().equals(u.addr()) || c.getKey().equals(u.container())) {
                        theirs.add(new NodeInfo(NodeId.of(u.node()), NodeRole.USER_SIGNALING_SERVER,
                                ClusterId.of(u.cluster()), NodeAddress.parse(u.addr()), null, u.transport(), 0,
                                u.routing(), why));
                    }
                }
            }
            for (NodeInfo i : theirs) {
                if (seen.add(i.node())) {
                    out.add(i);
                }
            }
        }
        out.sort(Comparator.comparing(NodeInfo::role).thenComparing(i -> i.node().value()));
        return out;
    }

    /**
     * Whether the node at {@code addr} can answer ADMIN: a USS whose HELLO named no container is not a Roamer
     * container of this version (a peer of another implementation, an older Roamer): asking it would only wait.
     */
    private static boolean speaksAdmin(RemoteConsole.Network n, String addr) {
        for (LocationServer.UssRecord u : n.uss()) {
            if (u.addr().equals(addr)) {
                return u.container() != null;
            }
        }
        return true;
    }

    private static String shortReason(String reason) {
        if (reason == null) {
            return "no answer";
        }
        if (reason.contains("does not allow remote administration")) {
            return "no remote administration";
        }
        if (reason.contains("no answer") || reason.contains("onnection refused")) {
            return "not answering";
        }
        return reason.length() > 40 ? reason.substring(0, 40) + "..." : reason;
    }

    /** The nodes of this container. */
    List<NodeInfo> localNodes() {
        String container = core.containerName();
        List<NodeInfo> out = new ArrayList<>();
        for (LocationServer ls : core.directory().locationServers()) {
            out.add(new NodeInfo(ls.id(), NodeRole.LOCATION_SERVER, null, ls.address(), null, ls.transportName(),
                    ls.mobileCount()));
        }
        for (UserSignalingServer u : core.directory().ussNodes()) {
            out.add(new NodeInfo(u.id(), NodeRole.USER_SIGNALING_SERVER, u.cluster(), u.address(),
                    u.settings().preferredStrategy(), u.transportName(), u.hostedAgents(), u.routingName()));
        }
        for (CallServer c : core.directory().callServers()) {
            out.add(new NodeInfo(c.id(), NodeRole.CALL_SERVER, c.cluster(), null, null, null, c.callCount()));
        }
        for (ConnectionServer c : core.directory().connectionServers()) {
            out.add(new NodeInfo(c.id(), NodeRole.CONNECTION_SERVER, c.cluster(), null, null, null, c.pathCount()));
        }
        for (RadioPort p : core.directory().radioPorts()) {
            out.add(new NodeInfo(p.id(), NodeRole.RADIO_PORT, p.cluster(), null, null, null, 0));
        }
        out.replaceAll(i -> i.in(container));
        out.sort(Comparator.comparing(NodeInfo::role).thenComparing(n -> n.node().value()));
        return out;
    }

    /**
     * The agents of the whole network: this container's, and those each other container lists. A container
     * that does not answer is left out (logged): its agents are not known here.
     */
    @Override
    public List<AgentInfo> agents() {
        List<AgentInfo> out = new ArrayList<>(localAgents());
        try {
            RemoteConsole.Network n = network();
            for (Map.Entry<String, String> c : remote.otherContainers(n).entrySet()) {
                try {
                    out.addAll(forward(c.getValue(), "agents", Map.of(), AGENTS));
                } catch (RoamerException e) {
                    LOG.warn("agents of container {} not listed: {}", c.getKey(), e.getMessage());
                }
            }
        } catch (RoamerException e) {
            LOG.debug("network view unavailable: {}", e.getMessage());
        }
        out.sort(Comparator.comparing(AgentInfo::mobile));
        return out;
    }

    /** The agents of this container's USS nodes. */
    List<AgentInfo> localAgents() {
        List<AgentInfo> out = new ArrayList<>();
        for (UserSignalingServer u : core.directory().ussNodes()) {
            out.addAll(u.views().agents(TIMEOUT_MS));
        }
        out.sort(Comparator.comparing(AgentInfo::mobile));
        return out;
    }

    /** The agent of a mobile: on a USS of this container, else where the Location Server says it runs. */
    @Override
    public Optional<AgentInfo> agent(MobileId mobile) {
        AgentInfo here = localAgent(mobile);
        if (here != null || RemoteConsole.serving()) {
            return Optional.ofNullable(here);
        }
        try {
            Reply r = locate(mobile);
            if (r.node() == null || localUss(NodeId.of(r.node())) || r.addr() == null
                    || !speaksAdmin(network(), r.addr())) {
                return Optional.empty();
            }
            JsonElement e = remote.call(sender(), r.addr(), "agent", Map.of("mobile", mobile.value()));
            if (e == null || e.isJsonNull()) {
                return Optional.empty();
            }
            return Optional.ofNullable(Json.fromTree(e, AgentInfo.class));
        } catch (RoamerException | FrameException | IllegalArgumentException e) {
            LOG.debug("agent of {} not found elsewhere: {}", mobile, e.getMessage());
            return Optional.empty();
        }
    }

    private AgentInfo localAgent(MobileId mobile) {
        for (UserSignalingServer u : core.directory().ussNodes()) {
            AgentInfo i = u.views().agent(mobile, TIMEOUT_MS);
            if (i != null) {
                return i;
            }
        }
        return null;
    }

    /** The clusters of the whole network (this container's when the Location Server cannot be asked). */
    @Override
    public List<ClusterId> clusters() {
        try {
            return clusters(network());
        } catch (RoamerException e) {
            return localClusters();
        }
    }

    private List<ClusterId> clusters(RemoteConsole.Network n) {
        java.util.TreeSet<ClusterId> all = new java.util.TreeSet<>(localClusters());
        n.uss().forEach(u -> all.add(ClusterId.of(u.cluster())));
        return List.copyOf(all);
    }

    private List<ClusterId> localClusters() {
        return core.directory().ussNodes().stream().map(UserSignalingServer::cluster).sorted().toList();
    }

    // ------------------------------------------------------------------ mobility

    @Override
    public AgentInfo register(MobileId mobile, ClusterId cluster, Profile profile) throws RoamerException {
        if (core.directory().uss(cluster.value()) == null) {
            // the cluster's radio ports are in another container: the mobile powers on there
            return forward(remoteUss(cluster).addr(), "register", Map.of("mobile", mobile.value(), "cluster",
                    cluster.value(), "profile", Json.tree(profile).toString()), AgentInfo.class);
        }
        Reply r = mobiles.powerOn(uss(cluster), mobile, cluster, profile);
        return agent(mobile).orElseThrow(() -> new RoamerException("agent of " + mobile + " runs on " + r.node()
                + ", which is not in this container"));
    }

    @Override
    public void deregister(MobileId mobile) throws RoamerException {
        Reply where = locate(mobile);
        SignalingNode uss = core.directory().uss(where.cluster());
        if (uss == null) {
            // the mobile powers off in its cluster, one of another container: only that cluster's USS may say so
            forward(remoteUss(ClusterId.of(where.cluster())).addr(), "deregister", Map.of("mobile", mobile.value()));
        } else {
            mobiles.powerOff(uss, mobile);
        }
        core.air().remove(mobile.value());
        mobiles.forgetRoutes(mobile);
    }

    @Override
    public MoveResult move(MobileId mobile, ClusterId to) throws RoamerException {
        return move(mobile, to, null);
    }

    /**
     * A move with an optional strategy override (benchmarks, tests). One REGISTRATION round trip: the LS
     * answers when the migration is done or has failed, with the cluster the agent left.
     */
    @Override
    public MoveResult move(MobileId mobile, ClusterId to, String strategy) throws RoamerException {
        return move(mobile, to, strategy, null);
    }

    /** A move whose crossing routing policy {@code routing} decides (when not {@code null}). */
    @Override
    public MoveResult move(MobileId mobile, ClusterId to, String strategy, String routing) throws RoamerException {
        if (routing != null) {
            checkRouting(routing);
        }
        if (core.directory().uss(to.value()) == null) {
            // the mobile crosses into a cluster of another container: it registers there
            Map<String, String> args = new java.util.HashMap<>(Map.of("mobile", mobile.value(), "cluster", to.value()));
            if (strategy != null) {
                args.put("strategy", strategy);
            }
            if (routing != null) {
                args.put("routing", routing);
            }
            MoveResult m = forward(remoteUss(to).addr(), "move", args, MoveResult.class);
            core.air().remove(mobile.value()); // out of this container's radio ports' range
            return m;
        }
        return mobiles.move(uss(to), mobile, to, strategy, routing);
    }

    /**
     * A routing policy named for one move: {@code migrate}, or one installed here; in a network of containers also
     * one installed only elsewhere (the agent's node refuses a policy it does not have).
     */
    private void checkRouting(String routing) throws RoamerException {
        String migrate = org.roamer.core.internal.node.RoutingSettings.DEFAULT.policy();
        if (routing.equals(migrate) || core.routing(routing) != null) {
            return;
        }
        if (!routing.matches("[a-z][a-z0-9._-]{0,63}")) {
            throw new RoamerException("invalid routing policy name '" + routing + "'");
        }
        boolean allHere = clusters().stream().allMatch(c -> core.directory().uss(c.value()) != null);
        if (allHere) {
            throw new RoamerException("routing policy '" + routing + "' is not installed; installed: "
                    + core.routingNames());
        }
    }

    // ------------------------------------------------------------------ calls

    @Override
    public CallResult call(MobileId caller, MobileId callee, CallType type) throws RoamerException {
        if (caller.equals(callee)) {
            throw new RoamerException("a mobile cannot call itself");
        }
        locate(callee); // a clear error for an unknown callee before anything is sent over the air
        if (core.air().portOf(caller.value()) == null && !RemoteConsole.serving()) {
            // not in range of this container's radio ports: the call starts in the container the caller is in
            ClusterId at = ClusterId.of(locate(caller).cluster());
            if (core.directory().uss(at.value()) == null) {
                return forward(remoteUss(at).addr(), "call", Map.of("caller", caller.value(), "callee",
                        callee.value(), "type", type.name()), CallResult.class);
            }
        }
        return mobiles.call(caller, callee, type);
    }

    @Override
    public void hangup(String callId) throws RoamerException {
        for (CallServer cs : core.directory().callServers()) {
            if (cs.release(callId)) {
                return;
            }
        }
        if (!RemoteConsole.serving()) {
            for (String addr : remote.otherContainers(network()).values()) {
                try {
                    forward(addr, "hangup", Map.of("call", callId));
                    return;
                } catch (RoamerException e) {
                    LOG.debug("call {} not released at {}: {}", callId, addr, e.getMessage());
                }
            }
            // no call server knows it (their records died with a restart), but restored agents may still list it
            List<String> parties = agents().stream()
                    .filter(a -> a.calls().stream().anyMatch(c -> c.callId().equals(callId)))
                    .map(a -> a.mobile().value()).toList();
            if (!parties.isEmpty()) {
                for (CallServer cs : core.directory().callServers()) {
                    if (cs.releaseAt(callId, parties)) {
                        return;
                    }
                }
            }
        }
        throw new RoamerException("unknown call '" + callId + "'");
    }

    // ------------------------------------------------------------------ messages

    @Override
    public void send(MobileId mobile, String sender, long seq, byte[] body) throws RoamerException {
        mobiles.send(mobile, sender, seq, body);
    }

    // ------------------------------------------------------------------ stats

    @Override
    public RoamerStats stats() {
        RoamerStats s = core.metrics().snapshot();
        Map<String, Long> counters = new TreeMap<>(s.counters());
        long bad = 0;
        long opened = 0;
        List<SignalingNode> nodes = new ArrayList<>(core.directory().ussNodes());
        nodes.addAll(core.directory().locationServers());
        for (SignalingNode n : nodes) {
            for (String name : n.transports()) {
                TransportStats t = n.transportStats(name);
                if (t == null) {
                    continue;
                }
                bad += t.badFrames();
                opened += t.connectionsOpened();
                String p = "transport." + name + ".";
                counters.merge(p + "frames.in", t.framesIn(), Long::sum);
                counters.merge(p + "frames.out", t.framesOut(), Long::sum);
                counters.merge(p + "bad.frames", t.badFrames(), Long::sum);
                counters.merge(p + "connections.opened", t.connectionsOpened(), Long::sum);
                // transport-specific counters add up over nodes; gauges (names ending in Micros) keep the highest
                t.details().forEach((k, v) -> counters.merge(p + k, v, k.endsWith("Micros") ? Math::max : Long::sum));
            }
        }
        counters.put("transport.bad.frames", bad);
        counters.put("transport.connections.opened", opened);
        return new RoamerStats(counters, s.framesByType(), s.bytesByType(), s.latencies());
    }

    // ------------------------------------------------------------------ helpers

    /** Where the Location Server says a mobile and its agent are; an unknown mobile is an error. */
    Reply locate(MobileId mobile) throws RoamerException {
        SignalingNode uss = sender();
        Frame f = Frame.of(MessageType.LOCATE, uss.nextCorrelation(), mobile.value(),
                Json.encode(new Payloads.Request(uss.address().toString())));
        Reply r = await(uss.request(lsAddress(), f, TIMEOUT_MS), "locating " + mobile);
        if (!r.ok()) {
            throw new RoamerException(r.reason());
        }
        return r;
    }

    private UserSignalingServer uss(ClusterId cluster) throws RoamerException {
        UserSignalingServer u = core.directory().uss(cluster.value());
        if (u == null) {
            throw new RoamerException("unknown cluster '" + cluster + "'; clusters: " + clusters());
        }
        // a USS that has just started (at boot, or with a new configuration) is a few milliseconds from its
        // Location Server's answer to its HELLO: wait for it, or the LS would not know the cluster yet
        if (!u.registered()) { // a volatile read: a registered node's moves take no lock here
            try {
                u.awaitRegistered(READY_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return u;
    }

    /** How long a registration or a move waits for a USS that has not been acknowledged by its LS yet. */
    static final long READY_WAIT_MS = 5_000;

    static NodeAddress locationServer(UserSignalingServer uss) throws RoamerException {
        NodeAddress ls = uss.locationServerAddress();
        if (ls == null) {
            throw new RoamerException("no Location Server configured or running");
        }
        return ls;
    }

    static Reply await(Future<Frame> f, String what) throws RoamerException {
        Frame r = awaitFrame(f, what);
        try {
            return Json.decode(r.payload(), Reply.class);
        } catch (FrameException e) {
            throw new RoamerException("invalid answer to " + what + ": " + e.getMessage());
        }
    }

    static Frame awaitFrame(Future<Frame> f, String what) throws RoamerException {
        try {
            return f.get(TIMEOUT_MS + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException(what + " interrupted");
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            throw new RoamerException(what + " failed: " + (c instanceof TimeoutException
                    ? "no answer within "
                            + TIMEOUT_MS + " ms"
                    : c.getMessage()), c);
        }
    }
}

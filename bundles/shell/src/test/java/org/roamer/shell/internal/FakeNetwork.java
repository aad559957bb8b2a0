/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.roamer.api.ActiveCall;
import org.roamer.api.AgentInfo;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.CheckpointSummary;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
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

/**
 * A network for the completer tests: the lookups completion uses answer from what the test put in, the operations
 * throw. A node in {@link #failing} answers its per-node lookups with a {@link RoamerException}; when {@link #down}
 * every lookup fails as a lost connection would.
 */
final class FakeNetwork implements RoamerNetwork {
    final List<NodeInfo> nodes = new ArrayList<>();
    final List<AgentInfo> agents = new ArrayList<>();
    final Map<NodeId, List<StrategyInfo>> strategies = new LinkedHashMap<>();
    final Map<NodeId, List<RoutingInfo>> routing = new LinkedHashMap<>();
    final Map<NodeId, List<TransportInfo>> transports = new LinkedHashMap<>();
    final Map<NodeId, List<CheckpointSummary>> checkpoints = new LinkedHashMap<>();
    final Set<NodeId> failing = new HashSet<>();
    /** The per-node lookups asked, e.g. {@code strategies uss-c1}. */
    final List<String> asked = new ArrayList<>();
    boolean down;

    FakeNetwork node(String id, NodeRole role, String cluster) {
        nodes.add(new NodeInfo(NodeId.of(id), role, cluster == null ? null : ClusterId.of(cluster), null, null, null,
                0, null));
        return this;
    }

    FakeNetwork agent(String mobile, String node, String... callIds) {
        List<ActiveCall> calls = Arrays.stream(callIds)
                .map(id -> new ActiveCall(id, CallType.VOICE, List.of(MobileId.of(mobile)), true, null)).toList();
        agents.add(new AgentInfo(MobileId.of(mobile), NodeId.of(node), ClusterId.of("c1"), AgentStatus.IDLE, 1,
                new Profile(true, Set.of("voice"), Set.of(), null), calls, 0));
        return this;
    }

    FakeNetwork strategies(String node, String... names) {
        List<StrategyInfo> list = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            list.add(new StrategyInfo(names[i], true, false, false, false, names[i], i == 0, i + 1));
        }
        strategies.put(NodeId.of(node), list);
        return this;
    }

    FakeNetwork routing(String node, String... names) {
        routing.put(NodeId.of(node), Arrays.stream(names).map(n -> new RoutingInfo(n, n, false)).toList());
        return this;
    }

    FakeNetwork transports(String node, String... names) {
        transports.put(NodeId.of(node),
                Arrays.stream(names).map(n -> new TransportInfo(n, true, false, 0, 0, 0, Map.of())).toList());
        return this;
    }

    FakeNetwork checkpoints(String node, String... mobiles) {
        checkpoints.put(NodeId.of(node),
                Arrays.stream(mobiles).map(m -> new CheckpointSummary(MobileId.of(m), NodeId.of(node), 1, 0, 10,
                        "org.roamer.agent 1.0.0")).toList());
        return this;
    }

    private void up() {
        if (down) {
            throw new UncheckedIOException(new ConnectException("Connection refused"));
        }
    }

    private <T> List<T> perNode(String what, NodeId node, Map<NodeId, List<T>> values) throws RoamerException {
        up();
        asked.add(what + " " + node);
        if (failing.contains(node)) {
            throw new RoamerException("no reply from " + node);
        }
        List<T> v = values.get(node);
        if (v == null) {
            throw new RoamerException("unknown node '" + node + "'");
        }
        return v;
    }

    @Override
    public List<NodeInfo> nodes() {
        up();
        return List.copyOf(nodes);
    }

    @Override
    public List<AgentInfo> agents() {
        up();
        return List.copyOf(agents);
    }

    @Override
    public List<ClusterId> clusters() {
        up();
        return nodes.stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER).map(NodeInfo::cluster)
                .distinct().sorted().toList();
    }

    @Override
    public List<StrategyInfo> strategies(NodeId uss) throws RoamerException {
        return perNode("strategies", uss, strategies);
    }

    @Override
    public List<RoutingInfo> routing(NodeId uss) throws RoamerException {
        return perNode("routing", uss, routing);
    }

    @Override
    public List<TransportInfo> transports(NodeId node) throws RoamerException {
        return perNode("transports", node, transports);
    }

    @Override
    public List<CheckpointSummary> checkpoints(NodeId uss) throws RoamerException {
        return perNode("checkpoints", uss, checkpoints);
    }

    @Override
    public Optional<AgentInfo> agent(MobileId mobile) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AgentInfo register(MobileId mobile, ClusterId cluster, Profile profile) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void deregister(MobileId mobile) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CallResult call(MobileId caller, MobileId callee, CallType type) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void hangup(String callId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MoveResult move(MobileId mobile, ClusterId to) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MoveResult move(MobileId mobile, ClusterId to, String strategy) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void send(MobileId mobile, String sender, long seq, byte[] body) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void preferStrategy(NodeId uss, String strategy) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void useRouting(NodeId uss, String policy) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RouteInfo route(MobileId mobile) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void useTransport(NodeId node, String transport) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AgentInfo restore(MobileId mobile, NodeId uss) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RoamerStats stats() {
        throw new UnsupportedOperationException();
    }
}

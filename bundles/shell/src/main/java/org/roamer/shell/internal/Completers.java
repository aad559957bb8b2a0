/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.roamer.api.ActiveCall;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallType;
import org.roamer.api.CheckpointSummary;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.RoutingInfo;
import org.roamer.api.StrategyInfo;
import org.roamer.api.TransportInfo;

/**
 * Completers of the {@code roamer:*} commands: mobiles, clusters, nodes, strategies, routing policies, transports,
 * checkpoints, calls and call types.
 * <p>
 * They are cheap and never throw: at most {@link #MAX_CANDIDATES} candidates (of those that match what is typed), at
 * most {@link #MAX_NODES} nodes asked and none after {@link #BUDGET_NANOS}; a {@code RoamerException}, a network
 * failure or a missing service gives no candidates (or skips the node that failed), never a stack trace on the
 * console.
 * <p>
 * Karaf completes an argument only when each argument before it is a candidate of its own completer (it calls that
 * completer with the argument alone), so every argument before a completed one needs a completer too.
 */
final class Completers {
    /** Most candidates offered. */
    static final int MAX_CANDIDATES = 1000;
    /** Most nodes asked per completion (strategies, policies, transports, checkpoints). */
    static final int MAX_NODES = 16;
    /** No node is asked after this time spent completing. */
    static final long BUDGET_NANOS = 2_000_000_000L;

    static final Set<NodeRole> USS = EnumSet.of(NodeRole.USER_SIGNALING_SERVER);
    /** The nodes that have transports to show and switch ({@code roamer:transport}). */
    static final Set<NodeRole> USS_AND_LS = EnumSet.of(NodeRole.USER_SIGNALING_SERVER, NodeRole.LOCATION_SERVER);

    private Completers() {
    }

    /** Looks the values up; may fail in any way. */
    @FunctionalInterface
    interface Values {
        Collection<String> get() throws Exception;
    }

    /** One node's values; may fail in any way. */
    @FunctionalInterface
    interface PerNode {
        Collection<String> get(NodeId node) throws Exception;
    }

    /**
     * Offers the values that start with what is typed (case-sensitive, at most {@link #MAX_CANDIDATES}), each
     * followed by a space.
     *
     * @return where the candidates start in the buffer, or -1 for none (also when the lookup failed)
     */
    static int complete(Session s, CommandLine c, List<String> candidates, Values values) {
        try {
            String typed = typed(c);
            Collection<String> all = values.get();
            if (all == null) {
                return -1;
            }
            List<String> matching = all.stream().filter(Objects::nonNull).filter(v -> v.startsWith(typed)).distinct()
                    .limit(MAX_CANDIDATES).toList();
            return new StringsCompleter(matching, true).complete(s, c, candidates);
        } catch (Exception | LinkageError e) { // RoamerException, a network failure, a service gone or too old
            return -1;
        }
    }

    /** The part of the word under the cursor before the cursor ("" for none). */
    static String typed(CommandLine c) {
        String word = c.getCursorArgument();
        if (word == null) {
            return "";
        }
        int at = c.getArgumentPosition();
        return at >= 0 && at < word.length() ? word.substring(0, at) : word;
    }

    /** The words of the line other than the one under the cursor (the command's name included). */
    static Set<String> otherWords(CommandLine c) {
        String[] args = c.getArguments();
        Set<String> words = new LinkedHashSet<>();
        for (int i = 0; args != null && i < args.length; i++) {
            if (i != c.getCursorArgumentIndex() && args[i] != null && !args[i].isEmpty()) {
                words.add(args[i]);
            }
        }
        return words;
    }

    /** Whether {@code flag} (e.g. {@code --all}) is given before the word under the cursor. */
    static boolean given(CommandLine c, String flag) {
        String[] args = c.getArguments();
        for (int i = 0; args != null && i < args.length && i < c.getCursorArgumentIndex(); i++) {
            if (flag.equals(args[i])) {
                return true;
            }
        }
        return false;
    }

    /** The nodes of these roles, in the network's order. */
    static List<NodeId> nodes(RoamerNetwork network, Set<NodeRole> roles) {
        return network.nodes().stream().filter(Objects::nonNull).filter(n -> roles.contains(n.role()))
                .map(NodeInfo::node).filter(Objects::nonNull).toList();
    }

    static List<String> names(List<NodeId> nodes) {
        return nodes.stream().map(NodeId::value).toList();
    }

    /** The nodes to ask: those of {@code nodes} named elsewhere on the line, else the first {@link #MAX_NODES}. */
    static List<NodeId> asked(CommandLine c, List<NodeId> nodes) {
        Set<String> words = otherWords(c);
        List<NodeId> named = nodes.stream().filter(n -> words.contains(n.value())).toList();
        return named.isEmpty() ? nodes.stream().limit(MAX_NODES).toList() : named;
    }

    /**
     * The values of each node, in node order, without duplicates; a node that fails is skipped, and no node is asked
     * once {@link #MAX_CANDIDATES} values are known or {@link #BUDGET_NANOS} has passed.
     */
    static Set<String> union(List<NodeId> nodes, PerNode values) {
        long deadline = System.nanoTime() + BUDGET_NANOS;
        Set<String> union = new LinkedHashSet<>();
        for (NodeId n : nodes.stream().limit(MAX_NODES).toList()) {
            if (union.size() >= MAX_CANDIDATES || System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Collection<String> v = values.get(n);
                if (v != null) {
                    v.stream().filter(Objects::nonNull).forEach(union::add);
                }
            } catch (Exception | LinkageError e) { // unknown node, no store, not reachable: ask the next one
            }
        }
        return union;
    }

    static Set<String> strategies(RoamerNetwork network, CommandLine c) {
        return union(asked(c, nodes(network, USS)),
                n -> network.strategies(n).stream().map(StrategyInfo::name).toList());
    }

    static Set<String> policies(RoamerNetwork network, CommandLine c) {
        return union(asked(c, nodes(network, USS)), n -> network.routing(n).stream().map(RoutingInfo::name).toList());
    }

    static Set<String> transports(RoamerNetwork network, CommandLine c) {
        return union(asked(c, nodes(network, USS_AND_LS)),
                n -> network.transports(n).stream().map(TransportInfo::name).toList());
    }

    static List<String> checkpointMobiles(RoamerNetwork network, NodeId node) throws Exception {
        return network.checkpoints(node).stream().filter(Objects::nonNull).map(CheckpointSummary::mobile)
                .filter(Objects::nonNull).map(MobileId::value).toList();
    }

    /** Whether {@code word} can be a mobile id (so not an option or the command's name). */
    static boolean mobileId(String word) {
        if (word.startsWith("-")) {
            return false;
        }
        try {
            MobileId.of(word);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Mobiles with an agent in the network. */
    @Service
    public static final class Mobiles implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates,
                    () -> network.agents().stream().filter(Objects::nonNull).map(AgentInfo::mobile)
                            .filter(Objects::nonNull).map(MobileId::value).toList());
        }
    }

    /**
     * A new mobile id ({@code roamer:register}): nothing to offer, but the id typed is accepted when it is valid (a
     * candidate that completes nothing), so that the arguments after it complete.
     */
    @Service
    public static final class NewMobile implements Completer {
        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            try {
                String typed = typed(c);
                if (typed.isEmpty() || !mobileId(typed)) {
                    return -1;
                }
                candidates.add(typed);
                return c.getBufferPosition() - c.getArgumentPosition();
            } catch (RuntimeException e) {
                return -1;
            }
        }
    }

    /**
     * Mobiles that have a checkpoint on a USS node (on the USS node named on the line, if one is): those
     * {@code roamer:restore} can bring back and {@code roamer:checkpoints --remove} can delete.
     */
    @Service
    public static final class CheckpointMobiles implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates,
                    () -> union(asked(c, nodes(network, USS)), n -> checkpointMobiles(network, n)));
        }
    }

    /**
     * USS nodes holding a checkpoint: those with a checkpoint of the mobile named on the line, if any does, else every
     * USS node.
     */
    @Service
    public static final class CheckpointNodes implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> {
                List<NodeId> uss = nodes(network, USS);
                Set<String> mobiles = otherWords(c).stream().filter(Completers::mobileId).collect(Collectors.toSet());
                if (mobiles.isEmpty()) {
                    return names(uss);
                }
                Set<String> holding = union(uss, n -> checkpointMobiles(network, n).stream().anyMatch(mobiles::contains)
                        ? List.of(n.value())
                        : List.of());
                return holding.isEmpty() ? names(uss) : holding;
            });
        }
    }

    /** Clusters of the network that have a USS. */
    @Service
    public static final class Clusters implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> network.clusters().stream().filter(Objects::nonNull)
                    .map(ClusterId::value).toList());
        }
    }

    /** Every node of the network. */
    @Service
    public static final class Nodes implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> names(nodes(network, EnumSet.allOf(NodeRole.class))));
        }
    }

    /** USS nodes of the network. */
    @Service
    public static final class UssNodes implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> names(nodes(network, USS)));
        }
    }

    /** Nodes with transports: USS nodes and Location Servers. */
    @Service
    public static final class TransportNodes implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> names(nodes(network, USS_AND_LS)));
        }
    }

    /** Strategies installed on the USS node named on the line, else on any USS node. */
    @Service
    public static final class Strategies implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> strategies(network, c));
        }
    }

    /**
     * A comma-separated list of strategies ({@code roamer:bench --strategies}): completes the last entry with the
     * strategies not yet listed, without a space after it, so that another {@code ,} can follow.
     */
    @Service
    public static final class StrategyList implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            try {
                String typed = typed(c);
                String head = typed.substring(0, typed.lastIndexOf(',') + 1);
                Set<String> listed = new HashSet<>(Arrays.asList(head.split(",")));
                List<String> offered = strategies(network, c).stream().filter(n -> !listed.contains(n))
                        .map(n -> head + n).filter(v -> v.startsWith(typed)).sorted().limit(MAX_CANDIDATES).toList();
                if (offered.isEmpty()) {
                    return -1;
                }
                candidates.addAll(offered);
                return c.getBufferPosition() - c.getArgumentPosition();
            } catch (Exception | LinkageError e) {
                return -1;
            }
        }
    }

    /** Routing policies installed on the USS node named on the line, else on any USS node. */
    @Service
    public static final class RoutingPolicies implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> policies(network, c));
        }
    }

    /** {@code roamer:routing}'s first argument: a USS node, or after {@code --all} a routing policy. */
    @Service
    public static final class UssNodeOrRoutingPolicy implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates,
                    () -> given(c, "--all") ? policies(network, c) : names(nodes(network, USS)));
        }
    }

    /** Transports installed on the node (USS or Location Server) named on the line, else on any such node. */
    @Service
    public static final class Transports implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> transports(network, c));
        }
    }

    /** {@code roamer:transport}'s first argument: a USS node or Location Server, or after {@code --all} a transport. */
    @Service
    public static final class TransportNodeOrTransport implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates,
                    () -> given(c, "--all") ? transports(network, c) : names(nodes(network, USS_AND_LS)));
        }
    }

    /** Ids of the calls in progress (of the network's agents). */
    @Service
    public static final class Calls implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(s, c, candidates, () -> {
                List<String> ids = new ArrayList<>();
                for (AgentInfo a : network.agents()) {
                    if (a != null && a.calls() != null) {
                        a.calls().stream().filter(Objects::nonNull).map(ActiveCall::callId).forEach(ids::add);
                    }
                }
                return ids;
            });
        }
    }

    /** voice, data, video, fax. */
    @Service
    public static final class CallTypes implements Completer {
        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            try {
                return new StringsCompleter(Arrays.stream(CallType.values()).map(t -> t.name().toLowerCase()).toList())
                        .complete(s, c, candidates);
            } catch (RuntimeException e) {
                return -1;
            }
        }
    }
}

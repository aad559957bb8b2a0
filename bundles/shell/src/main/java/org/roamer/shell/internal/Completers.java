package org.roamer.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.roamer.api.AgentInfo;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerException;
import org.roamer.api.RoutingInfo;
import org.roamer.api.RoamerNetwork;

/** Completers for mobile ids, clusters, nodes and call types. */
final class Completers {
    private Completers() {
    }

    static int complete(List<String> values, Session s, CommandLine c, List<String> candidates) {
        return new StringsCompleter(values).complete(s, c, candidates);
    }

    /** Mobiles with an agent in this container. */
    @Service
    public static final class Mobiles implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(network.agents().stream().limit(1000).map(AgentInfo::mobile)
                    .map(Object::toString).toList(), s, c, candidates);
        }
    }

    /** Clusters with a USS in this container. */
    @Service
    public static final class Clusters implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(network.clusters().stream().map(ClusterId::value).toList(), s, c, candidates);
        }
    }

    /** Nodes in this container. */
    @Service
    public static final class Nodes implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(network.nodes().stream().map(NodeInfo::node).map(Object::toString).toList(), s,
                    c, candidates);
        }
    }

    /** USS nodes in this container. */
    @Service
    public static final class UssNodes implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(network.nodes().stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER)
                    .map(NodeInfo::node).map(Object::toString).toList(), s, c, candidates);
        }
    }

    /** Routing policies installed here (migrate always: it is built in). */
    @Service
    public static final class RoutingPolicies implements Completer {
        @Reference
        RoamerNetwork network;

        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            List<String> names = network.nodes().stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER)
                    .findFirst().map(n -> {
                        try {
                            return network.routing(n.node()).stream().map(RoutingInfo::name).toList();
                        } catch (RoamerException e) {
                            return List.<String>of();
                        }
                    }).orElse(List.of());
            return Completers.complete(names, s, c, candidates);
        }
    }

    /** voice, data, video, fax. */
    @Service
    public static final class CallTypes implements Completer {
        @Override
        public int complete(Session s, CommandLine c, List<String> candidates) {
            return Completers.complete(java.util.Arrays.stream(CallType.values()).map(t -> t.name().toLowerCase())
                    .toList(), s, c, candidates);
        }
    }
}

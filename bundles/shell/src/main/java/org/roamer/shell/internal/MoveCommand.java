/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.roamer.api.MoveResult;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "move", description = "The mobile crosses into another cluster: REGISTRATION, MIGRATE, TRANSFER, stub, READY/drain, MIGRATE_DONE")
public class MoveCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.Mobiles.class)
    String mobile;

    @Argument(index = 1, name = "cluster", required = true, description = "Cluster it enters")
    @Completion(Completers.Clusters.class)
    String cluster;

    @Option(name = "--strategy", description = "Migration strategy to ask for (naive, tern, condor, ...); the nodes"
            + " negotiate another one if the target lacks it")
    @Completion(Completers.Strategies.class)
    String strategy;

    @Option(name = "--routing", description = "Routing policy that decides this crossing instead of the agent's node's"
            + " own: migrate (the agent follows), anchored (it stays), threshold, ...; later crossings use the node's")
    @Completion(Completers.RoutingPolicies.class)
    String routing;

    @Argument(index = 2, name = "trailing-options", multiValued = true, description = "--strategy and --routing may also follow the arguments")
    @Completion(value = StringsCompleter.class, values = {"--strategy", "--routing"}, caseSensitive = true)
    java.util.List<String> trailing;

    @Override
    protected Object run() throws Exception {
        java.util.Map<String, String> t = Parse.trailing(trailing, java.util.Set.of("--strategy", "--routing"),
                java.util.Set.of());
        strategy = t.getOrDefault("--strategy", strategy);
        routing = t.getOrDefault("--routing", routing);
        MoveResult r = network.move(Parse.mobile(mobile), Parse.cluster(cluster), strategy, routing);
        if (r.anchored()) {
            boolean home = isHome(r);
            System.out.println(home
                    ? r.mobile() + " is home in " + r.to() + ", where its agent runs on " + r.agentNode()
                    : "anchored at " + r.agentNode() + ", paging area " + r.to() + ", radio ports updated "
                            + r.radioPortsUpdated() + ", links set up " + r.linksSetUp());
            System.out.println("routing     " + r.routing());
            System.out.println("epoch       " + r.epoch() + " (unchanged: the agent did not move)");
            System.out.printf("time        %.3f ms (REGISTRATION at the LS -> location updated)%n",
                    r.micros() / 1000.0);
            return null;
        }
        if (r.migrated()) {
            System.out.println("migrated " + r.mobile() + " " + r.from() + " -> " + r.to() + " with " + r.strategy()
                    + (r.routing() == null ? "" : " (routing " + r.routing() + ")"));
        } else {
            System.out.println("migration of " + r.mobile() + " " + r.from() + " -> " + r.to()
                    + " FAILED, agent stays at " + r.from() + ": " + r.reason());
        }
        System.out.println("bytes moved " + r.bytesMoved());
        System.out.println("buffered    " + r.buffered() + ", drained " + r.drained());
        System.out.println("epoch       " + r.epoch());
        System.out.printf("time        %.3f ms (MIGRATE -> MIGRATE_DONE)%n", r.micros() / 1000.0);
        return null;
    }

    /** Whether the mobile entered the cluster its agent runs in. */
    private boolean isHome(MoveResult r) {
        return network.nodes().stream().anyMatch(n -> n.node().equals(r.agentNode()) && r.to().equals(n.cluster()));
    }
}

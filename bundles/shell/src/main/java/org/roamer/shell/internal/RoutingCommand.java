/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.NodeId;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.RoutingInfo;

@Service
@Command(scope = "roamer", name = "routing", description = "Lists the routing policies per USS node (migrate, anchored, threshold, ...),"
        + " or switches a node's policy at run time: roamer:routing uss-c1 anchored, roamer:routing --all threshold")
public class RoutingCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Option(name = "--all", description = "Every USS node of this container")
    boolean all;

    @Argument(index = 0, name = "node-or-policy", required = false, description = "USS node to show or switch (with --all: the policy)")
    @Completion(Completers.UssNodeOrRoutingPolicy.class)
    String first;

    @Argument(index = 1, name = "policy", required = false, description = "Routing policy to switch to")
    @Completion(Completers.RoutingPolicies.class)
    String second;

    @Override
    protected Object run() throws Exception {
        NodeChoice choice = NodeChoice.of(network, Set.of(NodeRole.USER_SIGNALING_SERVER), all, first, second,
                "roamer:routing --all anchored");
        List<NodeId> nodes = choice.nodes();
        String policy = choice.value();
        if (policy == null) {
            ShellTable t = new ShellTable();
            t.column("Node");
            t.column("Policy");
            t.column("Active");
            t.column("Description");
            for (NodeId n : nodes) {
                for (RoutingInfo i : network.routing(n)) {
                    t.addRow().addContent(n, i.name(), i.active() ? "*" : "", i.description());
                }
            }
            t.print(System.out);
            return null;
        }
        for (NodeId n : nodes) {
            long start = System.nanoTime();
            network.useRouting(n, policy);
            System.out.printf("%s now routes with %s (%.1f ms)%n", n, policy, (System.nanoTime() - start) / 1e6);
        }
        return null;
    }
}

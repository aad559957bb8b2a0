/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.Row;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.NodeId;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.StrategyInfo;

@Service
@Command(scope = "roamer", name = "strategies", description = "Lists the migration strategies installed on USS nodes, in each node's order of"
        + " preference, with the traits that decide where each can be used")
public class StrategiesCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "node", description = "USS node (default: every USS of this container)")
    @Completion(Completers.UssNodes.class)
    String node;

    @Option(name = "--wide", description = "Adds each strategy's description (wider than 100 columns)")
    boolean wide;

    @Override
    protected Object run() throws Exception {
        List<NodeId> nodes = node != null
                ? List.of(NodeId.of(node))
                : network.nodes().stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER).map(NodeInfo::node)
                        .toList();
        ShellTable t = new ShellTable();
        t.column("Node");
        t.column("Rank").alignRight();
        t.column("Strategy");
        t.column("Preferred");
        t.column("Any agent");
        t.column("Other version");
        t.column("Any time");
        t.column("Less data");
        if (wide) {
            t.column("Description");
        }
        for (NodeId n : nodes) {
            for (StrategyInfo s : network.strategies(n)) {
                Row row = t.addRow();
                row.addContent(n, s.rank(), s.name(), s.preferred() ? "*" : "", yn(s.independentOfAgentLogic()),
                        yn(s.heterogeneous()), yn(s.asynchronousInitiation()), yn(s.optimizesData()));
                if (wide) {
                    row.addContent(s.description());
                }
            }
        }
        t.print(System.out);
        System.out.println("Any agent: works without the agent's help (agent-logic independent); Other version: can"
                + " restore\ninto another agent version; Any time: starts without waiting for a stable point;"
                + " Less data:\nmoves only what is needed. --wide adds the descriptions.");
        return null;
    }

    static String yn(boolean b) {
        return b ? "Y" : "N";
    }
}

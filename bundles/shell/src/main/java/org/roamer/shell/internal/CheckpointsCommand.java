/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.time.Instant;
import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.CheckpointSummary;
import org.roamer.api.NodeId;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "checkpoints", description = "Lists the agent checkpoints kept for crash recovery"
        + " by USS nodes; --remove deletes one that is no longer wanted")
public class CheckpointsCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "node", description = "USS node (default: every USS of this container)")
    @Completion(Completers.CheckpointNodes.class)
    String node;

    @Option(name = "--remove", description = "Delete this mobile's checkpoint on the node given (kept while the"
            + " mobile's agent runs on that node: it is its crash protection)")
    @Completion(Completers.CheckpointMobiles.class)
    String remove;

    @Override
    protected Object run() throws Exception {
        if (remove != null) {
            if (node == null) {
                throw new RoamerException("--remove needs the node, e.g. roamer:checkpoints --remove " + remove
                        + " uss-c1");
            }
            CheckpointSummary c = network.removeCheckpoint(Parse.mobile(remove), NodeId.of(node));
            System.out.println("removed the checkpoint of " + c.mobile() + " on " + node + " (epoch " + c.epoch()
                    + ", written " + Instant.ofEpochMilli(c.written()) + ")");
            return null;
        }
        List<NodeId> nodes = node != null
                ? List.of(NodeId.of(node))
                : network.nodes().stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER).map(NodeInfo::node)
                        .toList();
        ShellTable t = new ShellTable();
        t.column("Node");
        t.column("Mobile");
        t.column("Epoch").alignRight();
        t.column("Written");
        t.column("Bytes").alignRight();
        t.column("Agent type");
        for (NodeId n : nodes) {
            for (CheckpointSummary c : network.checkpoints(n)) {
                t.addRow().addContent(n, c.mobile(), c.epoch(), Instant.ofEpochMilli(c.written()), c.bytes(),
                        c.agentType());
            }
        }
        t.print(System.out);
        return null;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.roamer.api.NodeId;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "strategy", description = "Switches a USS node's preferred migration strategy at run time (its configuration is updated; the node and its agents keep running)")
public class StrategyCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "node", required = true, description = "USS node, e.g. uss-c1")
    @Completion(Completers.UssNodes.class)
    String node;

    @Argument(index = 1, name = "strategy", required = true, description = "Installed strategy, e.g. naive")
    @Completion(Completers.Strategies.class)
    String strategy;

    @Override
    protected Object run() throws Exception {
        network.preferStrategy(NodeId.of(node), strategy);
        System.out.println(node + " now prefers " + strategy);
        return null;
    }
}

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
import org.roamer.api.AgentInfo;
import org.roamer.api.NodeId;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "restore", description = "Brings an agent back from its latest checkpoint on a USS node (after a crash), with a new epoch")
public class RestoreCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.CheckpointMobiles.class)
    String mobile;

    @Argument(index = 1, name = "node", required = true, description = "USS node holding the checkpoint, e.g. uss-c1")
    @Completion(Completers.CheckpointNodes.class)
    String node;

    @Override
    protected Object run() throws Exception {
        AgentInfo a = network.restore(Parse.mobile(mobile), NodeId.of(node));
        System.out.println("restored " + a.mobile() + " on " + a.node() + " (cluster " + a.cluster() + "), epoch "
                + a.epoch() + ", " + a.calls().size() + " call(s), " + a.delivered() + " message(s) delivered before");
        return null;
    }
}

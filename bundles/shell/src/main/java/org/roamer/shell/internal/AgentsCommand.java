/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.AgentInfo;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "agents", description = "Lists the user agents hosted in this container")
public class AgentsCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Option(name = "--cluster", description = "Only agents of this cluster")
    @Completion(Completers.Clusters.class)
    String cluster;

    @Option(name = "--limit", description = "Show at most this many agents, 1-1000000 (default 100)")
    String limitText = "100";

    @Override
    protected Object run() throws Exception {
        int limit = Parse.number("--limit", limitText, 1, 1_000_000);
        if (cluster != null && network.clusters().stream().noneMatch(c -> c.value().equals(cluster))) {
            throw new RoamerException("unknown cluster '" + cluster + "'; clusters here: " + network.clusters());
        }
        List<AgentInfo> all = network.agents().stream()
                .filter(a -> cluster == null || a.cluster().value().equals(cluster)).toList();
        ShellTable t = new ShellTable();
        t.column("Mobile");
        t.column("Node");
        t.column("Cluster");
        t.column("State");
        t.column("Epoch").alignRight();
        t.column("Calls").alignRight();
        t.column("Delivered").alignRight();
        all.stream().limit(limit).forEach(a -> t.addRow().addContent(a.mobile(), a.node(), a.cluster(),
                a.status().name().toLowerCase().replace('_', ' '), a.epoch(), a.calls().size(), a.delivered()));
        t.print(System.out);
        if (all.size() > limit) {
            System.out.println("(" + (all.size() - limit) + " more; use --limit)");
        }
        return null;
    }
}

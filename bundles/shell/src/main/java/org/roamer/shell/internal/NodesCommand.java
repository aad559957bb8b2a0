/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.Row;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "nodes", description = "Lists the nodes of the network, of this container and of the"
        + " others: container (in a network of containers), role, cluster, address, plug-ins, agents")
public class NodesCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Override
    protected Object run() {
        List<NodeInfo> nodes = network.nodes();
        boolean containers = nodes.stream().map(NodeInfo::container).filter(java.util.Objects::nonNull).distinct()
                .count() > 1;
        ShellTable t = new ShellTable();
        t.column("Node");
        if (containers) {
            t.column("Container");
        }
        t.column("Role");
        t.column("Cluster");
        t.column("Address");
        t.column("Plug-ins");
        t.column("Agents").alignRight();
        for (NodeInfo n : nodes) {
            Row row = t.addRow();
            row.addContent(n.node());
            if (containers) {
                row.addContent(dash(n.container()));
            }
            row.addContent(role(n.role()), dash(n.cluster()), dash(n.address()), plugins(n), n.agents());
        }
        t.print(System.out);
        System.out.println("LS: Location Server, USS: User Signaling Server, call/connection: call and connection"
                + " servers;\nPlug-ins: preferred strategy/routing policy/transport");
        return null;
    }

    /** The role as the seed names it, short enough for a 100-column table. */
    static String role(NodeRole r) {
        return switch (r) {
            case LOCATION_SERVER -> "LS";
            case USER_SIGNALING_SERVER -> "USS";
            case CALL_SERVER -> "call";
            case CONNECTION_SERVER -> "connection";
            case RADIO_PORT -> "radio port";
        };
    }

    static String plugins(NodeInfo n) {
        if (n.strategy() == null && n.routing() == null && n.transport() == null) {
            return "-";
        }
        return dash(n.strategy()) + "/" + dash(n.routing()) + "/" + dash(n.transport());
    }

    static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }
}

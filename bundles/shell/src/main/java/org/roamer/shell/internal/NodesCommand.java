package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.NodeInfo;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "nodes", description = "Lists the nodes of the network, of this container and of the others: container, role, cluster,"
        + " address, strategy, routing, transport, agents")
public class NodesCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Override
    protected Object run() {
        ShellTable t = new ShellTable();
        t.column("Node");
        t.column("Container");
        t.column("Role");
        t.column("Cluster");
        t.column("Address");
        t.column("Strategy");
        t.column("Routing");
        t.column("Transport");
        t.column("Agents").alignRight();
        for (NodeInfo n : network.nodes()) {
            t.addRow().addContent(n.node(), dash(n.container()), n.role().name().toLowerCase().replace('_', '-'), dash(n.cluster()),
                    dash(n.address()), dash(n.strategy()), dash(n.routing()), dash(n.transport()), n.agents());
        }
        t.print(System.out);
        return null;
    }

    static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }
}

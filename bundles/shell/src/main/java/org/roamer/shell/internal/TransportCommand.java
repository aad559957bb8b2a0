/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.Row;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.NodeId;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.TransportInfo;

@Service
@Command(scope = "roamer", name = "transport", description = "Lists the transports each node listens on, with counters"
        + " (frames, bad frames, UDP retransmissions, duplicates, RTT), or switches what a node sends with at run time:"
        + " roamer:transport uss-c1 udp, roamer:transport --all tcp")
public class TransportCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Option(name = "--all", description = "Every USS and Location Server of this container")
    boolean all;

    @Argument(index = 0, name = "node-or-transport", required = false, description = "Node to show or switch (with --all: the transport)")
    @Completion(Completers.TransportNodeOrTransport.class)
    String first;

    @Argument(index = 1, name = "transport", required = false, description = "Transport to send with, e.g. tcp or udp")
    @Completion(Completers.Transports.class)
    String second;

    @Option(name = "--wide", description = "Counters in a column of the table (wider than 100 columns)")
    boolean wide;

    @Override
    protected Object run() throws Exception {
        NodeChoice choice = NodeChoice.of(network, Set.of(NodeRole.USER_SIGNALING_SERVER, NodeRole.LOCATION_SERVER),
                all, first, second, "roamer:transport --all udp");
        List<NodeId> nodes = choice.nodes();
        String transport = choice.value();
        if (transport == null) {
            ShellTable t = new ShellTable();
            t.column("Node");
            t.column("Transport");
            t.column("Sends");
            t.column("Frames in").alignRight();
            t.column("Frames out").alignRight();
            t.column("Bad").alignRight();
            if (wide) {
                t.column("Details");
            }
            List<String> below = new ArrayList<>();
            for (NodeId n : nodes) {
                for (TransportInfo i : network.transports(n)) {
                    Row row = t.addRow();
                    row.addContent(n, i.name(), i.sending() ? "*" : "", i.framesIn(), i.framesOut(), i.badFrames());
                    String d = details(i.details());
                    if (wide) {
                        row.addContent(d);
                    } else if (!d.isEmpty()) {
                        below.addAll(wrap(n + " " + i.name() + ": ", d, 100));
                    }
                }
            }
            t.print(System.out);
            below.forEach(System.out::println);
            return null;
        }
        for (NodeId n : nodes) {
            long start = System.nanoTime();
            network.useTransport(n, transport);
            System.out.printf("%s now sends with %s (%.1f ms)%n", n, transport, (System.nanoTime() - start) / 1e6);
        }
        return null;
    }

    /** Shown whenever a transport reports them; the other details only when they are not 0. */
    static final List<String> KEY_DETAILS = List.of("datagramsIn", "datagramsOut", "retransmissions",
            "duplicatesDropped", "srttMicros", "rtoMicros");

    /** {@code text} after {@code head}, cut at spaces into lines of at most {@code width}, indented under the head. */
    static List<String> wrap(String head, String text, int width) {
        List<String> lines = new ArrayList<>();
        String indent = " ".repeat(Math.min(head.length(), width / 2));
        StringBuilder line = new StringBuilder(head);
        boolean empty = true; // no word on this line yet
        for (String word : text.split(" ")) {
            if (!empty && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            line.append(word);
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }

    static String details(Map<String, Long> d) {
        List<String> out = new ArrayList<>();
        KEY_DETAILS.stream().filter(d::containsKey).forEach(k -> out.add(k + "=" + d.get(k)));
        d.entrySet().stream().filter(e -> !KEY_DETAILS.contains(e.getKey()) && e.getValue() != 0)
                .sorted(Map.Entry.comparingByKey()).forEach(e -> out.add(e.getKey() + "=" + e.getValue()));
        return String.join(" ", out);
    }
}

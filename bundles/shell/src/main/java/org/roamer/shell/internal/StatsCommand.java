/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.roamer.api.LatencySummary;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.RoamerStats;

@Service
@Command(scope = "roamer", name = "stats", description = "Counters, bytes per message type and latency percentiles since start")
public class StatsCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Override
    protected Object run() {
        RoamerStats s = network.stats();
        ShellTable c = new ShellTable();
        c.column("Counter");
        c.column("Value").alignRight();
        s.counters().forEach((k, v) -> c.addRow().addContent(k, v));
        c.print(System.out);
        ShellTable m = new ShellTable();
        m.column("Message type");
        m.column("Frames").alignRight();
        m.column("Bytes").alignRight();
        m.column("Bytes/frame").alignRight();
        for (Map.Entry<String, Long> e : s.framesByType().entrySet()) {
            long bytes = s.bytesByType().getOrDefault(e.getKey(), 0L);
            m.addRow().addContent(e.getKey(), e.getValue(), bytes, e.getValue() == 0 ? 0 : bytes / e.getValue());
        }
        m.print(System.out);
        ShellTable l = new ShellTable();
        l.column("Latency (us)");
        l.column("Count").alignRight();
        l.column("p50").alignRight();
        l.column("p90").alignRight();
        l.column("p99").alignRight();
        l.column("max").alignRight();
        for (Map.Entry<String, LatencySummary> e : s.latencies().entrySet()) {
            LatencySummary x = e.getValue();
            l.addRow().addContent(e.getKey(), x.count(), x.p50(), x.p90(), x.p99(), x.max());
        }
        l.print(System.out);
        return null;
    }
}

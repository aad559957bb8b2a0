/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.roamer.api.Simulator;

@Service
@Command(scope = "roamer", name = "simulate", description = "The patent's Table 1 as a traffic simulation on a private"
        + " network of this container's classes and plug-ins (the running network is not touched): one agent per"
        + " terminal, fluid-flow mobility, Poisson calls; the routing policies side by side. Ctrl-C stops it")
public class SimulateCommand extends RoamerAction {
    @Reference
    Simulator simulator;

    @Option(name = "--terminals", description = "Simulated terminals, e.g. 20000, 20k, 2.87m (default 20k)")
    String terminals;

    @Option(name = "--clusters", description = "Clusters, laid out as a grid (default 128)")
    String clusters;

    @Option(name = "--density", description = "Terminals per square km (default 390)")
    String density;

    @Option(name = "--speed", description = "Terminal speed, km/h (default 5.6)")
    String speed;

    @Option(name = "--edge", description = "L is the square cluster's edge, km")
    String edge;

    @Option(name = "--perimeter", description = "L is the cluster's perimeter, km (default 30.3)")
    String perimeter;

    @Option(name = "--calls-per-hour", description = "Calls each terminal places per hour (default 1.4)")
    String callsPerHour;

    @Option(name = "--call-seconds", description = "Mean call duration, s (default 120)")
    String callSeconds;

    @Option(name = "--routing", description = "Routing policy to run: migrate, anchored, threshold or all (default all)")
    @Completion(value = StringsCompleter.class, values = {"migrate", "anchored", "threshold", "all"})
    String routing;

    @Option(name = "--minutes", description = "Simulated minutes (default 10)")
    String minutes;

    @Option(name = "--speedup", description = "At most this many times real time (default 100)")
    String speedup;

    @Option(name = "--seed", description = "The same seed gives the same counts (default 1)")
    String seed;

    @Option(name = "--hop-delay-ms", description = "Link delay per cluster of distance, ms one way (default 0: off)")
    String hopDelay;

    @Option(name = "--ls-delay-ms", description = "Link delay to the Location Server, ms one way (default 0: off)")
    String lsDelay;

    @Override
    protected Object run() throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        put(o, "--terminals", terminals);
        put(o, "--clusters", clusters);
        put(o, "--density", density);
        put(o, "--speed", speed);
        put(o, "--edge", edge);
        put(o, "--perimeter", perimeter);
        put(o, "--calls-per-hour", callsPerHour);
        put(o, "--call-seconds", callSeconds);
        put(o, "--routing", routing);
        put(o, "--minutes", minutes);
        put(o, "--speedup", speedup);
        put(o, "--seed", seed);
        put(o, "--hop-delay-ms", hopDelay);
        put(o, "--ls-delay-ms", lsDelay);
        java.util.List<String> progress = new java.util.ArrayList<>();
        java.util.List<String> report = simulator.simulate(o, line -> {
            progress.add(line);
            System.out.println(line);
        });
        // the report begins with the lines that came as progress before the runs: print only the rest
        int shown = 0;
        while (shown < report.size() && shown < progress.size() && report.get(shown).equals(progress.get(shown))) {
            shown++;
        }
        report.subList(shown, report.size()).forEach(System.out::println);
        return null;
    }

    private static void put(Map<String, String> o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.roamer.api.RoamerException;
import org.roamer.api.Simulator;
import org.roamer.core.internal.RoamerCore;

/**
 * {@code roamer:simulate}: Table 1 on a private in-VM network with this container's strategies and routing
 * policies (the same service objects the nodes use; the simulation binds them into its own core).
 */
@Component(service = Simulator.class)
public final class SimulatorService implements Simulator {
    private final RoamerCore core;

    @Activate
    public SimulatorService(@Reference RoamerCore core) {
        this.core = core;
    }

    @Override
    public List<String> simulate(Map<String, String> options, Consumer<String> progress) throws RoamerException {
        Table1Runs.Request request;
        try {
            request = Table1Runs.parse(options);
        } catch (IllegalArgumentException e) {
            throw new RoamerException(e.getMessage());
        }
        List<org.roamer.api.spi.migration.MigrationStrategy> strategies = List.copyOf(core.strategies());
        List<org.roamer.api.spi.routing.RoutingPolicy> policies = List.copyOf(core.routingPolicies().values());
        List<String> report = new ArrayList<>();
        if (!options.containsKey("--routing") || "all".equals(options.get("--routing"))) {
            Table1Runs.Request all = request;
            request = Table1Runs.available(request, policies); // "all": the policies installed here
            if (request.routings().size() < all.routings().size()) {
                List<String> missing = all.routings().stream()
                        .filter(x -> !"migrate".equals(x) && policies.stream().noneMatch(p -> p.name().equals(x)))
                        .toList();
                report.add("not run, not installed here: " + String.join(", ", missing));
                report.add("  (feature:install " + String.join(" ", missing.stream().map(x -> "roamer-routing-" + x)
                        .toList()) + ")");
            }
        }
        try {
            Table1Runs.check(request, strategies, policies);
        } catch (IllegalArgumentException e) {
            throw new RoamerException(e.getMessage());
        }
        report.addAll(Table1Runs.describe(request));
        report.forEach(progress);
        try {
            List<Simulation.Result> results = Table1Runs.run(request, strategies, policies, progress);
            report.addAll(Table1Runs.format(Table1Runs.table(results)));
            report.add("");
            report.addAll(Table1Runs.format(Table1Runs.setupByDistanceShort(results)));
            return report;
        } catch (IllegalArgumentException e) {
            throw new RoamerException(e.getMessage()); // a plug-in the run needs is not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException("simulation interrupted");
        } catch (Exception e) {
            throw new RoamerException("simulation failed: " + e);
        }
    }
}

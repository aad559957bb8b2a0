/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.routing.threshold.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingPolicy;

/**
 * Anchor first, migrate once it pays: the agent stays anchored while the mobile wanders, and follows it
 * once the mobile has stayed {@code dwell.ms} in one cluster, or has been in {@code clusters.away} distinct
 * clusters away from the agent's. A mobile that ping-pongs along one border (two clusters, short stays)
 * never causes a migration. Parameters: configuration PID {@code org.roamer.routing.threshold}; changed at
 * run time without a restart. Stateless apart from its parameters.
 */
@Component(service = RoutingPolicy.class, configurationPid = ThresholdRouting.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, property = RoutingPolicy.NAME_PROPERTY
        + "=" + ThresholdRouting.NAME)
@Designate(ocd = ThresholdRouting.Config.class)
public final class ThresholdRouting implements RoutingPolicy {
    /** The policy's name and service property value. */
    public static final String NAME = "threshold";
    /** Configuration PID of the parameters. */
    public static final String PID = "org.roamer.routing.threshold";

    @ObjectClassDefinition(name = "Roamer routing: threshold", description = "Anchor first; migrate after a dwell time in one cluster or K clusters away")
    public @interface Config {
        @AttributeDefinition(name = "Dwell time (ms)", description = "Migrate once the mobile has stayed this long in a cluster other than its agent's (>= 1)")
        long dwell_ms() default 30_000;

        @AttributeDefinition(name = "Clusters away", description = "Migrate once the mobile has been in this many distinct clusters away from its agent's (>= 2)")
        int clusters_away() default 3;
    }

    /** The parameters, checked. */
    record Parameters(long dwellMillis, int clustersAway) {
        Parameters {
            if (dwellMillis < 1) {
                throw new IllegalArgumentException("dwell.ms must be >= 1, was " + dwellMillis);
            }
            if (clustersAway < 2) {
                throw new IllegalArgumentException("clusters.away must be >= 2 (1 would migrate on every crossing),"
                        + " was " + clustersAway);
            }
        }
    }

    private volatile Parameters parameters;

    @Activate
    public ThresholdRouting(Config config) {
        this.parameters = new Parameters(config.dwell_ms(), config.clusters_away());
    }

    /** For tests and embedding. */
    public ThresholdRouting(long dwellMillis, int clustersAway) {
        this.parameters = new Parameters(dwellMillis, clustersAway);
    }

    /** New parameters at run time; decisions already made keep their recheck time. */
    @Modified
    public void modified(Config config) {
        parameters = new Parameters(config.dwell_ms(), config.clusters_away());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        Parameters p = parameters;
        return "anchored; migrates after " + p.dwellMillis() + " ms in one cluster or " + p.clustersAway()
                + " clusters away";
    }

    @Override
    public RoutingDecision decide(Crossing c) {
        Parameters p = parameters;
        if (c.clustersAway() >= p.clustersAway() || c.millisInCluster() >= p.dwellMillis()) {
            return RoutingDecision.MIGRATE;
        }
        return RoutingDecision.anchorAndRecheck(p.dwellMillis() - c.millisInCluster());
    }
}

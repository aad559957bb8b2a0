/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.routing.migrate.internal;

import org.osgi.service.component.annotations.Component;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingPolicy;

/**
 * The seed's migrating user agent as a routing policy: on every crossing the agent moves to the USS of the
 * mobile's new cluster. Stateless; {@link #alwaysMigrates()} lets the Location Server skip asking the anchor.
 */
@Component(service = RoutingPolicy.class, property = RoutingPolicy.NAME_PROPERTY + "=" + MigrateRouting.NAME)
public final class MigrateRouting implements RoutingPolicy {
    /** The policy's name and service property value. */
    public static final String NAME = "migrate";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the agent follows the mobile into every cluster";
    }

    @Override
    public RoutingDecision decide(Crossing crossing) {
        return RoutingDecision.MIGRATE;
    }

    @Override
    public boolean alwaysMigrates() {
        return true;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.routing.anchored.internal;

import org.osgi.service.component.annotations.Component;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingPolicy;

/**
 * The seed's anchored user agent: the agent stays at the USS where it runs (where the mobile powered on, or
 * where another policy last moved it); the mobile's new cluster learns the agent's address and the agent
 * the new paging area. Stateless.
 */
@Component(service = RoutingPolicy.class, property = RoutingPolicy.NAME_PROPERTY + "=" + AnchoredRouting.NAME)
public final class AnchoredRouting implements RoutingPolicy {
    /** The policy's name and service property value. */
    public static final String NAME = "anchored";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the agent stays where it runs; the mobile's cluster learns its address";
    }

    @Override
    public RoutingDecision decide(Crossing crossing) {
        return RoutingDecision.ANCHOR;
    }
}

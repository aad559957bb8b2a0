/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.routing;

import java.util.Objects;

import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;

/**
 * What a {@link RoutingPolicy} knows when a mobile crossed into another cluster, or stayed there until a
 * recheck it asked for.
 *
 * @param mobile          the mobile
 * @param agentCluster    the cluster whose USS hosts the agent (the anchor)
 * @param from            the cluster the mobile left ({@code agentCluster} when it was at home); on a
 *                        recheck, the cluster it is still in
 * @param to              the cluster the mobile is in now; never {@code agentCluster}
 * @param clustersAway    distinct clusters other than {@code agentCluster} the mobile has been in since its
 *                        agent became anchored here, {@code to} included (at least 1)
 * @param millisInCluster how long the mobile has been in {@code to}: 0 on a crossing
 * @param recheck         whether this is a recheck asked for by an earlier decision (the mobile did not move)
 */
public record Crossing(MobileId mobile, ClusterId agentCluster, ClusterId from, ClusterId to, int clustersAway,
        long millisInCluster, boolean recheck) {
    /** Checks the invariants above. */
    public Crossing {
        Objects.requireNonNull(mobile, "mobile");
        Objects.requireNonNull(agentCluster, "agentCluster");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.equals(agentCluster)) {
            throw new IllegalArgumentException("a mobile back in its agent's cluster " + to + " is no crossing");
        }
        if (clustersAway < 1 || millisInCluster < 0) {
            throw new IllegalArgumentException("clustersAway " + clustersAway + " < 1 or millisInCluster "
                    + millisInCluster + " < 0");
        }
    }
}

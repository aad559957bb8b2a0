/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.List;

/**
 * Where a mobile and its agent are, and the way calls to and from the mobile take ({@code roamer:route}).
 *
 * @param mobile        the mobile
 * @param agentNode     the USS hosting its agent
 * @param agentCluster  that USS's cluster
 * @param mobileCluster the cluster the mobile is in (its paging area)
 * @param routing       the routing policy of the agent's USS
 * @param anchored      whether the agent is anchored away from the mobile's cluster
 * @param callIn        hops of an incoming call, in order
 * @param callOut       hops of an outgoing call, in order
 */
public record RouteInfo(MobileId mobile, NodeId agentNode, ClusterId agentCluster, ClusterId mobileCluster,
        String routing, boolean anchored, List<String> callIn, List<String> callOut) {
    /** Copies the lists. */
    public RouteInfo {
        callIn = List.copyOf(callIn);
        callOut = List.copyOf(callOut);
    }
}

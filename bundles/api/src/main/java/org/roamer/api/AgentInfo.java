/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.List;

/**
 * A snapshot of one user agent.
 *
 * @param mobile  the mobile it acts for
 * @param node    the USS hosting it
 * @param cluster that USS's cluster
 * @param status  what it is doing
 * @param epoch   its fencing epoch, raised by the Location Server at every migration
 * @param profile its profile
 * @param calls   calls it takes part in
 * @param delivered messages delivered to it so far
 */
public record AgentInfo(MobileId mobile, NodeId node, ClusterId cluster, AgentStatus status, long epoch,
        Profile profile, List<ActiveCall> calls, long delivered) {
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * One node as {@code roamer:nodes} shows it.
 *
 * @param node      node id
 * @param role      server role
 * @param cluster   cluster, or {@code null} for a Location Server
 * @param address   listen address, or {@code null} for an in-process role
 * @param strategy  preferred migration strategy (USS only), else {@code null}
 * @param transport transport name (nodes with a listener), else {@code null}
 * @param agents    agents hosted (USS), mobiles tracked (LS), calls (Call Server), else 0
 * @param routing   routing policy in use (USS only), else {@code null}
 * @param container the Karaf container the node runs in (its {@code karaf.name}), or {@code null} when unknown
 */
public record NodeInfo(NodeId node, NodeRole role, ClusterId cluster, NodeAddress address, String strategy,
        String transport, int agents, String routing, String container) {
    /** A node without its container (API 1.1). */
    public NodeInfo(NodeId node, NodeRole role, ClusterId cluster, NodeAddress address, String strategy,
            String transport, int agents, String routing) {
        this(node, role, cluster, address, strategy, transport, agents, routing, null);
    }

    /** The same node, named with its container. */
    public NodeInfo in(String container) {
        return new NodeInfo(node, role, cluster, address, strategy, transport, agents, routing, container);
    }

    /** A node without a routing policy (API 1.0). */
    public NodeInfo(NodeId node, NodeRole role, ClusterId cluster, NodeAddress address, String strategy,
            String transport, int agents) {
        this(node, role, cluster, address, strategy, transport, agents, null, null);
    }
}

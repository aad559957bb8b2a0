/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.List;
import java.util.Set;

import org.roamer.api.NodeId;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;

/**
 * The arguments of a per-node switch command ({@code roamer:routing}, {@code roamer:transport}):
 * {@code [node] [value]} or {@code --all [value]}; without a node, every node of the roles.
 *
 * @param nodes the nodes to show or change
 * @param value what to switch to, or {@code null} to list
 */
record NodeChoice(List<NodeId> nodes, String value) {
    static NodeChoice of(RoamerNetwork network, Set<NodeRole> roles, boolean all, String first, String second,
            String usage) throws RoamerException {
        if (all && second != null) {
            throw new RoamerException("with --all give only the value, e.g. " + usage);
        }
        if (!all && first != null) {
            return new NodeChoice(List.of(NodeId.of(first)), second);
        }
        List<NodeId> nodes = network.nodes().stream().filter(n -> roles.contains(n.role())).map(NodeInfo::node)
                .toList();
        return new NodeChoice(nodes, all ? first : null);
    }
}

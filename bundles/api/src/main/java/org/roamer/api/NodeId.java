/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Identifier of a node: 1–64 characters of letters, digits, {@code _ . -}. Immutable.
 *
 * @param value the identifier text
 */
public record NodeId(String value) implements Comparable<NodeId> {
    /** @throws IllegalArgumentException if {@code value} is not a valid identifier */
    public NodeId {
        Ids.check("node", value);
    }

    /** Parses a node id; same rules as the constructor. */
    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

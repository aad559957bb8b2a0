/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Identifier of a cluster: 1–64 characters of letters, digits, {@code _ . -}. Immutable.
 *
 * @param value the identifier text
 */
public record ClusterId(String value) implements Comparable<ClusterId> {
    /** @throws IllegalArgumentException if {@code value} is not a valid identifier */
    public ClusterId {
        Ids.check("cluster", value);
    }

    /** Parses a cluster id; same rules as the constructor. */
    public static ClusterId of(String value) {
        return new ClusterId(value);
    }

    @Override
    public int compareTo(ClusterId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

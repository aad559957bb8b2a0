/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Identifier of a mobile: 1–64 characters of letters, digits, {@code _ . -}. Immutable.
 *
 * @param value the identifier text
 */
public record MobileId(String value) implements Comparable<MobileId> {
    /** @throws IllegalArgumentException if {@code value} is not a valid identifier */
    public MobileId {
        Ids.check("mobile", value);
    }

    /** Parses a mobile id; same rules as the constructor. */
    public static MobileId of(String value) {
        return new MobileId(value);
    }

    @Override
    public int compareTo(MobileId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

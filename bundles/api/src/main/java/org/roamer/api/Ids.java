/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.regex.Pattern;

/** Shared validation for the textual identifiers (mobile, cluster, node, call). */
final class Ids {
    /** Letters, digits and {@code _ . -}, starting with a letter or digit; 1–64 characters. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}");

    private Ids() {
    }

    static String check(String kind, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + kind + " id '" + value
                    + "': use 1-64 letters, digits, '_', '.', '-' starting with a letter or digit");
        }
        return value;
    }
}

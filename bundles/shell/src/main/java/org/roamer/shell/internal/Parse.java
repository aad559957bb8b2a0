/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;

/** Argument parsing with operator-readable errors. */
final class Parse {
    private Parse() {
    }

    /** Largest byte count accepted (the benchmark's own limit on agent state is checked by the network). */
    /** The largest application state roamer:bench gives an agent (the core refuses more). */
    static final long MAX_BYTES = 16L * 1024 * 1024;

    /**
     * A byte count as an operator writes it: {@code 72000}, {@code 72k} / {@code 72KiB} (× 1024),
     * {@code 1m} / {@code 1MiB} (× 1024²); at most {@link #MAX_BYTES}.
     *
     * @throws IllegalArgumentException with the accepted forms, for anything else
     */
    static int bytes(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("kib") || t.endsWith("k")) {
            unit = 1024;
            t = t.substring(0, t.length() - (t.endsWith("kib") ? 3 : 1));
        } else if (t.endsWith("mib") || t.endsWith("m")) {
            unit = 1024 * 1024;
            t = t.substring(0, t.length() - (t.endsWith("mib") ? 3 : 1));
        }
        // at most 9 ASCII digits: always a valid long, so no NumberFormatException to catch
        long n = t.isEmpty() || t.length() > 9 || !t.chars().allMatch(c -> c >= '0' && c <= '9')
                ? -1
                : Long.parseLong(t);
        if (n < 0 || n * unit > MAX_BYTES) {
            throw new IllegalArgumentException("size '" + text + "' is not a byte count between 0 and 16m; write e.g. "
                    + "72000, 72k (72 KiB) or 1m (1 MiB)");
        }
        return (int) (n * unit);
    }

    /**
     * A whole number an operator typed for {@code option}, within {@code min}–{@code max}.
     *
     * @throws IllegalArgumentException naming the option, the value and the range
     */
    static int number(String option, String text, int min, int max) {
        String t = text == null ? "" : text.trim();
        long n = t.isEmpty() || t.length() > 10 || !t.chars().allMatch(c -> c >= '0' && c <= '9')
                ? -1
                : Long.parseLong(t);
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " '" + text + "' must be a whole number from " + min + " to "
                    + max);
        }
        return (int) n;
    }

    static MobileId mobile(String s) {
        return MobileId.of(s);
    }

    static ClusterId cluster(String s) {
        return ClusterId.of(s);
    }

    /**
     * Karaf reads options only before the first argument; this takes the options a user wrote after the
     * arguments ({@code roamer:call m2 m1 --type video}). {@code flags} take no value.
     *
     * @return option name to value ("true" for flags)
     * @throws IllegalArgumentException on an unknown option or a missing value
     */
    static java.util.Map<String, String> trailing(java.util.List<String> tokens, Set<String> withValue,
            Set<String> flags) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        if (tokens == null) {
            return out;
        }
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String name = t.contains("=") ? t.substring(0, t.indexOf('=')) : t;
            if (flags.contains(t)) {
                out.put(t, "true");
            } else if (withValue.contains(name)) {
                if (t.contains("=")) {
                    out.put(name, t.substring(t.indexOf('=') + 1));
                } else if (i + 1 < tokens.size()) {
                    out.put(name, tokens.get(++i));
                } else {
                    throw new IllegalArgumentException("option " + name + " needs a value");
                }
            } else {
                throw new IllegalArgumentException("unexpected '" + t + "'; options: " + withValue + " " + flags);
            }
        }
        return out;
    }

    static Set<String> list(String s) {
        if (s == null || s.isBlank()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
        return out;
    }
}

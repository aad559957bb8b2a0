/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * The link-delay model: a one-way delay added to every frame a node sends, by the clusters of the two ends,
 * so that distance matters on one machine (the seed's local vs long-distance signalling). Off by default.
 * Immutable.
 *
 * @param pairs   delay between two clusters, by {@link #key}; symmetric
 * @param between delay between clusters not listed in {@code pairs}
 * @param ls      delay between a Location Server and any USS
 */
public record LinkDelays(Map<String, Long> pairs, long between, long ls) {
    /** No delay anywhere: the model is off. */
    public static final LinkDelays NONE = new LinkDelays(Map.of(), 0, 0);

    /** Checks the values. */
    public LinkDelays {
        pairs = Map.copyOf(pairs);
        if (between < 0 || ls < 0 || pairs.values().stream().anyMatch(v -> v < 0)) {
            throw new IllegalArgumentException("link delays must not be negative");
        }
    }

    /**
     * Parses {@code link.delay.ms} entries such as {@code c1-c2=1}.
     *
     * @throws IllegalArgumentException an entry that is not {@code <cluster>-<cluster>=<ms>}, named
     */
    public static LinkDelays parse(String[] entries, long between, long ls) {
        Map<String, Long> pairs = new HashMap<>();
        for (String raw : entries) {
            for (String e : raw.split(",")) {
                String t = e.trim();
                if (t.isEmpty()) {
                    continue;
                }
                int eq = t.indexOf('=');
                int dash = t.indexOf('-');
                if (eq < 0 || dash <= 0 || dash > eq - 2) {
                    throw new IllegalArgumentException(
                            "link.delay.ms entry '" + t + "' is not <cluster>-<cluster>=<ms>");
                }
                long ms;
                try {
                    ms = Long.parseLong(t.substring(eq + 1).trim());
                } catch (NumberFormatException x) {
                    throw new IllegalArgumentException("link.delay.ms entry '" + t + "': '" + t.substring(eq + 1)
                            + "' is not a whole number of milliseconds");
                }
                pairs.put(key(t.substring(0, dash).trim(), t.substring(dash + 1, eq).trim()), ms);
            }
        }
        LinkDelays d = new LinkDelays(pairs, between, ls);
        return d.active() ? d : NONE; // off: no accounting on the send path either
    }

    /** Whether any delay is configured. */
    public boolean active() {
        return between > 0 || ls > 0 || pairs.values().stream().anyMatch(v -> v > 0);
    }

    /**
     * The one-way delay between two nodes, by their clusters ({@code null}: a Location Server); 0 within one
     * cluster.
     */
    public long millis(String fromCluster, String toCluster) {
        if (fromCluster == null || toCluster == null) {
            return fromCluster == null && toCluster == null ? 0 : ls;
        }
        if (fromCluster.equals(toCluster)) {
            return 0;
        }
        Long d = pairs.get(key(fromCluster, toCluster));
        return d == null ? between : d;
    }

    static String key(String a, String b) {
        return a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
    }
}

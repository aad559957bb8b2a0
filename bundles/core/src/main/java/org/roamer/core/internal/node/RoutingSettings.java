/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.Locale;

/**
 * Validated routing settings of one USS: the routing policy it asks about its agents' mobiles, and how its
 * own cluster's radio ports learn about agents anchored elsewhere (the two schemes of the seed's Fig. 9).
 *
 * @param policy        name of the routing policy ({@code migrate} when that one is not installed)
 * @param scheme        how this cluster's radio ports reach an anchor: through datagram routers, or over a
 *                      connection-oriented signalling link between this cluster and the anchor's USS
 * @param updateAll     tell every radio port of the cluster about an arriving anchored mobile, not only the
 *                      port it is at
 * @param preEstablish  connection scheme: set links up to every USS known here in advance instead of as the
 *                      first mobile of that anchor arrives
 */
public record RoutingSettings(String policy, Scheme scheme, boolean updateAll, boolean preEstablish) {
    /** Fig. 9 of the seed. */
    public enum Scheme {
        /** The radio ports are sent the anchor's address; their messages go through datagram routers. */
        DATAGRAM,
        /** A signalling link from this cluster to the anchor USS carries the radio ports' messages. */
        CONNECTION;

        /** As written in configuration and shown by the console. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The default: the migrate policy, datagram scheme, the mobile's port only, links on demand. */
    public static final RoutingSettings DEFAULT = new RoutingSettings("migrate", Scheme.DATAGRAM, false, false);

    /** @throws IllegalArgumentException a blank policy */
    public RoutingSettings {
        if (policy == null || policy.isBlank()) {
            throw new IllegalArgumentException("routing must name a routing policy, e.g. migrate or anchored");
        }
        policy = policy.trim();
        java.util.Objects.requireNonNull(scheme, "scheme");
    }

    /**
     * Parses configuration values.
     *
     * @throws IllegalArgumentException a value out of range, with the attribute named and the values allowed
     */
    public static RoutingSettings parse(String policy, String scheme, String update, String links) {
        Scheme s = switch (scheme.trim().toLowerCase(Locale.ROOT)) {
            case "datagram" -> Scheme.DATAGRAM;
            case "connection" -> Scheme.CONNECTION;
            default -> throw new IllegalArgumentException(
                    "radioport.scheme must be datagram or connection, is '" + scheme + "'");
        };
        boolean all = switch (update.trim().toLowerCase(Locale.ROOT)) {
            case "port" -> false;
            case "cluster" -> true;
            default ->
                throw new IllegalArgumentException("radioport.update must be port or cluster, is '" + update + "'");
        };
        boolean pre = switch (links.trim().toLowerCase(Locale.ROOT)) {
            case "on-demand" -> false;
            case "pre-established" -> true;
            default -> throw new IllegalArgumentException(
                    "radioport.links must be on-demand or pre-established, is '" + links + "'");
        };
        return new RoutingSettings(policy, s, all, pre);
    }

    /** The same settings with another policy. */
    public RoutingSettings withPolicy(String name) {
        return new RoutingSettings(name, scheme, updateAll, preEstablish);
    }
}

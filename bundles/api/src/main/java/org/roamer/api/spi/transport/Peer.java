/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

import java.util.Objects;
import java.util.Set;

/**
 * Who sent a frame, as an authenticating transport proved it. For {@code tls}: the peer's certificate, signed by
 * the network's CA, names its container and what the container's nodes may be: their roles and clusters. One
 * credential per container, since a container's nodes share one process and so one trust boundary. A transport
 * that does not authenticate passes no {@code Peer}: the frame's origin is unknown.
 *
 * @param name     the credential's name (the container), e.g. {@code c1}
 * @param roles    the roles its nodes may play: {@value #LOCATION_SERVER}, {@value #USER_SIGNALING_SERVER}, ...
 * @param clusters the clusters its nodes may serve (none for a container of Location Servers only)
 * @since 1.3
 */
public record Peer(String name, Set<String> roles, Set<String> clusters) {
    /** Role of a Location Server. */
    public static final String LOCATION_SERVER = "location-server";
    /** Role of a User Signaling Server. */
    public static final String USER_SIGNALING_SERVER = "user-signaling-server";

    /** Checks and copies. */
    public Peer {
        Objects.requireNonNull(name, "name");
        roles = Set.copyOf(roles);
        clusters = Set.copyOf(clusters);
    }

    /** Whether the credential lets its holder act as a Location Server. */
    public boolean isLocationServer() {
        return roles.contains(LOCATION_SERVER);
    }

    /** Whether the credential lets its holder run the User Signaling Server of {@code cluster}. */
    public boolean servesCluster(String cluster) {
        return roles.contains(USER_SIGNALING_SERVER) && clusters.contains(cluster);
    }

    @Override
    public String toString() {
        return name + " " + new java.util.TreeSet<>(roles)
                + (clusters.isEmpty() ? "" : " " + new java.util.TreeSet<>(clusters));
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The nodes running in this container, so that the roles of one cluster find each other in-process and
 * the console can list them. Thread-safe.
 */
public final class Directory {
    private final ConcurrentHashMap<String, UserSignalingServer> uss = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CallServer> callServers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConnectionServer> connectionServers = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<RadioPort> radioPorts = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<LocationServer> locationServers = new CopyOnWriteArrayList<>();

    public void add(UserSignalingServer s) {
        uss.put(s.cluster().value(), s);
    }

    public void remove(UserSignalingServer s) {
        uss.remove(s.cluster().value(), s);
    }

    public void add(CallServer s) {
        callServers.put(s.cluster().value(), s);
    }

    public void remove(CallServer s) {
        callServers.remove(s.cluster().value(), s);
    }

    public void add(ConnectionServer s) {
        connectionServers.put(s.cluster().value(), s);
    }

    public void remove(ConnectionServer s) {
        connectionServers.remove(s.cluster().value(), s);
    }

    public void add(RadioPort p) {
        radioPorts.add(p);
    }

    public void remove(RadioPort p) {
        radioPorts.remove(p);
    }

    public void add(LocationServer l) {
        locationServers.add(l);
    }

    public void remove(LocationServer l) {
        locationServers.remove(l);
    }

    public UserSignalingServer uss(String cluster) {
        return uss.get(cluster);
    }

    public List<UserSignalingServer> ussNodes() {
        List<UserSignalingServer> l = new ArrayList<>(uss.values());
        l.sort(Comparator.comparing(u -> u.id().value()));
        return l;
    }

    public UserSignalingServer ussByAddress(String address) {
        for (UserSignalingServer u : uss.values()) {
            if (address.equals(String.valueOf(u.address()))) {
                return u;
            }
        }
        return null;
    }

    public CallServer callServer(String cluster) {
        return callServers.get(cluster);
    }

    public List<CallServer> callServers() {
        return List.copyOf(callServers.values());
    }

    public ConnectionServer connectionServer(String cluster) {
        return connectionServers.get(cluster);
    }

    public List<ConnectionServer> connectionServers() {
        return List.copyOf(connectionServers.values());
    }

    /** Radio ports of a cluster, sorted by id. */
    public List<RadioPort> radioPorts(String cluster) {
        List<RadioPort> l = new ArrayList<>();
        for (RadioPort p : radioPorts) {
            if (p.cluster().value().equals(cluster)) {
                l.add(p);
            }
        }
        l.sort(Comparator.comparing(p -> p.id().value()));
        return l;
    }

    public List<RadioPort> radioPorts() {
        return List.copyOf(radioPorts);
    }

    /** The Location Server in this container, or {@code null}. */
    public LocationServer locationServer() {
        return locationServers.isEmpty() ? null : locationServers.get(0);
    }

    public List<LocationServer> locationServers() {
        return List.copyOf(locationServers);
    }
}

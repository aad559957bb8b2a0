/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.osgitests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Factory configurations of the core's node components, created through Config Admin as Karaf's file install
 * would from {@code etc/}, and deleted again after each test.
 */
final class Nodes implements AutoCloseable {
    private final ConfigurationAdmin cm;
    private final List<Configuration> created = new ArrayList<>();

    Nodes(ConfigurationAdmin cm) {
        this.cm = cm;
    }

    /** A Location Server on an ephemeral loopback port. */
    Configuration locationServer(String id) throws IOException {
        return factory("org.roamer.location", id, Map.of("node.id", id, "listen", "127.0.0.1:0", "transport", "tcp"));
    }

    /** A USS of {@code cluster} on an ephemeral loopback port; it finds the Location Server of this framework. */
    Configuration uss(String cluster, String preferredStrategy) throws IOException {
        return factory("org.roamer.uss", cluster, ussProperties(cluster, preferredStrategy));
    }

    static Map<String, Object> ussProperties(String cluster, String preferredStrategy) {
        return Map.of("node.id", "uss-" + cluster, "cluster", cluster, "listen", "127.0.0.1:0",
                "location.server", "", "transport", "tcp", "strategy.preferred", preferredStrategy,
                "routing", "migrate");
    }

    /** A radio port of {@code cluster} (a mobile registers and moves through one). */
    Configuration radioPort(String cluster) throws IOException {
        return factory("org.roamer.radioport", cluster + "-1",
                Map.of("node.id", "rp-" + cluster + "-1", "cluster", cluster));
    }

    Configuration factory(String factoryPid, String name, Map<String, Object> properties) throws IOException {
        Configuration c = cm.getFactoryConfiguration(factoryPid, name, "?");
        created.add(c);
        c.update(dictionary(properties));
        return c;
    }

    static Dictionary<String, Object> dictionary(Map<String, Object> properties) {
        return new Hashtable<>(properties);
    }

    @Override
    public void close() throws IOException {
        for (Configuration c : created) {
            try {
                c.delete();
            } catch (IllegalStateException alreadyDeleted) {
                // a test deleted it itself
            }
        }
        created.clear();
    }
}

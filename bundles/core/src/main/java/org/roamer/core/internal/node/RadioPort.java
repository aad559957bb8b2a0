/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.ClusterId;
import org.roamer.api.NodeId;
import org.roamer.core.internal.RoamerCore;

/**
 * A radio port (base station) of a cluster: answers pages for the mobiles in its range, and knows where to
 * send what a mobile says (ORIGINATE): to its own cluster's USS, or — for a mobile whose agent is anchored
 * elsewhere — to the anchor it was told about (anchored routing, the seed's Fig. 9).
 */
@Component(configurationPid = "org.roamer.radioport", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
@Designate(ocd = RadioPort.Config.class, factory = true)
public final class RadioPort extends ClusterServer {
    @ObjectClassDefinition(name = "Roamer radio port", description = "A base station of a cluster")
    public @interface Config {
        @AttributeDefinition(name = "Node id")
        String node_id();

        @AttributeDefinition(description = "The cluster it belongs to")
        String cluster();
    }

    private final LongAdder pages = new LongAdder();
    /** Anchors of mobiles whose agent runs outside this cluster; one entry per such mobile at most. */
    private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();

    /**
     * How this port reaches the USS hosting a mobile's agent.
     *
     * @param address the anchor USS's address
     * @param node    its node id
     * @param via     {@code datagram} (through the datagram routers) or {@code link} (over the cluster's
     *                signalling link to the anchor)
     */
    public record Route(String address, String node, String via) {
    }

    @Activate
    public RadioPort(@Reference RoamerCore core, Config c) {
        this(core, NodeId.of(c.node_id()), ClusterId.of(c.cluster()));
    }

    public RadioPort(RoamerCore core, NodeId id, ClusterId cluster) {
        super(core, id, cluster);
        core.directory().add(this);
    }

    @Override
    void leave(Directory directory) {
        directory.remove(this);
    }

    /** Broadcasts a page over the air; true when the mobile is in this port's range and answers. */
    public boolean page(String mobile) {
        pages.increment();
        return id().value().equals(core.air().portOf(mobile));
    }

    /** Learns that a mobile's agent is anchored at another USS. */
    public void learn(String mobile, Route route) {
        routes.put(mobile, route);
    }

    /** Forgets a mobile's anchor: its agent runs in this cluster, or the mobile left the network. */
    public void forget(String mobile) {
        routes.remove(mobile);
    }

    /** Where this port sends a mobile's requests when its agent is anchored elsewhere, or {@code null}. */
    public Route route(String mobile) {
        return routes.get(mobile);
    }

    /** Mobiles whose anchor this port knows. */
    public int routeCount() {
        return routes.size();
    }

    public long pages() {
        return pages.sum();
    }
}

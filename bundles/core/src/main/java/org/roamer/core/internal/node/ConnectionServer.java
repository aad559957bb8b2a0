/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.NodeId;
import org.roamer.core.internal.RoamerCore;

/** The Connection Server of a cluster: sets up and releases the voice/data path of calls. */
@Component(configurationPid = "org.roamer.connection", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
@Designate(ocd = ConnectionServer.Config.class, factory = true)
public final class ConnectionServer extends ClusterServer {
    @ObjectClassDefinition(name = "Roamer Connection Server", description = "Sets up call paths in a cluster")
    public @interface Config {
        @AttributeDefinition(name = "Node id")
        String node_id();

        @AttributeDefinition(description = "The cluster it serves")
        String cluster();
    }

    /** A path through the cluster's network for one call. */
    public record Path(String callId, CallType type, String radioPort) {
    }

    private final ConcurrentHashMap<String, Path> paths = new ConcurrentHashMap<>();

    @Activate
    public ConnectionServer(@Reference RoamerCore core, Config c) {
        this(core, NodeId.of(c.node_id()), ClusterId.of(c.cluster()));
    }

    public ConnectionServer(RoamerCore core, NodeId id, ClusterId cluster) {
        super(core, id, cluster);
        core.directory().add(this);
    }

    @Override
    void leave(Directory directory) {
        directory.remove(this);
    }

    public void setUp(String callId, CallType type, String radioPort) {
        paths.put(callId, new Path(callId, type, radioPort));
        core.metrics().inc("paths.setup");
    }

    public void release(String callId) {
        if (paths.remove(callId) != null) {
            core.metrics().inc("paths.released");
        }
    }

    public int pathCount() {
        return paths.size();
    }
}

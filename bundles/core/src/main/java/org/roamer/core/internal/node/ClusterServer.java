/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import org.osgi.service.component.annotations.Deactivate;
import org.roamer.api.ClusterId;
import org.roamer.api.NodeId;
import org.roamer.core.internal.RoamerCore;

/**
 * What the in-cluster server roles without a signalling endpoint of their own (Call Server, Connection Server,
 * radio port) share: their node id and cluster, and their place in this container's {@link Directory}, which they
 * leave when deactivated. A subclass joins the directory at the end of its own constructor, once its fields are set:
 * from there other threads find it.
 */
abstract class ClusterServer {
    protected final RoamerCore core;
    private final NodeId id;
    private final ClusterId cluster;

    ClusterServer(RoamerCore core, NodeId id, ClusterId cluster) {
        this.core = core;
        this.id = id;
        this.cluster = cluster;
    }

    @Deactivate
    public void deactivate() {
        leave(core.directory());
    }

    /** Takes this node out of the directory it joined. */
    abstract void leave(Directory directory);

    public NodeId id() {
        return id;
    }

    public ClusterId cluster() {
        return cluster;
    }
}

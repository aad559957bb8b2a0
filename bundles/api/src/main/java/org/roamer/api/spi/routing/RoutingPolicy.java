package org.roamer.api.spi.routing;

import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;

/**
 * Decides, when a mobile registers in a new cluster, whether its agent migrates there or stays anchored
 * (the radio ports then learn the agent's address and the agent the new paging area). Thread-safe.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface RoutingPolicy {
    /** Service property carrying the policy's name. */
    String NAME_PROPERTY = "roamer.routing";

    /** What to do with the agent. */
    enum Decision {
        /** Move the agent to the new cluster's USS. */
        MIGRATE,
        /** Keep the agent where it is; update the location only. */
        ANCHOR
    }

    /** Unique name, e.g. {@code migrate} or {@code anchored}. */
    String name();

    /**
     * @param mobile       the moving mobile
     * @param agentCluster the cluster whose USS hosts the agent now
     * @param newCluster   the cluster the mobile registered in
     */
    Decision decide(MobileId mobile, ClusterId agentCluster, ClusterId newCluster);
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.routing;

/**
 * Decides, when a mobile registers in a cluster other than the one whose USS hosts its agent, whether the
 * agent migrates there (the seed's migrating user agent) or stays anchored where it is (the seed's
 * alternative: the new cluster's radio ports learn the agent's address and the agent the new paging area).
 *
 * <p>The USS hosting the agent (the <em>anchor</em>) asks the policy configured for it ({@code routing} in
 * its {@code org.roamer.uss} configuration) on every crossing of the mobile, and again when an earlier
 * decision asked for a {@linkplain RoutingDecision#recheckAfterMillis() recheck}. Policies are OSGi services
 * registered with {@value #NAME_PROPERTY}{@code =<name>}; they may come and go at any time (hot swap): a node
 * whose policy is not installed behaves as {@code migrate}.
 *
 * <p>Thread-safe and fast: called on the agent's own thread, never concurrently for one mobile, and must not
 * block. Per-mobile state the policy needs is in the {@link Crossing}; a policy keeps none of its own.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface RoutingPolicy {
    /** Service property carrying the policy's name. */
    String NAME_PROPERTY = "roamer.routing";

    /** Unique name, e.g. {@code migrate}, {@code anchored} or {@code threshold}. */
    String name();

    /** One line for {@code roamer:routing}: what the policy does, with its parameters. */
    default String description() {
        return "";
    }

    /**
     * What to do with the agent of a mobile that crossed (or, on a recheck, stayed).
     *
     * @param crossing the facts of the crossing; never {@code null}
     * @return the decision; {@code null} counts as {@link RoutingDecision#MIGRATE}
     */
    RoutingDecision decide(Crossing crossing);

    /**
     * Whether {@link #decide} answers {@link RoutingDecision#MIGRATE} for every crossing. The Location Server
     * then starts the migration at once instead of asking the anchor first (one round trip less per move).
     */
    default boolean alwaysMigrates() {
        return false;
    }
}

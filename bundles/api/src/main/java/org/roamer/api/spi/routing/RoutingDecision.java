/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.routing;

/**
 * A {@link RoutingPolicy}'s answer.
 *
 * @param action             migrate the agent to the mobile's cluster, or keep it anchored where it is
 * @param recheckAfterMillis for {@link Action#ANCHOR}: ask the policy again after this long if the mobile is
 *                           still in the same cluster (0: no recheck); always 0 for {@link Action#MIGRATE}
 */
public record RoutingDecision(Action action, long recheckAfterMillis) {
    /** What happens to the agent. */
    public enum Action {
        /** Move the agent to the USS of the mobile's cluster. */
        MIGRATE,
        /** Keep the agent where it is; the mobile's cluster learns the agent's address. */
        ANCHOR
    }

    /** Migrate now. */
    public static final RoutingDecision MIGRATE = new RoutingDecision(Action.MIGRATE, 0);
    /** Stay anchored, no recheck. */
    public static final RoutingDecision ANCHOR = new RoutingDecision(Action.ANCHOR, 0);

    /** Checks the invariants above. */
    public RoutingDecision {
        java.util.Objects.requireNonNull(action, "action");
        if (recheckAfterMillis < 0 || action == Action.MIGRATE && recheckAfterMillis != 0) {
            throw new IllegalArgumentException("recheckAfterMillis " + recheckAfterMillis + " with " + action);
        }
    }

    /** Stay anchored and ask again after {@code millis} (at least 1) if the mobile has not moved on. */
    public static RoutingDecision anchorAndRecheck(long millis) {
        return new RoutingDecision(Action.ANCHOR, Math.max(1, millis));
    }
}

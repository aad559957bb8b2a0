/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import static org.roamer.core.internal.node.UserSignalingServer.printable;

import java.util.List;
import java.util.function.Predicate;

import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * Strategy negotiation between the two ends of a migration, like TLS cipher negotiation: a pure function of what
 * each end says about itself (its strategies in its order of preference, the agent implementation it runs) and of
 * the strategy a move asked for. The source decides when the target's TRANSFER names the strategies it has; the
 * outcome is the strategy both use, or the reason for MIGRATE_FAILED when there is none.
 */
final class StrategyNegotiator {
    private StrategyNegotiator() {
    }

    /**
     * One end of a migration as negotiation sees it.
     *
     * @param node       its node id (a peer's as it gave it: only printed {@linkplain UserSignalingServer#printable
     *                   printable})
     * @param strategies its installed strategies, preferred first; a peer that listed none: {@code null}
     * @param agentType  the agent implementation it runs; a peer that did not say: {@code null}
     */
    record End(String node, List<String> strategies, AgentType agentType) {
    }

    /**
     * What negotiation found: the {@code strategy} both ends use, or — when there is none — the {@code reason} (for
     * MIGRATE_FAILED); exactly one of the two is not {@code null}.
     */
    record Outcome(String strategy, String reason) {
        static Outcome agreed(String strategy) {
            return new Outcome(strategy, null);
        }

        static Outcome refused(String reason) {
            return new Outcome(null, reason);
        }
    }

    /**
     * Picks the strategy for a migration from {@code mine} to {@code peer}: a requested one if both have it; else
     * this end's preferred one if the peer has it; else the first of this end's order the peer has. When the peer
     * runs another agent implementation (another bundle version or image layout), only
     * {@linkplain StrategyTraits#heterogeneous() heterogeneous} strategies qualify: a whole-state image could not be
     * restored there (Table 2), so NAIVE is chosen instead of a refusal after the transfer.
     *
     * @param mine          this end; its strategies in its order of preference, the preferred one first
     * @param peer          the other end, as it described itself
     * @param requested     the strategy a move asked for, or {@code null} for this end's own choice
     * @param heterogeneous whether a strategy installed at this end is heterogeneous
     * @return the strategy, or why none qualifies
     */
    static Outcome negotiate(End mine, End peer, String requested, Predicate<String> heterogeneous) {
        boolean otherAgent = peer.agentType() != null && !peer.agentType().equals(mine.agentType());
        String chosen = choose(mine.strategies(), peer.strategies(), requested,
                s -> !otherAgent || heterogeneous.test(s));
        return chosen != null ? Outcome.agreed(chosen) : Outcome.refused(reason(mine, peer, requested, otherAgent));
    }

    /**
     * The choice itself: a requested strategy if both sides have it and it qualifies; else the first of this node's
     * order ({@code mine}, preferred first) that the peer has and that qualifies. {@code qualifies} says whether a
     * strategy can restore at the peer (only heterogeneous ones when the peer runs another agent implementation).
     *
     * @return the strategy, or {@code null} when none qualifies (also when the peer listed none)
     */
    static String choose(List<String> mine, List<String> peer, String requested, Predicate<String> qualifies) {
        if (peer == null) {
            return null;
        }
        if (requested != null) {
            return mine.contains(requested) && peer.contains(requested) && qualifies.test(requested) ? requested : null;
        }
        for (String s : mine) {
            if (peer.contains(s) && qualifies.test(s)) {
                return s;
            }
        }
        return null;
    }

    /** Why {@link #choose} found nothing: what each end has, and the agent implementations when they differ. */
    private static String reason(End mine, End peer, String requested, boolean otherAgent) {
        String versions = otherAgent
                ? "; " + printable(peer.node()) + " runs agent " + describe(peer.agentType())
                        + ", " + mine.node() + " runs " + describe(mine.agentType())
                        + ", so only heterogeneous strategies qualify"
                : "";
        String theirs = peer.strategies() == null ? "none" : printable(String.valueOf(peer.strategies()));
        String who = mine.node() + " has " + mine.strategies() + ", " + printable(peer.node()) + " has " + theirs
                + versions;
        return requested != null
                ? "strategy '" + printable(requested) + "' cannot be used: " + who
                : "no common strategy: " + who;
    }

    private static String describe(AgentType t) {
        return printable(t.bundle()) + " " + printable(t.version()) + " (layout " + Long.toHexString(t.layoutHash())
                + ")";
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.agent;

import org.roamer.api.MobileId;
import org.roamer.api.image.AgentImageLayout;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

/**
 * A {@link UserAgent}'s whole state as an {@link AgentImage}, for whole-state strategies (TERN-like, Condor-like)
 * that move it without the agent's help. The layout itself — three segments: data (mobile, profile, calls, radio
 * port, delivered count, application state), stack (the conversation in progress), registers (remaining
 * conversation timer, frames handled) — is the api's {@link AgentImageLayout}, which the strategy conformance kit
 * uses too: this class only maps a {@link UserAgent} to and from it and adds what only this runtime knows (its
 * agent holds at most {@link UserAgent#MAX_CALLS} calls; the timer is kept as a deadline).
 */
public final class AgentImageCodec {
    /** Hash of the layout description. */
    public static final long LAYOUT_HASH = AgentImageLayout.LAYOUT_HASH;

    private AgentImageCodec() {
    }

    /** The agent type of images this runtime writes, for the given bundle identity. */
    public static AgentType type(String bundle, String version) {
        return AgentImageLayout.type(bundle, version);
    }

    public static AgentImage capture(UserAgent a, AgentType type) {
        Conversation c = a.conversation();
        long deadline = a.timerDeadline();
        return AgentImageLayout.encode(new AgentImageLayout.State(
                new MigrationVariables(a.mobile(), a.profile(), a.calls(), a.radioPort(), a.delivered()),
                a.applicationState(),
                c == null
                        ? null
                        : new AgentImageLayout.Conversation(c.callId(), c.callee(), c.peer(), c.type(),
                                c.replyTo(), c.corr()),
                deadline == 0 ? -1 : Math.max(0, deadline - System.currentTimeMillis()), a.handled()), type);
    }

    /** A restored agent and the time left on its conversation timer (-1: none). */
    public record Restored(UserAgent agent, long timerRemainingMillis) {
    }

    /**
     * Rebuilds an agent from an image, checking the type and every count ({@link AgentImageLayout#decode}).
     *
     * @throws MigrationException on a foreign type or a garbled or truncated segment
     */
    public static Restored restore(AgentImage image, AgentType local, MobileId expected) throws MigrationException {
        return restore(image, local, expected, Long.MAX_VALUE);
    }

    /**
     * Rebuilds an agent from an image of at most {@code maxBytes} ({@link AgentImage#size()}), checking the type
     * and every count ({@link AgentImageLayout#decode}).
     *
     * @throws MigrationException on an image over {@code maxBytes}, a foreign type or a garbled or truncated
     *                            segment
     */
    public static Restored restore(AgentImage image, AgentType local, MobileId expected, long maxBytes)
            throws MigrationException {
        if (image != null && image.data() != null && image.stack() != null && image.registers() != null
                && (long) image.data().length + image.stack().length + image.registers().length > maxBytes) {
            throw new MigrationException("restored agent image of " + ((long) image.data().length
                    + image.stack().length + image.registers().length) + " bytes exceeds this node's limit of "
                    + maxBytes + " bytes");
        }
        AgentImageLayout.State s = AgentImageLayout.decode(image, local, expected);
        MigrationVariables v = s.variables();
        if (v.calls().size() > UserAgent.MAX_CALLS) {
            throw new MigrationException("invalid agent image: " + v.calls().size() + " calls (max "
                    + UserAgent.MAX_CALLS + ")");
        }
        AgentImageLayout.Conversation c = s.conversation();
        UserAgent a = new UserAgent(v.mobile(), v.profile(), v.radioPort());
        a.restoreState(v.calls(), v.delivered(), s.handled());
        a.applicationState(s.applicationState());
        a.restoreConversation(c == null
                ? null
                : new Conversation(c.callId(), c.callee(), c.peer(), c.type(), c.replyTo(), c.correlation()));
        return new Restored(a, c == null ? -1 : s.timerRemainingMillis());
    }
}

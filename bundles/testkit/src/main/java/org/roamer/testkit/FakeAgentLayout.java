/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import org.roamer.api.MobileId;
import org.roamer.api.image.AgentImageLayout;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;

/**
 * The binary layout of a {@link FakeAgent}'s whole state: the core's own, {@link AgentImageLayout} (shared through
 * the api), so the kit accepts and refuses exactly the images the core does. Strategies must treat it as opaque
 * bytes; the kit decodes it in {@link FakeRestoreTarget} the way the core decodes its images, so a garbled or
 * truncated segment is refused there too. A {@link FakeAgentState} maps onto the layout's state one to one: its
 * padding is the application state, its {@link Negotiation} the conversation. See {@link AgentImageLayout} for the
 * bytes and for what {@link #decode} refuses (among others: duplicate entries in a profile set, flag bytes other
 * than 0 and 1, trailing bytes, negative counts). Stateless and thread-safe.
 */
public final class FakeAgentLayout {
    /** The layout, field by field: {@link AgentImageLayout#LAYOUT}; {@link #LAYOUT_HASH} is its FNV-1a hash. */
    public static final String LAYOUT = AgentImageLayout.LAYOUT;
    /** Hash of {@link #LAYOUT}, part of {@link #TYPE}. */
    public static final long LAYOUT_HASH = AgentImageLayout.LAYOUT_HASH;
    /** The agent type every {@link FakeAgent} has, and every {@link FakeRestoreTarget} runs by default. */
    public static final AgentType TYPE = AgentImageLayout.type("org.roamer.testkit.agent", "1.0.0");
    /** Most active calls an image may hold. */
    public static final int MAX_CALLS = AgentImageLayout.MAX_CALLS;

    private FakeAgentLayout() {
    }

    /** Writes a state as an image of the given type. */
    public static AgentImage encode(FakeAgentState state, AgentType type) {
        Negotiation n = state.negotiation();
        return AgentImageLayout.encode(new AgentImageLayout.State(state.variables(), state.padding(),
                n == null
                        ? null
                        : new AgentImageLayout.Conversation(n.callId(), n.incoming(), n.peer().value(),
                                n.type(), n.replyTo(), n.correlation()),
                state.timerRemainingMillis(), state.handled()), type);
    }

    /**
     * Reads an image back, as the core does before it rebuilds an agent ({@link AgentImageLayout#decode}).
     *
     * @param image    the image, untrusted
     * @param local    the agent type of the restoring node; the image's type must equal it
     * @param expected the migrating mobile; the image must be of it
     * @throws MigrationException on a foreign type, another mobile, or a garbled or truncated segment
     */
    public static FakeAgentState decode(AgentImage image, AgentType local, MobileId expected)
            throws MigrationException {
        AgentImageLayout.State s = AgentImageLayout.decode(image, local, expected);
        AgentImageLayout.Conversation c = s.conversation();
        Negotiation neg;
        try {
            neg = c == null
                    ? null
                    : new Negotiation(c.callId(), c.callee(), new MobileId(c.peer()), c.type(), c.replyTo(),
                            c.correlation());
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid agent image: " + e.getMessage());
        }
        return new FakeAgentState(s.variables(), s.applicationState(), neg, s.timerRemainingMillis(), s.handled());
    }

    /**
     * What the core checks before it looks inside an image: all three segments are present and the type equals
     * this node's. The part of {@link #decode} that holds for any layout.
     */
    static void checkRestorable(AgentImage image, AgentType local) throws MigrationException {
        AgentImageLayout.checkRestorable(image, local);
    }

    /** {@code bundle version (layout hash)}, as refusals name a type. */
    public static String describe(AgentType t) {
        return AgentImageLayout.describe(t);
    }
}

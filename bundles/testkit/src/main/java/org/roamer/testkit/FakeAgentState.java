/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import org.roamer.api.spi.migration.MigrationVariables;

/**
 * Everything a {@link FakeAgent} holds, as {@link FakeAgentLayout} writes it into an image and reads it back.
 * Immutable: the padding is copied in and out.
 *
 * @param variables            the migration variables the agent selects (profile, calls, radio port, delivered)
 * @param padding              object state outside the migration variables (caches, histories): it makes an
 *                             agent large without changing what NAIVE-like strategies move
 * @param negotiation          the negotiation in progress, or {@code null} at a stable point
 * @param timerRemainingMillis time left on the negotiation timer, -1 when none runs
 * @param handled              messages handled so far: the mailbox position
 */
public record FakeAgentState(MigrationVariables variables, byte[] padding, Negotiation negotiation,
        long timerRemainingMillis, long handled) {
    /** Copies the padding; @throws NullPointerException on missing variables or padding */
    public FakeAgentState {
        Objects.requireNonNull(variables, "variables");
        padding = padding.clone();
    }

    /** A copy of the padding. */
    @Override
    public byte[] padding() {
        return padding.clone();
    }

    /** Padding length without copying. */
    public int paddingLength() {
        return padding.length;
    }

    /** Whether no negotiation is in progress. */
    public boolean atStablePoint() {
        return negotiation == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FakeAgentState s && variables.equals(s.variables) && Arrays.equals(padding, s.padding)
                && Objects.equals(negotiation, s.negotiation) && timerRemainingMillis == s.timerRemainingMillis
                && handled == s.handled;
    }

    @Override
    public int hashCode() {
        return Objects.hash(variables, Arrays.hashCode(padding), negotiation, timerRemainingMillis, handled);
    }

    @Override
    public String toString() {
        String pad = padding.length <= 8
                ? HexFormat.of().formatHex(padding)
                : HexFormat.of().formatHex(padding, 0, 8) + "...";
        return "FakeAgentState[variables=" + variables + ", padding=" + padding.length + " bytes (" + pad
                + "), negotiation=" + negotiation + ", timerRemainingMillis=" + timerRemainingMillis + ", handled="
                + handled + "]";
    }
}

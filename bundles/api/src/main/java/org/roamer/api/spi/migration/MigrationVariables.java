/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

import java.util.List;

import org.roamer.api.ActiveCall;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;

/**
 * The data structure of the seed's NAIVE approach: the variables the agent selects as pertinent to
 * migration — its profile (compatibility, applications, MOB_TERM, forwarding), its active calls and the
 * state of the terminal. An idle agent has no calls and moves fewer bytes.
 *
 * @param mobile    the mobile
 * @param profile   its profile
 * @param calls     active calls (ids, type, peers)
 * @param radioPort last radio port the terminal was found at, or {@code null}
 * @param delivered application messages delivered so far
 */
public record MigrationVariables(MobileId mobile, Profile profile, List<ActiveCall> calls, String radioPort,
        long delivered) {
    /** @throws IllegalArgumentException on a missing mobile or profile */
    public MigrationVariables {
        if (mobile == null || profile == null) {
            throw new IllegalArgumentException("migration variables need a mobile and a profile");
        }
        calls = List.copyOf(calls == null ? List.of() : calls);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.List;
import java.util.Set;

import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.MigrationVariables;

/** The agents the conformance tests move; handy for a strategy's own tests too. */
public final class Agents {
    /** The migrating mobile. */
    public static final MobileId ALICE = MobileId.of("alice");
    /** Peers. */
    public static final MobileId BOB = MobileId.of("bob");
    /** Peers. */
    public static final MobileId CAROL = MobileId.of("carol");
    /** Peers. */
    public static final MobileId DAVE = MobileId.of("dave");
    /** 6 KiB of padding: an agent of several chunks at a 1 KiB chunk limit, small enough to damage byte by byte. */
    public static final int MEDIUM = 6 * 1024;
    /** 72 KiB of padding: a large agent, many chunks at small chunk limits. */
    public static final int LARGE = 72 * 1024;
    /** 1 MB (10^6 bytes) of padding: a very large agent that still fits the core's 1 MiB pre-create limit. */
    public static final int VERY_LARGE = 1_000_000;

    private Agents() {
    }

    /** Default profile (voice, data), no calls, found at {@code rp-1}, 12 messages delivered. */
    public static MigrationVariables idleVariables(MobileId mobile) {
        return new MigrationVariables(mobile, Profile.defaults(), List.of(), "rp-1", 12);
    }

    /**
     * The same mobile with a richer profile (video with {@code xserver}, forwarding to {@code dave}) in two calls:
     * a voice call it placed to {@code bob} and a video conference offered by {@code carol} with {@code dave}.
     */
    public static MigrationVariables inCallsVariables(MobileId mobile) {
        Profile profile = new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"), DAVE);
        return new MigrationVariables(mobile, profile, List.of(
                new ActiveCall("call-17", CallType.VOICE, List.of(BOB), true, "rp-2"),
                new ActiveCall("call-18", CallType.VIDEO, List.of(CAROL, DAVE), false, null)), "rp-2", 42);
    }

    /**
     * The profile fields the other way round from {@link #idleVariables} and {@link #inCallsVariables}: mobile
     * termination off, no capabilities, an application ({@code fax}), calls forwarded to {@code carol}; idle.
     * A strategy that restores any profile field as a constant (say MOB_TERM as always on) fails on this one.
     */
    public static MigrationVariables mobTermOffVariables(MobileId mobile) {
        Profile profile = new Profile(false, Set.of(), Set.of("fax"), CAROL);
        return new MigrationVariables(mobile, profile, List.of(), "rp-3", 5);
    }

    /** {@link #mobTermOffVariables} of {@link #ALICE}, no padding. */
    public static FakeAgent mobTermOff() {
        return FakeAgent.of(mobTermOffVariables(ALICE));
    }

    /** The negotiation {@link #negotiating()} is in: a voice call offered by {@code bob}. */
    public static Negotiation offerFromBob() {
        return new Negotiation("call-99", true, BOB, CallType.VOICE, 77);
    }

    /** {@link #idleVariables} of {@link #ALICE}, no padding. */
    public static FakeAgent idle() {
        return FakeAgent.of(idleVariables(ALICE));
    }

    /** {@link #inCallsVariables} of {@link #ALICE}, no padding. */
    public static FakeAgent inCalls() {
        return FakeAgent.of(inCallsVariables(ALICE));
    }

    /** An idle agent with this much padding. */
    public static FakeAgent idle(int padding) {
        return FakeAgent.builder(idleVariables(ALICE)).padding(padding).build();
    }

    /** An agent in calls with this much padding. */
    public static FakeAgent inCalls(int padding) {
        return FakeAgent.builder(inCallsVariables(ALICE)).padding(padding).build();
    }

    /** An idle agent in the middle of {@link #offerFromBob()}: not at a stable point, its timer running. */
    public static FakeAgent negotiating() {
        return FakeAgent.builder(idleVariables(ALICE)).negotiating(offerFromBob()).timerRemainingMillis(1_500)
                .build();
    }
}

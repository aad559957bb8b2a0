/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.Objects;
import java.util.Random;

import org.roamer.api.AgentStatus;
import org.roamer.api.MobileId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationVariables;

/**
 * A stopped source agent that hands a strategy an image the test chose: for a strategy's own tests when it moves
 * images as opaque bytes (TERN-like, Condor-like) and the tests bring their own images — random bytes of chosen
 * segment sizes ({@link #randomImage}), any bytes in property and fuzz tests, images read back from files. Unlike
 * {@link FakeAgent}, whose images are always in the {@link FakeAgentLayout}, it neither encodes nor checks what
 * it hands out; restore such images into a {@link FakeRestoreTarget#withOpaqueImages() FakeRestoreTarget that
 * takes opaque images}.
 *
 * <p>It is an agent the core stopped in the middle of a negotiation: {@link #status()} is
 * {@link AgentStatus#NEGOTIATING}, {@link #atStablePoint()} is false and {@link #variables()} throws
 * {@link IllegalStateException} like the core's agent, so a strategy that needs the agent's migration variables
 * fails. {@link #image()} returns the very image it was given, on every call, and counts the calls. The image may
 * be {@code null} or have {@code null} segments, to test how a strategy takes an incomplete image;
 * {@link #failing} makes {@code image()} throw, as a runtime that is going away would.
 *
 * <p>It has no capture window: unlike {@link FakeAgent} it does not notice reads from another thread or after
 * {@code capture} returned. Not thread-safe.
 */
public final class OpaqueAgent implements MigratingAgent {
    private final MobileId mobile;
    private final AgentImage image;
    private final RuntimeException failure;
    private int imageCalls;

    private OpaqueAgent(MobileId mobile, AgentImage image, RuntimeException failure) {
        this.mobile = Objects.requireNonNull(mobile, "mobile");
        this.image = image;
        this.failure = failure;
    }

    /** An agent of {@link Agents#ALICE} that hands out this image, which may be {@code null} or incomplete. */
    public static OpaqueAgent of(AgentImage image) {
        return of(Agents.ALICE, image);
    }

    /** An agent of this mobile that hands out this image, which may be {@code null} or incomplete. */
    public static OpaqueAgent of(MobileId mobile, AgentImage image) {
        return new OpaqueAgent(mobile, image, null);
    }

    /** An agent of {@link Agents#ALICE} whose {@link #image()} throws this exception (after counting the call). */
    public static OpaqueAgent failing(RuntimeException failure) {
        return new OpaqueAgent(Agents.ALICE, null, Objects.requireNonNull(failure, "failure"));
    }

    /**
     * An image of this type whose segments have these sizes and pseudo-random content (so it does not compress).
     * The content depends only on the sizes and the seed: {@code new java.util.Random(seed)} fills the data, then
     * the stack, then the registers.
     *
     * @throws IllegalArgumentException on a negative size
     */
    public static AgentImage randomImage(AgentType type, int dataBytes, int stackBytes, int registerBytes,
            long seed) {
        Objects.requireNonNull(type, "type");
        if (dataBytes < 0 || stackBytes < 0 || registerBytes < 0) {
            throw new IllegalArgumentException("negative segment size: data " + dataBytes + ", stack " + stackBytes
                    + ", registers " + registerBytes);
        }
        Random random = new Random(seed);
        return new AgentImage(type, bytes(random, dataBytes), bytes(random, stackBytes), bytes(random, registerBytes));
    }

    private static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    // ------------------------------------------------------------------ MigratingAgent

    @Override
    public MobileId mobile() {
        return mobile;
    }

    /** Always {@link AgentStatus#NEGOTIATING}. */
    @Override
    public AgentStatus status() {
        return AgentStatus.NEGOTIATING;
    }

    /** Always false: a negotiation is in progress. */
    @Override
    public boolean atStablePoint() {
        return false;
    }

    /** @throws IllegalStateException always, as the core's agent does while it negotiates */
    @Override
    public MigrationVariables variables() {
        throw new IllegalStateException("agent " + mobile + " is not at a stable point: it is negotiating");
    }

    /** The image this agent was made with (not a copy), or the failure of {@link #failing}. */
    @Override
    public AgentImage image() {
        imageCalls++;
        if (failure != null) {
            throw failure;
        }
        return image;
    }

    // ------------------------------------------------------------------ the kit's side

    /** How often {@link #image()} was called. */
    public int imageCalls() {
        return imageCalls;
    }

    @Override
    public String toString() {
        return "OpaqueAgent[" + mobile + ", " + (failure != null
                ? "failing with " + failure
                : image == null ? "no image" : "image of " + FakeAgentLayout.describe(image.type())) + "]";
    }
}

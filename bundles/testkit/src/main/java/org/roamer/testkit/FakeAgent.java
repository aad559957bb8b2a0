/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

import org.roamer.api.ActiveCall;
import org.roamer.api.AgentStatus;
import org.roamer.api.MobileId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationVariables;

/**
 * A stopped source agent as the core shows it to {@link org.roamer.api.spi.migration.MigrationStrategy#capture}:
 * {@link #variables()} throws while a negotiation runs, {@link #image()} returns a fresh image in the
 * {@link FakeAgentLayout} (type {@link FakeAgentLayout#TYPE}) on every call.
 *
 * <p>Between {@link #beginCapture()} and {@link #endCapture()} (which {@link Migrations#capture} calls around
 * the strategy) the agent is valid only on the thread that began the capture; afterwards it is closed. Any read
 * from another thread or after the capture returned is recorded in {@link #violations()} and answered with an
 * {@link IllegalStateException}, as a strategy that keeps a reference to the agent would deserve. Before the
 * first capture the agent may be read freely, so a test can also hand it to a strategy directly.
 *
 * <p>The mutators ({@link #deliver}, {@link #startNegotiation}, ...) are the kit's, not the strategy's: they
 * model the agent living on at the source after a rollback. Not thread-safe.
 */
public final class FakeAgent implements MigratingAgent {
    private enum Window {
        OPEN, CAPTURING, CLOSED
    }

    private MigrationVariables variables;
    private byte[] padding;
    private Negotiation negotiation;
    private long timerRemainingMillis;
    private long handled;
    private final AgentType type;

    private Window window = Window.OPEN;
    private Thread owner;
    private int variablesCalls;
    private int imageCalls;
    private final List<String> violations = new ArrayList<>();

    private FakeAgent(Builder b) {
        this.variables = b.variables;
        this.padding = padding(b.paddingBytes, b.paddingSeed);
        this.negotiation = b.negotiation;
        this.timerRemainingMillis = b.negotiation == null ? -1 : b.timerRemainingMillis;
        this.handled = b.handled;
        this.type = b.type;
    }

    /** A builder for an agent with these migration variables, no padding, at a stable point. */
    public static Builder builder(MigrationVariables variables) {
        return new Builder(variables);
    }

    /** An agent with these variables, no padding, at a stable point. */
    public static FakeAgent of(MigrationVariables variables) {
        return builder(variables).build();
    }

    /** Configures a {@link FakeAgent}. */
    public static final class Builder {
        private final MigrationVariables variables;
        private int paddingBytes;
        private long paddingSeed = 0x5eed;
        private Negotiation negotiation;
        private long timerRemainingMillis = 2_000;
        private long handled;
        private AgentType type = FakeAgentLayout.TYPE;

        private Builder(MigrationVariables variables) {
            this.variables = Objects.requireNonNull(variables, "variables");
            this.handled = 3 * variables.delivered() + 7;
        }

        /**
         * Object state outside the migration variables, {@code bytes} long and pseudo-random (so it does not
         * compress): it makes the image large, not the variables.
         */
        public Builder padding(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative padding " + bytes);
            }
            this.paddingBytes = bytes;
            return this;
        }

        /** The seed of the padding's content; the default gives every agent the same content per size. */
        public Builder paddingSeed(long seed) {
            this.paddingSeed = seed;
            return this;
        }

        /** A negotiation in progress: the agent is not at a stable point and its timer runs. */
        public Builder negotiating(Negotiation negotiation) {
            this.negotiation = negotiation;
            return this;
        }

        /** Time left on the negotiation timer (only kept while negotiating). */
        public Builder timerRemainingMillis(long millis) {
            this.timerRemainingMillis = millis;
            return this;
        }

        /** The mailbox position: messages handled so far. */
        public Builder handled(long handled) {
            this.handled = handled;
            return this;
        }

        /** The agent type written into images (default {@link FakeAgentLayout#TYPE}). */
        public Builder type(AgentType type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /** The agent. */
        public FakeAgent build() {
            return new FakeAgent(this);
        }
    }

    // ------------------------------------------------------------------ MigratingAgent

    @Override
    public MobileId mobile() {
        check("mobile()");
        return variables.mobile();
    }

    @Override
    public AgentStatus status() {
        check("status()");
        return negotiation != null
                ? AgentStatus.NEGOTIATING
                : variables.calls().isEmpty() ? AgentStatus.IDLE : AgentStatus.IN_CALL;
    }

    @Override
    public boolean atStablePoint() {
        check("atStablePoint()");
        return negotiation == null;
    }

    /** @throws IllegalStateException while a negotiation runs, as the core's agent does */
    @Override
    public MigrationVariables variables() {
        check("variables()");
        variablesCalls++;
        if (negotiation != null) {
            throw new IllegalStateException("agent " + variables.mobile() + " is negotiating call "
                    + negotiation.callId());
        }
        return variables;
    }

    @Override
    public AgentImage image() {
        check("image()");
        imageCalls++;
        return FakeAgentLayout.encode(state(), type);
    }

    private void check(String method) {
        if (window == Window.CLOSED) {
            String v = method + " called after capture() returned: the agent is valid only during that call";
            violations.add(v);
            throw new IllegalStateException(v);
        }
        if (window == Window.CAPTURING && Thread.currentThread() != owner) {
            String v = method + " called on thread " + Thread.currentThread().getName()
                    + ": the agent is valid only on its owner thread " + owner.getName();
            violations.add(v);
            throw new IllegalStateException(v);
        }
    }

    // ------------------------------------------------------------------ the kit's side

    /** Opens a capture: the agent is valid on the calling thread only; resets the access counters. */
    public void beginCapture() {
        window = Window.CAPTURING;
        owner = Thread.currentThread();
        variablesCalls = 0;
        imageCalls = 0;
    }

    /** Closes the capture: any later read by a strategy is a violation. */
    public void endCapture() {
        window = Window.CLOSED;
        owner = null;
    }

    /** Whether a capture has ended and no new one began. */
    public boolean closed() {
        return window == Window.CLOSED;
    }

    /** The agent's state now, read by the kit (not counted as a strategy access, allowed when closed). */
    public FakeAgentState state() {
        return new FakeAgentState(variables, padding, negotiation, negotiation == null ? -1 : timerRemainingMillis,
                handled);
    }

    /** The image the agent has now, written by the kit (not counted as a strategy access). */
    public AgentImage snapshotImage() {
        return FakeAgentLayout.encode(state(), type);
    }

    /** The agent type written into its images. */
    public AgentType type() {
        return type;
    }

    /** How often the strategy called {@link #variables()} in the current or last capture. */
    public int variablesCalls() {
        return variablesCalls;
    }

    /** How often the strategy called {@link #image()} in the current or last capture. */
    public int imageCalls() {
        return imageCalls;
    }

    /** Reads from a wrong thread or after the capture, in order. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Models messages handled at the source (after a rollback): the delivered count and mailbox advance. */
    public void deliver(int messages) {
        variables = new MigrationVariables(variables.mobile(), variables.profile(), variables.calls(),
                variables.radioPort(), variables.delivered() + messages);
        handled += messages;
    }

    /** Models a call set up at the source. */
    public void addCall(ActiveCall call) {
        List<ActiveCall> calls = new ArrayList<>(variables.calls());
        calls.add(call);
        variables = new MigrationVariables(variables.mobile(), variables.profile(), calls, variables.radioPort(),
                variables.delivered());
        handled++;
    }

    /** Starts a negotiation: the agent leaves its stable point. */
    public void startNegotiation(Negotiation n, long timerMillis) {
        negotiation = Objects.requireNonNull(n, "negotiation");
        timerRemainingMillis = timerMillis;
        handled++;
    }

    /** Ends the negotiation: the agent is at a stable point again. */
    public void endNegotiation() {
        negotiation = null;
        timerRemainingMillis = -1;
        handled++;
    }

    /** Rewrites the padding in place with new pseudo-random content (object state changing at the source). */
    public void scramblePadding(long seed) {
        padding = padding(padding.length, seed);
    }

    private static byte[] padding(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Override
    public String toString() {
        return "FakeAgent[" + variables.mobile() + ", " + (negotiation != null ? "negotiating" : "stable") + ", "
                + padding.length + " bytes padding]";
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.roamer.api.ActiveCall;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreTarget;

/** Tiny fakes of what the core provides to a strategy. */
final class Fixtures {
    static final MobileId ALICE = MobileId.of("alice");
    /** Migration id of {@link #ctx}. */
    static final long MIGRATION = 7L;
    /** Epoch of {@link #ctx}. */
    static final long EPOCH = 3L;

    private Fixtures() {
    }

    static MigrationContext ctx(MobileId mobile) {
        return new MigrationContext(MIGRATION, mobile, EPOCH, NodeId.of("uss-a"), NodeId.of("uss-b"), 64 * 1024,
                1024 * 1024, Path.of("target"));
    }

    /** A chunk carrying this JSON sealed for the migration of {@link #ctx}, so that it reaches the JSON decoder. */
    static byte[] seal(byte[] json) {
        return VariablesCodec.seal(json, MIGRATION, EPOCH);
    }

    static MigrationVariables idle() {
        return new MigrationVariables(ALICE, Profile.defaults(), List.of(), null, 0);
    }

    static MigrationVariables inCall() {
        Profile profile = new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"), null);
        ActiveCall call = new ActiveCall("call-17", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2");
        return new MigrationVariables(ALICE, profile, List.of(call), "rp-2", 42);
    }

    /** A stopped source agent that hands out fixed variables. */
    static final class FakeAgent implements MigratingAgent {
        private final MigrationVariables vars;
        private final boolean stable;

        FakeAgent(MigrationVariables vars, boolean stable) {
            this.vars = vars;
            this.stable = stable;
        }

        FakeAgent(MigrationVariables vars) {
            this(vars, true);
        }

        @Override
        public MobileId mobile() {
            return vars.mobile();
        }

        @Override
        public AgentStatus status() {
            return stable
                    ? (vars.calls().isEmpty() ? AgentStatus.IDLE : AgentStatus.IN_CALL)
                    : AgentStatus.NEGOTIATING;
        }

        @Override
        public boolean atStablePoint() {
            return stable;
        }

        @Override
        public MigrationVariables variables() {
            if (!stable) {
                throw new IllegalStateException("not at a stable point");
            }
            return vars;
        }

        @Override
        public AgentImage image() {
            throw new UnsupportedOperationException("NAIVE must not ask for the image");
        }
    }

    /** Records what a restore created. */
    static class FakeTarget implements RestoreTarget {
        final List<MigrationVariables> restored = new ArrayList<>();

        @Override
        public AgentType localAgentType() {
            return new AgentType("org.roamer.core", "0.1.0", 1L);
        }

        @Override
        public void restoreVariables(MigrationVariables variables) {
            restored.add(variables);
        }

        @Override
        public void restoreImage(AgentImage image) throws MigrationException {
            throw new MigrationException("NAIVE must not restore an image");
        }

        @Override
        public PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) throws MigrationException {
            throw new MigrationException("NAIVE must not pre-create an agent");
        }
    }

    /** Captures through the strategy and returns the single chunk. */
    static byte[] captureOne(NaiveStrategy strategy, MigrationVariables vars) throws MigrationException {
        List<byte[]> chunks = new ArrayList<>();
        strategy.capture(new FakeAgent(vars), ctx(vars.mobile()), chunks::add);
        if (chunks.size() != 1) {
            throw new AssertionError("expected one chunk, got " + chunks.size());
        }
        return chunks.get(0);
    }

    /** Restores one chunk for {@code mobile} and returns what the target received. */
    static MigrationVariables restore(NaiveStrategy strategy, MobileId mobile, byte[] chunk) throws MigrationException {
        FakeTarget target = new FakeTarget();
        var session = strategy.beginRestore(target, ctx(mobile));
        session.accept(chunk);
        session.finish();
        if (target.restored.size() != 1) {
            throw new AssertionError("expected one restored agent, got " + target.restored.size());
        }
        return target.restored.get(0);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import java.util.Objects;

import org.osgi.service.component.annotations.Component;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * The seed's NAIVE approach (Fig. 10): at a stable point the agent hands over the variables it selected as
 * pertinent to migration ({@link MigrationVariables}); they travel as one small chunk, schema-versioned JSON
 * sealed with a CRC32C that also covers the migration's id and epoch ({@link VariablesCodec}), and the target
 * creates a fresh agent from them. Works between
 * nodes running different agent versions; moves tens of bytes for an idle agent.
 *
 * <p>Stateless and thread-safe; each restore has its own {@link NaiveRestoreSession}.
 */
@Component(service = MigrationStrategy.class, property = MigrationStrategy.NAME_PROPERTY + "=" + NaiveStrategy.NAME)
public final class NaiveStrategy implements MigrationStrategy {
    /** The strategy's name and service property value. */
    public static final String NAME = "naive";

    private static final StrategyTraits TRAITS = new StrategyTraits(false, true, false, true,
            "agent-selected migration variables as versioned JSON + CRC32C, one small chunk (stable points only)");

    @Override
    public String name() {
        return NAME;
    }

    /** Capture and restore only compute (JSON in memory, nothing else). */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public StrategyTraits traits() {
        return TRAITS;
    }

    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(out, "out");
        if (!agent.atStablePoint()) {
            throw new MigrationException("NAIVE migrates only at a stable point; agent " + agent.mobile() + " is "
                    + agent.status());
        }
        MigrationVariables vars;
        try {
            vars = agent.variables();
        } catch (IllegalStateException e) {
            throw new MigrationException("agent " + agent.mobile() + " has no stable migration variables: "
                    + e.getMessage(), e);
        }
        if (vars == null) {
            throw new MigrationException("agent " + agent.mobile() + " returned no migration variables");
        }
        if (!vars.mobile().equals(ctx.mobile())) {
            throw new MigrationException("agent's migration variables are for mobile " + vars.mobile()
                    + ", but the migration is for " + ctx.mobile());
        }
        byte[] chunk = VariablesCodec.encode(vars, ctx.migrationId(), ctx.epoch());
        if (chunk.length > ctx.maxChunkBytes() || chunk.length > ctx.maxImageBytes()) {
            throw new MigrationException("NAIVE migration variables of " + ctx.mobile() + " take " + chunk.length
                    + " bytes, over this migration's limit (chunk " + ctx.maxChunkBytes() + ", image "
                    + ctx.maxImageBytes() + ")");
        }
        out.accept(chunk);
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
        return new NaiveRestoreSession(Objects.requireNonNull(target, "target"), Objects.requireNonNull(ctx, "ctx"));
    }
}

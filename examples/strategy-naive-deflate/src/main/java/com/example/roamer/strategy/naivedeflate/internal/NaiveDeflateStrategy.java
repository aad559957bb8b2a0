package com.example.roamer.strategy.naivedeflate.internal;

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
 * A third-party NAIVE-like strategy: at a stable point the agent hands over its migration variables
 * ({@link MigratingAgent#variables()}); they travel as one chunk in a small versioned binary format, compressed
 * with DEFLATE and a preset dictionary and sealed with a CRC32C ({@link VariablesFormat}); the target creates a
 * fresh agent from them ({@link RestoreTarget#restoreVariables}).
 *
 * <p>Registered by Declarative Services as a {@link MigrationStrategy} with {@code roamer.strategy=naive-deflate};
 * the Roamer core picks it up from its whiteboard. Stateless and thread-safe; each restore has its own
 * {@link NaiveDeflateRestoreSession}.
 */
@Component(service = MigrationStrategy.class,
        property = MigrationStrategy.NAME_PROPERTY + "=" + NaiveDeflateStrategy.NAME)
public final class NaiveDeflateStrategy implements MigrationStrategy {
    /** The strategy's name and service property value. */
    public static final String NAME = "naive-deflate";

    private static final StrategyTraits TRAITS = new StrategyTraits(false, true, false, true,
            "agent-selected migration variables, versioned binary, DEFLATE + CRC32C, one chunk (stable points only)");

    @Override
    public String name() {
        return NAME;
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
            throw new MigrationException("naive-deflate migrates only at a stable point; agent " + agent.mobile()
                    + " is " + agent.status());
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
        byte[] chunk = VariablesFormat.encode(vars, ctx.migrationId(), ctx.epoch());
        if (chunk.length > ctx.maxChunkBytes() || chunk.length > ctx.maxImageBytes()) {
            throw new MigrationException("naive-deflate variables of " + ctx.mobile() + " take " + chunk.length
                    + " bytes, over this migration's limit (chunk " + ctx.maxChunkBytes() + ", image "
                    + ctx.maxImageBytes() + ")");
        }
        out.accept(chunk);
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
        return new NaiveDeflateRestoreSession(Objects.requireNonNull(target, "target"),
                Objects.requireNonNull(ctx, "ctx"));
    }
}

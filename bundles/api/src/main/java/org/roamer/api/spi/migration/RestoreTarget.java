/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/**
 * Where a strategy rebuilds an agent at the target USS. Provided by the core; exactly one of the
 * {@code restore*}/{@code preCreate} paths may be used per session. Not thread-safe.
 */
@org.osgi.annotation.versioning.ProviderType
public interface RestoreTarget {
    /** The agent implementation this node runs; images of another type must be refused. */
    AgentType localAgentType();

    /**
     * Creates the agent from NAIVE migration variables.
     *
     * @throws MigrationException when the variables do not describe the migrating mobile
     */
    void restoreVariables(MigrationVariables variables) throws MigrationException;

    /**
     * Creates the agent from a whole image (Condor-like restore of a checkpoint).
     *
     * @throws MigrationException on a foreign type or invalid segments
     */
    void restoreImage(AgentImage image) throws MigrationException;

    /**
     * Pre-creates an agent of a type whose segments will be written page by page (TERN-like).
     *
     * @throws MigrationException on a foreign type or sizes over the limit
     */
    PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) throws MigrationException;

    /**
     * The restored-size limit: the largest agent image, in bytes ({@link AgentImage#size()}: data, stack and
     * registers together), this node rebuilds an agent from. It bounds what a restore produces, whatever the
     * transfer's own size ({@link MigrationContext#maxImageBytes()} bounds the chunks): a strategy that inflates,
     * decodes or expands what it received reads it to refuse early — before it allocates or writes more — with a
     * reason of its own (a decompression bomb never gets past its declared size). The target refuses
     * {@link #restoreImage} of a larger image, {@link #preCreate} of larger segments and
     * {@link PreCreatedAgent#complete} of a larger whole; a strategy that honours the limit never offers one.
     *
     * <p>The USS core fills it in from its frame limits: 64 times the data frame payload ({@code max.frame.bytes}),
     * 64 MiB by default — the same bound as {@link MigrationContext#maxImageBytes()} of its migrations. An image of
     * migration variables ({@link #restoreVariables}) is bounded by the api records instead.
     *
     * @return the limit in bytes; by default {@link Long#MAX_VALUE}, for a target that declares none
     * @since 1.2
     */
    default long maxRestoredBytes() {
        return Long.MAX_VALUE;
    }
}

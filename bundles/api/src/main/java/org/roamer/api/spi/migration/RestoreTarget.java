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
}

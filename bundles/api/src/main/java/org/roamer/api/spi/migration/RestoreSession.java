package org.roamer.api.spi.migration;

/**
 * One agent being rebuilt at the target. Created by {@link MigrationStrategy#beginRestore}; the core calls
 * its methods from one thread at a time, in order: {@code accept}*, then {@code finish} or {@code abort}.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface RestoreSession {
    /**
     * Takes the next chunk, in the order captured. Must validate everything it reads.
     *
     * @throws MigrationException on a garbled, truncated or foreign chunk
     */
    void accept(byte[] chunk) throws MigrationException;

    /**
     * All chunks arrived: rebuild the agent through the {@link RestoreTarget}.
     *
     * @throws MigrationException when the state is incomplete or invalid
     */
    void finish() throws MigrationException;

    /** The migration was abandoned: release everything. Never throws. */
    void abort();
}

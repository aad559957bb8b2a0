/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/**
 * One agent being rebuilt at the target. Created by {@link MigrationStrategy#beginRestore}; the core calls
 * its methods from one thread at a time, in order: {@code accept}*, then {@code finish} or {@code abort} — or
 * {@code finish} and then {@code abort}, when the migration is abandoned after the agent was rebuilt but before
 * the target took it over (the source rolled back before it saw READY, or its buffered messages never came).
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

    /**
     * The migration was abandoned: release everything. After {@link #finish} this means the rebuilt agent is
     * discarded, so whatever the session kept for it (a checkpoint file) is stale too. Never throws; a second
     * call does nothing.
     */
    void abort();
}

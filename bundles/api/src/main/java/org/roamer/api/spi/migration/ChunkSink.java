/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/** Receives the chunks a strategy captures, in order. Provided by the core; not thread-safe. */
@org.osgi.annotation.versioning.ProviderType
public interface ChunkSink {
    /**
     * @param chunk the next chunk; the sink takes ownership
     * @throws MigrationException when the chunk is larger than allowed or the total exceeds the image limit
     */
    void accept(byte[] chunk) throws MigrationException;
}

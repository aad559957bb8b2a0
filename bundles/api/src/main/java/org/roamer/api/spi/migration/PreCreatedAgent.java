/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/**
 * An agent pre-created at the target with segments of declared sizes, into which pages are written
 * straight, then its registers, after which it is complete. Provided by the core; not thread-safe.
 */
@org.osgi.annotation.versioning.ProviderType
public interface PreCreatedAgent {
    /** Writes a data page at an offset. @throws MigrationException when it falls outside the segment */
    void writeData(int offset, byte[] page) throws MigrationException;

    /** Writes a stack page at an offset. @throws MigrationException when it falls outside the segment */
    void writeStack(int offset, byte[] page) throws MigrationException;

    /**
     * Loads the registers and completes the agent.
     *
     * @throws MigrationException when the segments are incomplete or do not decode
     */
    void complete(byte[] registers) throws MigrationException;
}

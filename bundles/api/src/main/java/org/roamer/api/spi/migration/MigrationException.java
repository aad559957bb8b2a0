/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/** A migration step failed; the message is the reason reported in MIGRATE_FAILED. */
public class MigrationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message the reason */
    public MigrationException(String message) {
        super(message);
    }

    /** @param message the reason @param cause the underlying failure */
    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}

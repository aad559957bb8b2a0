/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

/** Test access to the tickets' MAC (package-private in {@link MigrationTickets}). */
public final class TicketsForTests {
    private TicketsForTests() {
    }

    /** HMAC-SHA256 of {@code data} under {@code key}, as the Location Server seals a ticket. */
    public static byte[] mac(byte[] key, byte[] data) {
        return MigrationTickets.mac(key, data);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/**
 * The whole state of an agent as the runtime captures it: its object state ("data pages"), its
 * in-progress conversations ("stack") and its pending timers and mailbox position ("registers"), each in
 * the runtime's explicit binary layout. Strategies move these bytes; they need not understand them.
 * Callers must not modify the arrays.
 *
 * @param type      the agent implementation
 * @param data      object state
 * @param stack     in-progress conversations
 * @param registers timers, mailbox position
 */
public record AgentImage(AgentType type, byte[] data, byte[] stack, byte[] registers) {
    /** Total size of the three segments. */
    public int size() {
        return data.length + stack.length + registers.length;
    }
}

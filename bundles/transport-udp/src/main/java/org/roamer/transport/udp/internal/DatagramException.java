/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

/** A datagram is not a valid udp-transport datagram; the message says why (for logs and counters). */
final class DatagramException extends Exception {
    private static final long serialVersionUID = 1L;

    DatagramException(String message) {
        super(message);
    }
}

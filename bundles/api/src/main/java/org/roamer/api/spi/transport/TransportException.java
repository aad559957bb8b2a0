/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

/** A frame could not be sent or a listener bound. */
public class TransportException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public TransportException(String message) {
        super(message);
    }

    /** @param message what failed @param cause underlying I/O error */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}

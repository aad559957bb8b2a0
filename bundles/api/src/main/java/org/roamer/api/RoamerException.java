/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * A request to the network was refused or failed; the message is meant for an operator
 * (e.g. {@code unknown mobile 'm9'}). Nothing was changed unless the message says so.
 */
public class RoamerException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message operator-readable reason */
    public RoamerException(String message) {
        super(message);
    }

    /** @param message operator-readable reason @param cause underlying failure */
    public RoamerException(String message, Throwable cause) {
        super(message, cause);
    }
}

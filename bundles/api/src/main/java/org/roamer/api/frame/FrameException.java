/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

/**
 * A frame could not be decoded: bad magic, unknown version or type, a length over the limit, a truncated
 * body, or an invalid mobile id. The message says which, for logs and counters.
 */
public class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the frame */
    public FrameException(String message) {
        super(message);
    }
}

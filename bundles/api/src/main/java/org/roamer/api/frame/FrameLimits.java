/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

/**
 * Size limits applied while decoding, before anything is allocated.
 *
 * @param maxControlPayload largest payload of a control message
 * @param maxDataPayload    largest payload of a data message ({@link MessageType#isData()})
 */
public record FrameLimits(int maxControlPayload, int maxDataPayload) {
    /** 64 KiB control, 1 MiB data. */
    public static final FrameLimits DEFAULT = new FrameLimits(64 * 1024, 1024 * 1024);

    /** Largest data limit that may be configured: 64 MiB. */
    public static final int MAX_LIMIT = 64 * 1024 * 1024;

    /** @throws IllegalArgumentException on a negative limit, data smaller than control, or data over 64 MiB */
    public FrameLimits {
        if (maxControlPayload < 0 || maxDataPayload < maxControlPayload || maxDataPayload > MAX_LIMIT) {
            throw new IllegalArgumentException("invalid frame limits: control " + maxControlPayload
                    + ", data " + maxDataPayload);
        }
    }

    /** The payload limit that applies to a message type. */
    public int limitFor(MessageType type) {
        return type.isData() ? maxDataPayload : maxControlPayload;
    }
}

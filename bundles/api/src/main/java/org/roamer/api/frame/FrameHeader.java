/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

/**
 * A validated fixed header; tells a stream reader how many body bytes follow.
 *
 * @param type          message type
 * @param flags         flag bits
 * @param correlationId correlation or migration id
 * @param epoch         agent epoch
 * @param seq           sequence number
 * @param mobileLength  length of the mobile id that follows the header
 * @param payloadLength length of the payload that follows the mobile id
 */
public record FrameHeader(MessageType type, int flags, long correlationId, long epoch, long seq, int mobileLength,
        int payloadLength) {
    /** Bytes that follow the fixed header. */
    public int bodyLength() {
        return mobileLength + payloadLength;
    }
}

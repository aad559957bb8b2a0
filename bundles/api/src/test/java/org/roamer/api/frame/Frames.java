/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds raw frame bytes field by field, including invalid ones the codec would never write. */
final class Frames {
    int magic = FrameCodec.MAGIC;
    int version = FrameCodec.VERSION;
    int type = MessageType.HELLO.code();
    int flags;
    int mobileLength = -1;
    int reserved;
    long correlation = 11;
    long epoch = 22;
    long seq = 33;
    int payloadLength = -1;
    byte[] mobile = "alice".getBytes(StandardCharsets.US_ASCII);
    byte[] payload = {1, 2, 3};

    static Frames valid() {
        return new Frames();
    }

    Frames set(java.util.function.Consumer<Frames> change) {
        change.accept(this);
        return this;
    }

    byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.HEADER_SIZE);
        b.putShort((short) magic).put((byte) version).put((byte) type).putShort((short) flags)
                .put((byte) (mobileLength >= 0 ? mobileLength : mobile.length)).put((byte) reserved)
                .putLong(correlation).putLong(epoch).putLong(seq)
                .putInt(payloadLength != -1 ? payloadLength : payload.length);
        return b.array();
    }

    byte[] bytes() {
        byte[] h = header();
        return ByteBuffer.allocate(h.length + mobile.length + payload.length).put(h).put(mobile).put(payload).array();
    }
}

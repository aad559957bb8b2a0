/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

import java.util.Arrays;

/**
 * One protocol message. Immutable apart from {@code payload}, which callers must not modify after
 * construction.
 *
 * @param type          message type
 * @param flags         {@link #LAST}, {@link #FORWARDED}, {@link #REPLY} bits, and the hop count of a forwarded
 *                      frame in bits 8-15 ({@link #hops()})
 * @param correlationId request/reply correlation or migration id
 * @param epoch         the agent's fencing epoch (0 when not about an agent)
 * @param seq           sequence number (chunk index, sender sequence, ...)
 * @param mobile        mobile id the message is about, or the empty string
 * @param payload       the body; never {@code null}
 */
public record Frame(MessageType type, int flags, long correlationId, long epoch, long seq, String mobile,
        byte[] payload) {
    /** Last chunk of a multi-frame transfer. */
    public static final int LAST = 1;
    /** Forwarded by a stub on behalf of the original sender. */
    public static final int FORWARDED = 2;
    /** A reply to the request with the same correlation id. */
    public static final int REPLY = 4;
    /**
     * Bits 8-15 of the flags: how many stubs have forwarded this frame. Nodes of an earlier release ignore
     * them (the decoder never checked flags) and keep them when they forward, so the wire format stays 1.
     */
    public static final int HOPS_MASK = 0xFF00;
    /** Position of the hop count in the flags. */
    public static final int HOPS_SHIFT = 8;
    /**
     * A stub does not forward a frame that has already been forwarded this many times: it is in a loop
     * (or chasing an agent that moves faster than it travels); the frame is dropped and counted.
     */
    public static final int MAX_HOPS = 32;
    private static final byte[] EMPTY = new byte[0];

    /** @throws IllegalArgumentException on a missing type or flags outside 16 bits */
    public Frame {
        if (type == null) {
            throw new IllegalArgumentException("frame type is missing");
        }
        if ((flags & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("flags out of range: " + flags);
        }
        mobile = mobile == null ? "" : mobile;
        payload = payload == null ? EMPTY : payload;
    }

    /** A frame with no flags, epoch or sequence. */
    public static Frame of(MessageType type, long correlationId, String mobile, byte[] payload) {
        return new Frame(type, 0, correlationId, 0, 0, mobile, payload);
    }

    /** Whether all bits of {@code flag} are set. */
    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** How many stubs have forwarded this frame (0-255; bits 8-15 of the flags). */
    public int hops() {
        return (flags & HOPS_MASK) >>> HOPS_SHIFT;
    }

    /**
     * This frame as a stub forwards it: one more hop, {@code extraFlags} set (e.g. {@link #FORWARDED}) and
     * {@code epoch} stamped.
     *
     * @throws IllegalStateException when the frame has already taken 255 hops
     */
    public Frame forwarded(int extraFlags, long epoch) {
        int h = hops();
        if (h >= 0xFF) {
            throw new IllegalStateException("hop count of " + this + " is at its maximum");
        }
        return new Frame(type, (flags & ~HOPS_MASK) | extraFlags | ((h + 1) << HOPS_SHIFT), correlationId, epoch, seq,
                mobile, payload);
    }

    /** Encoded size in bytes. */
    public int wireSize() {
        return FrameCodec.HEADER_SIZE + mobile.length() + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.type == type && f.flags == flags && f.correlationId == correlationId
                && f.epoch == epoch && f.seq == seq && f.mobile.equals(mobile) && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type.hashCode() * 31 + Long.hashCode(correlationId)) * 31 + mobile.hashCode()) * 31
                + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return type + "[corr=" + correlationId + ", epoch=" + epoch + ", seq=" + seq + ", mobile=" + mobile
                + ", flags=" + flags + ", payload=" + payload.length + "B]";
    }
}

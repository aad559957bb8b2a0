/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes {@link Frame}s. Stateless and thread-safe.
 *
 * <pre>
 * offset size field
 *  0     2    magic 0x524D ("RM")
 *  2     1    version (1)
 *  3     1    type code
 *  4     2    flags
 *  6     1    mobile id length (0-64)
 *  7     1    reserved, 0
 *  8     8    correlation / migration id
 * 16     8    epoch
 * 24     8    sequence number
 * 32     4    payload length
 * 36     n    mobile id (ASCII letters, digits, _ . -)
 * 36+n   m    payload
 * </pre>
 * All integers big-endian. Decoding checks magic, version, type, reserved byte, both lengths against
 * {@link FrameLimits} and the mobile id's characters before allocating the body.
 */
public final class FrameCodec {
    /** Fixed header size in bytes. */
    public static final int HEADER_SIZE = 36;
    /** The magic number, "RM". */
    public static final short MAGIC = 0x524D;
    /** The wire format version this codec writes and reads. */
    public static final int VERSION = 1;
    /** Longest mobile id. */
    public static final int MAX_MOBILE = 64;

    private FrameCodec() {
    }

    /** Encodes a frame into a new array. */
    public static byte[] encode(Frame frame) {
        ByteBuffer buf = ByteBuffer.allocate(frame.wireSize());
        encode(frame, buf);
        return buf.array();
    }

    /**
     * Writes a frame into {@code out} at its position.
     *
     * @throws IllegalArgumentException when the mobile id is not a valid id
     * @throws java.nio.BufferOverflowException when {@code out} has less than {@link Frame#wireSize()} left
     */
    public static void encode(Frame frame, ByteBuffer out) {
        String mobile = frame.mobile();
        if (mobile.length() > MAX_MOBILE || !validMobile(mobile)) {
            throw new IllegalArgumentException("invalid mobile id in frame: '" + mobile + "'");
        }
        out.putShort(MAGIC).put((byte) VERSION).put((byte) frame.type().code()).putShort((short) frame.flags())
                .put((byte) mobile.length()).put((byte) 0).putLong(frame.correlationId()).putLong(frame.epoch())
                .putLong(frame.seq()).putInt(frame.payload().length);
        out.put(mobile.getBytes(StandardCharsets.US_ASCII)).put(frame.payload());
    }

    /**
     * Validates a fixed header. Reads exactly {@link #HEADER_SIZE} bytes from {@code in}'s position.
     *
     * @throws FrameException when any field is invalid or a length exceeds its limit
     */
    public static FrameHeader decodeHeader(ByteBuffer in, FrameLimits limits) throws FrameException {
        if (in.remaining() < HEADER_SIZE) {
            throw new FrameException("truncated header: " + in.remaining() + " of " + HEADER_SIZE + " bytes");
        }
        short magic = in.getShort();
        if (magic != MAGIC) {
            throw new FrameException(String.format("bad magic 0x%04x", magic & 0xFFFF));
        }
        int version = in.get() & 0xFF;
        if (version != VERSION) {
            throw new FrameException("unsupported frame version " + version + " (this node speaks " + VERSION + ")");
        }
        int code = in.get() & 0xFF;
        MessageType type = MessageType.ofCode(code);
        if (type == null) {
            throw new FrameException("unknown message type " + code);
        }
        int flags = in.getShort() & 0xFFFF;
        int mobileLength = in.get() & 0xFF;
        if (mobileLength > MAX_MOBILE) {
            throw new FrameException("mobile id length " + mobileLength + " > " + MAX_MOBILE);
        }
        if (in.get() != 0) {
            throw new FrameException("reserved header byte is not 0");
        }
        long correlation = in.getLong();
        long epoch = in.getLong();
        long seq = in.getLong();
        int payloadLength = in.getInt();
        int limit = limits.limitFor(type);
        if (payloadLength < 0 || payloadLength > limit) {
            throw new FrameException("payload length " + payloadLength + " of " + type + " exceeds limit " + limit);
        }
        return new FrameHeader(type, flags, correlation, epoch, seq, mobileLength, payloadLength);
    }

    /**
     * Builds the frame from a validated header and its body ({@link FrameHeader#bodyLength()} bytes from
     * {@code body}'s position).
     *
     * @throws FrameException on a truncated body or an invalid mobile id
     */
    public static Frame decodeBody(FrameHeader header, ByteBuffer body) throws FrameException {
        if (header.mobileLength() < 0 || header.payloadLength() < 0
                || body.remaining() < (long) header.mobileLength() + header.payloadLength()) {
            throw new FrameException("truncated body: " + body.remaining() + " of " + header.bodyLength() + " bytes");
        }
        byte[] mobileBytes = new byte[header.mobileLength()];
        body.get(mobileBytes);
        String mobile = new String(mobileBytes, StandardCharsets.US_ASCII);
        if (!validMobile(mobile)) {
            throw new FrameException("invalid mobile id in frame");
        }
        byte[] payload = new byte[header.payloadLength()];
        body.get(payload);
        return new Frame(header.type(), header.flags(), header.correlationId(), header.epoch(), header.seq(), mobile,
                payload);
    }

    /**
     * Decodes exactly one frame occupying all of {@code bytes}.
     *
     * @throws FrameException on any invalid field, a length over the limit, truncation or trailing bytes
     */
    public static Frame decode(byte[] bytes, FrameLimits limits) throws FrameException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        FrameHeader header = decodeHeader(in, limits);
        if (in.remaining() != header.bodyLength()) {
            throw new FrameException((in.remaining() < header.bodyLength() ? "truncated" : "oversized")
                    + " frame: body " + in.remaining() + " bytes, header says " + header.bodyLength());
        }
        return decodeBody(header, in);
    }

    private static boolean validMobile(String s) {
        if (s.isEmpty()) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || (i > 0 && (c == '_' || c == '.' || c == '-'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.nio.ByteBuffer;

import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;

/**
 * Encodes and decodes the udp transport's datagrams. Stateless and thread-safe.
 *
 * <pre>
 * offset size field
 *  0     2    magic 0x5255 ("RU"; frames use "RM")
 *  2     1    version (1)
 *  3     1    flags: DATA 0x01, ACK 0x02, RST 0x04, FIRST 0x08, LAST 0x10; other bits 0
 *  4     8    source incarnation (random per endpoint, never 0)
 * 12     8    destination incarnation as the source knows it (0 = unknown)
 * 20     4    source session (≥ 1): the source's data stream to this destination
 * 24     4    ack session: the destination's session that ACK/RST refers to (0 without ACK/RST)
 * 28     8    sequence number of the segment (DATA: ≥ 1; else 0)
 * 36     8    cumulative ack (ACK; else 0)
 * 44     8    selective-ack bitmap: bit i = segment cumAck+2+i received (ACK; else 0)
 * 52     4    frame length: encoded size of the whole frame (DATA; else 0)
 * 56     2    segment length n (DATA: 1..1142; else 0)
 * 58     n    segment: bytes of the encoded frame
 * </pre>
 * All integers big-endian. A datagram is at most {@link #MAX_DATAGRAM} bytes (fits the IPv6 minimum MTU). The
 * decoder checks every field, and that the datagram is exactly header plus segment, before it allocates.
 */
final class DatagramCodec {
    static final short MAGIC = 0x5255;
    static final int VERSION = 1;
    static final int HEADER_SIZE = 58;
    /** Largest datagram, header included. */
    static final int MAX_DATAGRAM = 1200;
    /** Largest segment of a frame in one datagram. */
    static final int MAX_SEGMENT = MAX_DATAGRAM - HEADER_SIZE;

    static final int DATA = 0x01;
    static final int ACK = 0x02;
    static final int RST = 0x04;
    static final int FIRST = 0x08;
    static final int LAST = 0x10;
    private static final int KNOWN_FLAGS = DATA | ACK | RST | FIRST | LAST;

    /** Largest encoded frame any {@link FrameLimits} allows; frame lengths above it are refused outright. */
    static final int MAX_FRAME_LENGTH = FrameCodec.HEADER_SIZE + FrameCodec.MAX_MOBILE + FrameLimits.MAX_LIMIT;
    private static final byte[] EMPTY = new byte[0];

    private DatagramCodec() {
    }

    /** Writes {@code d} into {@code out} at its position. */
    static void encode(Datagram d, ByteBuffer out) {
        out.putShort(MAGIC).put((byte) VERSION).put((byte) d.flags()).putLong(d.srcIncarnation())
                .putLong(d.dstIncarnation()).putInt(d.srcSession()).putInt(d.ackSession()).putLong(d.seq())
                .putLong(d.cumAck()).putLong(d.sack()).putInt(d.frameLength()).putShort((short) d.payload().length)
                .put(d.payload());
    }

    static byte[] encode(Datagram d) {
        ByteBuffer buf = ByteBuffer.allocate(d.wireSize());
        encode(d, buf);
        return buf.array();
    }

    static Datagram decode(byte[] bytes) throws DatagramException {
        return decode(ByteBuffer.wrap(bytes));
    }

    /**
     * Decodes one datagram occupying all of {@code in}'s remaining bytes.
     *
     * @throws DatagramException on any invalid field, inconsistent flags, truncation or trailing bytes
     */
    static Datagram decode(ByteBuffer in) throws DatagramException {
        int size = in.remaining();
        if (size < HEADER_SIZE) {
            throw new DatagramException("truncated datagram: " + size + " bytes, header is " + HEADER_SIZE);
        }
        if (size > MAX_DATAGRAM) {
            throw new DatagramException("oversized datagram: " + size + " bytes > " + MAX_DATAGRAM);
        }
        short magic = in.getShort();
        if (magic != MAGIC) {
            throw new DatagramException(String.format("bad magic 0x%04x", magic & 0xFFFF));
        }
        int version = in.get() & 0xFF;
        if (version != VERSION) {
            throw new DatagramException(
                    "unsupported datagram version " + version + " (this node speaks " + VERSION + ")");
        }
        int flags = in.get() & 0xFF;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new DatagramException("unknown flags " + describeFlags(flags));
        }
        long srcInc = in.getLong();
        long dstInc = in.getLong();
        int srcSession = in.getInt();
        int ackSession = in.getInt();
        long seq = in.getLong();
        long cumAck = in.getLong();
        long sack = in.getLong();
        int frameLength = in.getInt();
        int length = in.getShort() & 0xFFFF;
        if (srcInc == 0) {
            throw new DatagramException("source incarnation is 0");
        }
        if (srcSession <= 0) {
            throw new DatagramException("invalid source session " + srcSession);
        }
        boolean data = (flags & DATA) != 0;
        boolean ack = (flags & ACK) != 0;
        boolean rst = (flags & RST) != 0;
        if (flags == 0) {
            throw new DatagramException("no flags: neither data, ack nor reset");
        }
        if (rst && (data || ack || (flags & (FIRST | LAST)) != 0)) {
            throw new DatagramException("reset combined with other flags " + describeFlags(flags));
        }
        if ((ack || rst) != (ackSession > 0)) {
            throw new DatagramException("ack session " + ackSession + " does not match flags " + describeFlags(flags));
        }
        if (!ack && (cumAck != 0 || sack != 0)) {
            throw new DatagramException("ack fields set without ACK");
        }
        if (ack && cumAck < 0) {
            throw new DatagramException("negative cumulative ack " + cumAck);
        }
        if (!data) {
            if ((flags & (FIRST | LAST)) != 0 || seq != 0 || frameLength != 0 || length != 0) {
                throw new DatagramException("segment fields set without DATA");
            }
        } else {
            if (seq <= 0) {
                throw new DatagramException("invalid sequence number " + seq);
            }
            if (frameLength < FrameCodec.HEADER_SIZE || frameLength > MAX_FRAME_LENGTH) {
                throw new DatagramException("invalid frame length " + frameLength);
            }
            if (length == 0 || length > MAX_SEGMENT || length > frameLength) {
                throw new DatagramException("invalid segment length " + length + " (frame " + frameLength + ")");
            }
            if ((flags & FIRST) != 0 && length != Math.min(frameLength, MAX_SEGMENT)) {
                throw new DatagramException("first segment of " + length + " bytes, frame of " + frameLength);
            }
        }
        if (in.remaining() != length) {
            throw new DatagramException((in.remaining() < length ? "truncated" : "oversized") + " datagram: segment "
                    + in.remaining() + " bytes, header says " + length);
        }
        byte[] payload = EMPTY;
        if (length > 0) {
            payload = new byte[length];
            in.get(payload);
        }
        return new Datagram(flags, srcInc, dstInc, srcSession, ackSession, seq, cumAck, sack, frameLength, payload);
    }

    static String describeFlags(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"DATA", "ACK", "RST", "FIRST", "LAST"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.length() == 0 ? "" : "|").append(names[i]);
            }
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
            sb.append(sb.length() == 0 ? "" : "|").append(String.format("0x%02x", flags & ~KNOWN_FLAGS));
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}

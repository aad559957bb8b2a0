/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

/**
 * One decoded datagram of the udp transport (see {@link DatagramCodec} for the wire layout). Immutable apart
 * from {@code payload}, which nobody modifies after decoding.
 *
 * @param flags             {@link DatagramCodec#DATA}, {@link DatagramCodec#ACK}, {@link DatagramCodec#RST},
 *                          {@link DatagramCodec#FIRST}, {@link DatagramCodec#LAST} bits
 * @param srcIncarnation    the sender endpoint's incarnation (never 0)
 * @param dstIncarnation    the receiver's incarnation as the sender knows it, 0 when unknown
 * @param srcSession        the sender's current session number of its data stream to the receiver (≥ 1)
 * @param ackSession        the receiver's session the ack (or reset) refers to; 0 without ACK/RST
 * @param seq               sequence number of the data segment (≥ 1), 0 without DATA
 * @param cumAck            every segment up to and including this one was received (ACK only)
 * @param sack              bit {@code i} set: segment {@code cumAck + 2 + i} was received too (ACK only)
 * @param frameLength       total encoded length of the frame this segment belongs to (DATA only)
 * @param payload           the segment's bytes of the frame (DATA only), otherwise empty
 */
record Datagram(int flags, long srcIncarnation, long dstIncarnation, int srcSession, int ackSession, long seq,
        long cumAck, long sack, int frameLength, byte[] payload) {

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Wire size of this datagram. */
    int wireSize() {
        return DatagramCodec.HEADER_SIZE + payload.length;
    }

    @Override
    public String toString() {
        return "Datagram[flags=" + DatagramCodec.describeFlags(flags) + ", src=" + Long.toHexString(srcIncarnation)
                + "/" + srcSession + ", dst=" + Long.toHexString(dstIncarnation) + ", seq=" + seq + ", ack="
                + ackSession + ":" + cumAck + "+" + Long.toHexString(sack) + ", frame=" + frameLength + ", payload="
                + payload.length + "B]";
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.roamer.transport.udp.internal.DatagramCodec.ACK;
import static org.roamer.transport.udp.internal.DatagramCodec.DATA;
import static org.roamer.transport.udp.internal.DatagramCodec.FIRST;
import static org.roamer.transport.udp.internal.DatagramCodec.LAST;
import static org.roamer.transport.udp.internal.DatagramCodec.RST;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;

class DatagramCodecTest {
    private static final byte[] NONE = new byte[0];

    static Datagram data(int flags, long seq, int frameLength, byte[] payload) {
        return new Datagram(DATA | flags, 0x1234, 0x5678, 3, 0, seq, 0, 0, frameLength, payload);
    }

    static Datagram ack() {
        return new Datagram(ACK, 0x1234, 0x5678, 3, 7, 0, 41, 0x8000_0000_0000_0005L, 0, NONE);
    }

    private static void roundTrips(Datagram d) throws Exception {
        byte[] bytes = DatagramCodec.encode(d);
        assertThat(bytes).hasSize(DatagramCodec.HEADER_SIZE + d.payload().length);
        Datagram back = DatagramCodec.decode(bytes);
        assertThat(back).usingRecursiveComparison().isEqualTo(d);
        assertThat(DatagramCodec.encode(back)).isEqualTo(bytes);
    }

    @Test
    void every_kind_of_datagram_round_trips() throws Exception {
        roundTrips(data(FIRST | LAST, 1, 40, new byte[40]));
        roundTrips(data(FIRST, 2, 5000, new byte[DatagramCodec.MAX_SEGMENT]));
        roundTrips(data(0, 3, 5000, new byte[DatagramCodec.MAX_SEGMENT]));
        roundTrips(data(LAST, 4, 5000, new byte[5000 - 4 * DatagramCodec.MAX_SEGMENT]));
        roundTrips(new Datagram(DATA | ACK | FIRST, -1L, 0, Integer.MAX_VALUE, 9, Long.MAX_VALUE, 77, -1L,
                DatagramCodec.MAX_FRAME_LENGTH, new byte[DatagramCodec.MAX_SEGMENT]));
        roundTrips(ack());
        roundTrips(new Datagram(RST, 1, 2, 1, 5, 0, 0, 0, 0, NONE));
        assertThat(DatagramCodec.MAX_SEGMENT + DatagramCodec.HEADER_SIZE).isEqualTo(DatagramCodec.MAX_DATAGRAM);
    }

    private static void refused(Datagram d, String message) {
        refused(DatagramCodec.encode(d), message);
    }

    private static void refused(byte[] bytes, String message) {
        assertThatThrownBy(() -> DatagramCodec.decode(bytes)).isExactlyInstanceOf(DatagramException.class)
                .hasMessageContaining(message);
    }

    private static byte[] patched(Datagram d, Consumer<ByteBuffer> patch) {
        ByteBuffer b = ByteBuffer.wrap(DatagramCodec.encode(d));
        patch.accept(b);
        return b.array();
    }

    @Test
    void every_invalid_field_is_refused() {
        Datagram ok = data(FIRST | LAST, 1, 40, new byte[40]);
        refused(Arrays.copyOf(DatagramCodec.encode(ok), DatagramCodec.HEADER_SIZE - 1), "truncated datagram");
        refused(new byte[0], "truncated datagram");
        refused(new byte[DatagramCodec.MAX_DATAGRAM + 1], "oversized datagram");
        refused(patched(ok, b -> b.putShort(0, FrameCodec.MAGIC)), "bad magic 0x524d"); // a frame is not a datagram
        refused(patched(ok, b -> b.put(2, (byte) 2)), "unsupported datagram version 2");
        refused(patched(ok, b -> b.put(3, (byte) (b.get(3) | 0x20))), "unknown flags");
        refused(new Datagram(DATA | FIRST | LAST, 0, 0, 1, 0, 1, 0, 0, 40, new byte[40]), "source incarnation is 0");
        refused(new Datagram(DATA | FIRST | LAST, 1, 0, 0, 0, 1, 0, 0, 40, new byte[40]), "invalid source session");
        refused(new Datagram(DATA | FIRST | LAST, 1, 0, -5, 0, 1, 0, 0, 40, new byte[40]), "invalid source session");
        refused(new Datagram(0, 1, 0, 1, 0, 0, 0, 0, 0, NONE), "no flags");
        refused(new Datagram(RST | DATA, 1, 0, 1, 1, 1, 0, 0, 40, new byte[40]), "reset combined");
        refused(new Datagram(RST | ACK, 1, 0, 1, 1, 0, 0, 0, 0, NONE), "reset combined");
        refused(new Datagram(ACK, 1, 0, 1, 0, 0, 5, 0, 0, NONE), "ack session 0");
        refused(new Datagram(RST, 1, 0, 1, 0, 0, 0, 0, 0, NONE), "ack session 0");
        refused(new Datagram(DATA | FIRST | LAST, 1, 0, 1, 4, 1, 0, 0, 40, new byte[40]), "ack session 4");
        refused(new Datagram(DATA | FIRST | LAST, 1, 0, 1, 0, 1, 3, 0, 40, new byte[40]), "ack fields set");
        refused(new Datagram(DATA | FIRST | LAST, 1, 0, 1, 0, 1, 0, 1, 40, new byte[40]), "ack fields set");
        refused(new Datagram(ACK, 1, 0, 1, 1, 0, -1, 0, 0, NONE), "negative cumulative ack");
        refused(new Datagram(ACK | FIRST, 1, 0, 1, 1, 0, 0, 0, 0, NONE), "segment fields set without DATA");
        refused(new Datagram(ACK, 1, 0, 1, 1, 7, 0, 0, 0, NONE), "segment fields set without DATA");
        refused(new Datagram(ACK, 1, 0, 1, 1, 0, 0, 0, 40, NONE), "segment fields set without DATA");
        refused(new Datagram(ACK, 1, 0, 1, 1, 0, 0, 0, 0, new byte[3]), "segment fields set without DATA");
        refused(data(FIRST | LAST, 0, 40, new byte[40]), "invalid sequence number 0");
        refused(data(FIRST | LAST, -2, 40, new byte[40]), "invalid sequence number");
        refused(data(FIRST | LAST, 1, 35, new byte[35]), "invalid frame length 35");
        refused(data(0, 1, DatagramCodec.MAX_FRAME_LENGTH + 1, new byte[10]), "invalid frame length");
        refused(data(0, 1, -1, new byte[10]), "invalid frame length");
        refused(data(LAST, 1, 40, NONE), "invalid segment length 0");
        refused(data(0, 1, 100, new byte[101]), "invalid segment length 101");
        refused(data(0, 1, 5000, new byte[DatagramCodec.MAX_SEGMENT + 1]), "oversized datagram");
        refused(data(FIRST, 1, 5000, new byte[1000]), "first segment of 1000 bytes");
        refused(data(FIRST | LAST, 1, 40, new byte[39]), "first segment of 39 bytes");
        // the header's length disagrees with the bytes that came
        refused(patched(data(0, 1, 100, new byte[40]), b -> b.putShort(56, (short) 41)),
                "truncated datagram: segment 40 bytes, header says 41");
        byte[] longer = Arrays.copyOf(DatagramCodec.encode(ok), DatagramCodec.HEADER_SIZE + 41);
        refused(longer, "oversized datagram: segment 41 bytes, header says 40");
        // a length field of 65535 never allocates: refused from the header alone
        refused(patched(data(0, 1, 70_000, new byte[10]), b -> b.putShort(56, (short) 0xFFFF)),
                "invalid segment length 65535");
    }

    @Test
    void the_largest_frame_of_any_limits_fits_the_frame_length_field() {
        assertThat(DatagramCodec.MAX_FRAME_LENGTH).isEqualTo(FrameCodec.HEADER_SIZE + FrameCodec.MAX_MOBILE
                + FrameLimits.MAX_LIMIT);
    }
}

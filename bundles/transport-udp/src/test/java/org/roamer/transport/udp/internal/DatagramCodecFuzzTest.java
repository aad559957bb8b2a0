/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The datagram decoder, and a session fed with whatever it decodes, on arbitrary bytes. A plain
 * {@code mvn test} replays the seeds in {@code DatagramCodecFuzzTestInputs/} (shared) and
 * {@code DatagramCodecFuzzTestInputs/<method>/}; {@code JAZZER_FUZZ=1 mvn test -Dtest=DatagramCodecFuzzTest}
 * fuzzes.
 */
class DatagramCodecFuzzTest {
    /** Small limits and window so that inputs can reach them. */
    private static final FrameLimits LIMITS = new FrameLimits(64, 2048);
    private static final UdpSettings SETTINGS = UdpSettings.DEFAULTS.withSendWindow(8);

    /** A datagram or a {@link DatagramException}, never anything else; a datagram re-encodes to its bytes. */
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        Datagram d;
        try {
            d = DatagramCodec.decode(input);
        } catch (DatagramException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(input.length).isLessThanOrEqualTo(DatagramCodec.MAX_DATAGRAM);
        assertThat(DatagramCodec.encode(d)).isEqualTo(input);
    }

    /**
     * A session receiving a sequence of datagrams (each prefixed by a 2-byte length) from one peer: nothing
     * escapes but frames, bad-frame reports and datagrams of at most 1,200 bytes; what it holds stays bounded.
     */
    @FuzzTest(maxDuration = "60s")
    void session(byte[] input) {
        List<Frame> frames = new ArrayList<>();
        UdpCounters counters = new UdpCounters();
        UdpPeer peer = new UdpPeer(0x5EED, SETTINGS, LIMITS, counters, new UdpPeer.Output() {
            @Override
            public void datagram(Datagram d) {
                assertThat(DatagramCodec.encode(d).length).isLessThanOrEqualTo(DatagramCodec.MAX_DATAGRAM);
            }

            @Override
            public void frame(Frame frame) {
                assertThat(frame.payload().length).isLessThanOrEqualTo(LIMITS.limitFor(frame.type()));
                frames.add(frame);
            }

            @Override
            public void badFrame(String reason) {
                assertThat(reason).isNotBlank();
            }

            @Override
            public void failed(String reason, int framesDropped) {
                assertThat(framesDropped).isNotNegative();
            }
        });
        long bound = SETTINGS.sendBufferBytes() + (long) SETTINGS.sendWindow() * DatagramCodec.MAX_SEGMENT + 36 + 64
                + LIMITS.maxDataPayload();
        long now = 0;
        for (int i = 0; i < 4; i++) { // something in flight, so that forged acks reach the send side too
            Frame f = new Frame(MessageType.TRANSFER_DATA, 0, i, 1, i, "", new byte[i == 3 ? 2000 : 10]);
            assertThat(peer.offer(FrameCodec.encode(f), now)).isTrue();
        }
        ByteBuffer in = ByteBuffer.wrap(input);
        while (in.remaining() >= 2) {
            int length = Math.min(in.getShort() & 0xFFFF, in.remaining());
            ByteBuffer one = in.slice(in.position(), length);
            in.position(in.position() + length);
            now += 1_000_000;
            try {
                peer.onDatagram(DatagramCodec.decode(one), now);
            } catch (DatagramException refused) {
                continue;
            }
            peer.flushAcks();
            peer.onTimer(now);
            assertThat(peer.bufferedBytes()).isLessThanOrEqualTo(bound);
        }
    }
}

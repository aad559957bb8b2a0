/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.transport.udp.internal.LossyNetwork.Rules;

/** The reliability engine on its own, driven through the in-Java lossy channel on a virtual clock. */
class UdpPeerTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private static Frame frame(long seq, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        new Random(seq).nextBytes(payload);
        return new Frame(MessageType.AGENT_MESSAGE, 0, seq, 1, seq, "m" + seq, payload);
    }

    private static List<Frame> sendAll(LossyNetwork.Node from, int count, int payloadBytes) {
        List<Frame> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Frame f = frame(i, payloadBytes);
            assertThat(from.send(f)).isTrue();
            sent.add(f);
        }
        return sent;
    }

    @Test
    void frames_arrive_in_order_exactly_once_on_a_perfect_channel_with_piggybacked_and_pure_acks() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 1);
        List<Frame> sent = sendAll(net.a, 100, 50);
        assertThat(net.runUntil(() -> net.b.received.size() == 100 && net.a.peer.idle(), 10 * S)).isTrue();
        assertThat(net.b.received).containsExactlyElementsOf(sent);
        assertThat(net.a.counters.retransmissions.sum()).isZero();
        assertThat(net.b.counters.acksOut.sum()).isPositive();
        assertThat(net.a.peer.srtt()).isPositive();
    }

    @Test
    void duplicated_datagrams_are_delivered_once() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT,
                new Rules(0, 1.0, 10_000, 2 * MS), 2);
        List<Frame> sent = sendAll(net.a, 200, 3000); // 3 segments each
        assertThat(net.runUntil(() -> net.b.received.size() == 200 && net.a.peer.idle(), 10 * S)).isTrue();
        net.runFor(50 * MS);
        assertThat(net.b.received).containsExactlyElementsOf(sent);
        assertThat(net.b.counters.duplicatesDropped.sum()).isGreaterThanOrEqualTo(600);
    }

    @Test
    void a_lost_segment_is_retransmitted_after_the_timeout() {
        UdpSettings noProbe = UdpSettings.DEFAULTS.withTailLossProbe(false, 1000);
        LossyNetwork net = new LossyNetwork(noProbe, FrameLimits.DEFAULT, Rules.PERFECT, 3);
        boolean[] dropped = {false};
        net.dropIf = d -> {
            if (d.has(DatagramCodec.DATA) && d.seq() == 1 && !dropped[0]) {
                dropped[0] = true;
                return true;
            }
            return false;
        };
        Frame f = frame(1, 10);
        net.a.send(f);
        long start = net.now;
        assertThat(net.runUntil(() -> net.b.received.size() == 1, 10 * S)).isTrue();
        assertThat(net.b.received).containsExactly(f);
        assertThat(net.a.counters.retransmissions.sum()).isEqualTo(1);
        // no RTT sample yet: the initial time-out applies (200 ms)
        assertThat(net.now - start).isBetween(200 * MS, 201 * MS);
    }

    @Test
    void selective_acks_spare_segments_that_already_arrived() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 4);
        net.a.send(frame(0, 10));
        assertThat(net.runUntil(() -> net.a.peer.idle() && net.b.received.size() == 1, S)).isTrue(); // RTT sample
        boolean[] dropped = {false};
        net.dropIf = d -> {
            if (d.has(DatagramCodec.DATA) && d.seq() == 2 && !dropped[0]) {
                dropped[0] = true;
                return true;
            }
            return false;
        };
        List<Frame> sent = new ArrayList<>(List.of(frame(0, 10)));
        for (int i = 1; i <= 10; i++) {
            Frame f = frame(i, 10);
            net.a.send(f);
            sent.add(f);
        }
        assertThat(net.runUntil(() -> net.b.received.size() == 11 && net.a.peer.idle(), 10 * S)).isTrue();
        assertThat(net.b.received).containsExactlyElementsOf(sent);
        // only the hole was resent (fast retransmit on three later SACKed segments), not the nine that arrived
        assertThat(net.a.counters.retransmissions.sum()).isEqualTo(1);
        assertThat(net.a.counters.fastRetransmissions.sum()).isEqualTo(1);
    }

    @Test
    void a_timeout_retransmits_only_segments_not_selectively_acked() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 5);
        // segments 1 and 2 of five are lost once: each is resent once, the three that arrived are not
        Set<Long> lost = ConcurrentHashMap.newKeySet();
        net.dropIf = d -> d.has(DatagramCodec.DATA) && d.seq() <= 2 && lost.add(d.seq());
        List<Frame> sent = sendAll(net.a, 5, 10);
        assertThat(net.runUntil(() -> net.b.received.size() == 5 && net.a.peer.idle(), 10 * S)).isTrue();
        assertThat(net.b.received).containsExactlyElementsOf(sent);
        assertThat(net.a.counters.retransmissions.sum()).isEqualTo(2);
    }

    @Test
    void a_one_mebibyte_frame_is_fragmented_and_reassembled_over_a_lossy_reordering_channel() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT,
                new Rules(0.1, 0.05, 100_000, 3 * MS), 6);
        byte[] page = new byte[FrameLimits.DEFAULT.maxDataPayload()];
        new Random(6).nextBytes(page);
        Frame big = new Frame(MessageType.TRANSFER_DATA, Frame.LAST, 9, 1, 0, "bob", page);
        assertThat(net.a.send(big)).isTrue();
        long bound = UdpSettings.DEFAULTS.sendBufferBytes() + bound(UdpSettings.DEFAULTS, FrameLimits.DEFAULT);
        assertThat(net.runUntil(() -> net.b.received.size() == 1, 60 * S,
                () -> assertThat(net.b.peer.bufferedBytes() + net.a.peer.bufferedBytes()).isLessThanOrEqualTo(bound)))
                .as(net::describe).isTrue();
        assertThat(net.b.received.get(0)).isEqualTo(big);
        assertThat(net.a.counters.segmentsOut.sum()).isEqualTo((big.wireSize() + DatagramCodec.MAX_SEGMENT - 1)
                / DatagramCodec.MAX_SEGMENT);
        assertThat(net.a.failures).isEmpty();
    }

    /** Receive-side bytes one peer may hold: a full window out of order plus one frame in reassembly. */
    static long bound(UdpSettings s, FrameLimits limits) {
        return (long) s.sendWindow() * DatagramCodec.MAX_SEGMENT + FrameCodec.HEADER_SIZE + FrameCodec.MAX_MOBILE
                + limits.maxDataPayload();
    }

    @Test
    void a_full_send_buffer_refuses_frames_instead_of_growing() {
        UdpSettings small = UdpSettings.DEFAULTS.withSendBufferBytes(64 * 1024).withSendWindow(8);
        LossyNetwork net = new LossyNetwork(small, FrameLimits.DEFAULT, new Rules(1.0, 0, MS, MS), 7); // black hole
        int accepted = 0;
        while (net.a.send(frame(accepted, 1000))) {
            accepted++;
            assertThat(accepted).isLessThan(1000);
        }
        assertThat(net.a.peer.sendHeldBytes()).isLessThanOrEqualTo(64 * 1024);
        assertThat(accepted).isGreaterThan(50);
        assertThat(net.a.counters.queueFull.sum()).isEqualTo(1);
        // only the window is on the wire
        assertThat(net.a.counters.segmentsOut.sum()).isEqualTo(8);
        // a frame to an idle peer always fits, even when it is larger than the buffer
        LossyNetwork idle = new LossyNetwork(small, FrameLimits.DEFAULT, Rules.PERFECT, 7);
        assertThat(idle.a.send(frame(0, 100_000))).isTrue();
    }

    @Test
    void a_restarted_peer_resets_the_session_and_gets_no_stale_data() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 8);
        net.a.send(frame(0, 10));
        net.b.send(frame(100, 10));
        assertThat(net.runUntil(() -> net.b.received.size() == 1 && net.a.received.size() == 1
                && net.a.peer.idle() && net.b.peer.idle(), S)).isTrue();
        // B's acks are lost and one segment of frame 1 never arrives: B holds frame 1 half reassembled and
        // frame 2 out of order when it restarts
        long oldB = net.b.incarnation;
        net.dropIf = d -> d.srcIncarnation() == oldB || (d.has(DatagramCodec.DATA) && d.seq() == 4);
        net.a.send(frame(1, 5000)); // five segments: 2..6
        net.a.send(frame(2, 5000)); // 7..11
        net.runFor(1 * MS);
        assertThat(net.b.peer.bufferedBytes()).isPositive();
        net.b.restart(0xB000_0000_0000_0777L);
        net.dropIf = d -> false;
        assertThat(net.runUntil(() -> !net.a.failures.isEmpty(), 10 * S)).isTrue();
        assertThat(net.a.failures.get(0)).contains("restarted");
        assertThat(net.a.counters.peerRestarts.sum()).isEqualTo(1);
        assertThat(net.b.received).hasSize(1); // nothing of the old session reached the new incarnation

        Frame after = frame(3, 10);
        net.a.send(after);
        assertThat(net.runUntil(() -> net.b.received.size() == 2, 10 * S)).isTrue();
        assertThat(net.b.received.get(1)).isEqualTo(after);

        // a datagram of B's earlier life replayed at A is stale and changes nothing
        byte[] oldFromB = DatagramCodec.encode(new Datagram(DatagramCodec.DATA | DatagramCodec.FIRST
                | DatagramCodec.LAST, 0xB000_0000_0000_0001L + 8, net.a.incarnation, 1, 0, 2, 0, 0,
                FrameCodec.encode(frame(101, 10)).length, FrameCodec.encode(frame(101, 10))));
        long stale = net.a.counters.staleDropped.sum();
        net.inject(net.a, oldFromB);
        net.runFor(10 * MS);
        assertThat(net.a.counters.staleDropped.sum()).isEqualTo(stale + 1);
        assertThat(net.a.received).hasSize(1);
    }

    @Test
    void a_dead_peer_fails_the_session_drops_and_counts_its_frames_and_a_later_send_starts_a_new_session() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 9);
        net.a.send(frame(0, 10));
        assertThat(net.runUntil(() -> net.a.peer.idle() && net.b.received.size() == 1, S)).isTrue();
        net.rules = new Rules(1.0, 0, MS, MS); // B is unreachable
        sendAll(net.a, 300, 100); // 256 in flight, 44 queued
        long start = net.now;
        assertThat(net.runUntil(() -> !net.a.failures.isEmpty(), 30 * S)).isTrue();
        assertThat(net.now - start).isLessThanOrEqualTo(5 * S);
        assertThat(net.a.framesDropped).isEqualTo(300);
        assertThat(net.a.counters.peersFailed.sum()).isEqualTo(1);
        assertThat(net.a.counters.framesDropped.sum()).isEqualTo(300);
        assertThat(net.a.peer.bufferedBytes()).isZero();
        assertThat(net.a.peer.sendSession()).isEqualTo(2);

        net.rules = Rules.PERFECT; // B is back
        Frame later = frame(500, 10);
        net.a.send(later);
        assertThat(net.runUntil(() -> net.b.received.size() == 2, 10 * S)).isTrue();
        assertThat(net.b.received.get(1)).isEqualTo(later);
    }

    @Test
    void a_datagram_far_beyond_the_window_is_dropped_and_counted() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 10);
        net.a.send(frame(0, 10));
        assertThat(net.runUntil(() -> net.a.peer.idle() && net.b.received.size() == 1, S)).isTrue();
        byte[] f = FrameCodec.encode(frame(1, 10));
        net.inject(net.b, DatagramCodec.encode(new Datagram(DatagramCodec.DATA | DatagramCodec.FIRST
                | DatagramCodec.LAST, net.a.incarnation, net.b.incarnation, 1, 0, 5000, 0, 0, f.length, f)));
        net.runFor(10 * MS);
        assertThat(net.b.counters.outOfWindowDropped.sum()).isEqualTo(1);
        assertThat(net.b.received).hasSize(1);
    }

    @Test
    void bad_frames_inside_valid_segments_are_reported_and_the_session_goes_on() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 11);
        long inc = net.a.incarnation;
        byte[] good = FrameCodec.encode(frame(0, 10));
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 'X';
        byte[] forged = FrameCodec.encode(frame(1, 2000)); // says 2000+ bytes, we send a 1142-byte first segment
        byte[] firstOfForged = java.util.Arrays.copyOf(forged, DatagramCodec.MAX_SEGMENT);
        ByteBuffer over = ByteBuffer.wrap(FrameCodec.encode(frame(2, 10)));
        over.putInt(32, FrameLimits.DEFAULT.maxControlPayload() + 1); // AGENT_MESSAGE is data: use a control type
        byte[] overLimit = over.array();
        overLimit[3] = (byte) MessageType.PAGE.code();
        int seq = 1;
        net.inject(net.b, data(inc, seq++, DatagramCodec.FIRST | DatagramCodec.LAST, wrongMagic.length, wrongMagic));
        // a first segment that claims a frame of 5000 bytes while the frame header says otherwise
        net.inject(net.b, data(inc, seq++, DatagramCodec.FIRST, 5000, firstOfForged));
        net.inject(net.b, data(inc, seq++, DatagramCodec.LAST, 5000, new byte[DatagramCodec.MAX_SEGMENT]));
        net.inject(net.b, data(inc, seq++, DatagramCodec.FIRST | DatagramCodec.LAST, overLimit.length, overLimit));
        // a middle segment without its first
        net.inject(net.b, data(inc, seq++, 0, 3000, new byte[1000]));
        net.inject(net.b, data(inc, seq++, DatagramCodec.FIRST | DatagramCodec.LAST, good.length, good));
        net.runFor(10 * MS);
        assertThat(net.b.badFrames).hasSize(4);
        assertThat(net.b.badFrames.get(0)).contains("bad magic");
        assertThat(net.b.badFrames.get(1)).contains("forged frame length");
        assertThat(net.b.badFrames.get(2)).contains("exceeds limit");
        assertThat(net.b.badFrames.get(3)).contains("first segment is missing");
        assertThat(net.b.received).containsExactly(frame(0, 10));
        assertThat(net.b.counters.badFrames.sum()).isEqualTo(4);
    }

    private static byte[] data(long srcInc, long seq, int flags, int frameLength, byte[] payload) {
        return DatagramCodec.encode(new Datagram(DatagramCodec.DATA | flags, srcInc, 0, 1, 0, seq, 0, 0, frameLength,
                payload));
    }

    @Test
    void rtt_is_estimated_and_the_timeout_stays_within_its_bounds() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT,
                new Rules(0, 0, 10 * MS, 10 * MS), 12);
        sendAll(net.a, 20, 10);
        assertThat(net.runUntil(() -> net.a.peer.idle() && net.b.received.size() == 20, 10 * S)).isTrue();
        assertThat(net.a.peer.srtt()).isBetween(19 * MS, 21 * MS); // 10 ms each way
        assertThat(net.a.peer.rto()).isBetween(20 * MS, 2000 * MS);
        net.rules = new Rules(1.0, 0, MS, MS);
        net.a.send(frame(99, 10));
        net.runFor(4 * S);
        assertThat(net.a.peer.rto()).isEqualTo(2000 * MS); // backed off to the maximum
    }

    // ==== tail loss probe (RFC 8985), early retransmit (RFC 5827) ======================================

    private static final long US = 1_000L;

    /** Drops the first datagram {@code which} matches, once. */
    private static java.util.function.Predicate<Datagram> once(java.util.function.Predicate<Datagram> which) {
        boolean[] dropped = {false};
        return d -> {
            if (!dropped[0] && which.test(d)) {
                dropped[0] = true;
                return true;
            }
            return false;
        };
    }

    /** A network on which both sides have an RTT sample (100 µs: 50 µs each way), so PTO = the 1 ms floor. */
    private static LossyNetwork warmedUp(UdpSettings settings, long seed) {
        LossyNetwork net = new LossyNetwork(settings, FrameLimits.DEFAULT, Rules.PERFECT, seed);
        net.a.send(frame(1000, 10));
        assertThat(net.runUntil(() -> net.a.peer.idle() && net.b.received.size() == 1, S)).isTrue();
        net.b.send(frame(2000, 10));
        assertThat(net.runUntil(() -> net.b.peer.idle() && net.a.received.size() == 1, S)).isTrue();
        assertThat(net.a.peer.srtt()).isEqualTo(100 * US);
        assertThat(net.b.peer.srtt()).isEqualTo(100 * US);
        return net;
    }

    private static UdpSettings withoutProbe() {
        return UdpSettings.DEFAULTS.withTailLossProbe(false, 1000);
    }

    /** Sends one frame from A with its segment {@code lostSeq} dropped once; returns the virtual time to recover. */
    private static long recoverLost(LossyNetwork net, int payloadBytes, int lostSegmentFromEnd) {
        int segments = (FrameCodec.encode(frame(1, payloadBytes)).length + DatagramCodec.MAX_SEGMENT - 1)
                / DatagramCodec.MAX_SEGMENT;
        long lost = net.a.counters.segmentsOut.sum() + segments - lostSegmentFromEnd; // one session: seq = count
        net.dropIf = once(d -> d.has(DatagramCodec.DATA) && d.srcIncarnation() == net.a.incarnation
                && d.seq() == lost);
        Frame f = frame(1, payloadBytes);
        int before = net.b.received.size();
        long start = net.now;
        net.a.send(f);
        assertThat(net.runUntil(() -> net.b.received.size() == before + 1 && net.a.peer.idle(), 10 * S)).isTrue();
        assertThat(net.b.received).endsWith(f);
        return net.now - start;
    }

    @Test
    void a_lost_last_segment_is_recovered_by_a_tail_loss_probe_after_the_pto_not_the_rto() {
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS, 20);
        assertThat(net.a.peer.pto()).isEqualTo(1 * MS); // max(2 x 100 µs, 1 ms floor)
        assertThat(net.a.peer.rto()).isEqualTo(5 * MS); // the minimum RTO
        // a one-segment frame: probe at 1 ms, arrives 50 µs later, its ack 50 µs after that
        assertThat(recoverLost(net, 10, 0)).isEqualTo(1 * MS + 100 * US);
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(1);
        assertThat(net.a.counters.retransmissions.sum()).isEqualTo(1);
        assertThat(net.b.received).hasSize(2); // once
        assertThat(net.a.peer.srtt()).isEqualTo(100 * US); // Karn: the probed segment gave no sample

        // the last of three segments: the probe resends the newest unacked one, which is the lost one
        LossyNetwork three = warmedUp(UdpSettings.DEFAULTS, 21);
        // (the ack of the first two, at 100 µs, restarts the probe timer: RFC 8985 7.2)
        assertThat(recoverLost(three, 3000, 0)).isEqualTo(100 * US + 1 * MS + 100 * US);
        assertThat(three.a.counters.tailLossProbes.sum()).isEqualTo(1);
        assertThat(three.a.counters.retransmissions.sum()).isEqualTo(1);

        // the same without the probe: the retransmission time-out (5 ms)
        LossyNetwork before = warmedUp(withoutProbe(), 22);
        assertThat(recoverLost(before, 10, 0)).isEqualTo(5 * MS + 100 * US);
        assertThat(before.a.counters.tailLossProbes.sum()).isZero();
    }

    @Test
    void after_one_probe_the_pto_stays_short_and_after_two_without_an_rtt_sample_it_doubles() {
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS, 31);
        assertThat(recoverLost(net, 10, 0)).isEqualTo(1 * MS + 100 * US);
        assertThat(net.a.peer.pto()).isEqualTo(1 * MS); // one probe (a real loss): the next one is not slower
        assertThat(recoverLost(net, 10, 0)).isEqualTo(1 * MS + 100 * US); // seq 3, again lost once
        assertThat(net.a.peer.pto()).isEqualTo(2 * MS); // two probes without a sample in between
        net.a.send(frame(9, 10)); // acked in time: a sample, back to the floor
        assertThat(net.runUntil(() -> net.a.peer.idle(), S)).isTrue();
        assertThat(net.a.peer.pto()).isEqualTo(1 * MS);
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(2);
    }

    @Test
    void a_lost_ack_is_recovered_by_a_tail_loss_probe_and_the_frame_is_delivered_once() {
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS, 23);
        net.dropIf = once(d -> d.srcIncarnation() == net.b.incarnation && d.has(DatagramCodec.ACK));
        Frame f = frame(1, 10);
        long start = net.now;
        net.a.send(f);
        assertThat(net.runUntil(() -> net.a.peer.idle(), 10 * S)).isTrue();
        // B got it at 50 µs, its ack was lost; A probes at 1 ms, B drops the duplicate and acks at once
        assertThat(net.now - start).isEqualTo(1 * MS + 100 * US);
        assertThat(net.b.received).hasSize(2).endsWith(f);
        assertThat(net.b.counters.duplicatesDropped.sum()).isEqualTo(1);
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(1);
    }

    @Test
    void a_request_whose_reply_is_lost_completes_after_the_pto_on_both_sides() {
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS, 24);
        // B's ack of the request and its reply are lost (on an endpoint the reply carries the ack: one datagram)
        int[] fromB = {0};
        net.dropIf = d -> d.srcIncarnation() == net.b.incarnation && fromB[0]++ < 2;
        long start = net.now;
        net.a.send(frame(1, 10));
        assertThat(net.runUntil(() -> net.b.received.size() == 2, S)).isTrue();
        net.b.send(frame(2, 10)); // the reply, sent as the request arrives
        assertThat(net.runUntil(() -> net.a.received.size() == 2 && net.a.peer.idle() && net.b.peer.idle(), 10 * S))
                .isTrue();
        // B probes its reply 1 ms after sending it (at 50 µs); A probed its request at 1 ms (B acked the duplicate)
        assertThat(net.now - start).isEqualTo(50 * US + 1 * MS + 100 * US);
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(1);
        assertThat(net.b.counters.tailLossProbes.sum()).isEqualTo(1);
        assertThat(net.a.received).hasSize(2);
        assertThat(net.b.received).hasSize(2);
    }

    @Test
    void no_probe_while_acks_arrive_in_time() {
        // request/response and bursts on a perfect channel (RTT 100 µs, PTO 1 ms)
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS, 25);
        for (int i = 0; i < 200; i++) {
            int n = net.b.received.size();
            net.a.send(frame(i, 10 + i * 37 % 4000));
            assertThat(net.runUntil(() -> net.b.received.size() == n + 1, S)).isTrue();
            net.b.send(frame(i, 10));
        }
        sendAll(net.a, 100, 3000);
        assertThat(net.runUntil(() -> net.a.peer.idle() && net.b.peer.idle() && net.b.received.size() == 301, 10 * S))
                .isTrue();
        // a slower path: 400 µs each way, so PTO = 2 x 800 µs = 1.6 ms
        LossyNetwork slow = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT,
                new Rules(0, 0, 400 * US, 400 * US), 26);
        for (int i = 0; i < 50; i++) {
            int n = slow.b.received.size();
            slow.a.send(frame(i, 10));
            assertThat(slow.runUntil(() -> slow.b.received.size() == n + 1 && slow.a.peer.idle(), S)).isTrue();
        }
        assertThat(slow.a.peer.pto()).isEqualTo(1600 * US);
        for (LossyNetwork n : List.of(net, slow)) {
            assertThat(n.a.counters.tailLossProbes.sum()).isZero();
            assertThat(n.b.counters.tailLossProbes.sum()).isZero();
            assertThat(n.a.counters.retransmissions.sum()).isZero();
            assertThat(n.b.counters.retransmissions.sum()).isZero();
        }
    }

    @Test
    void a_lost_probe_falls_back_to_the_rto_with_its_back_off() {
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS, 27);
        net.dropIf = d -> d.srcIncarnation() == net.a.incarnation && d.has(DatagramCodec.DATA) && d.seq() == 2
                && net.a.counters.retransmissions.sum() < 2; // the original and the probe
        long start = net.now;
        net.a.send(frame(1, 10));
        assertThat(net.runUntil(() -> net.a.peer.idle(), 10 * S)).isTrue();
        // probe at 1 ms (lost), the RTO restarted by the probe fires 5 ms later and resends
        assertThat(net.now - start).isEqualTo(1 * MS + 5 * MS + 100 * US);
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(1);
        assertThat(net.a.counters.retransmissions.sum()).isEqualTo(2);
        assertThat(net.a.peer.rto()).isEqualTo(10 * MS); // backed off once; no sample from a resent segment
    }

    @Test
    void with_two_probes_a_lost_probe_is_followed_by_a_second_one_after_twice_the_pto_before_the_rto() {
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS.withTlpMaxProbes(2), 32);
        net.dropIf = d -> d.srcIncarnation() == net.a.incarnation && d.has(DatagramCodec.DATA) && d.seq() == 2
                && net.a.counters.retransmissions.sum() < 2; // the original and the first probe
        long start = net.now;
        net.a.send(frame(1, 10));
        assertThat(net.runUntil(() -> net.a.peer.idle(), 10 * S)).isTrue();
        // probe at 1 ms (lost), the second 2 ms later, before the RTO restarted by the first (at 6 ms)
        assertThat(net.now - start).isEqualTo(1 * MS + 2 * MS + 100 * US);
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(2);
        assertThat(net.a.counters.retransmissions.sum()).isEqualTo(2);
        assertThat(net.a.peer.rto()).isEqualTo(5 * MS); // no time-out, no back-off

        // a peer that went silent: two probes, then the time-outs with their back-off as before
        LossyNetwork dead = warmedUp(UdpSettings.DEFAULTS.withTlpMaxProbes(2), 33);
        dead.rules = new Rules(1.0, 0, MS, MS);
        dead.a.send(frame(1, 10));
        assertThat(dead.runUntil(() -> !dead.a.failures.isEmpty(), 30 * S)).isTrue();
        assertThat(dead.a.counters.tailLossProbes.sum()).isEqualTo(2);
        assertThat(dead.a.counters.peersFailed.sum()).isEqualTo(1);
    }

    @Test
    void a_lost_first_of_two_segments_is_resent_on_the_first_sack_by_early_retransmit() {
        LossyNetwork net = warmedUp(UdpSettings.DEFAULTS, 28);
        net.dropIf = once(d -> d.srcIncarnation() == net.a.incarnation && d.has(DatagramCodec.DATA) && d.seq() == 2);
        long start = net.now;
        net.a.send(frame(1, 10));
        net.a.send(frame(2, 10));
        assertThat(net.runUntil(() -> net.b.received.size() == 3 && net.a.peer.idle(), 10 * S)).isTrue();
        // B's ack of segment 3 (SACK) reaches A at 100 µs; the hole goes out at once
        assertThat(net.now - start).isEqualTo(200 * US);
        assertThat(net.b.received).endsWith(frame(1, 10), frame(2, 10));
        assertThat(net.a.counters.fastRetransmissions.sum()).isEqualTo(1);
        assertThat(net.a.counters.tailLossProbes.sum()).isZero();
    }

    @Test
    void before_the_first_rtt_sample_the_probe_waits_a_quarter_of_the_initial_rto() {
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT, Rules.PERFECT, 29);
        net.dropIf = once(d -> d.has(DatagramCodec.DATA) && d.seq() == 1);
        assertThat(net.a.peer.pto()).isEqualTo(50 * MS);
        long start = net.now;
        net.a.send(frame(1, 10));
        assertThat(net.runUntil(() -> net.b.received.size() == 1 && net.a.peer.idle(), 10 * S)).isTrue();
        assertThat(net.now - start).isEqualTo(50 * MS + 100 * US);
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(1);
    }

    @Test
    void on_a_path_slower_than_the_pto_probes_back_off_until_the_rtt_is_measured() {
        // 60 ms each way: longer than the first PTO (50 ms). Each probe is spurious and (Karn) its ack gives no
        // sample; after the second the PTO doubles (100 ms), then reaches the RTO (200 ms): no probe, a sample,
        // PTO = 2 x SRTT
        LossyNetwork net = new LossyNetwork(UdpSettings.DEFAULTS, FrameLimits.DEFAULT,
                new Rules(0, 0, 60 * MS, 60 * MS), 30);
        for (int i = 0; i < 6; i++) {
            int n = net.b.received.size();
            net.a.send(frame(i, 10));
            assertThat(net.runUntil(() -> net.b.received.size() == n + 1 && net.a.peer.idle(), 10 * S)).isTrue();
        }
        assertThat(net.a.counters.tailLossProbes.sum()).isEqualTo(3); // at 50, 50, 100 ms
        assertThat(net.a.peer.srtt()).isEqualTo(120 * MS);
        assertThat(net.a.peer.pto()).isEqualTo(240 * MS);
        assertThat(net.b.received).hasSize(6);
    }

    @Test
    void tail_loss_probe_settings_are_validated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UdpSettings.DEFAULTS.withTailLossProbe(true, 0))
                .hasMessageContaining("tlpMinMicros");
        assertThat(UdpSettings.DEFAULTS.tailLossProbe()).isTrue();
        assertThat(UdpSettings.DEFAULTS.tlpMinMicros()).isEqualTo(1000);
    }
}

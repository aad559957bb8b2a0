/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameHeader;
import org.roamer.api.frame.FrameLimits;

/**
 * The reliable session with one peer, as a pure state machine: no socket, no clock, no threads. The endpoint
 * (or a test) feeds it frames to send ({@link #offer}), datagrams that arrived ({@link #onDatagram}) and the
 * time ({@link #onTimer}, {@link #flushAcks}); it answers through its {@link Output}: datagrams to put on the
 * wire, frames delivered in order, bad frames, and failures. Times are nanoseconds of any monotonic clock.
 *
 * <p>Not thread-safe: the owner serializes all calls (the endpoint holds a per-peer lock), and must not call
 * back into this peer from inside an {@link Output} method.
 *
 * <p>Two independent directions share the peer: the <em>send</em> stream (our session number, sequence
 * numbers, the window of unacknowledged segments, RFC 6298 time-outs) and the <em>receive</em> stream (the
 * peer's session, the cumulative ack, out-of-order segments, reassembly). Every datagram carries both our
 * data (if any) and our ack of the peer's data (piggybacked), plus both incarnations, so that either side
 * restarting, or failing a session, is noticed and the old state is discarded.
 */
final class UdpPeer {
    /** Where a peer's decisions go. Called synchronously from the peer's methods. */
    interface Output {
        /** Put this datagram on the wire to the peer. */
        void datagram(Datagram d);

        /** The next frame from the peer, in order, exactly once. */
        void frame(Frame frame);

        /** A reassembled frame from the peer was invalid and was dropped. */
        void badFrame(String reason);

        /**
         * The send session was failed or reset; {@code framesDropped} frames queued or in flight were dropped
         * (they may or may not have arrived). A later {@link #offer} starts a new session.
         */
        void failed(String reason, int framesDropped);
    }

    private static final byte[] EMPTY = new byte[0];
    private static final int FAST_RETRANSMIT_SACKS = 3;
    /** Early retransmit (RFC 5827) applies while fewer segments than this are in flight and none are queued. */
    private static final int EARLY_RETRANSMIT_BELOW = 4;
    /** Probe time-outs double at most this many times in a row without an RTT sample. */
    private static final int MAX_PROBE_SHIFT = 10;

    /** One segment in flight. */
    private static final class Segment {
        final long seq;
        final int flags;
        final int frameLength;
        final byte[] payload;
        long lastSent;
        int transmissions;
        boolean sacked;
        boolean fastRetransmitted;

        Segment(long seq, int flags, int frameLength, byte[] payload) {
            this.seq = seq;
            this.flags = flags;
            this.frameLength = frameLength;
            this.payload = payload;
        }
    }

    private final long localIncarnation;
    private final UdpSettings settings;
    private final FrameLimits limits;
    private final UdpCounters counters;
    private final Output out;
    private final int window;
    private final long minRto;
    private final long maxRto;
    private final long deadNanos;
    private final boolean tlp;
    private final long tlpMin;
    private final int tlpMaxProbes;
    private final long initialPto;

    // ---- the peer's identity
    private long peerIncarnation; // 0 = not heard from yet
    private final long[] retired = new long[4];
    private int retiredNext;
    private long lastHeard;

    // ---- send stream
    private int sendSession = 1;
    private long nextSeq = 1;
    private long sendBase = 1; // lowest unacknowledged sequence number
    private Segment[] inflight;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int headOffset; // bytes of queue.peek() already cut into segments
    private long heldBytes; // queued frames (whole) + unacknowledged segments of frames no longer queued
    private long srtt = -1;
    private long rttvar;
    private long rto;
    private int backoffs; // time-outs since the last progress
    private long lastProgress;
    private long timerAt = Long.MAX_VALUE; // the retransmission timer (RFC 6298 section 5), MAX when off
    private long probeAt = Long.MAX_VALUE; // the tail loss probe timer (RFC 8985 section 7), MAX when off
    private int probesSent; // probes since the cumulative ack last advanced; at tlpMaxProbes it is the RTO's turn
    private int probesUnsampled; // probes since the last RTT sample: from the second on, each doubles the PTO

    // ---- receive stream
    private int recvSession; // 0 = none yet
    private long cumAck;
    private Datagram[] outOfOrder;
    private int outOfOrderCount;
    private long outOfOrderBytes;
    private boolean ackPending;
    private byte[] reassembly;
    private int reassembled;
    private boolean skipping; // dropping the segments of a bad frame up to its LAST

    UdpPeer(long localIncarnation, UdpSettings settings, FrameLimits limits, UdpCounters counters, Output out) {
        if (localIncarnation == 0) {
            throw new IllegalArgumentException("incarnation 0 is reserved");
        }
        this.localIncarnation = localIncarnation;
        this.settings = settings;
        this.limits = limits;
        this.counters = counters;
        this.out = out;
        this.window = settings.sendWindow();
        this.minRto = settings.minRtoMs() * 1_000_000L;
        this.maxRto = settings.maxRtoMs() * 1_000_000L;
        this.deadNanos = settings.deadPeerTimeoutMs() * 1_000_000L;
        this.rto = settings.initialRtoMs() * 1_000_000L;
        this.tlp = settings.tailLossProbe();
        this.tlpMin = settings.tlpMinMicros() * 1_000L;
        this.tlpMaxProbes = settings.tlpMaxProbes();
        this.initialPto = Math.max(tlpMin, rto / 4);
    }

    // ==== sending ====================================================================================

    /**
     * Queues one encoded frame and sends as much as the window allows.
     *
     * @return false when the session already holds data and this frame would exceed
     *         {@link UdpSettings#sendBufferBytes()} (nothing changed then)
     */
    boolean offer(byte[] encodedFrame, long now) {
        if (heldBytes > 0 && heldBytes + encodedFrame.length > settings.sendBufferBytes()) {
            counters.queueFull.increment();
            return false;
        }
        if (inFlight() == 0 && queue.isEmpty()) {
            lastProgress = now; // the dead-peer clock runs while data is outstanding
            backoffs = 0;
        }
        queue.add(encodedFrame);
        heldBytes += encodedFrame.length;
        pump(now);
        return true;
    }

    /** Cuts queued frames into segments and sends them while the window has room. */
    private void pump(long now) {
        while (inFlight() < window && !queue.isEmpty()) {
            byte[] frame = queue.peek();
            int len = Math.min(DatagramCodec.MAX_SEGMENT, frame.length - headOffset);
            boolean first = headOffset == 0;
            boolean last = headOffset + len == frame.length;
            byte[] payload = java.util.Arrays.copyOfRange(frame, headOffset, headOffset + len);
            int flags = DatagramCodec.DATA | (first ? DatagramCodec.FIRST : 0) | (last ? DatagramCodec.LAST : 0);
            Segment seg = new Segment(nextSeq, flags, frame.length, payload);
            if (inflight == null) {
                inflight = new Segment[window];
            }
            inflight[slot(nextSeq)] = seg;
            nextSeq++;
            if (last) {
                queue.poll();
                headOffset = 0;
                counters.framesOut.increment();
            } else {
                headOffset += len;
            }
            counters.segmentsOut.increment();
            transmit(seg, now);
            armProbe(now); // (RFC 8985 7.2) after new data
        }
    }

    private void transmit(Segment seg, long now) {
        seg.lastSent = now;
        seg.transmissions++;
        if (timerAt == Long.MAX_VALUE) {
            timerAt = now + rto; // (5.1) start the timer when it is not running
        }
        out.datagram(datagram(seg.flags, seg.seq, seg.frameLength, seg.payload));
    }

    /** A datagram to the peer carrying our ack of its stream whenever we have one. */
    private Datagram datagram(int flags, long seq, int frameLength, byte[] payload) {
        int ackSession = 0;
        long ack = 0;
        long sack = 0;
        if (recvSession > 0) {
            flags |= DatagramCodec.ACK;
            ackSession = recvSession;
            ack = cumAck;
            sack = sackBits();
            ackPending = false;
        }
        return new Datagram(flags, localIncarnation, peerIncarnation, sendSession, ackSession, seq, ack, sack,
                frameLength, payload);
    }

    private long sackBits() {
        if (outOfOrderCount == 0) {
            return 0;
        }
        long bits = 0;
        for (int i = 0; i < 64 && i + 1 < window; i++) {
            long seq = cumAck + 2 + i;
            Datagram d = outOfOrder[slot(seq)];
            if (d != null && d.seq() == seq) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    private void onAck(Datagram d, long now) {
        if (d.ackSession() != sendSession) {
            return; // about a session of ours that is gone
        }
        long ack = d.cumAck();
        if (ack >= nextSeq) {
            counters.outOfWindowDropped.increment(); // acknowledges what was never sent
            return;
        }
        boolean progress = false;
        boolean advanced = ack >= sendBase;
        long rttSample = -1;
        while (sendBase <= ack) {
            Segment seg = inflight[slot(sendBase)];
            inflight[slot(sendBase)] = null;
            if (!seg.sacked && seg.transmissions == 1) { // Karn: no samples from retransmitted segments
                rttSample = now - seg.lastSent;
            }
            heldBytes -= seg.payload.length;
            sendBase++;
            progress = true;
        }
        long sack = d.sack();
        long highestSacked = -1;
        for (int i = 0; sack != 0 && i < 64; i++) {
            if ((sack & (1L << i)) == 0) {
                continue;
            }
            long seq = ack + 2 + i;
            if (seq >= nextSeq) {
                break;
            }
            highestSacked = seq;
            Segment seg = seq >= sendBase ? inflight[slot(seq)] : null;
            if (seg != null && !seg.sacked) {
                seg.sacked = true;
                progress = true;
                if (seg.transmissions == 1) {
                    rttSample = now - seg.lastSent;
                }
            }
        }
        if (rttSample >= 0) {
            sampleRtt(rttSample);
        }
        if (progress) {
            lastProgress = now;
            backoffs = 0;
        }
        if (advanced) {
            timerAt = inFlight() == 0 ? Long.MAX_VALUE : now + rto; // (5.2, 5.3)
            probesSent = 0;
            probeAt = Long.MAX_VALUE;
            armProbe(now); // (RFC 8985 7.2) an ack that advances: probe again if the new tail goes silent
        }
        if (highestSacked > 0) {
            fastRetransmit(highestSacked, now);
        }
        pump(now);
    }

    /**
     * The probe time-out: {@code max(2 * SRTT, tlpMin)}, or {@code max(initialRto / 4, tlpMin)} before the first
     * RTT sample; doubled for each further probe after the first one since the last RTT sample. A probe resends
     * a segment, so by Karn's rule its ack yields no sample: without the doubling, a path whose RTT exceeds the
     * PTO would be probed spuriously on every exchange and never measured. One probe is not enough to double:
     * after a real loss the next exchange (which is not measured yet) keeps the short PTO.
     */
    long pto() {
        long base = srtt < 0 ? initialPto : Math.max(tlpMin, 2 * srtt);
        int shift = Math.min(MAX_PROBE_SHIFT, Math.max(0, probesUnsampled - 1));
        return Math.min(maxRto, base << shift);
    }

    /**
     * (Re)starts the probe timer while data is in flight, unless {@code tlpMaxProbes} probes (1: RFC 8985) already
     * went out since the cumulative ack last advanced or the session is backing off after a time-out (RFC 8985
     * 7.2); no probe when the retransmission timer would fire first (7.3: the RTO's turn). A further probe waits
     * twice as long as the previous one.
     */
    private void armProbe(long now) {
        if (!tlp || probesSent >= tlpMaxProbes || backoffs > 0 || inFlight() == 0) {
            probeAt = Long.MAX_VALUE;
            return;
        }
        long at = now + Math.min(maxRto, pto() << probesSent);
        probeAt = at - timerAt < 0 ? at : Long.MAX_VALUE;
    }

    /**
     * (RFC 8985 7.3) The probe timer expired: resend the newest segment the peer has not selectively acked,
     * once. Its ack (with the SACK bitmap) shows what is missing, and fast/early retransmit or the cumulative
     * ack take it from there; if nothing comes back, the retransmission timer (restarted here) resends the rest.
     */
    private void sendProbe(long now) {
        probeAt = Long.MAX_VALUE;
        probesSent++;
        probesUnsampled = Math.min(MAX_PROBE_SHIFT + 1, probesUnsampled + 1);
        Segment probe = inflight[slot(sendBase)];
        for (long seq = nextSeq - 1; seq >= sendBase; seq--) {
            Segment seg = inflight[slot(seq)];
            if (!seg.sacked) {
                probe = seg;
                break;
            }
        }
        counters.tailLossProbes.increment();
        counters.retransmissions.increment();
        transmit(probe, now);
        timerAt = now + rto;
        armProbe(now); // another one (tlpMaxProbes > 1) if the RTO is not due first
    }

    /**
     * Resends, once each, the holes below which at least three later segments were selectively acked; with
     * fewer than four segments in flight and nothing queued (the peer cannot send three SACKs then), at least
     * {@code inFlight - 1} (early retransmit, RFC 5827 section 3.2, SACK variant).
     */
    private void fastRetransmit(long highestSacked, long now) {
        int threshold = FAST_RETRANSMIT_SACKS;
        if (inFlight() < EARLY_RETRANSMIT_BELOW && queue.isEmpty()) {
            threshold = Math.max(1, inFlight() - 1);
        }
        int sackedAbove = 0;
        for (long seq = highestSacked; seq >= sendBase; seq--) {
            Segment seg = inflight[slot(seq)];
            if (seg.sacked) {
                sackedAbove++;
            } else if (sackedAbove >= threshold && !seg.fastRetransmitted) {
                seg.fastRetransmitted = true;
                counters.fastRetransmissions.increment();
                counters.retransmissions.increment();
                transmit(seg, now);
            }
        }
    }

    /** RFC 6298 section 2 (clock granularity folded into the minimum). */
    private void sampleRtt(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = Math.max(minRto, Math.min(maxRto, srtt + 4 * rttvar));
        probesUnsampled = 0;
    }

    /** Earliest time {@link #onTimer} has something to do, or {@link Long#MAX_VALUE}. */
    long nextDeadline() {
        if (inFlight() == 0) {
            return Long.MAX_VALUE;
        }
        return Math.min(Math.min(timerAt, probeAt), lastProgress + deadNanos);
    }

    /** Retransmits what timed out (with exponential back-off) and fails the session of a dead peer. */
    void onTimer(long now) {
        long deadline = nextDeadline();
        if (deadline == Long.MAX_VALUE || now - deadline < 0) {
            return;
        }
        boolean dead = now - lastProgress >= deadNanos;
        if (!dead && now - timerAt < 0) {
            if (probeAt != Long.MAX_VALUE && now - probeAt >= 0) {
                sendProbe(now);
            }
            return;
        }
        if (dead || backoffs >= settings.maxRetransmits()) {
            counters.peersFailed.increment();
            failSendSession("peer is not responding: no acknowledgement for " + (now - lastProgress) / 1_000_000
                    + " ms, " + backoffs + " time-outs", true, now);
            return;
        }
        // (5.4-5.6) the timer expired: back off, resend what the peer has not selectively acked, restart
        backoffs++;
        rto = Math.min(maxRto, rto * 2);
        for (long seq = sendBase; seq < nextSeq; seq++) {
            Segment seg = inflight[slot(seq)];
            if (!seg.sacked && now - seg.lastSent >= minRto) { // not one fast-retransmitted a moment ago
                counters.retransmissions.increment();
                transmit(seg, now);
            }
        }
        timerAt = now + rto;
        probeAt = Long.MAX_VALUE; // backing off: no probes until the peer acknowledges something
    }

    /**
     * Drops the send session's segments in flight and starts a new session; with {@code dropQueue} also
     * every queued frame, otherwise frames not yet started go out in the new session.
     */
    private void failSendSession(String reason, boolean dropQueue, long now) {
        int partial = headOffset > 0 ? 1 : 0;
        int dropped = partial;
        for (long seq = sendBase; seq < nextSeq; seq++) {
            Segment seg = inflight[slot(seq)];
            if ((seg.flags & DatagramCodec.LAST) != 0) {
                dropped++;
            }
            inflight[slot(seq)] = null;
        }
        if (partial == 1) {
            queue.poll();
        }
        if (dropQueue) {
            dropped += queue.size();
            queue.clear();
        }
        headOffset = 0;
        heldBytes = 0;
        for (byte[] f : queue) {
            heldBytes += f.length;
        }
        sendSession = sendSession == Integer.MAX_VALUE ? 1 : sendSession + 1;
        nextSeq = 1;
        sendBase = 1;
        srtt = -1;
        rttvar = 0;
        rto = settings.initialRtoMs() * 1_000_000L;
        backoffs = 0;
        timerAt = Long.MAX_VALUE;
        probeAt = Long.MAX_VALUE;
        probesSent = 0;
        probesUnsampled = 0;
        lastProgress = now;
        counters.framesDropped.add(dropped);
        out.failed(reason, dropped);
        pump(now);
    }

    // ==== receiving ==================================================================================

    /** Handles one decoded datagram from this peer. */
    void onDatagram(Datagram d, long now) {
        lastHeard = now;
        if (isRetired(d.srcIncarnation())) {
            counters.staleDropped.increment(); // from an earlier life of the peer
            return;
        }
        if (peerIncarnation == 0) {
            peerIncarnation = d.srcIncarnation();
        } else if (d.srcIncarnation() != peerIncarnation) {
            peerRestarted(d.srcIncarnation(), now);
        }
        if (d.dstIncarnation() != 0 && d.dstIncarnation() != localIncarnation) {
            counters.staleDropped.increment(); // meant for an earlier life of ours: tell the peer to start over
            if (!d.has(DatagramCodec.RST)) {
                reset(d);
            }
            return;
        }
        if (d.has(DatagramCodec.RST)) {
            counters.resetsIn.increment();
            if (d.ackSession() == sendSession && (nextSeq > 1 || !queue.isEmpty())) {
                failSendSession("peer reset the session (it lost its state)", false, now);
            }
            return;
        }
        if (d.srcSession() != recvSession) {
            if (d.srcSession() < recvSession && !wrapped(d.srcSession())) {
                counters.staleDropped.increment(); // from a session of the peer that it has given up
                return;
            }
            resetReceive();
            recvSession = d.srcSession();
        }
        if (d.has(DatagramCodec.ACK)) {
            onAck(d, now);
        }
        if (d.has(DatagramCodec.DATA)) {
            onData(d);
        }
    }

    private boolean wrapped(int session) {
        return recvSession > Integer.MAX_VALUE - 1000 && session < 1000;
    }

    private void peerRestarted(long incarnation, long now) {
        counters.peerRestarts.increment();
        retired[retiredNext] = peerIncarnation;
        retiredNext = (retiredNext + 1) % retired.length;
        peerIncarnation = incarnation;
        resetReceive();
        recvSession = 0;
        if (nextSeq > 1) {
            failSendSession("peer restarted (new incarnation " + Long.toHexString(incarnation) + ")", false, now);
        }
    }

    private boolean isRetired(long incarnation) {
        for (long r : retired) {
            if (r != 0 && r == incarnation) {
                return true;
            }
        }
        return false;
    }

    private void reset(Datagram about) {
        counters.resetsOut.increment();
        out.datagram(new Datagram(DatagramCodec.RST, localIncarnation, about.srcIncarnation(), sendSession,
                about.srcSession(), 0, 0, 0, 0, EMPTY));
    }

    private void resetReceive() {
        if (outOfOrder != null) {
            java.util.Arrays.fill(outOfOrder, null);
        }
        outOfOrderCount = 0;
        outOfOrderBytes = 0;
        cumAck = 0;
        reassembly = null;
        reassembled = 0;
        skipping = false;
        ackPending = false;
    }

    private void onData(Datagram d) {
        counters.segmentsIn.increment();
        long seq = d.seq();
        if (seq <= cumAck) {
            counters.duplicatesDropped.increment();
            ackPending = true; // our ack may have been lost: repeat it
            return;
        }
        if (seq > cumAck + window) {
            if (cumAck == 0 && outOfOrderCount == 0) {
                reset(d); // the peer is mid-session and we have no state for it (evicted): it must start over
            } else {
                counters.outOfWindowDropped.increment();
            }
            return;
        }
        if (outOfOrder == null) {
            outOfOrder = new Datagram[window];
        }
        int slot = slot(seq);
        if (outOfOrder[slot] != null) {
            counters.duplicatesDropped.increment();
            ackPending = true;
            return;
        }
        ackPending = true;
        if (seq != cumAck + 1) {
            outOfOrder[slot] = d;
            outOfOrderCount++;
            outOfOrderBytes += d.payload().length;
            return;
        }
        cumAck = seq;
        consume(d);
        while (outOfOrderCount > 0) {
            int next = slot(cumAck + 1);
            Datagram waiting = outOfOrder[next];
            if (waiting == null) {
                break;
            }
            outOfOrder[next] = null;
            outOfOrderCount--;
            outOfOrderBytes -= waiting.payload().length;
            cumAck++;
            consume(waiting);
        }
    }

    /** Reassembles in-order segments into frames; checks every length before allocating. */
    private void consume(Datagram d) {
        boolean last = d.has(DatagramCodec.LAST);
        if (d.has(DatagramCodec.FIRST)) {
            if (reassembly != null) {
                bad("frame cut short: a new frame began after " + reassembled + " of " + reassembly.length + " bytes");
                reassembly = null;
            }
            skipping = false;
            FrameHeader header;
            try {
                header = FrameCodec.decodeHeader(ByteBuffer.wrap(d.payload()), limits);
            } catch (FrameException e) {
                bad(e.getMessage());
                skipping = !last;
                return;
            }
            if (FrameCodec.HEADER_SIZE + header.bodyLength() != d.frameLength()) {
                bad("forged frame length: datagram says " + d.frameLength() + " bytes, frame header says "
                        + (FrameCodec.HEADER_SIZE + header.bodyLength()));
                skipping = !last;
                return;
            }
            if (last) {
                deliver(d.payload());
                return;
            }
            reassembly = new byte[d.frameLength()];
            System.arraycopy(d.payload(), 0, reassembly, 0, d.payload().length);
            reassembled = d.payload().length;
            return;
        }
        if (reassembly == null) {
            if (!skipping) {
                bad("segment of a frame whose first segment is missing");
            }
            skipping = !last;
            return;
        }
        int len = d.payload().length;
        if (d.frameLength() != reassembly.length || reassembled + len > reassembly.length) {
            bad("segment does not fit its frame: " + (reassembled + len) + " bytes of a " + reassembly.length
                    + "-byte frame (segment says " + d.frameLength() + ")");
            reassembly = null;
            skipping = !last;
            return;
        }
        System.arraycopy(d.payload(), 0, reassembly, reassembled, len);
        reassembled += len;
        if (reassembled == reassembly.length) {
            byte[] bytes = reassembly;
            reassembly = null;
            if (last) {
                deliver(bytes);
            } else {
                bad("frame complete but its last segment is not marked LAST");
                skipping = true;
            }
        } else if (last) {
            bad("frame cut short: LAST after " + reassembled + " of " + reassembly.length + " bytes");
            reassembly = null;
        }
    }

    private void deliver(byte[] bytes) {
        Frame frame;
        try {
            frame = FrameCodec.decode(bytes, limits);
        } catch (FrameException e) {
            bad(e.getMessage());
            return;
        }
        counters.framesIn.increment();
        out.frame(frame);
    }

    private void bad(String reason) {
        counters.badFrames.increment();
        out.badFrame(reason);
    }

    /** Sends a pure ack if data arrived since our last ack went out (none was piggybacked). */
    void flushAcks() {
        if (ackPending && recvSession > 0) {
            counters.acksOut.increment();
            out.datagram(datagram(0, 0, 0, EMPTY));
        }
    }

    // ==== state ======================================================================================

    private int slot(long seq) {
        return (int) Math.floorMod(seq, (long) window);
    }

    private int inFlight() {
        return (int) (nextSeq - sendBase);
    }

    /** Bytes this peer holds: frames to send and unacked segments, out-of-order segments, a partial frame. */
    long bufferedBytes() {
        return heldBytes + outOfOrderBytes + (reassembly == null ? 0 : reassembly.length);
    }

    /** Bytes held for sending (queued frames and unacknowledged segments). */
    long sendHeldBytes() {
        return heldBytes;
    }

    /** True when nothing is queued, in flight, or half received: the peer may be forgotten. */
    boolean idle() {
        return heldBytes == 0 && inFlight() == 0 && queue.isEmpty() && outOfOrderCount == 0 && reassembly == null
                && !ackPending;
    }

    long lastHeard() {
        return lastHeard;
    }

    /** Smoothed round-trip time in nanoseconds, or -1 before the first sample. */
    long srtt() {
        return srtt;
    }

    /** Current retransmission time-out in nanoseconds. */
    long rto() {
        return rto;
    }

    int sendSession() {
        return sendSession;
    }

    long peerIncarnation() {
        return peerIncarnation;
    }
}

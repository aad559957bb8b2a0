/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

/**
 * The validated settings of the udp transport; an endpoint keeps the settings it was bound with.
 *
 * @param sendWindow          segments in flight (sent, not yet acknowledged) to one peer; also the receive window
 * @param sendBufferBytes     bytes one peer's session may hold (queued frames plus unacknowledged segments);
 *                            beyond it {@code send} fails with "queue full" (a frame to an idle peer always fits)
 * @param minRtoMs            lower bound of the retransmission time-out
 * @param maxRtoMs            upper bound of the retransmission time-out (also of its exponential back-off)
 * @param initialRtoMs        time-out before the first round-trip sample of a session
 * @param maxRetransmits      a segment sent this many extra times without the peer acknowledging anything fails the peer
 * @param deadPeerTimeoutMs   a peer that acknowledges nothing for this long while data is outstanding is failed
 * @param maxPeers            peers (sessions) one endpoint keeps at once
 * @param socketBufferBytes   SO_RCVBUF and SO_SNDBUF of the socket; 0 = the operating system's default
 * @param tailLossProbe       send a tail loss probe (RFC 8985): when nothing was acknowledged for a probe
 *                            time-out (PTO) while data is in flight, resend the newest unacknowledged segment once
 *                            so the peer's selective ack reveals a lost tail before the retransmission time-out
 * @param tlpMinMicros        lower bound of the probe time-out, {@code PTO = max(2 * SRTT, tlpMinMicros)}
 * @param tlpMaxProbes        probes per silence before the retransmission time-out takes over: 1 as in RFC 8985;
 *                            each further one waits twice as long as the one before (as QUIC's PTO, RFC 9002)
 */
record UdpSettings(int sendWindow, long sendBufferBytes, int minRtoMs, int maxRtoMs, int initialRtoMs,
        int maxRetransmits, int deadPeerTimeoutMs, int maxPeers, int socketBufferBytes, boolean tailLossProbe,
        int tlpMinMicros, int tlpMaxProbes) {

    /** The defaults, identical to those of {@link UdpTransport.Config}. */
    static final UdpSettings DEFAULTS = new UdpSettings(256, 16L * 1024 * 1024, 5, 2000, 200, 12, 5000, 1024,
            4 * 1024 * 1024, true, 1000, 1);

    /** @throws IllegalArgumentException when a value is out of range, naming the attribute */
    UdpSettings {
        range("sendWindow", sendWindow, 1, 4096);
        range("sendBufferBytes", sendBufferBytes, 1, Long.MAX_VALUE);
        range("minRtoMs", minRtoMs, 1, 60_000);
        range("maxRtoMs", maxRtoMs, minRtoMs, 60_000);
        range("initialRtoMs", initialRtoMs, minRtoMs, maxRtoMs);
        range("maxRetransmits", maxRetransmits, 1, 1000);
        range("deadPeerTimeoutMs", deadPeerTimeoutMs, 1, 3_600_000);
        range("maxPeers", maxPeers, 1, 1_000_000);
        range("socketBufferBytes", socketBufferBytes, 0, Integer.MAX_VALUE);
        range("tlpMinMicros", tlpMinMicros, 1, maxRtoMs * 1000L);
        range("tlpMaxProbes", tlpMaxProbes, 1, 4);
    }

    static UdpSettings from(UdpTransport.Config c) {
        return new UdpSettings(c.sendWindow(), c.sendBufferBytes(), c.minRtoMs(), c.maxRtoMs(), c.initialRtoMs(),
                c.maxRetransmits(), c.deadPeerTimeoutMs(), c.maxPeers(), c.socketBufferBytes(), c.tailLossProbe(),
                c.tlpMinMicros(), c.tlpMaxProbes());
    }

    UdpSettings withSendWindow(int v) {
        return new UdpSettings(v, sendBufferBytes, minRtoMs, maxRtoMs, initialRtoMs, maxRetransmits, deadPeerTimeoutMs,
                maxPeers, socketBufferBytes, tailLossProbe, tlpMinMicros,
                tlpMaxProbes);
    }

    UdpSettings withSendBufferBytes(long v) {
        return new UdpSettings(sendWindow, v, minRtoMs, maxRtoMs, initialRtoMs, maxRetransmits, deadPeerTimeoutMs,
                maxPeers, socketBufferBytes, tailLossProbe, tlpMinMicros,
                tlpMaxProbes);
    }

    UdpSettings withDeadPeer(int retransmits, int timeoutMs) {
        return new UdpSettings(sendWindow, sendBufferBytes, minRtoMs, maxRtoMs, initialRtoMs, retransmits, timeoutMs,
                maxPeers, socketBufferBytes, tailLossProbe, tlpMinMicros,
                tlpMaxProbes);
    }

    UdpSettings withMaxPeers(int v) {
        return new UdpSettings(sendWindow, sendBufferBytes, minRtoMs, maxRtoMs, initialRtoMs, maxRetransmits,
                deadPeerTimeoutMs, v, socketBufferBytes, tailLossProbe, tlpMinMicros,
                tlpMaxProbes);
    }

    UdpSettings withTailLossProbe(boolean on, int minMicros) {
        return new UdpSettings(sendWindow, sendBufferBytes, minRtoMs, maxRtoMs, initialRtoMs, maxRetransmits,
                deadPeerTimeoutMs, maxPeers, socketBufferBytes, on, minMicros, tlpMaxProbes);
    }

    UdpSettings withTlpMaxProbes(int v) {
        return new UdpSettings(sendWindow, sendBufferBytes, minRtoMs, maxRtoMs, initialRtoMs, maxRetransmits,
                deadPeerTimeoutMs, maxPeers, socketBufferBytes, tailLossProbe, tlpMinMicros, v);
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(UdpTransport.PID + " " + name + " must be in [" + min + ", " + max
                    + "], is " + value);
        }
    }
}

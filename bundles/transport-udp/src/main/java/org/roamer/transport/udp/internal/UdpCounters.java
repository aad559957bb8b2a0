/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one endpoint, shared by its peers' sessions. Thread-safe. */
final class UdpCounters {
    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    /** Bad datagrams (decoder refused them) plus bad frames (reassembled, then refused). */
    final LongAdder badFrames = new LongAdder();
    final LongAdder datagramsIn = new LongAdder();
    final LongAdder datagramsOut = new LongAdder();
    final LongAdder segmentsOut = new LongAdder();
    final LongAdder segmentsIn = new LongAdder();
    final LongAdder retransmissions = new LongAdder();
    final LongAdder fastRetransmissions = new LongAdder();
    /** Tail loss probes sent (each also counts as a retransmission). */
    final LongAdder tailLossProbes = new LongAdder();
    final LongAdder acksOut = new LongAdder();
    final LongAdder duplicatesDropped = new LongAdder();
    final LongAdder outOfWindowDropped = new LongAdder();
    final LongAdder staleDropped = new LongAdder();
    final LongAdder resetsIn = new LongAdder();
    final LongAdder resetsOut = new LongAdder();
    final LongAdder peersFailed = new LongAdder();
    final LongAdder peerRestarts = new LongAdder();
    final LongAdder framesDropped = new LongAdder();
    final LongAdder queueFull = new LongAdder();
    final LongAdder sendErrors = new LongAdder();
    final LongAdder peersOpened = new LongAdder();
    final LongAdder peersEvicted = new LongAdder();
    final LongAdder peersRefused = new LongAdder();
    final LongAdder badDatagrams = new LongAdder();
    final LongAdder faultsDropped = new LongAdder();
    final LongAdder faultsDuplicated = new LongAdder();

    /** The counters as {@link org.roamer.api.spi.transport.TransportStats#details()}, in a stable order. */
    Map<String, Long> details(long srttMicros, long rtoMicros, long bufferedBytes) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("datagramsIn", datagramsIn.sum());
        m.put("datagramsOut", datagramsOut.sum());
        m.put("fragmentsIn", segmentsIn.sum());
        m.put("fragmentsOut", segmentsOut.sum());
        m.put("acksOut", acksOut.sum());
        m.put("retransmissions", retransmissions.sum());
        m.put("fastRetransmissions", fastRetransmissions.sum());
        m.put("tailLossProbes", tailLossProbes.sum());
        m.put("badDatagrams", badDatagrams.sum());
        m.put("duplicatesDropped", duplicatesDropped.sum());
        m.put("outOfWindowDropped", outOfWindowDropped.sum());
        m.put("staleDropped", staleDropped.sum());
        m.put("resetsIn", resetsIn.sum());
        m.put("resetsOut", resetsOut.sum());
        m.put("peersFailed", peersFailed.sum());
        m.put("peerRestarts", peerRestarts.sum());
        m.put("peersEvicted", peersEvicted.sum());
        m.put("peersRefused", peersRefused.sum());
        m.put("framesDropped", framesDropped.sum());
        m.put("queueFull", queueFull.sum());
        m.put("sendErrors", sendErrors.sum());
        m.put("faultsDropped", faultsDropped.sum());
        m.put("faultsDuplicated", faultsDuplicated.sum());
        m.put("srttMicros", srttMicros);
        m.put("rtoMicros", rtoMicros);
        m.put("bufferedBytes", bufferedBytes);
        return m;
    }
}

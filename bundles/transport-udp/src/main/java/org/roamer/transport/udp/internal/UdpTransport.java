/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.NodeAddress;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;

/**
 * The {@code udp} transport: frames in UDP datagrams, with a reliable, ordered session per peer (sequence
 * numbers, cumulative and selective acks, adaptive retransmission, fragmentation). Each {@link #bind} opens a
 * socket with its own I/O thread; deactivation closes every endpoint it opened.
 */
@Component(service = Transport.class, property = Transport.NAME_PROPERTY + "="
        + UdpTransport.NAME, configurationPid = UdpTransport.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = UdpTransport.Config.class)
public final class UdpTransport implements Transport {
    static final String NAME = "udp";
    static final String PID = "org.roamer.transport.udp";

    /** Configuration of the UDP transport; changes apply to endpoints bound afterwards. */
    @ObjectClassDefinition(id = PID, name = "Roamer UDP transport", description = "Frames in UDP datagrams with a reliable, ordered session per peer. Changes apply to"
            + " endpoints bound after the change; endpoints already bound keep their settings.")
    public @interface Config {
        @AttributeDefinition(name = "Send window (datagrams)", min = "1", max = "4096", description = "Datagrams in flight (sent, not yet acknowledged) to one peer; also how far ahead"
                + " of the next expected one a received datagram may be.")
        int sendWindow() default 256;

        @AttributeDefinition(name = "Send buffer per peer (bytes)", min = "1", description = "Bytes one peer may hold: queued frames plus unacknowledged datagrams. A send"
                + " beyond this fails with a TransportException ('queue full'); a frame to an idle peer"
                + " is always accepted.")
        long sendBufferBytes() default 16L * 1024 * 1024;

        @AttributeDefinition(name = "Minimum retransmission time-out (ms)", min = "1", description = "Lower bound of the adaptive (RFC 6298) time-out. 5 ms suits loopback and a LAN;"
                + " raise it (e.g. 200) across a WAN to avoid spurious retransmissions.")
        int minRtoMs() default 5;

        @AttributeDefinition(name = "Maximum retransmission time-out (ms)", min = "1", description = "Upper bound of the time-out and of its exponential back-off.")
        int maxRtoMs() default 2000;

        @AttributeDefinition(name = "Initial retransmission time-out (ms)", min = "1", description = "Time-out before the first round-trip sample of a session.")
        int initialRtoMs() default 200;

        @AttributeDefinition(name = "Retransmissions before a peer is dead", min = "1", description = "Consecutive time-outs without any acknowledgement after which the peer's session"
                + " is failed and its queued frames dropped.")
        int maxRetransmits() default 12;

        @AttributeDefinition(name = "Dead-peer time-out (ms)", min = "1", description = "A peer that acknowledges nothing for this long while data is outstanding is failed.")
        int deadPeerTimeoutMs() default 5000;

        @AttributeDefinition(name = "Max peers", min = "1", description = "Peers (sessions) one endpoint keeps at once; idle ones are forgotten to make room.")
        int maxPeers() default 1024;

        @AttributeDefinition(name = "Socket buffers (bytes)", min = "0", description = "SO_RCVBUF and SO_SNDBUF of the socket (capped by the OS, net.core.rmem_max);"
                + " 0 keeps the operating system's default.")
        int socketBufferBytes() default 4 * 1024 * 1024;

        @AttributeDefinition(name = "Tail loss probe", description = "When data is in flight and nothing was acknowledged for a probe time-out"
                + " (PTO = max(2 x smoothed RTT, tlpMinMicros); initialRtoMs / 4 before the first RTT"
                + " sample), resend the newest unacknowledged datagram once (RFC 8985): its"
                + " acknowledgement reveals a lost last datagram or a lost ack long before the"
                + " retransmission time-out. Counted as tailLossProbes.")
        boolean tailLossProbe() default true;

        @AttributeDefinition(name = "Minimum probe time-out (µs)", min = "1", description = "Lower bound of the tail loss probe time-out. 1000 µs suits loopback and a LAN"
                + " (round trips of 10-100 µs, plus scheduling delays of a loaded host); across a WAN the"
                + " 2 x RTT term dominates.")
        int tlpMinMicros() default 1000;

        @AttributeDefinition(name = "Probes before the time-out", min = "1", max = "4", description = "Tail loss probes sent while the peer stays silent before the retransmission"
                + " time-out takes over: 1 as in RFC 8985; each further probe waits twice the previous"
                + " probe time-out (as QUIC, RFC 9002), which recovers a lost probe sooner than the RTO.")
        int tlpMaxProbes() default 1;

        @AttributeDefinition(name = "Injected loss (%)", min = "0", max = "50", description = "Testing only: drop this share of outgoing datagrams (applies at once, also to"
                + " endpoints already bound). 0 in production.")
        double fault_loss_percent() default 0;

        @AttributeDefinition(name = "Injected duplication (%)", min = "0", max = "50", description = "Testing only: send this share of outgoing datagrams twice (applies at once).")
        double fault_duplication_percent() default 0;
    }

    private final Set<UdpEndpoint> endpoints = ConcurrentHashMap.newKeySet();
    private volatile UdpSettings settings;
    private volatile FaultInjection faults = FaultInjection.NONE;
    private volatile boolean deactivated;

    /** Called by DS with the configuration, or its defaults when there is none. */
    @Activate
    public UdpTransport(Config config) {
        this(UdpSettings.from(config));
        faults = FaultInjection.ofPercent(config.fault_loss_percent(), config.fault_duplication_percent());
    }

    UdpTransport(UdpSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Modified
    void modified(Config config) {
        settings = UdpSettings.from(config);
        faults = FaultInjection.ofPercent(config.fault_loss_percent(), config.fault_duplication_percent());
        for (UdpEndpoint e : endpoints) {
            e.faults = faults;
        }
    }

    @Deactivate
    void deactivate() {
        deactivated = true;
        for (UdpEndpoint endpoint : endpoints) {
            endpoint.close();
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Endpoint bind(NodeAddress listen, FrameLimits limits, FrameHandler handler) throws TransportException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(handler, "handler");
        if (deactivated) {
            throw new TransportException("the udp transport is stopped");
        }
        UdpEndpoint endpoint = UdpEndpoint.open(listen, limits, handler, settings, endpoints::remove);
        endpoint.faults = faults;
        endpoints.add(endpoint);
        if (deactivated) {
            endpoint.close();
            throw new TransportException("the udp transport is stopped");
        }
        return endpoint;
    }

    /** Endpoints bound and not yet closed; for tests. */
    int openEndpoints() {
        return endpoints.size();
    }
}

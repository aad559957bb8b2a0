/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tcp.internal;

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
 * The {@code tcp} transport: persistent TCP connections between nodes, one per peer and direction. Each
 * {@link #bind} opens a listener with its own I/O thread; deactivation closes every endpoint it opened.
 */
@Component(service = Transport.class, property = Transport.NAME_PROPERTY + "="
        + TcpTransport.NAME, configurationPid = TcpTransport.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TcpTransport.Config.class)
public final class TcpTransport implements Transport {
    static final String NAME = "tcp";
    static final String PID = "org.roamer.transport.tcp";

    /** Configuration of the TCP transport; changes apply to endpoints bound afterwards. */
    @ObjectClassDefinition(id = PID, name = "Roamer TCP transport", description = "Persistent TCP connections between Roamer nodes. Changes apply to endpoints bound"
            + " after the change; endpoints already bound keep their settings.")
    public @interface Config {
        @AttributeDefinition(name = "Outbound queue (frames)", min = "1", description = "Frames that may wait for one peer while its connection is congested. A send"
                + " beyond this fails with a TransportException instead of blocking.")
        int outboundQueueFrames() default 8192;

        @AttributeDefinition(name = "Outbound queue (bytes)", min = "1", description = "Bytes that may wait for one peer while its connection is congested (a single"
                + " frame on an idle connection is always accepted).")
        long outboundQueueBytes() default 64L * 1024 * 1024;

        @AttributeDefinition(name = "Connect timeout (ms)", min = "1", description = "How long the first send to a peer (or the first after a failure) waits for"
                + " the TCP connection before failing.")
        int connectTimeoutMs() default 1000;

        @AttributeDefinition(name = "Stall timeout (ms)", min = "1", description = "A connection that delivers part of a frame and then nothing for this long, or"
                + " does not complete a frame within twice this long, is closed and counted as a bad frame."
                + " Idle connections between frames are kept.")
        int stallTimeoutMs() default 30_000;

        @AttributeDefinition(name = "Max inbound connections", min = "1", description = "Inbound connections one endpoint keeps at once. At the limit, the oldest connection"
                + " that has not sent a whole frame yet is closed to make room; otherwise the new one is closed"
                + " on accept. A connection that sends no frame within the stall time-out is closed.")
        int maxInboundConnections() default 256;

        @AttributeDefinition(name = "Socket send buffer (bytes)", min = "0", description = "SO_SNDBUF of each connection; 0 keeps the operating system's (auto-tuned) default.")
        int sendBufferBytes() default 0;

        @AttributeDefinition(name = "Socket receive buffer (bytes)", min = "0", description = "SO_RCVBUF of each connection; 0 keeps the operating system's (auto-tuned) default.")
        int receiveBufferBytes() default 0;
    }

    private final Set<TcpEndpoint> endpoints = ConcurrentHashMap.newKeySet();
    private volatile TcpSettings settings;
    private volatile boolean deactivated;

    /** Called by DS with the configuration, or its defaults when there is none. */
    @Activate
    public TcpTransport(Config config) {
        this(TcpSettings.from(config));
    }

    TcpTransport(TcpSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Modified
    void modified(Config config) {
        settings = TcpSettings.from(config);
    }

    @Deactivate
    void deactivate() {
        deactivated = true;
        for (TcpEndpoint endpoint : endpoints) {
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
            throw new TransportException("the tcp transport is stopped");
        }
        TcpEndpoint endpoint = TcpEndpoint.open(listen, limits, handler, settings, endpoints::remove);
        endpoints.add(endpoint);
        if (deactivated) {
            endpoint.close();
            throw new TransportException("the tcp transport is stopped");
        }
        return endpoint;
    }

    /** Endpoints bound and not yet closed; for tests. */
    int openEndpoints() {
        return endpoints.size();
    }
}

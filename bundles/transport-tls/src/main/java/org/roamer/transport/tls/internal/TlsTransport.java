/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tls.internal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.NodeAddress;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Transport;
import org.roamer.api.spi.transport.TransportException;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The {@code tls} transport: persistent TCP connections with mutual TLS 1.3, on Netty. Only a peer with a
 * certificate of the network's CA gets a frame through; every frame is handed to the core with the peer's
 * identity ({@link org.roamer.api.spi.transport.Peer}), which authorizes by role. One credential per container
 * ({@link Credentials}). Changes apply to endpoints bound afterwards.
 */
@Component(service = Transport.class, property = Transport.NAME_PROPERTY + "="
        + TlsTransport.NAME, configurationPid = TlsTransport.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TlsTransport.Config.class)
public final class TlsTransport implements Transport {
    static final String NAME = "tls";
    static final String PID = "org.roamer.transport.tls";
    private static final System.Logger LOG = System.getLogger(TlsTransport.class.getName());

    /** Configuration of the TLS transport. */
    @ObjectClassDefinition(id = PID, name = "Roamer TLS transport", description = "TCP links between Roamer nodes with mutual TLS 1.3: the container's key and certificate,"
            + " and the network's CA. Changes apply to endpoints bound after the change.")
    public @interface Config {
        @AttributeDefinition(name = "Key store", description = "PKCS#12 file with this container's key and"
                + " certificate (one key entry); relative paths are relative to karaf.etc")
        String keystore() default "roamer-tls/node.p12";

        @AttributeDefinition(name = "Trust store", description = "PKCS#12 file with the network's CA certificate;"
                + " relative paths are relative to karaf.etc")
        String truststore() default "roamer-tls/trust.p12";

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, description = "Password of both stores")
        String password() default "";

        @AttributeDefinition(name = "Handshake time-out (ms)", min = "1", description = "A connection whose TLS handshake has not finished by then is closed")
        int handshakeTimeoutMs() default 5000;

        @AttributeDefinition(name = "Idle time-out (s)", min = "1", description = "An inbound connection that delivers nothing for this long is closed; a sender closes"
                + " its own idle links first, at 4/5 of this time, when nothing is waiting to be written")
        int idleTimeoutS() default 300;

        @AttributeDefinition(name = "Connect time-out (ms)", min = "1")
        int connectTimeoutMs() default 1000;

        @AttributeDefinition(name = "Max inbound connections", min = "1", description = "Inbound connections one endpoint keeps at once; at the limit the oldest one whose"
                + " handshake has not finished is closed to make room, else the new one is closed on accept")
        int maxInboundConnections() default 256;

        @AttributeDefinition(name = "Outbound queue (bytes)", min = "1", description = "Bytes that may wait for one peer; a send beyond this fails instead of blocking")
        long outboundQueueBytes() default 64L * 1024 * 1024;

        @AttributeDefinition(name = "I/O threads", min = "1", description = "Netty event loop threads")
        int ioThreads() default 2;
    }

    /** What an endpoint needs: checked settings, the credentials (or why there are none) and the event loops. */
    record Settings(int handshakeTimeoutMs, int idleTimeoutS, int connectTimeoutMs, int maxInboundConnections,
            long outboundQueueBytes) {
        Settings {
            if (handshakeTimeoutMs < 1 || idleTimeoutS < 1 || connectTimeoutMs < 1 || maxInboundConnections < 1
                    || outboundQueueBytes < 1) {
                throw new IllegalArgumentException("tls transport settings must be positive");
            }
        }

        static Settings from(Config c) {
            return new Settings(c.handshakeTimeoutMs(), c.idleTimeoutS(), c.connectTimeoutMs(),
                    c.maxInboundConnections(), c.outboundQueueBytes());
        }
    }

    private final Set<TlsEndpoint> endpoints = ConcurrentHashMap.newKeySet();
    private final EventLoopGroup loops;
    private volatile Settings settings;
    private volatile Credentials credentials;
    private volatile String credentialsProblem;
    private volatile boolean deactivated;

    /** Called by DS with the configuration, or its defaults when there is none. */
    @Activate
    public TlsTransport(Config config) {
        this(config.ioThreads());
        modified(config);
    }

    /** For tests: credentials set with {@link #credentials(Credentials, Settings)}. */
    TlsTransport(int ioThreads) {
        loops = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("roamer-tls-io", true));
    }

    void credentials(Credentials c, Settings s) {
        credentials = c;
        settings = s;
        credentialsProblem = null;
    }

    @Modified
    void modified(Config config) {
        settings = Settings.from(config);
        Path etc = Path.of(System.getProperty("karaf.etc", "etc"));
        Path keyStore = etc.resolve(config.keystore());
        Path trustStore = etc.resolve(config.truststore());
        try {
            credentials = Credentials.load(keyStore, trustStore, config.password().toCharArray());
            credentialsProblem = null;
            LOG.log(System.Logger.Level.INFO, "tls transport: credential " + credentials.self + " from " + keyStore);
        } catch (Exception e) {
            credentials = null;
            credentialsProblem = "no TLS credentials (" + keyStore + ", " + trustStore + "): " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, "tls transport: " + credentialsProblem);
        }
    }

    @Deactivate
    void deactivate() {
        deactivated = true;
        for (TlsEndpoint endpoint : endpoints) {
            endpoint.close();
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean authenticates() {
        return true;
    }

    @Override
    public Endpoint bind(NodeAddress listen, FrameLimits limits, FrameHandler handler) throws TransportException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(handler, "handler");
        if (deactivated) {
            throw new TransportException("the tls transport is stopped");
        }
        Credentials c = credentials;
        if (c == null) {
            throw new TransportException(credentialsProblem == null ? "no TLS credentials" : credentialsProblem);
        }
        TlsEndpoint endpoint = TlsEndpoint.open(listen, limits, handler, c, settings, loops, endpoints::remove);
        endpoints.add(endpoint);
        if (deactivated) {
            endpoint.close();
            throw new TransportException("the tls transport is stopped");
        }
        return endpoint;
    }
}

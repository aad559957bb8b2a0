/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tcp.internal;

/**
 * The validated settings of the TCP transport; an endpoint keeps the settings it was bound with.
 *
 * @param outboundQueueFrames   frames that may wait for one peer before {@code send} refuses more
 * @param outboundQueueBytes    bytes that may wait for one peer before {@code send} refuses more
 * @param connectTimeoutMs      how long {@code send} waits for a new connection to a peer
 * @param stallTimeoutMs        a connection that stops mid-frame for this long is closed as a bad frame
 * @param maxInboundConnections inbound connections an endpoint accepts at once; more are refused
 * @param sendBufferBytes       SO_SNDBUF of every connection, 0 for the operating system's default
 * @param receiveBufferBytes    SO_RCVBUF of every connection, 0 for the operating system's default
 */
record TcpSettings(int outboundQueueFrames, long outboundQueueBytes, int connectTimeoutMs, int stallTimeoutMs,
        int maxInboundConnections, int sendBufferBytes, int receiveBufferBytes) {

    /** The defaults, identical to those of {@link TcpTransport.Config}. */
    static final TcpSettings DEFAULTS = new TcpSettings(8192, 64L * 1024 * 1024, 1000, 30_000, 256, 0, 0);

    /** @throws IllegalArgumentException when a value is out of range, naming the attribute */
    TcpSettings {
        positive("outboundQueueFrames", outboundQueueFrames);
        positive("outboundQueueBytes", outboundQueueBytes);
        positive("connectTimeoutMs", connectTimeoutMs);
        positive("stallTimeoutMs", stallTimeoutMs);
        positive("maxInboundConnections", maxInboundConnections);
        notNegative("sendBufferBytes", sendBufferBytes);
        notNegative("receiveBufferBytes", receiveBufferBytes);
    }

    static TcpSettings from(TcpTransport.Config config) {
        return new TcpSettings(config.outboundQueueFrames(), config.outboundQueueBytes(), config.connectTimeoutMs(),
                config.stallTimeoutMs(), config.maxInboundConnections(), config.sendBufferBytes(),
                config.receiveBufferBytes());
    }

    TcpSettings withOutboundQueueFrames(int frames) {
        return new TcpSettings(frames, outboundQueueBytes, connectTimeoutMs, stallTimeoutMs, maxInboundConnections,
                sendBufferBytes, receiveBufferBytes);
    }

    TcpSettings withStallTimeoutMs(int ms) {
        return new TcpSettings(outboundQueueFrames, outboundQueueBytes, connectTimeoutMs, ms, maxInboundConnections,
                sendBufferBytes, receiveBufferBytes);
    }

    TcpSettings withMaxInboundConnections(int max) {
        return new TcpSettings(outboundQueueFrames, outboundQueueBytes, connectTimeoutMs, stallTimeoutMs, max,
                sendBufferBytes, receiveBufferBytes);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(TcpTransport.PID + " " + name + " must be > 0, is " + value);
        }
    }

    private static void notNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(TcpTransport.PID + " " + name + " must be >= 0, is " + value);
        }
    }
}

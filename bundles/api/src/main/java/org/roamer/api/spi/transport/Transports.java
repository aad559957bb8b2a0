/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;

/**
 * What every transport does the same way: checking a frame against its type's limit and encoding it before it
 * is sent, and the address an endpoint bound to a wildcard tells its peers.
 *
 * @since 1.3
 */
public final class Transports {
    private Transports() {
    }

    /**
     * The frame's bytes on the wire, after checking its payload against the limit of its type.
     *
     * @throws TransportException a payload beyond its type's limit, or a frame the codec cannot encode
     */
    public static byte[] encodeForSending(Frame frame, FrameLimits limits) throws TransportException {
        int limit = limits.limitFor(frame.type());
        if (frame.payload().length > limit) {
            throw new TransportException("payload of " + frame.payload().length + " bytes exceeds the " + frame.type()
                    + " limit of " + limit + " bytes");
        }
        try {
            return FrameCodec.encode(frame);
        } catch (IllegalArgumentException e) {
            throw new TransportException("cannot encode " + frame + ": " + e.getMessage(), e);
        }
    }

    /**
     * The address peers reach an endpoint at that listens on {@code listen}, bound to {@code port}: a wildcard
     * host ({@code 0.0.0.0}, {@code ::}) becomes this host's address; a host that cannot be resolved is kept.
     */
    public static NodeAddress advertised(NodeAddress listen, int port) {
        String host = listen.host();
        try {
            if (InetAddress.getByName(host).isAnyLocalAddress()) {
                host = InetAddress.getLocalHost().getHostAddress();
            }
        } catch (UnknownHostException e) {
            // keep the configured host
        }
        return new NodeAddress(host, port);
    }
}

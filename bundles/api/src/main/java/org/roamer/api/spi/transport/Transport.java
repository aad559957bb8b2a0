/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.FrameLimits;

/**
 * A way of moving frames between nodes, e.g. persistent TCP connections or UDP datagrams. Register as an
 * OSGi service with {@value #NAME_PROPERTY} set to {@link #name()}. Thread-safe.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface Transport {
    /** Service property carrying the transport's name. */
    String NAME_PROPERTY = "roamer.transport";

    /** Unique name, e.g. {@code tcp}. */
    String name();

    /**
     * Whether this transport authenticates every link and hands each frame over with its sender's
     * {@link Peer} ({@link FrameHandler#onFrame(org.roamer.api.frame.Frame, Peer)}). A container that takes
     * authenticated links only refuses to send with a transport that does not.
     *
     * @since 1.3
     */
    default boolean authenticates() {
        return false;
    }

    /**
     * Opens a listener for a node. Frames that arrive are decoded with {@code limits} and handed to
     * {@code handler}; malformed input is reported to {@link FrameHandler#onBadFrame} and never stops the
     * listener.
     *
     * @param listen  address to listen on; port 0 picks a free port
     * @param limits  decode limits
     * @param handler receives frames; must not block for long
     * @throws TransportException when the address cannot be bound
     */
    Endpoint bind(NodeAddress listen, FrameLimits limits, FrameHandler handler) throws TransportException;
}

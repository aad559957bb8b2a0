/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

import org.roamer.api.frame.Frame;

/** Receives what an {@link Endpoint} reads. Implemented by the core; called from transport threads. */
@org.osgi.annotation.versioning.ProviderType
public interface FrameHandler {
    /** A valid frame arrived from a peer whose identity the transport does not know. Must not block. */
    void onFrame(Frame frame);

    /**
     * A valid frame arrived on a link whose peer the transport authenticated. Must not block. The default
     * forgets the peer: a handler that authorizes by role overrides it.
     *
     * @param peer who sent it, as its credential names it
     * @since 1.3
     */
    default void onFrame(Frame frame, Peer peer) {
        onFrame(frame);
    }

    /**
     * Input from {@code peer} was not a valid frame; the transport has dropped that input (and, for a
     * stream, that connection) and goes on serving others.
     *
     * @param peer   remote address as text
     * @param reason what was wrong
     */
    void onBadFrame(String peer, String reason);
}

package org.roamer.api.spi.transport;

import org.roamer.api.frame.Frame;

/** Receives what an {@link Endpoint} reads. Implemented by the core; called from transport threads. */
@org.osgi.annotation.versioning.ProviderType
public interface FrameHandler {
    /** A valid frame arrived. Must not block. */
    void onFrame(Frame frame);

    /**
     * Input from {@code peer} was not a valid frame; the transport has dropped that input (and, for a
     * stream, that connection) and goes on serving others.
     *
     * @param peer   remote address as text
     * @param reason what was wrong
     */
    void onBadFrame(String peer, String reason);
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;

/**
 * A node's bound listener and its outgoing links. Thread-safe. Frames sent to one destination arrive in
 * the order {@link #send} was called (per calling order across threads).
 */
@org.osgi.annotation.versioning.ConsumerType
public interface Endpoint extends AutoCloseable {
    /** The address peers reach this endpoint at (the real port when bound to port 0). */
    NodeAddress localAddress();

    /**
     * Queues a frame for a destination. Connection-oriented transports keep links persistent and reuse them.
     *
     * @throws TransportException when the destination cannot be reached or its queue is full
     */
    void send(NodeAddress to, Frame frame) throws TransportException;

    /**
     * Whether everything handed to {@link #send} has left this endpoint: written to the socket (stream
     * transports) or acknowledged by its peer (datagram transports with their own reliability). The core asks
     * before closing an endpoint whose transport leaves at run time, so that frames already sent on it are not
     * dropped. The default knows nothing to wait for.
     *
     * @since 1.1
     */
    default boolean drained() {
        return true;
    }

    /**
     * {@link #drained()} for the frames sent to one destination only: whether each has left this endpoint for
     * it (written to its link, or acknowledged by it). A forwarding stub asks before it stops forwarding and
     * starts redirecting senders: a frame it forwarded must not be overtaken by the sender's next one on the
     * direct path. The default answers for the whole endpoint.
     *
     * @since 1.2
     */
    default boolean drained(NodeAddress to) {
        return drained();
    }

    /**
     * Signs {@code data} with this container's credential. Only a transport that authenticates its links has one.
     *
     * @throws TransportException when the transport has no credential (the default)
     * @since 1.4
     */
    default Signed sign(byte[] data) throws TransportException {
        throw new TransportException("this transport has no credential to sign with");
    }

    /**
     * Checks a signature made by {@link #sign} on any node: its certificate was issued by the network's CA (the
     * one this endpoint's links trust) and is valid now, and the signature is the certificate key's over
     * {@code data}.
     *
     * @return who signed, as the certificate names it
     * @throws TransportException when the check fails, or the transport cannot check (the default)
     * @since 1.4
     */
    default Peer verify(byte[] data, Signed signed) throws TransportException {
        throw new TransportException("this transport cannot check signatures");
    }

    /** Counters of this endpoint. */
    TransportStats stats();

    /** Closes the listener and all links; frames not yet sent are dropped. Idempotent. */
    @Override
    void close();
}

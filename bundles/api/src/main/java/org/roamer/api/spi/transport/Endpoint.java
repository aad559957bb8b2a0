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

    /** Counters of this endpoint. */
    TransportStats stats();

    /** Closes the listener and all links; frames not yet sent are dropped. Idempotent. */
    @Override
    void close();
}

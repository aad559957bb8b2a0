/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tcp.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameHeader;
import org.roamer.api.spi.transport.TransportException;

/**
 * One TCP connection. The write side is guarded by {@link #lock} and used by senders and the I/O thread;
 * the read side belongs to the I/O thread alone. Frames leave in the order {@link #offer} accepted them:
 * a sender writes directly only while the backlog is empty, otherwise it appends to the backlog, which the
 * I/O thread drains with gathering writes when the socket becomes writable.
 */
final class TcpLink {
    private static final System.Logger LOG = System.getLogger(TcpLink.class.getName());
    /**
     * Read buffer. A frame whose body does not fit gets a buffer of its own that grows (doubling) with what
     * arrives, up to the header's (validated) length: a header alone never pins a whole body's worth of memory.
     */
    private static final int READ_BUFFER = 64 * 1024;
    /** Largest slice handed to one write, so the JDK's per-thread temporary direct buffers stay small. */
    private static final int WRITE_SLICE = 64 * 1024;
    private static final int GATHER_BYTES = 256 * 1024;
    private static final int GATHER_BUFFERS = 64;

    final boolean inbound;
    private final NodeAddress target;
    private final TcpEndpoint endpoint;
    private final SocketChannel ch;
    private final String peer;
    private volatile SelectionKey key;
    private volatile boolean open = true;
    private volatile String closeReason;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<ByteBuffer> backlog = new ArrayDeque<>(); // guarded by lock
    private long backlogBytes; // guarded by lock
    /** Frames queued by the I/O thread during a select round, not yet written (guarded by lock). */
    private boolean corked;
    private final ByteBuffer[] gather = new ByteBuffer[GATHER_BUFFERS]; // I/O thread, under lock

    // read side: I/O thread only
    private ByteBuffer in;
    private FrameHeader header;
    private ByteBuffer body;
    private long lastProgress = System.nanoTime();
    /** When the frame being received began (its first byte, or the end of the frame before it). */
    private long frameStart = System.nanoTime();
    /** When the connection was set up. */
    final long openedAt = System.nanoTime();
    /** Whether a whole frame has arrived on it yet (written by the I/O thread). */
    private volatile boolean delivered;

    /**
     * @param target the destination of an outbound link (frames are sent on it); {@code null} for an
     *               inbound link (frames are only read from it)
     */
    TcpLink(TcpEndpoint endpoint, SocketChannel ch, String peer, NodeAddress target) {
        this.endpoint = endpoint;
        this.ch = ch;
        this.peer = peer;
        this.target = target;
        this.inbound = target == null;
    }

    void register() throws IOException {
        key = ch.register(endpoint.selector, SelectionKey.OP_READ, this);
        if (!endpoint.onIoThread()) {
            endpoint.selector.wakeup();
        }
        if (!open) { // closed while registering
            key.cancel();
        }
    }

    boolean isOpen() {
        return open;
    }

    String closeReason() {
        return closeReason;
    }

    // ---- write side ---------------------------------------------------------------------------------

    /**
     * Writes or queues one encoded frame.
     *
     * @return false when the link is (or just turned out to be) dead and the frame was not sent; the caller
     *         may retry on a new link from position 0
     * @throws TransportException when the backlog is full
     */
    boolean offer(ByteBuffer frame) throws TransportException {
        lock.lock();
        try {
            if (!open) {
                return false;
            }
            if (backlog.isEmpty() && endpoint.corking()) {
                backlog.add(frame); // written with the round's other frames by flushCorked()
                backlogBytes = frame.remaining();
                corked = true;
                endpoint.corked(this);
                return true;
            }
            if (backlog.isEmpty()) {
                int size = frame.remaining();
                try {
                    writeSlices(frame);
                } catch (IOException e) {
                    closeLocked("write failed: " + TcpEndpoint.describe(e));
                    return false;
                }
                int written = size - frame.remaining();
                if (!frame.hasRemaining()) {
                    endpoint.countOut(written, 1);
                    return true;
                }
                endpoint.countOut(written, 0);
                try {
                    key.interestOpsOr(SelectionKey.OP_WRITE);
                } catch (CancelledKeyException e) { // the endpoint is closing
                    closeLocked("endpoint closed");
                    throw new TransportException("link to " + peer + " closed while sending");
                }
                backlog.add(frame);
                backlogBytes = frame.remaining();
                endpoint.selector.wakeup();
                return true;
            }
            TcpSettings s = endpoint.settings;
            if (backlog.size() >= s.outboundQueueFrames()
                    || backlogBytes + frame.remaining() > s.outboundQueueBytes()) {
                throw new TransportException("outbound queue to " + peer + " is full (" + backlog.size() + " frames, "
                        + backlogBytes + " bytes waiting)");
            }
            backlog.add(frame);
            backlogBytes += frame.remaining();
            return true; // OP_WRITE is set, or the link is corked and flushCorked() writes it after the round
        } finally {
            lock.unlock();
        }
    }

    private void writeSlices(ByteBuffer frame) throws IOException {
        while (frame.hasRemaining()) {
            int chunk = Math.min(frame.remaining(), WRITE_SLICE);
            if (chunk == frame.remaining()) {
                if (ch.write(frame) < chunk) {
                    return;
                }
            } else {
                ByteBuffer slice = frame.slice(frame.position(), chunk);
                int n = ch.write(slice);
                frame.position(frame.position() + n);
                if (n < chunk) {
                    return;
                }
            }
        }
    }

    /** I/O thread, after a select round: writes the frames corked during it; what the socket cannot take waits for OP_WRITE. */
    void flushCorked() {
        lock.lock();
        try {
            if (!corked) {
                return;
            }
            if (open) {
                drainBacklog(); // still corked: if the write fails, closeLocked hands the frames on
                if (open && !backlog.isEmpty()) {
                    try {
                        key.interestOpsOr(SelectionKey.OP_WRITE);
                    } catch (CancelledKeyException e) {
                        closeLocked("endpoint closed");
                    }
                }
            }
            corked = false;
        } finally {
            lock.unlock();
        }
        if (!open && target != null) {
            endpoint.resendCarried(target); // frames of a link that died during the round, on a new link
        }
    }

    /** I/O thread: the socket can take more; drain the backlog with gathering writes. */
    void onWritable() {
        lock.lock();
        try {
            drainBacklog();
        } finally {
            lock.unlock();
        }
    }

    /** Gathering writes from the backlog until it is empty or the socket full; clears OP_WRITE when empty. */
    private void drainBacklog() {
        for (int round = 0; round < 16 && open && !backlog.isEmpty(); round++) {
            int count = 0;
            int budget = GATHER_BYTES;
            Iterator<ByteBuffer> it = backlog.iterator();
            while (it.hasNext() && count < GATHER_BUFFERS && budget > 0) {
                ByteBuffer b = it.next();
                int len = Math.min(Math.min(b.remaining(), WRITE_SLICE), budget);
                gather[count++] = b.slice(b.position(), len);
                budget -= len;
                if (len < b.remaining()) {
                    break; // only the last slice may be partial: the next frame's bytes follow this one's end
                }
            }
            long offered = GATHER_BYTES - budget;
            long n;
            try {
                n = ch.write(gather, 0, count);
            } catch (IOException e) {
                closeLocked("write failed: " + TcpEndpoint.describe(e));
                return;
            } finally {
                java.util.Arrays.fill(gather, 0, count, null);
            }
            backlogBytes -= n;
            int frames = 0;
            long left = n;
            while (left > 0) {
                ByteBuffer head = backlog.peek();
                int k = (int) Math.min(left, head.remaining());
                head.position(head.position() + k);
                left -= k;
                if (!head.hasRemaining()) {
                    backlog.poll();
                    frames++;
                }
            }
            endpoint.countOut(n, frames);
            if (n < offered) {
                break; // the socket is full again; wait for the next OP_WRITE
            }
        }
        if (open && backlog.isEmpty()) {
            key.interestOpsAnd(~SelectionKey.OP_WRITE);
        }
    }

    // ---- read side (I/O thread) ---------------------------------------------------------------------

    void onReadable() {
        long now = System.nanoTime();
        if (in == null) {
            in = ByteBuffer.allocateDirect(READ_BUFFER);
        }
        for (int round = 0; round < 16 && open; round++) {
            if (!midFrame()) {
                frameStart = now; // this read begins a frame
            }
            ByteBuffer target = body != null ? body : in;
            int space = target.remaining();
            int n;
            try {
                n = ch.read(target);
            } catch (IOException e) {
                if (midFrame()) {
                    badFrame("connection failed mid-frame (" + partialBytes() + " bytes of the frame received): "
                            + TcpEndpoint.describe(e));
                } else {
                    close("read failed: " + TcpEndpoint.describe(e));
                }
                return;
            }
            if (n < 0) {
                if (midFrame()) {
                    badFrame("truncated frame: connection closed after " + partialBytes() + " bytes of the frame");
                } else {
                    close("closed by peer");
                }
                return;
            }
            if (n == 0) {
                return;
            }
            endpoint.countIn(n);
            lastProgress = now;
            if (body != null) {
                if (!body.hasRemaining() && body.capacity() < header.bodyLength()) {
                    // more has arrived: make room for up to twice as much, at most the rest of the body
                    ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(header.bodyLength(), 2L * body.capacity()));
                    bigger.put(body.flip());
                    body = bigger;
                } else if (!body.hasRemaining()) {
                    FrameHeader h = header;
                    ByteBuffer b = body.flip();
                    header = null;
                    body = null;
                    if (!deliver(h, b)) {
                        return;
                    }
                }
            } else {
                in.flip();
                boolean ok = parse();
                in.compact();
                if (!ok) {
                    return;
                }
            }
            if (n < space) {
                return; // the socket had no more for now
            }
        }
    }

    /** Decodes every complete frame in {@link #in} (read mode); false when the link was closed. */
    private boolean parse() {
        while (open && !endpoint.isClosed()) {
            if (header == null) {
                if (in.remaining() < FrameCodec.HEADER_SIZE) {
                    // refuse garbage early: a peer that sends a few wrong bytes and waits is not a Roamer node
                    if (in.remaining() >= 2 && in.getShort(in.position()) != FrameCodec.MAGIC) {
                        badFrame(String.format("bad magic 0x%04x", in.getShort(in.position()) & 0xFFFF));
                        return false;
                    }
                    return true;
                }
                try {
                    header = FrameCodec.decodeHeader(in, endpoint.limits); // checks both lengths before we allocate
                } catch (FrameException e) {
                    badFrame(e.getMessage());
                    return false;
                }
            }
            int bodyLength = header.bodyLength();
            if (in.remaining() >= bodyLength) {
                FrameHeader h = header;
                header = null;
                if (!deliver(h, in)) {
                    return false;
                }
            } else if (bodyLength > in.capacity()) {
                body = ByteBuffer.allocate(Math.min(bodyLength, 2 * READ_BUFFER));
                body.put(in);
                return true;
            } else {
                return true; // the rest of the body fits after compact()
            }
        }
        return open;
    }

    private boolean deliver(FrameHeader h, ByteBuffer from) {
        Frame frame;
        try {
            frame = FrameCodec.decodeBody(h, from);
        } catch (FrameException e) {
            badFrame(e.getMessage());
            return false;
        }
        endpoint.countFrameIn();
        delivered = true;
        frameStart = System.nanoTime(); // what follows belongs to the next frame
        try {
            endpoint.handler.onFrame(frame);
        } catch (Throwable t) { // a faulty handler must not take the connection or the I/O thread down
            LOG.log(Level.WARNING, "frame handler failed on " + frame + " from " + peer, t);
        }
        return true;
    }

    private boolean midFrame() {
        return header != null || body != null || (in != null && in.position() > 0);
    }

    /** Bytes of the incomplete frame received so far. */
    int partialBytes() {
        if (body != null) {
            return FrameCodec.HEADER_SIZE + body.position();
        }
        int buffered = in == null ? 0 : in.position();
        return header != null ? FrameCodec.HEADER_SIZE + buffered : buffered;
    }

    /** Nanoseconds since the incomplete frame last made progress, or 0 when no frame is incomplete. */
    long stalledSince(long now) {
        return open && midFrame() ? now - lastProgress : 0;
    }

    /**
     * Nanoseconds since the incomplete frame began, or 0 when no frame is incomplete: a peer that trickles a byte
     * now and then makes progress but never finishes.
     */
    long frameAge(long now) {
        return open && midFrame() ? now - frameStart : 0;
    }

    /** An inbound connection on which no whole frame has arrived yet (a sender writes one as soon as it connects). */
    boolean silent() {
        return inbound && open && !delivered;
    }

    /** Bytes of the buffer the incomplete frame's body takes (0 when its body is in the read buffer). */
    int bodyBufferBytes() {
        ByteBuffer b = body;
        return b == null ? 0 : b.capacity();
    }

    /** Counts and reports a bad input, then closes this connection only. */
    void badFrame(String reason) {
        if (!open) {
            return;
        }
        endpoint.countBadFrame();
        LOG.log(Level.DEBUG, "bad frame from " + peer + ": " + reason);
        try {
            endpoint.handler.onBadFrame(peer, reason);
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "frame handler failed on a bad frame from " + peer, t);
        }
        close("bad frame: " + reason);
    }

    // ---- closing ------------------------------------------------------------------------------------

    /** Whether nothing waits to be written on this link (any thread). */
    boolean drained() {
        lock.lock();
        try {
            return backlog.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the connection; frames still queued are dropped. Idempotent, any thread. */
    void close(String reason) {
        lock.lock();
        try {
            closeLocked(reason);
        } finally {
            lock.unlock();
        }
    }

    private void closeLocked(String reason) {
        if (!open) {
            return;
        }
        open = false;
        closeReason = reason;
        if (corked && target != null && !backlog.isEmpty()) {
            // Corked frames were accepted without a write being tried: the sender could not see this failure
            // and retry, as it does when its own write fails. The endpoint resends them, first, on the next link.
            java.util.List<ByteBuffer> unsent = new java.util.ArrayList<>(backlog.size());
            for (ByteBuffer b : backlog) {
                unsent.add(b.position(0));
            }
            endpoint.carry(target, unsent);
            LOG.log(Level.DEBUG, "link to " + peer + " closed (" + reason + "), " + unsent.size()
                    + " frames of this round carried to the next link");
        } else if (!backlog.isEmpty()) {
            LOG.log(Level.DEBUG, "link to " + peer + " closed (" + reason + "), dropping " + backlog.size()
                    + " queued frames");
        } else {
            LOG.log(Level.DEBUG, "link to " + peer + " closed (" + reason + ")");
        }
        backlog.clear();
        backlogBytes = 0;
        SelectionKey k = key;
        if (k != null) {
            try {
                k.cancel();
            } catch (CancelledKeyException e) {
                // already
            }
        }
        TcpEndpoint.closeQuietly(ch);
        endpoint.onLinkClosed(this);
    }

    @Override
    public String toString() {
        return (inbound ? "inbound link from " : "link to ") + peer;
    }
}

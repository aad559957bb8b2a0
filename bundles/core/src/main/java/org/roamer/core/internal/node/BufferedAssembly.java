/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.io.ByteArrayOutputStream;
import java.util.List;

import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.core.internal.wire.AgentMessages;

/**
 * A stub's BUFFERED chunks put back together at the target, in order. A chunk 0 starts again (the source retries
 * from the first chunk); a chunk out of sequence is a gap and waits for that retry; the whole is bounded by 64
 * data payloads. Not thread-safe: one cell's actor owns it.
 */
final class BufferedAssembly {
    /** At most this many data payloads in one stub's BUFFERED. */
    static final int MAX_PAYLOADS = 64;

    private final FrameLimits limits;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long next;
    private boolean gap;

    BufferedAssembly(FrameLimits limits) {
        this.limits = limits;
    }

    /**
     * Adds one chunk.
     *
     * @return the stub's messages once the last chunk is in; {@code null} before (see {@link #gap()})
     * @throws FrameException when the chunks exceed the bound or the whole does not decode; the assembly starts
     *         again
     */
    List<Frame> add(Frame f) throws FrameException {
        gap = false;
        if (f.seq() == 0) {
            reset();
        }
        if (f.seq() != next) {
            gap = true;
            return null;
        }
        long max = (long) MAX_PAYLOADS * limits.maxDataPayload();
        if (bytes.size() + (long) f.payload().length > max) {
            reset();
            throw new FrameException("BUFFERED exceeds " + max + " bytes");
        }
        bytes.writeBytes(f.payload());
        next++;
        if (f.has(Frame.LAST)) {
            byte[] all = bytes.toByteArray();
            reset();
            return AgentMessages.decodeBuffered(all, limits);
        }
        if (f.seq() == 0) {
            // a node of an earlier release sends its whole buffer in one BUFFERED without LAST; a first chunk of
            // several never decodes on its own (its entries are fewer than its count says)
            try {
                List<Frame> whole = AgentMessages.decodeBuffered(f.payload(), limits);
                reset();
                return whole;
            } catch (FrameException e) {
                return null;
            }
        }
        return null;
    }

    /** Whether the last chunk added was out of sequence (and ignored). */
    boolean gap() {
        return gap;
    }

    /** The sequence number of the chunk expected next. */
    long next() {
        return next;
    }

    private void reset() {
        bytes.reset();
        next = 0;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import org.roamer.api.frame.Frame;

/**
 * The migration protocol's decisions that depend only on numbers and names, kept apart from {@link AgentCell}'s
 * state machine so that they can be tested (and mutation-tested in CI) one by one: epoch fencing of MIGRATE and
 * TRANSFER, and the stub's limits. Strategy negotiation is {@link StrategyNegotiator}.
 */
final class ProtocolRules {
    private ProtocolRules() {
    }

    /** What a cell does with a MIGRATE or TRANSFER. */
    enum Verdict {
        /** A copy of one already taken: changes nothing. */
        DUPLICATE,
        /** Its epoch is not above the highest this cell has seen (or, for TRANSFER, the agent's): refused. */
        STALE,
        /** TRANSFER only: there is no live agent here to send. */
        NOT_LIVE,
        /** Goes on. */
        ACCEPT
    }

    /**
     * A MIGRATE with migration id {@code id} and epoch {@code frameEpoch}, at a cell in {@code state} whose
     * incoming migration (if any) has id {@code incomingId}, whose live agent has {@code epoch}, and which has seen
     * {@code highestEpoch}.
     */
    static Verdict migrate(AgentCell.State state, long incomingId, long epoch, long highestEpoch, long id,
            long frameEpoch) {
        if (state == AgentCell.State.INCOMING && incomingId == id
                || state == AgentCell.State.LIVE && epoch == frameEpoch) {
            return Verdict.DUPLICATE;
        }
        return frameEpoch <= highestEpoch ? Verdict.STALE : Verdict.ACCEPT;
    }

    /**
     * A TRANSFER with migration id {@code id} and epoch {@code frameEpoch}, at a cell in {@code state} whose
     * outgoing migration (if any) has id {@code outgoingId} and whose TRANSFER waiting for a stable point (if any)
     * has id {@code waitingId} ({@code null}: none).
     */
    static Verdict transfer(AgentCell.State state, long outgoingId, Long waitingId, long epoch, long highestEpoch,
            long id, long frameEpoch) {
        if (state == AgentCell.State.OUTGOING && outgoingId == id || waitingId != null && waitingId == id) {
            return Verdict.DUPLICATE;
        }
        if (state != AgentCell.State.LIVE) {
            return Verdict.NOT_LIVE;
        }
        return frameEpoch <= epoch || frameEpoch <= highestEpoch ? Verdict.STALE : Verdict.ACCEPT;
    }

    /** Whether a queue takes one more frame. */
    enum Room {
        /** Within the limits. */
        FITS,
        /** Over the limits, but taken: another stub forwarded it and acknowledged it to its sender already. */
        OVER_LIMIT_FORWARDED,
        /** Over the limits and straight from its sender: refused with BUSY, the sender retries. */
        REFUSE
    }

    /** A queue of {@code count} frames and {@code bytes} bytes, limited to {@code maxMessages} and {@code maxBytes}. */
    static Room room(int count, int bytes, int maxMessages, int maxBytes, Frame f) {
        boolean fits = count < maxMessages && (long) bytes + f.wireSize() <= maxBytes;
        if (fits) {
            return Room.FITS;
        }
        return f.has(Frame.FORWARDED) ? Room.OVER_LIMIT_FORWARDED : Room.REFUSE;
    }
}

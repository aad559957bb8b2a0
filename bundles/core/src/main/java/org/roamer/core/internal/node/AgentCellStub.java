/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.node.AgentCell.State;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads.Redirect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stub an {@link AgentCell} keeps for its agent once the agent is elsewhere — after the commit point of a
 * migration out, or after an arrival that failed and left the agent at its source: it forwards what comes for the
 * agent to where the agent is ({@code FORWARDING}), resends the messages it buffered during the migration (BUFFERED)
 * until the target acknowledges them, and after {@code stub.idle.timeout.ms} without traffic becomes a tombstone that
 * redirects senders to the agent's node ({@code TOMBSTONE}) until {@code tombstone.ttl.ms} retires the cell. A part
 * of its cell, logging as it: called only on the cell's actor, which alone touches its fields.
 */
final class AgentCellStub {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCell.class);

    /** How often a source sends its BUFFERED chunks before it gives up waiting for their ACK. */
    static final int BUFFERED_ATTEMPTS = 4;

    private final AgentCell cell;
    private String forwardTo;
    /** Epoch of the agent at {@link #forwardTo}; stamped on forwarded frames so the target knows them. */
    private long forwardEpoch;
    private String forwardNode;
    private long lastActivity;
    private ScheduledFuture<?> stubTimer;
    /** Source after the commit: the BUFFERED chunks, sent again until the target acknowledges them. */
    private Drain drain;

    /** The stub's buffer on its way to the target after the commit point. */
    private static final class Drain {
        long id;
        String target;
        String targetNode;
        List<Frame> chunks;
        int messages;
        int attempts;
        ScheduledFuture<?> retry;
    }

    AgentCellStub(AgentCell cell) {
        this.cell = cell;
    }

    /** The next hop towards the agent while this is a stub ({@code FORWARDING} or {@code TOMBSTONE}). */
    String forwardTo() {
        return forwardTo;
    }

    /**
     * The agent is at {@code to} (node {@code node}) with epoch {@code ep}: the cell becomes a stub that forwards
     * there, as of now active.
     */
    void forwardTo(String to, String node, long ep) {
        forwardTo = to;
        forwardNode = node;
        forwardEpoch = ep;
        cell.state = State.FORWARDING;
        lastActivity = System.nanoTime();
    }

    /** An application frame for the agent reached the stub: it goes on, and keeps the stub from expiring. */
    void relay(Frame f) {
        lastActivity = System.nanoTime();
        forward(f);
    }

    /** An application frame for the agent reached its tombstone. */
    void redirect(Frame f) {
        // a frame another stub forwarded was acknowledged to its sender by that stub: a REDIRECT would
        // reach the sender as a late reply to a finished request and be dropped, losing the message.
        // Only frames straight from their sender are redirected; forwarded ones go on to the next hop.
        String replyTo = f.has(Frame.FORWARDED) ? null : UserSignalingServer.replyAddress(f);
        if (replyTo != null && (f.type() == MessageType.AGENT_MESSAGE || f.type() == MessageType.CALL_OFFER)) {
            cell.uss.core().metrics().inc("stub.redirected");
            cell.uss.trySend(replyTo, SignalingNode.reply(f, MessageType.REDIRECT,
                    Json.encode(new Redirect(forwardTo, forwardNode))));
        } else {
            forward(f);
        }
    }

    void forward(Frame f) {
        if (f.hops() >= Frame.MAX_HOPS) {
            // a loop between stubs (or a chase that cannot end): never forward it again
            cell.uss.core().metrics().inc("frames.hop.limit");
            LOG.error("{}: dropped {} for {} after {} hops (limit {}); not forwarded to {}", cell.uss.id(), f,
                    cell.mobile, f.hops(), Frame.MAX_HOPS, forwardNode);
            if (!f.has(Frame.FORWARDED) && f.type() != MessageType.FLUSH) {
                cell.refuse(f, "hop limit of " + Frame.MAX_HOPS + " reached");
            }
            return;
        }
        // FLUSH markers travel as they are (their epoch names their migration), only their hops count
        Frame fwd = f.type() == MessageType.FLUSH
                ? f.forwarded(0, f.epoch())
                : f.forwarded(Frame.FORWARDED, forwardEpoch);
        try {
            cell.uss.send(NodeAddress.parse(forwardTo), fwd);
            cell.uss.core().metrics().inc("stub.forwarded");
            cell.ack(f);
        } catch (TransportException e) {
            if (f.has(Frame.FORWARDED) || f.type() == MessageType.FLUSH) {
                // acknowledged upstream already: nobody can retry it
                cell.uss.core().metrics().inc("stub.forward.lost");
                LOG.error("{}: could not forward {} for {} to {}: {}", cell.uss.id(), f.type(), cell.mobile, forwardTo,
                        e.getMessage());
            } else {
                cell.refuse(f, "cannot forward to " + forwardTo + ": " + e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ the buffer after the commit point

    /**
     * Migration {@code id} (epoch {@code ep}) committed: the messages the stub buffered while it ran go to its target
     * as BUFFERED, again until the target acknowledges them. An older drain still unacknowledged is given up.
     */
    void drain(long id, long ep, String target, String targetNode, List<Frame> drained) {
        if (drain != null) {
            drain.retry.cancel(false); // an older drain still unacknowledged: this newer target is the agent's home
            cell.uss.core().metrics().add("stub.drain.unacked", drain.messages);
        }
        Drain dr = new Drain();
        dr.id = id;
        dr.target = target;
        dr.targetNode = targetNode;
        dr.messages = drained.size();
        dr.chunks = bufferedChunks(id, ep, drained);
        drain = dr;
        sendDrain(dr);
    }

    /** The stub's buffer as BUFFERED frames: the encoded list cut into chunks of at most one data payload. */
    private List<Frame> bufferedChunks(long id, long ep, List<Frame> drained) {
        byte[] all = AgentMessages.encodeBuffered(drained);
        int max = cell.uss.settings().limits().maxDataPayload();
        int n = Math.max(1, (all.length + max - 1) / max);
        List<Frame> chunks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int from = i * max;
            byte[] part = java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + max));
            chunks.add(
                    new Frame(MessageType.BUFFERED, i == n - 1 ? Frame.LAST : 0, id, ep, i, cell.mobile.value(), part));
        }
        return chunks;
    }

    /** Sends every chunk of the drain (again) and arms the next attempt; gives up after {@link #BUFFERED_ATTEMPTS}. */
    private void sendDrain(Drain dr) {
        dr.attempts++;
        if (dr.attempts > 1) {
            cell.uss.core().metrics().inc("stub.drain.retried");
        }
        for (Frame c : dr.chunks) {
            if (!cell.uss.trySend(dr.target, c)) {
                break; // the rest would not arrive either; the next attempt sends all again
            }
        }
        long every = Math.max(1, cell.uss.settings().migrationTimeoutMillis() / BUFFERED_ATTEMPTS);
        dr.retry = cell.schedule(every, () -> {
            if (drain != dr) {
                return;
            }
            if (dr.attempts < BUFFERED_ATTEMPTS) {
                sendDrain(dr);
            } else {
                drain = null;
                cell.uss.core().metrics().add("stub.drain.unacked", dr.messages);
                LOG.error("{}: {} buffered messages of {} not acknowledged by {} after {} attempts", cell.uss.id(),
                        dr.messages, cell.mobile, dr.targetNode, dr.attempts);
            }
        });
    }

    /** The target has the stub's buffer: stop sending it. */
    void onBufferedAck(Frame f) {
        Drain dr = drain;
        if (f.has(Frame.REPLY) || dr == null || dr.id != f.correlationId()) {
            cell.uss.core().metrics().inc("frames.unexpected");
            return;
        }
        drain = null;
        dr.retry.cancel(false);
        cell.uss.core().metrics().inc("stub.drain.acked");
    }

    // ------------------------------------------------------------------ stub time-outs

    void armIdle() {
        cancelTimer();
        long idle = cell.uss.settings().stubIdleMillis();
        stubTimer = cell.schedule(idle, this::idleCheck);
    }

    private void idleCheck() {
        if (cell.state != State.FORWARDING) {
            return;
        }
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(cell.uss.settings().stubIdleMillis());
        long quiet = System.nanoTime() - lastActivity;
        if (quiet < idleNanos) {
            stubTimer = cell.schedule(TimeUnit.NANOSECONDS.toMillis(idleNanos - quiet) + 1, this::idleCheck);
            return;
        }
        // A tombstone redirects senders to the agent's node: their next message then takes the direct path
        // there, and must not overtake one this stub forwarded that is still on its way (a slow link, a
        // retransmission). Forward on until the link to the next hop has delivered what it carries; only a link
        // that never drains (a peer that is gone) lets the stub expire regardless, after ten idle periods.
        if (!cell.uss.drainedTo(NodeAddress.parse(forwardTo)) && quiet < 10 * idleNanos) {
            cell.uss.core().metrics().inc("stub.expiry.postponed");
            stubTimer = cell.schedule(Math.max(1, cell.uss.settings().stubIdleMillis() / 10), this::idleCheck);
            return;
        }
        cell.state = State.TOMBSTONE;
        cell.uss.core().metrics().inc("stub.expired");
        stubTimer = cell.schedule(cell.uss.settings().tombstoneMillis(), () -> {
            if (cell.state == State.TOMBSTONE) {
                cell.retire();
            }
        });
    }

    /** Stops the stub's pending time-out (the idle check, or the tombstone's end), if any. */
    void cancelTimer() {
        if (stubTimer != null) {
            stubTimer.cancel(false);
            stubTimer = null;
        }
    }

    /** The cell is retired: neither the stub's time-out nor its drain runs on. */
    void stop() {
        cancelTimer();
        if (drain != null) {
            drain.retry.cancel(false);
            drain = null;
        }
    }
}

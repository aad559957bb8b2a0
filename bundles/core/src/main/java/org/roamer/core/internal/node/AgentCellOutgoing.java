/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.node.AgentCell.State;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads.MigrateFailed;
import org.roamer.core.internal.wire.Payloads.Transfer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of an {@link AgentCell}'s migrations: a TRANSFER negotiates the strategy and, at the agent's next
 * stable point when the strategy needs one, stops the agent ({@code OUTGOING}); the strategy captures it and its
 * chunks go to the target while the stub buffers the agent's messages; READY is the commit point (the cell's
 * {@link AgentCellStub} forwards from there and sends the buffer after the agent), and MIGRATE_FAILED or the time-out
 * before it a rollback (the agent resumes here with every message it missed). A part of its cell, logging as it:
 * called only on the cell's actor, which alone touches its fields.
 */
final class AgentCellOutgoing {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCell.class);

    private final AgentCell cell;
    private Outgoing out;
    private Waiting waiting;
    /** FLUSH markers that reached the live agent before the migration they belong to started here. */
    private ArrayDeque<Frame> seenFlushes; // rarely needed: allocated on first use
    /** Source: the last migration rolled back here and its target, which a late READY must tell to drop its copy. */
    private long rolledBackId = -1;
    private String rolledBackTarget;

    /** Source side of a migration: the stopped agent (kept for rollback) and the stub's buffer. */
    private static final class Outgoing {
        long id;
        long epoch;
        String target;
        String targetNode;
        String strategy;
        /** The migration as the strategy sees it; also handed to {@link MigrationStrategy#finished}. */
        MigrationContext ctx;
        final ArrayDeque<Frame> buffer = new ArrayDeque<>();
        int bufferBytes;
        final List<Long> deferredTimers = new ArrayList<>(0);
        ScheduledFuture<?> timeout;
        long bytes;
    }

    /** A TRANSFER that waits for the agent's next stable point. */
    private static final class Waiting {
        Frame transfer;
        Transfer request;
        MigrationStrategy strategy;
        ScheduledFuture<?> timeout;
    }

    AgentCellOutgoing(AgentCell cell) {
        this.cell = cell;
    }

    /** Whether a TRANSFER waits for the agent's next stable point (the agent is about to migrate). */
    boolean waiting() {
        return waiting != null;
    }

    /** Whether the migration out that runs ({@code OUTGOING}) is migration {@code id}. */
    boolean migrating(long id) {
        return out.id == id;
    }

    /** Whether the migration out that runs ({@code OUTGOING}) uses strategy {@code name}. */
    boolean uses(String name) {
        return name.equals(out.strategy);
    }

    // ------------------------------------------------------------------ the stub's buffer, before the commit

    /** An application frame while the agent migrates out: the stub buffers it (it goes where the agent ends up). */
    void buffer(Frame f) {
        if (!cell.fits(out.buffer.size(), out.bufferBytes, f)) {
            cell.refuse(f, "stub of " + cell.mobile + " is full while it migrates");
            return;
        }
        out.buffer.add(f);
        out.bufferBytes += f.wireSize();
        cell.uss.core().metrics().inc("stub.buffered");
        cell.ack(f);
    }

    /** A FLUSH marker while the agent migrates out: drained in order with the messages around it. */
    void bufferMarker(Frame f) {
        out.buffer.add(f);
    }

    /**
     * A FLUSH marker reached the live agent that belongs to no drain here: it overtook the TRANSFER it belongs to, and
     * everything before it has been delivered here; it goes first into the stub's buffer when that migration starts.
     */
    void sawFlush(Frame f) {
        if (seenFlushes == null) {
            seenFlushes = new ArrayDeque<>(2);
        }
        if (seenFlushes.size() == 8) {
            seenFlushes.poll();
            cell.uss.core().metrics().inc("flush.stray");
        }
        seenFlushes.add(f);
    }

    /** A timer of the agent fired while it migrates out: replayed on rollback; the image carries it on commit. */
    void deferTimer(long token) {
        out.deferredTimers.add(token);
    }

    // ------------------------------------------------------------------ source side

    /** The agent may have reached a stable point, or its old chain drained: a TRANSFER that waited for it starts. */
    void resumeWaitingTransfer() {
        if (waiting != null && !cell.incoming.draining() && cell.agent.atStablePoint()) {
            Waiting w = waiting;
            waiting = null;
            w.timeout.cancel(false);
            startOutgoing(w.transfer, w.request, w.strategy);
        }
    }

    void onTransfer(Frame f) throws FrameException {
        Transfer t = Json.decode(f.payload(), Transfer.class);
        long id = f.correlationId();
        ProtocolRules.Verdict verdict = ProtocolRules.transfer(cell.state, out == null ? 0 : out.id,
                waiting == null ? null : waiting.transfer.correlationId(), cell.epoch, cell.highestEpoch, id,
                f.epoch());
        if (verdict == ProtocolRules.Verdict.DUPLICATE) {
            cell.uss.core().metrics().inc("migrate.duplicate");
            return;
        }
        if (verdict == ProtocolRules.Verdict.NOT_LIVE) {
            failTransfer(f, t,
                    "no live agent of " + cell.mobile + " on " + cell.uss.id() + " (" + cell.state.name().toLowerCase()
                            + ")");
            return;
        }
        if (verdict == ProtocolRules.Verdict.STALE) {
            cell.uss.core().metrics().inc("migrate.stale");
            failTransfer(f, t, "stale TRANSFER: epoch " + f.epoch() + ", agent has " + cell.epoch);
            return;
        }
        if (waiting != null) {
            failTransfer(f, t, "another migration of " + cell.mobile + " waits for a stable point");
            return;
        }
        cell.highestEpoch = f.epoch();
        StrategyNegotiator.Outcome negotiated = cell.uss.negotiate(t.targetNode(), t.strategies(), t.strategy(),
                t.agentType());
        String name = negotiated.strategy();
        if (name == null) {
            failTransfer(f, t, negotiated.reason());
            return;
        }
        MigrationStrategy s = cell.uss.core().strategy(name);
        if (s == null) { // uninstalled since the negotiation chose it
            failTransfer(f, t, "strategy '" + name + "' was uninstalled");
            return;
        }
        if (cell.incoming.draining() || !s.traits().asynchronousInitiation() && !cell.agent.atStablePoint()) {
            Waiting w = new Waiting();
            w.transfer = f;
            w.request = t;
            w.strategy = s;
            w.timeout = cell.schedule(cell.uss.settings().stablePointTimeoutMillis(), () -> {
                if (waiting == w) {
                    waiting = null;
                    failTransfer(f, t, cell.incoming.draining()
                            ? "the agent was still taking in messages from its previous move after "
                                    + cell.uss.settings().stablePointTimeoutMillis()
                                    + " ms (its FLUSH marker had not returned)"
                            : "no stable point within " + cell.uss.settings().stablePointTimeoutMillis() + " ms ("
                                    + name
                                    + " migrates only between negotiations)");
                }
            });
            waiting = w;
            cell.uss.core().metrics().inc("migrate.waited.stable");
            return;
        }
        startOutgoing(f, t, s);
    }

    private void failTransfer(Frame f, Transfer t, String reason) {
        Frame failed = new Frame(MessageType.MIGRATE_FAILED, 0, f.correlationId(), f.epoch(), 0, cell.mobile.value(),
                Json.encode(new MigrateFailed(reason)));
        cell.uss.core().metrics().inc("migrations.refused");
        cell.uss.trySend(t.target(), failed);
        cell.uss.tellLocationServer(failed);
    }

    private void startOutgoing(Frame f, Transfer t, MigrationStrategy s) {
        Outgoing o = new Outgoing();
        o.id = f.correlationId();
        o.epoch = f.epoch();
        o.target = t.target();
        o.targetNode = t.targetNode();
        o.strategy = s.name();
        o.ctx = cell.context(o.id, o.epoch, cell.uss.id().value(), o.targetNode);
        out = o;
        cell.state = State.OUTGOING; // the stub now stands in for the agent
        if (seenFlushes != null) {
            for (Frame marker : seenFlushes) {
                if (marker.correlationId() == o.id) {
                    o.buffer.add(marker);
                }
            }
            seenFlushes = null;
        }
        cell.offTransport(AgentCell.mayBlock(s, cell.agent.applicationState().length + 4096L), () -> {
            if (cell.state == State.OUTGOING && out == o) {
                captureAndSend(o, s);
            }
        });
    }

    /** Captures the stopped agent with {@code s} and sends its chunks; arms the READY time-out. */
    private void captureAndSend(Outgoing o, MigrationStrategy s) {
        List<byte[]> chunks = new ArrayList<>();
        MigrationContext ctx = o.ctx;
        try {
            long[] total = {0};
            s.capture(cell.view(cell.agent), ctx, chunk -> {
                if (chunk.length > ctx.maxChunkBytes()) {
                    throw new MigrationException("chunk of " + chunk.length + " bytes exceeds " + ctx.maxChunkBytes());
                }
                total[0] += chunk.length;
                if (total[0] > ctx.maxImageBytes()) {
                    throw new MigrationException("image exceeds " + ctx.maxImageBytes() + " bytes");
                }
                chunks.add(chunk);
            });
            if (chunks.isEmpty()) {
                throw new MigrationException("strategy " + s.name() + " captured nothing");
            }
            o.bytes = total[0];
            NodeAddress target = NodeAddress.parse(o.target);
            for (int i = 0; i < chunks.size(); i++) {
                byte[] payload = chunks.get(i);
                if (i == 0) {
                    byte[] name = s.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    if (name.length == 0 || name.length > 255) {
                        throw new MigrationException("strategy name must be 1-255 ASCII characters");
                    }
                    byte[] first = new byte[1 + name.length + payload.length];
                    first[0] = (byte) name.length;
                    System.arraycopy(name, 0, first, 1, name.length);
                    System.arraycopy(payload, 0, first, 1 + name.length, payload.length);
                    payload = first;
                }
                cell.uss.send(target,
                        new Frame(MessageType.TRANSFER_DATA, i == chunks.size() - 1 ? Frame.LAST : 0, o.id,
                                o.epoch, i, cell.mobile.value(), payload));
            }
            LOG.debug("{}: migration {} of {}: image sent to {} ({} bytes, {}); waiting for READY", cell.uss.id(), o.id,
                    cell.mobile, o.targetNode, o.bytes, s.name());
        } catch (MigrationException | RuntimeException | LinkageError e) {
            // LinkageError: the strategy's bundle was uninstalled while it ran (a class it still needed is gone)
            rollback(s.name() + " capture failed: " + e.getMessage(), true);
            return;
        } catch (TransportException e) {
            rollback("target " + o.targetNode + " unreachable: " + e.getMessage(), true);
            return;
        }
        o.timeout = cell.schedule(cell.uss.settings().migrationTimeoutMillis(),
                () -> rollback(
                        "no READY from " + o.targetNode + " within " + cell.uss.settings().migrationTimeoutMillis()
                                + " ms",
                        true));
    }

    void onReady(Frame f) {
        if (cell.state != State.OUTGOING || out.id != f.correlationId()) {
            // READY after a rollback: make the target discard its copy
            cell.uss.core().metrics().inc("migrate.late.ready");
            // a prepared target never drops the agent on its own: it must hear that this migration was rolled back
            String target = rolledBackId == f.correlationId() ? rolledBackTarget : null;
            LOG.info("{}: late READY for migration {} of {}", cell.uss.id(), f.correlationId(), cell.mobile);
            if (target != null) {
                cell.uss.trySend(target, new Frame(MessageType.MIGRATE_FAILED, 0, f.correlationId(), f.epoch(), 0,
                        cell.mobile.value(), Json.encode(new MigrateFailed("migration was rolled back"))));
            }
            return;
        }
        if (out.timeout == null) {
            // the image is not even sent yet (its capture waits for a worker): a READY now is bogus
            cell.uss.core().metrics().inc("migrate.stray.ready");
            return;
        }
        // commit point: from here the target owns the agent
        Outgoing o = out;
        out = null;
        o.timeout.cancel(false);
        cell.agent = null;
        cell.home(); // the agent follows its mobile: nothing is anchored here any more
        cell.uss.hosted(-1);
        cell.forgetCheckpoint();
        List<Frame> drained = new ArrayList<>(o.buffer);
        cell.stub.forwardTo(o.target, o.targetNode, o.epoch);
        cell.uss.core().metrics().inc("migrations.out");
        cell.stub.drain(o.id, o.epoch, o.target, o.targetNode, drained);
        cell.stub.armIdle();
        outcome(o, true);
    }

    /** Before the commit point: the agent resumes here with every buffered message, in order. */
    void rollback(String reason, boolean tellTarget) {
        if (cell.state != State.OUTGOING) {
            return;
        }
        Outgoing o = out;
        out = null;
        if (o.timeout != null) {
            o.timeout.cancel(false);
        }
        cell.state = State.LIVE;
        rolledBackId = o.id;
        rolledBackTarget = o.target;
        cell.uss.core().metrics().inc("migrations.rolledback");
        LOG.info("{}: migration {} of {} rolled back: {}", cell.uss.id(), o.id, cell.mobile, reason);
        Frame failed = new Frame(MessageType.MIGRATE_FAILED, 0, o.id, o.epoch, 0, cell.mobile.value(),
                Json.encode(new MigrateFailed(reason)));
        if (tellTarget) {
            cell.uss.trySend(o.target, failed);
        }
        cell.uss.tellLocationServer(failed);
        for (Frame b : o.buffer) {
            cell.deliverOrFlush(b);
        }
        cell.uss.core().metrics().add("stub.returned", o.buffer.size());
        for (long token : o.deferredTimers) {
            cell.agent.onTimer(token, cell);
        }
        outcome(o, false);
    }

    /** MIGRATE_FAILED for a TRANSFER that waits for a stable point: it waits no more. */
    void dropWaiting(long id) {
        if (waiting != null && waiting.transfer.correlationId() == id) {
            waiting.timeout.cancel(false);
            waiting = null;
        }
    }

    /** A strategy service left: a TRANSFER that waits for a stable point to migrate with it is refused. */
    void strategyRemoved(String name) {
        if (waiting != null && name.equals(waiting.strategy.name())) {
            Waiting w = waiting;
            waiting = null;
            w.timeout.cancel(false);
            failTransfer(w.transfer, w.request, "strategy '" + name + "' was uninstalled");
        }
    }

    // ------------------------------------------------------------------ outcome hooks (SPI 1.1)

    /**
     * Tells the strategies how an outgoing migration ended: {@link MigrationStrategy#finished} on the one that
     * carried it (the instance installed under its name when the hook runs; none if it is gone), then after a
     * commit {@link MigrationStrategy#departed} on every installed strategy. Exactly once per migration that
     * reached {@link #startOutgoing}, off the transport thread for a strategy that may block; exceptions are
     * counted and logged, the migration's outcome stands.
     */
    private void outcome(Outgoing o, boolean committed) {
        cell.offTransport(AgentCell.mayBlock(cell.uss.core().strategy(o.strategy), 0), () -> outcomeNow(o, committed));
    }

    private void outcomeNow(Outgoing o, boolean committed) {
        MigrationStrategy s = cell.uss.core().strategy(o.strategy);
        if (s != null) {
            try {
                s.finished(o.ctx, committed);
            } catch (RuntimeException | LinkageError e) {
                cell.hookFailed(s, "finished", e);
            }
        }
        if (committed) {
            cell.departed(o.ctx.source(), o.ctx.workDirectory());
        }
    }
}

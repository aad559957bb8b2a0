/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.agent.UserAgent;
import org.roamer.core.internal.node.AgentCell.State;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.MigrateDone;
import org.roamer.core.internal.wire.Payloads.MigrateFailed;
import org.roamer.core.internal.wire.Payloads.Transfer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target side of an {@link AgentCell}'s migrations: a MIGRATE from the Location Server starts one
 * ({@code INCOMING}, TRANSFER to the source), the TRANSFER_DATA chunks rebuild the agent through the strategy the
 * source chose, READY makes this node a prepared participant, and BUFFERED (or the wait for it) makes the agent live
 * here; a failure before READY leaves the agent at its source. After the arrival, messages that came here directly
 * wait while the agent's old forwarding chain drains ({@link #draining()}). A part of its cell, logging as it:
 * called only on the cell's actor, which alone touches its fields.
 */
final class AgentCellIncoming {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCell.class);

    private final AgentCell cell;
    private Incoming in;
    private Draining draining;
    /** Target: the migration that last made the agent live here (for BUFFERED that comes again, or late). */
    private Arrived arrived;

    /** A migration that ended here: its source, and whether its BUFFERED came (else it may still come late). */
    private static final class Arrived {
        long id;
        String source;
        boolean buffered;
        final BufferedAssembly assembly;

        Arrived(BufferedAssembly assembly) {
            this.assembly = assembly;
        }
    }

    /**
     * The agent arrived at a node that was part of its old forwarding chain: messages that came here
     * directly wait until this node's FLUSH marker has come back through the chain.
     */
    private static final class Draining {
        long flushId;
        final ArrayDeque<Frame> held = new ArrayDeque<>();
        int heldBytes;
        ScheduledFuture<?> timeout;
    }

    /** Target side: the agent being rebuilt and the messages that reached it here early. */
    private final class Incoming implements RestoreTarget {
        long id;
        long epoch;
        String source;
        String sourceNode;
        String ls;
        String requestedStrategy;
        String strategyName;
        RestoreSession session;
        long expectedSeq;
        long bytes;
        boolean readySent;
        final ArrayDeque<Frame> held = new ArrayDeque<>();
        int heldBytes;
        final BufferedAssembly assembly = new BufferedAssembly(cell.uss.settings().limits());
        UserAgent rebuilt;
        long timerRemaining = -1;
        ScheduledFuture<?> timeout;
        boolean flushPending;
        boolean flushed;
        /** Where this node forwarded before the migration began (it was a stub), else null. */
        String oldChain;
        /** A newer MIGRATE that came after READY went out; it runs when this migration ends. */
        Frame deferred;

        @Override
        public AgentType localAgentType() {
            return cell.uss.core().agentType();
        }

        @Override
        public void restoreVariables(MigrationVariables v) throws MigrationException {
            if (!v.mobile().equals(cell.mobile)) {
                throw new MigrationException(
                        "variables are of mobile " + v.mobile() + ", expected " + cell.mobile);
            }
            checkOnce();
            rebuilt = UserAgent.fromVariables(v);
        }

        @Override
        public long maxRestoredBytes() {
            return cell.imageLimit();
        }

        @Override
        public void restoreImage(AgentImage image) throws MigrationException {
            checkOnce();
            AgentImageCodec.Restored r = AgentImageCodec.restore(image, localAgentType(), cell.mobile,
                    maxRestoredBytes());
            rebuilt = r.agent();
            timerRemaining = r.timerRemainingMillis();
        }

        @Override
        public PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) throws MigrationException {
            if (!type.equals(localAgentType())) {
                throw new MigrationException("agent type " + type + " differs from this node's " + localAgentType());
            }
            long max = cell.imageLimit(); // the segments arrive in many chunks: the image's limit, not a frame's
            if (dataSize < 0 || stackSize < 0 || dataSize + (long) stackSize > max) {
                throw new MigrationException("declared segment sizes " + dataSize + "+" + stackSize + " exceed " + max);
            }
            checkOnce();
            byte[] data = new byte[dataSize];
            byte[] stack = new byte[stackSize];
            return new PreCreatedAgent() {
                @Override
                public void writeData(int offset, byte[] page) throws MigrationException {
                    write(data, offset, page, "data");
                }

                @Override
                public void writeStack(int offset, byte[] page) throws MigrationException {
                    write(stack, offset, page, "stack");
                }

                @Override
                public void complete(byte[] registers) throws MigrationException {
                    restoreImage(new AgentImage(type, data, stack, registers));
                }
            };
        }

        private void checkOnce() throws MigrationException {
            if (rebuilt != null) {
                throw new MigrationException("the agent was already restored in this migration");
            }
        }
    }

    private static void write(byte[] segment, int offset, byte[] page, String name) throws MigrationException {
        if (offset < 0 || page.length > segment.length - offset) {
            throw new MigrationException(name + " page at " + offset + " (+" + page.length + ") outside segment of "
                    + segment.length + " bytes");
        }
        System.arraycopy(page, 0, segment, offset, page.length);
    }

    AgentCellIncoming(AgentCell cell) {
        this.cell = cell;
    }

    /** Whether the migration arriving ({@code INCOMING}) is migration {@code id}. */
    boolean arriving(long id) {
        return in.id == id;
    }

    /** Whether the migration arriving ({@code INCOMING}) restores with strategy {@code name} and has not voted. */
    boolean beforeReadyWith(String name) {
        return name.equals(in.strategyName) && !in.readySent;
    }

    /** An application frame while the agent arrives: held here, delivered after the stub's buffer. */
    void hold(Frame f) {
        if (!cell.fits(in.held.size(), in.heldBytes, f)) {
            cell.refuse(f, "agent of " + cell.mobile + " is arriving and its queue is full");
            return;
        }
        in.held.add(f);
        in.heldBytes += f.wireSize();
        cell.ack(f);
    }

    /** A FLUSH marker while the agent arrives. */
    void onFlush(Frame f) {
        if (f.correlationId() == in.id) {
            in.flushed = true;
        } else if (!in.readySent) {
            returnFlush(in, f);
        } else {
            // the source sent its image, so it drains nothing: whoever sent this marker waits no more
            in.held.add(f);
        }
    }

    // ------------------------------------------------------------------ the old chain's drain, after the arrival

    /** Whether the live agent waits for its old forwarding chain to drain (its FLUSH marker to come back). */
    boolean draining() {
        return draining != null;
    }

    /** A message that came here directly while the old chain drains: held until it has. */
    void holdWhileDraining(Frame f) {
        if (!cell.fits(draining.held.size(), draining.heldBytes, f)) {
            cell.refuse(f, "agent of " + cell.mobile + " is draining its old forwarding chain");
            return;
        }
        draining.held.add(f);
        draining.heldBytes += f.wireSize();
        cell.ack(f);
    }

    /** Whether {@code f} is the FLUSH marker the drain waits for: then the drain ends. */
    boolean flushReturned(Frame f) {
        if (draining != null && f.correlationId() == draining.flushId) {
            endDraining();
            return true;
        }
        return false;
    }

    private void endDraining() {
        Draining d = draining;
        draining = null;
        d.timeout.cancel(false);
        for (Frame h : d.held) {
            cell.deliverOrFlush(h);
        }
        cell.outgoing.resumeWaitingTransfer();
    }

    // ------------------------------------------------------------------ target side

    void onMigrate(Frame f) throws FrameException {
        Payloads.Migrate m = Json.decode(f.payload(), Payloads.Migrate.class);
        long id = f.correlationId();
        ProtocolRules.Verdict verdict = ProtocolRules.migrate(cell.state, in == null ? 0 : in.id, cell.epoch,
                cell.highestEpoch, id, f.epoch());
        if (verdict == ProtocolRules.Verdict.DUPLICATE) {
            cell.uss.core().metrics().inc("migrate.duplicate");
            return; // a duplicate MIGRATE changes nothing
        }
        if (verdict == ProtocolRules.Verdict.STALE) {
            cell.uss.core().metrics().inc("migrate.stale");
            cell.uss.trySend(m.from(), new Frame(MessageType.MIGRATE_FAILED, 0, id, f.epoch(), 0, cell.mobile.value(),
                    Json.encode(new MigrateFailed("stale epoch " + f.epoch() + " at " + cell.uss.id()))));
            return;
        }
        if (cell.state == State.LIVE || cell.state == State.OUTGOING) {
            cell.uss.trySend(m.from(), new Frame(MessageType.MIGRATE_FAILED, 0, id, f.epoch(), 0, cell.mobile.value(),
                    Json.encode(new MigrateFailed("agent of " + cell.mobile + " already runs on " + cell.uss.id()))));
            return;
        }
        if (cell.state == State.INCOMING && in.readySent) {
            // prepared: the source may have committed, so this node owns the agent and does not give it up for a
            // newer migration. Most often that newer MIGRATE means the LS moved on after the source rolled this
            // migration back, and the source's MIGRATE_FAILED is still on its way (another link, a slower one): it
            // waits until this migration ends (at most one migration time-out) and then runs, or is refused.
            deferMigrate(in, f);
            return;
        }
        if (cell.state == State.INCOMING) {
            // a newer migration supersedes the one still arriving (the LS gave up on it): end that one cleanly
            // (its session aborted, its time-out cancelled, what it held sent after the agent) before this starts
            failIncoming("superseded by migration " + id + " (epoch " + f.epoch() + ")", true);
        }
        cell.highestEpoch = f.epoch();
        Incoming inc = new Incoming();
        inc.id = id;
        inc.epoch = f.epoch();
        inc.source = m.source();
        inc.sourceNode = m.sourceNode();
        inc.ls = m.from();
        inc.requestedStrategy = m.strategy();
        String oldChain = cell.state == State.FORWARDING || cell.state == State.TOMBSTONE
                ? cell.stub.forwardTo()
                : null;
        inc.oldChain = oldChain;
        cell.stub.cancelTimer();
        in = inc;
        cell.state = State.INCOMING;
        inc.timeout = cell.schedule(3 * cell.uss.settings().migrationTimeoutMillis(), () -> {
            if (in == inc) {
                failIncoming("timed out waiting for the agent from " + inc.sourceNode, true);
            }
        });
        if (oldChain != null && !oldChain.equals(m.source())) {
            // messages this node forwarded may still be on their way to the source; a marker follows them.
            // (When the chain leads straight to the source, the TRANSFER below follows them on the same
            // FIFO link and no marker is needed.)
            // the marker names this node: a node along the chain that no longer knows the mobile sends it back
            inc.flushPending = cell.uss.trySend(oldChain,
                    new Frame(MessageType.FLUSH, 0, id, f.epoch(), 0, cell.mobile.value(),
                            Json.encode(new Payloads.Request(cell.uss.address().toString()))));
        }
        Transfer t = new Transfer(cell.uss.address().toString(), cell.uss.id().value(), cell.uss.cluster().value(),
                cell.uss.strategyNames(), m.strategy(), cell.uss.core().agentType(), m.ticket());
        try {
            cell.uss.send(NodeAddress.parse(m.source()), new Frame(MessageType.TRANSFER, 0, id, f.epoch(), 0,
                    cell.mobile.value(), Json.encode(t)));
        } catch (TransportException | IllegalArgumentException e) {
            failIncoming("source " + m.sourceNode() + " unreachable: " + e.getMessage(), true);
        }
    }

    /** Keeps a newer MIGRATE until the prepared migration {@code inc} ends; only the newest one waits. */
    private void deferMigrate(Incoming inc, Frame f) throws FrameException {
        if (inc.deferred != null && inc.deferred.correlationId() == f.correlationId()) {
            cell.uss.core().metrics().inc("migrate.duplicate"); // a copy of the MIGRATE that waits already
            return;
        }
        if (inc.deferred != null) {
            if (inc.deferred.epoch() >= f.epoch()) {
                refusePrepared(inc, f);
                return;
            }
            refusePrepared(inc, inc.deferred);
        }
        inc.deferred = f;
        cell.uss.core().metrics().inc("migrate.deferred.prepared");
        cell.schedule(cell.uss.settings().migrationTimeoutMillis(), () -> {
            if (in == inc && inc.deferred == f) {
                inc.deferred = null;
                try {
                    refusePrepared(inc, f);
                } catch (FrameException e) {
                    LOG.warn("{}: deferred MIGRATE of {}: {}", cell.uss.id(), cell.mobile, e.getMessage());
                }
            }
        });
    }

    /** Refuses a MIGRATE that came while this node is a prepared target of migration {@code inc}; the LS retries. */
    private void refusePrepared(Incoming inc, Frame f) throws FrameException {
        Payloads.Migrate m = Json.decode(f.payload(), Payloads.Migrate.class);
        cell.uss.core().metrics().inc("migrate.refused.prepared");
        cell.uss.trySend(m.from(), new Frame(MessageType.MIGRATE_FAILED, 0, f.correlationId(), f.epoch(), 0,
                cell.mobile.value(),
                Json.encode(new MigrateFailed("agent of " + cell.mobile + " is arriving on " + cell.uss.id()
                        + " (migration " + inc.id + " past its commit point)"))));
    }

    /** Runs the MIGRATE that waited for migration {@code inc} to end, after the task in progress. */
    private void runDeferred(Incoming inc) {
        Frame d = inc.deferred;
        if (d != null) {
            inc.deferred = null;
            cell.actor.execute(() -> cell.onFrame(d));
        }
    }

    void onTransferData(Frame f) {
        if (cell.state != State.INCOMING || in.id != f.correlationId() || in.readySent) {
            cell.uss.core().metrics().inc("migrate.stray.data");
            return;
        }
        if (f.seq() != in.expectedSeq) {
            failIncoming("chunk " + f.seq() + " arrived, expected " + in.expectedSeq, true);
            return;
        }
        byte[] chunk = f.payload();
        if (f.seq() == 0) {
            // the first chunk names the strategy the source chose: [u8 n][name][chunk]
            int n = chunk.length == 0 ? -1 : chunk[0] & 0xFF;
            if (n < 1 || 1 + n > chunk.length) {
                failIncoming("first TRANSFER_DATA chunk does not name a strategy", true);
                return;
            }
            String name = new String(chunk, 1, n, java.nio.charset.StandardCharsets.US_ASCII);
            chunk = java.util.Arrays.copyOfRange(chunk, 1 + n, chunk.length);
            if (cell.uss.core().strategy(name) == null) {
                failIncoming("strategy '" + name + "' is not installed on " + cell.uss.id(), true);
                return;
            }
            in.strategyName = name;
        }
        in.expectedSeq++;
        in.bytes += chunk.length;
        Incoming inc = in;
        byte[] data = chunk;
        cell.offTransport(AgentCell.mayBlock(cell.uss.core().strategy(inc.strategyName), inc.bytes), () -> {
            if (cell.state == State.INCOMING && in == inc) {
                restoreChunk(inc, f, data);
            }
        });
    }

    /** Feeds one chunk to the strategy (starting its session on the first) and answers READY after the last. */
    private void restoreChunk(Incoming in, Frame f, byte[] chunk) {
        if (in.session == null) {
            MigrationStrategy s = cell.uss.core().strategy(in.strategyName);
            if (s == null) {
                failIncoming("strategy '" + in.strategyName + "' was uninstalled mid-migration", true);
                return;
            }
            try {
                in.session = s.beginRestore(in, cell.context(in.id, in.epoch, in.sourceNode, cell.uss.id().value()));
            } catch (MigrationException | RuntimeException | LinkageError e) {
                failIncoming(in.strategyName + " restore refused: " + e.getMessage(), true);
                return;
            }
        }
        try {
            in.session.accept(chunk);
            if (f.has(Frame.LAST)) {
                in.session.finish();
                if (in.rebuilt == null) {
                    throw new MigrationException(
                            "strategy " + in.strategyName + " finished without restoring the agent");
                }
                // durable before it votes: the source forgets its own at READY
                cell.checkpointArriving(in.rebuilt, in.epoch);
                cell.uss.send(NodeAddress.parse(in.source), new Frame(MessageType.READY, 0, in.id, in.epoch, 0,
                        cell.mobile.value(), new byte[0]));
                LOG.debug("{}: migration {} of {}: READY sent to {}; the agent is prepared here", cell.uss.id(), in.id,
                        cell.mobile, in.sourceNode);
                prepared(in);
            }
        } catch (MigrationException | RuntimeException | LinkageError e) {
            failIncoming(in.strategyName + " restore failed: " + e.getMessage(), true);
        } catch (TransportException e) {
            failIncoming("source " + in.sourceNode + " unreachable: " + e.getMessage(), true);
        }
    }

    /**
     * READY went out: this node is a prepared participant. The source may have committed, so from here only the
     * source's own MIGRATE_FAILED (it rolled back: it never saw READY) can make this node drop the agent. It waits
     * for BUFFERED; without it (the source died, or its chunks never came) it goes live after the wait anyway,
     * with the messages it holds, and reports MIGRATE_DONE.
     */
    private void prepared(Incoming inc) {
        inc.readySent = true;
        if (inc.timeout != null) {
            inc.timeout.cancel(false);
        }
        long wait = bufferedWaitMillis();
        inc.timeout = cell.schedule(wait, () -> {
            if (cell.state == State.INCOMING && in == inc) {
                cell.uss.core().metrics().inc("migrate.buffered.timeout");
                LOG.warn("{}: no BUFFERED from {} within {} ms after READY for migration {} of {}; the agent goes live"
                        + " here without the source stub's messages", cell.uss.id(), inc.sourceNode, wait, inc.id,
                        cell.mobile);
                arrive(inc, List.of(), false);
            }
        });
    }

    /** How long a prepared target waits for BUFFERED: twice the source's retry window. */
    private long bufferedWaitMillis() {
        return 2 * cell.uss.settings().migrationTimeoutMillis();
    }

    void onBuffered(Frame f) throws FrameException {
        long id = f.correlationId();
        if (cell.state == State.INCOMING && in.id == id && in.readySent) {
            List<Frame> drained = assemble(in.assembly, f);
            if (drained != null) {
                Incoming inc = in;
                ackBuffered(inc.source, f);
                arrive(inc, drained, true);
            }
            return;
        }
        Arrived a = arrived;
        if (a != null && a.id == id) {
            if (a.buffered) {
                // a retry whose first copy arrived: only the ACK was missing
                if (f.has(Frame.LAST)) {
                    cell.uss.core().metrics().inc("migrate.buffered.duplicate");
                    ackBuffered(a.source, f);
                }
                return;
            }
            List<Frame> late = assemble(a.assembly, f);
            if (late != null) {
                a.buffered = true;
                ackBuffered(a.source, f);
                lateBuffered(late);
            }
            return;
        }
        cell.uss.core().metrics().inc("migrate.stray.buffered");
    }

    /** Adds one BUFFERED chunk ({@link BufferedAssembly#add}), counting gaps. */
    private List<Frame> assemble(BufferedAssembly a, Frame f) throws FrameException {
        List<Frame> messages = a.add(f);
        if (a.gap()) {
            cell.uss.core().metrics().inc("migrate.buffered.gap");
        }
        return messages;
    }

    /** Tells the source that its BUFFERED is in: ACK (not a reply) with the migration id. */
    private void ackBuffered(String source, Frame f) {
        cell.uss.trySend(source,
                new Frame(MessageType.ACK, 0, f.correlationId(), f.epoch(), f.seq() + 1, cell.mobile.value(),
                        new byte[0]));
    }

    /** The stub's messages came after the agent went live here without them: delivered now, as forwarded ones. */
    private void lateBuffered(List<Frame> late) {
        cell.uss.core().metrics().add("migrate.buffered.late", late.size());
        LOG.warn("{}: {} buffered messages of {} arrived after its agent went live here; delivered late", cell.uss.id(),
                late.size(), cell.mobile);
        for (Frame d : late) {
            if (d.type() == MessageType.FLUSH) {
                cell.onFlush(d);
            } else {
                try {
                    cell.onAgentFrame(new Frame(d.type(), d.flags() | Frame.FORWARDED, d.correlationId(), cell.epoch,
                            d.seq(), d.mobile(), d.payload()));
                } catch (FrameException e) {
                    cell.uss.core().metrics().inc("frames.invalid");
                }
            }
        }
    }

    /** The agent goes live here: the stub's messages first, then those that reached this node directly. */
    private void arrive(Incoming inc, List<Frame> drained, boolean buffered) {
        in = null;
        inc.timeout.cancel(false);
        Arrived a = new Arrived(new BufferedAssembly(cell.uss.settings().limits()));
        a.id = inc.id;
        a.source = inc.source;
        a.buffered = buffered;
        arrived = a;
        cell.agent = inc.rebuilt;
        cell.epoch = inc.epoch;
        cell.state = State.LIVE;
        cell.uss.hosted(1);
        cell.uss.forgetAnchor(cell.mobile); // the agent runs in the mobile's cluster now
        for (Frame d : drained) {
            if (d.type() == MessageType.FLUSH && d.correlationId() == inc.id) {
                inc.flushed = true;
            } else {
                cell.deliverOrFlush(d);
            }
        }
        cell.uss.core().metrics().add("stub.drained", drained.size());
        if (inc.flushPending && !inc.flushed) {
            Draining dr = new Draining();
            dr.flushId = inc.id;
            dr.held.addAll(inc.held);
            dr.heldBytes = inc.heldBytes;
            dr.timeout = cell.schedule(cell.uss.settings().migrationTimeoutMillis(), () -> {
                if (draining == dr) {
                    cell.uss.core().metrics().inc("flush.timeout");
                    LOG.warn("{}: FLUSH marker of {} did not return; delivering held messages", cell.uss.id(),
                            cell.mobile);
                    endDraining();
                }
            });
            draining = dr;
        } else {
            for (Frame h : inc.held) {
                cell.deliverOrFlush(h);
            }
        }
        if (inc.timerRemaining >= 0) {
            cell.agent.resumeTimers(cell, inc.timerRemaining);
        }
        cell.uss.core().metrics().inc("migrations.in");
        MigrateDone done = new MigrateDone(cell.uss.id().value(), cell.uss.cluster().value(),
                cell.uss.address().toString(),
                inc.strategyName, inc.bytes, drained.size(), drained.size());
        cell.uss.trySend(inc.ls, new Frame(MessageType.MIGRATE_DONE, 0, inc.id, inc.epoch, 0, cell.mobile.value(),
                Json.encode(done)));
        runDeferred(inc);
    }

    /** Abandons an incoming migration; messages that reached this node early go back to the source. */
    void failIncoming(String reason, boolean tellSource) {
        if (cell.state != State.INCOMING) {
            return;
        }
        Incoming inc = in;
        in = null;
        if (inc.timeout != null) {
            inc.timeout.cancel(false);
        }
        if (inc.session != null) {
            try {
                inc.session.abort();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("{}: abort of {} restore threw", cell.uss.id(), inc.strategyName, e);
            }
        }
        cell.uss.core().metrics().inc("migrations.failed.target");
        LOG.info("{}: incoming migration {} of {} failed: {}", cell.uss.id(), inc.id, cell.mobile, reason);
        Frame failed = new Frame(MessageType.MIGRATE_FAILED, 0, inc.id, inc.epoch, 0, cell.mobile.value(),
                Json.encode(new MigrateFailed(reason)));
        if (tellSource) {
            cell.uss.trySend(inc.source, failed);
        }
        cell.uss.trySend(inc.ls, failed);
        // the agent stays at the source: what arrived here goes there
        cell.stub.forwardTo(inc.source, inc.sourceNode, cell.epoch);
        for (Frame h : inc.held) {
            cell.stub.forward(h);
        }
        cell.stub.armIdle();
        runDeferred(inc);
    }

    /**
     * A FLUSH marker of an earlier migration reached this node while it is the target of a later one, before
     * READY: the marker's old chain runs through this node. The node that waits for it (the earlier migration's
     * target) is this migration's source — while it drains it refuses to move on, so the LS still has the agent
     * there — and this migration cannot go on before that drain ends. Held here until this agent arrives, the
     * marker would only come back through the drain time-out, after the source had delivered the messages it
     * holds ahead of those that travelled the chain in front of the marker. So the marker goes back at once, after
     * everything held here so far (the chain's stragglers among them), in order: down the path this node forwarded
     * on as a stub (behind what it forwarded before the migration began; it leads to the agent), else straight to
     * the source. They are stamped FORWARDED with the marker's epoch — the draining agent's — so that the source
     * delivers them before it ends its drain; held frames were acknowledged when they came here.
     */
    private void returnFlush(Incoming inc, Frame marker) {
        cell.uss.core().metrics().inc("flush.returned");
        inc.held.add(marker);
        String via = inc.oldChain != null ? inc.oldChain : inc.source;
        NodeAddress to;
        try {
            to = NodeAddress.parse(via);
        } catch (IllegalArgumentException e) {
            return; // cannot happen for a MIGRATE that started; the marker stays held
        }
        while (!inc.held.isEmpty()) {
            Frame h = inc.held.peek();
            if (h.hops() >= Frame.MAX_HOPS) {
                inc.held.poll();
                cell.uss.core().metrics().inc("frames.hop.limit");
                LOG.error("{}: dropped {} for {} after {} hops (limit {}); not returned to {}", cell.uss.id(), h,
                        cell.mobile,
                        h.hops(), Frame.MAX_HOPS, via);
                continue;
            }
            Frame back = h.type() == MessageType.FLUSH
                    ? h.forwarded(0, h.epoch())
                    : h.forwarded(Frame.FORWARDED, marker.epoch());
            try {
                cell.uss.send(to, back);
            } catch (TransportException e) {
                // unreachable: the rest stays held (sent on to the source when the agent arrives or this fails)
                LOG.warn("{}: could not return FLUSH marker {} of {} via {}: {}", cell.uss.id(), marker.correlationId(),
                        cell.mobile, via, e.getMessage());
                break;
            }
            inc.held.poll();
            if (h.type() != MessageType.FLUSH) { // markers are not counted against the queue's limits
                inc.heldBytes -= h.wireSize();
            }
            cell.uss.core().metrics().inc("stub.forwarded");
        }
    }
}

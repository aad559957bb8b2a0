package org.roamer.core.internal.node;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.roamer.api.AgentInfo;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.Actor;
import org.roamer.core.internal.agent.AgentContext;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.agent.UserAgent;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.Busy;
import org.roamer.core.internal.wire.Payloads.CreateAgent;
import org.roamer.core.internal.wire.Payloads.MigrateDone;
import org.roamer.core.internal.wire.Payloads.MigrateFailed;
import org.roamer.core.internal.wire.Payloads.Redirect;
import org.roamer.core.internal.wire.Payloads.Reply;
import org.roamer.core.internal.wire.Payloads.Transfer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one USS knows about one mobile's agent, owned by one {@link Actor}: the live agent, or the
 * stub that stands in for it while it migrates out (buffering), after the commit (forwarding) and after
 * the idle time-out (tombstone: redirecting), or the agent being rebuilt here (incoming). Every field is
 * touched only on the actor, so the protocol needs no locks. See docs/protocol.md for the state machine.
 */
final class AgentCell implements AgentContext {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCell.class);

    enum State { NEW, LIVE, OUTGOING, FORWARDING, TOMBSTONE, INCOMING, DEAD }

    private final UserSignalingServer uss;
    final MobileId mobile;
    final Actor actor;

    private State state = State.NEW;
    private UserAgent agent;
    private long epoch;
    /** Highest epoch seen in any migration request: older requests are stale. */
    private long highestEpoch;
    private Outgoing out;
    private Incoming in;
    private Waiting waiting;
    private Draining draining;
    /** FLUSH markers that reached the live agent before the migration they belong to started here. */
    private ArrayDeque<Frame> seenFlushes; // rarely needed: allocated on first use
    private String forwardTo;
    /** Epoch of the agent at {@link #forwardTo}; stamped on forwarded frames so the target knows them. */
    private long forwardEpoch;
    private String forwardNode;
    private long lastActivity;
    private ScheduledFuture<?> stubTimer;
    /** The mobile is in another cluster while its agent stays here (anchored routing); null when it is here. */
    private Away away;
    /** Source after the commit: the BUFFERED chunks, sent again until the target acknowledges them. */
    private Drain drain;
    /** Target: the migration that last made the agent live here (for BUFFERED that comes again, or late). */
    private Arrived arrived;
    /** Source: the last migration rolled back here and its target, which a late READY must tell to drop its copy. */
    private long rolledBackId = -1;
    private String rolledBackTarget;

    /** How often a source sends its BUFFERED chunks before it gives up waiting for their ACK. */
    static final int BUFFERED_ATTEMPTS = 4;

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

    /** Where the mobile of an anchored agent is, and what the routing policy needs to know about its travels. */
    private static final class Away {
        ClusterId cluster;
        String uss;
        String ussNode;
        long sinceNanos;
        /** Distinct clusters other than this one the mobile has been in since the agent was anchored here. */
        final java.util.Set<String> visited = new java.util.HashSet<>();
        ScheduledFuture<?> recheck;
    }

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
        final BufferedAssembly assembly = new BufferedAssembly(uss.settings().limits());
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
            return uss.core().agentType();
        }

        @Override
        public void restoreVariables(MigrationVariables v) throws MigrationException {
            if (!v.mobile().equals(mobile)) {
                throw new MigrationException("variables are of mobile " + v.mobile() + ", expected " + mobile);
            }
            checkOnce();
            rebuilt = UserAgent.fromVariables(v);
        }

        @Override
        public void restoreImage(AgentImage image) throws MigrationException {
            checkOnce();
            AgentImageCodec.Restored r = AgentImageCodec.restore(image, localAgentType(), mobile);
            rebuilt = r.agent();
            timerRemaining = r.timerRemainingMillis();
        }

        @Override
        public PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) throws MigrationException {
            if (!type.equals(localAgentType())) {
                throw new MigrationException("agent type " + type + " differs from this node's " + localAgentType());
            }
            long max = imageLimit(); // the segments arrive in many chunks: the image's limit, not a frame's
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

    AgentCell(UserSignalingServer uss, MobileId mobile, Actor actor) {
        this.uss = uss;
        this.mobile = mobile;
        this.actor = actor;
    }

    /**
     * Hands a frame to this cell's actor. The frame runs at once on the calling (transport) thread if the
     * actor is idle. Work that may be heavy — capturing the agent after a TRANSFER, rebuilding it from
     * TRANSFER_DATA — moves on to the worker pool unless its strategy is {@link MigrationStrategy#nonBlocking()
     * non-blocking} and the agent small (see {@link #mayBlock} and {@link #offTransport}).
     */
    void post(Frame f) {
        actor.executeInline(() -> onFrame(f));
    }

    /**
     * Whether a step of strategy {@code s} must not run on a transport thread: the strategy may block, or the
     * image is larger than {@link MigrationStrategy#INLINE_IMAGE_BYTES}.
     */
    private static boolean mayBlock(MigrationStrategy s, long imageBytes) {
        return s == null || !s.nonBlocking() || imageBytes > MigrationStrategy.INLINE_IMAGE_BYTES;
    }

    /**
     * Runs {@code task} now, or — when it may block and this runs on a transport thread (see
     * {@link Actor#runningInline()}) — queues it on this cell's actor, which runs it on a worker after the
     * current task. A queued task re-checks the cell's state itself.
     */
    private void offTransport(boolean mayBlock, Runnable task) {
        if (mayBlock && actor.runningInline()) {
            actor.execute(task);
        } else {
            task.run();
        }
    }

    // ------------------------------------------------------------------ dispatch

    private void onFrame(Frame f) {
        if (state == State.DEAD) {
            uss.dispatch(f); // this cell was retired: a fresh one takes the frame
            return;
        }
        try {
            switch (f.type()) {
                case CREATE_AGENT -> onCreate(f);
                case TERMINATE_AGENT -> onTerminate(f);
                case MIGRATE -> onMigrate(f);
                case TRANSFER -> onTransfer(f);
                case TRANSFER_DATA -> onTransferData(f);
                case READY -> onReady(f);
                case BUFFERED -> onBuffered(f);
                case ACK -> onBufferedAck(f);
                case MIGRATE_FAILED -> onMigrateFailed(f);
                case FLUSH -> onFlush(f);
                case LOCATION_UPDATE -> onCrossing(f);
                case AGENT_MESSAGE, CALL_OFFER, PAGE_RESPONSE, ORIGINATE, CALL_DECISION, CALL_RELEASE -> onAgentFrame(f);
                default -> {
                    uss.core().metrics().inc("frames.unexpected");
                    LOG.warn("{}: unexpected {} for {}", uss.id(), f.type(), mobile);
                }
            }
        } catch (FrameException e) {
            uss.core().metrics().inc("frames.invalid");
            LOG.warn("{}: invalid {} for {}: {}", uss.id(), f.type(), mobile, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ life cycle

    private void onCreate(Frame f) throws FrameException {
        CreateAgent c = Json.decode(f.payload(), CreateAgent.class);
        if (state == State.LIVE || state == State.OUTGOING || state == State.INCOMING) {
            boolean same = state == State.LIVE && epoch == f.epoch();
            uss.trySend(c.from(), SignalingNode.reply(f, same ? MessageType.ACK : MessageType.ERROR,
                    Json.encode(same ? Reply.success() : Reply.error("agent of " + mobile + " already runs on " + uss.id()))));
            return;
        }
        cancelStubTimer();
        agent = new UserAgent(mobile, uss.canonical(c.profile().toProfile()), c.radioPort());
        epoch = f.epoch();
        highestEpoch = Math.max(highestEpoch, epoch);
        state = State.LIVE;
        uss.hosted(1);
        uss.core().metrics().inc("agents.created");
        CheckpointStore store = uss.checkpoints().store();
        if (store != null) {
            checkpoint(store); // a registration acknowledged survives a crash right after it
        }
        uss.trySend(c.from(), SignalingNode.reply(f, MessageType.ACK, Json.encode(Reply.success())));
    }

    private void onTerminate(Frame f) throws FrameException {
        Payloads.Request r = Json.decode(f.payload(), Payloads.Request.class);
        if (state != State.LIVE) {
            uss.trySend(r.from(), SignalingNode.reply(f, MessageType.ERROR,
                    Json.encode(Reply.error("agent of " + mobile + " is " + state.name().toLowerCase() + " on " + uss.id()))));
            return;
        }
        agent = null;
        uss.hosted(-1);
        forgetCheckpoint();
        departed(uss.id(), uss.settings().workDirectory());
        uss.core().metrics().inc("agents.terminated");
        retire();
        uss.trySend(r.from(), SignalingNode.reply(f, MessageType.ACK, Json.encode(Reply.success())));
    }

    private void retire() {
        state = State.DEAD;
        cancelStubTimer();
        if (drain != null) {
            drain.retry.cancel(false);
            drain = null;
        }
        home();
        uss.remove(this);
    }

    // ------------------------------------------------------------------ application frames

    private void onAgentFrame(Frame f) throws FrameException {
        switch (state) {
            case LIVE -> {
                if (draining != null && !(f.has(Frame.FORWARDED) && f.epoch() == epoch)) {
                    // arrived directly while older messages may still travel the old chain
                    if (!fits(draining.held.size(), draining.heldBytes, f)) {
                        refuse(f, "agent of " + mobile + " is draining its old forwarding chain");
                        return;
                    }
                    draining.held.add(f);
                    draining.heldBytes += f.wireSize();
                    ack(f);
                    return;
                }
                deliver(f);
                ack(f);
                resumeWaitingTransfer();
            }
            case OUTGOING -> {
                if (!fits(out.buffer.size(), out.bufferBytes, f)) {
                    refuse(f, "stub of " + mobile + " is full while it migrates");
                    return;
                }
                out.buffer.add(f);
                out.bufferBytes += f.wireSize();
                uss.core().metrics().inc("stub.buffered");
                ack(f);
            }
            case INCOMING -> {
                if (!fits(in.held.size(), in.heldBytes, f)) {
                    refuse(f, "agent of " + mobile + " is arriving and its queue is full");
                    return;
                }
                in.held.add(f);
                in.heldBytes += f.wireSize();
                ack(f);
            }
            case FORWARDING -> {
                lastActivity = System.nanoTime();
                forward(f);
            }
            case TOMBSTONE -> {
                // a frame another stub forwarded was acknowledged to its sender by that stub: a REDIRECT would
                // reach the sender as a late reply to a finished request and be dropped, losing the message.
                // Only frames straight from their sender are redirected; forwarded ones go on to the next hop.
                String replyTo = f.has(Frame.FORWARDED) ? null : UserSignalingServer.replyAddress(f);
                if (replyTo != null && (f.type() == MessageType.AGENT_MESSAGE || f.type() == MessageType.CALL_OFFER)) {
                    uss.core().metrics().inc("stub.redirected");
                    uss.trySend(replyTo, SignalingNode.reply(f, MessageType.REDIRECT,
                            Json.encode(new Redirect(forwardTo, forwardNode))));
                } else {
                    forward(f);
                }
            }
            default -> uss.noAgent(f);
        }
    }

    private void resumeWaitingTransfer() {
        if (waiting != null && draining == null && agent.atStablePoint()) {
            Waiting w = waiting;
            waiting = null;
            w.timeout.cancel(false);
            startOutgoing(w.transfer, w.request, w.strategy);
        }
    }

    private void onFlush(Frame f) {
        switch (state) {
            case FORWARDING, TOMBSTONE -> forward(f);
            case OUTGOING -> out.buffer.add(f); // drained in order with the messages around it
            case INCOMING -> {
                if (f.correlationId() == in.id) {
                    in.flushed = true;
                } else if (!in.readySent) {
                    returnFlush(in, f);
                } else {
                    // the source sent its image, so it drains nothing: whoever sent this marker waits no more
                    in.held.add(f);
                }
            }
            case LIVE -> {
                if (draining != null && f.correlationId() == draining.flushId) {
                    endDraining();
                } else {
                    // the marker overtook the TRANSFER it belongs to: everything before it has been delivered
                    // here; it goes first into the stub's buffer when that migration starts
                    if (seenFlushes == null) {
                        seenFlushes = new ArrayDeque<>(2);
                    }
                    if (seenFlushes.size() == 8) {
                        seenFlushes.poll();
                        uss.core().metrics().inc("flush.stray");
                    }
                    seenFlushes.add(f);
                }
            }
            default -> uss.bounceFlush(f);
        }
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
        uss.core().metrics().inc("flush.returned");
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
                uss.core().metrics().inc("frames.hop.limit");
                LOG.error("{}: dropped {} for {} after {} hops (limit {}); not returned to {}", uss.id(), h, mobile,
                        h.hops(), Frame.MAX_HOPS, via);
                continue;
            }
            Frame back = h.type() == MessageType.FLUSH ? h.forwarded(0, h.epoch())
                    : h.forwarded(Frame.FORWARDED, marker.epoch());
            try {
                uss.send(to, back);
            } catch (TransportException e) {
                // unreachable: the rest stays held (sent on to the source when the agent arrives or this fails)
                LOG.warn("{}: could not return FLUSH marker {} of {} via {}: {}", uss.id(), marker.correlationId(),
                        mobile, via, e.getMessage());
                break;
            }
            inc.held.poll();
            if (h.type() != MessageType.FLUSH) { // markers are not counted against the queue's limits
                inc.heldBytes -= h.wireSize();
            }
            uss.core().metrics().inc("stub.forwarded");
        }
    }

    private void endDraining() {
        Draining d = draining;
        draining = null;
        d.timeout.cancel(false);
        for (Frame h : d.held) {
            deliverOrFlush(h);
        }
        resumeWaitingTransfer();
    }

    /** Delivers a frame to the live agent; FLUSH markers in a drained buffer are protocol, not messages. */
    private void deliverOrFlush(Frame f) {
        if (f.type() == MessageType.FLUSH) {
            onFlush(f);
        } else {
            deliver(f);
        }
    }

    /**
     * Whether a queue (stub buffer, held messages) may take one more frame. A frame another stub forwarded is
     * always taken: that stub already acknowledged it to its sender, so refusing it here would lose it. Only
     * frames straight from their sender are refused (BUSY), and the sender retries.
     */
    private boolean fits(int count, int bytes, Frame f) {
        ProtocolRules.Room room = ProtocolRules.room(count, bytes, uss.settings().stubMaxMessages(),
                uss.settings().stubMaxBytes(), f);
        if (room == ProtocolRules.Room.OVER_LIMIT_FORWARDED) {
            uss.core().metrics().inc("stub.over.limit.forwarded");
        }
        return room != ProtocolRules.Room.REFUSE;
    }

    private void refuse(Frame f, String reason) {
        uss.core().metrics().inc("stub.refused");
        String replyTo = UserSignalingServer.replyAddress(f);
        if (replyTo != null) {
            uss.trySend(replyTo, SignalingNode.reply(f, MessageType.BUSY,
                    Json.encode(new Busy(Math.max(1, uss.settings().migrationTimeoutMillis() / 10), reason))));
        } else {
            // no one to tell: an in-process notification such as a page response; the agent's own
            // timer covers its loss, and it is counted
            uss.core().metrics().inc("stub.refused.unanswerable");
            LOG.warn("{}: {} — {} refused", uss.id(), reason, f.type());
        }
    }

    private void forward(Frame f) {
        if (f.hops() >= Frame.MAX_HOPS) {
            // a loop between stubs (or a chase that cannot end): never forward it again
            uss.core().metrics().inc("frames.hop.limit");
            LOG.error("{}: dropped {} for {} after {} hops (limit {}); not forwarded to {}", uss.id(), f,
                    mobile, f.hops(), Frame.MAX_HOPS, forwardNode);
            if (!f.has(Frame.FORWARDED) && f.type() != MessageType.FLUSH) {
                refuse(f, "hop limit of " + Frame.MAX_HOPS + " reached");
            }
            return;
        }
        // FLUSH markers travel as they are (their epoch names their migration), only their hops count
        Frame fwd = f.type() == MessageType.FLUSH ? f.forwarded(0, f.epoch()) : f.forwarded(Frame.FORWARDED, forwardEpoch);
        try {
            uss.send(NodeAddress.parse(forwardTo), fwd);
            uss.core().metrics().inc("stub.forwarded");
            ack(f);
        } catch (TransportException e) {
            if (f.has(Frame.FORWARDED) || f.type() == MessageType.FLUSH) {
                // acknowledged upstream already: nobody can retry it
                uss.core().metrics().inc("stub.forward.lost");
                LOG.error("{}: could not forward {} for {} to {}: {}", uss.id(), f.type(), mobile, forwardTo,
                        e.getMessage());
            } else {
                refuse(f, "cannot forward to " + forwardTo + ": " + e.getMessage());
            }
        }
    }

    /** Acknowledges an application message to its sender (accepted: delivered, buffered or forwarded). */
    private void ack(Frame f) {
        if (f.type() == MessageType.AGENT_MESSAGE && !f.has(Frame.FORWARDED)) {
            String replyTo = UserSignalingServer.replyAddress(f);
            if (replyTo != null) {
                uss.trySend(replyTo, new Frame(MessageType.ACK, Frame.REPLY, f.correlationId(), epoch, f.seq(),
                        f.mobile(), new byte[0]));
            }
        }
    }

    private void deliver(Frame f) {
        try {
            agent.handle(f, this);
        } catch (FrameException e) {
            uss.core().metrics().inc("frames.invalid");
            LOG.warn("{}: agent {} refused {}: {}", uss.id(), mobile, f.type(), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ target side

    private void onMigrate(Frame f) throws FrameException {
        Payloads.Migrate m = Json.decode(f.payload(), Payloads.Migrate.class);
        long id = f.correlationId();
        ProtocolRules.Verdict verdict = ProtocolRules.migrate(state, in == null ? 0 : in.id, epoch, highestEpoch, id,
                f.epoch());
        if (verdict == ProtocolRules.Verdict.DUPLICATE) {
            uss.core().metrics().inc("migrate.duplicate");
            return; // a duplicate MIGRATE changes nothing
        }
        if (verdict == ProtocolRules.Verdict.STALE) {
            uss.core().metrics().inc("migrate.stale");
            uss.trySend(m.from(), new Frame(MessageType.MIGRATE_FAILED, 0, id, f.epoch(), 0, mobile.value(),
                    Json.encode(new MigrateFailed("stale epoch " + f.epoch() + " at " + uss.id()))));
            return;
        }
        if (state == State.LIVE || state == State.OUTGOING) {
            uss.trySend(m.from(), new Frame(MessageType.MIGRATE_FAILED, 0, id, f.epoch(), 0, mobile.value(),
                    Json.encode(new MigrateFailed("agent of " + mobile + " already runs on " + uss.id()))));
            return;
        }
        if (state == State.INCOMING && in.readySent) {
            // prepared: the source may have committed, so this node owns the agent and does not give it up for a
            // newer migration. Most often that newer MIGRATE means the LS moved on after the source rolled this
            // migration back, and the source's MIGRATE_FAILED is still on its way (another link, a slower one): it
            // waits until this migration ends (at most one migration time-out) and then runs, or is refused.
            deferMigrate(in, f);
            return;
        }
        if (state == State.INCOMING) {
            // a newer migration supersedes the one still arriving (the LS gave up on it): end that one cleanly
            // (its session aborted, its time-out cancelled, what it held sent after the agent) before this starts
            failIncoming("superseded by migration " + id + " (epoch " + f.epoch() + ")", true);
        }
        highestEpoch = f.epoch();
        Incoming inc = new Incoming();
        inc.id = id;
        inc.epoch = f.epoch();
        inc.source = m.source();
        inc.sourceNode = m.sourceNode();
        inc.ls = m.from();
        inc.requestedStrategy = m.strategy();
        String oldChain = state == State.FORWARDING || state == State.TOMBSTONE ? forwardTo : null;
        inc.oldChain = oldChain;
        cancelStubTimer();
        in = inc;
        state = State.INCOMING;
        inc.timeout = schedule(3 * uss.settings().migrationTimeoutMillis(), () -> {
            if (in == inc) {
                failIncoming("timed out waiting for the agent from " + inc.sourceNode, true);
            }
        });
        if (oldChain != null && !oldChain.equals(m.source())) {
            // messages this node forwarded may still be on their way to the source; a marker follows them.
            // (When the chain leads straight to the source, the TRANSFER below follows them on the same
            // FIFO link and no marker is needed.)
            // the marker names this node: a node along the chain that no longer knows the mobile sends it back
            inc.flushPending = uss.trySend(oldChain, new Frame(MessageType.FLUSH, 0, id, f.epoch(), 0, mobile.value(),
                    Json.encode(new Payloads.Request(uss.address().toString()))));
        }
        Transfer t = new Transfer(uss.address().toString(), uss.id().value(), uss.cluster().value(),
                uss.strategyNames(), m.strategy(), uss.core().agentType(), m.ticket());
        try {
            uss.send(NodeAddress.parse(m.source()), new Frame(MessageType.TRANSFER, 0, id, f.epoch(), 0,
                    mobile.value(), Json.encode(t)));
        } catch (TransportException | IllegalArgumentException e) {
            failIncoming("source " + m.sourceNode() + " unreachable: " + e.getMessage(), true);
        }
    }

    /** Keeps a newer MIGRATE until the prepared migration {@code inc} ends; only the newest one waits. */
    private void deferMigrate(Incoming inc, Frame f) throws FrameException {
        if (inc.deferred != null && inc.deferred.correlationId() == f.correlationId()) {
            uss.core().metrics().inc("migrate.duplicate"); // a copy of the MIGRATE that waits already
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
        uss.core().metrics().inc("migrate.deferred.prepared");
        schedule(uss.settings().migrationTimeoutMillis(), () -> {
            if (in == inc && inc.deferred == f) {
                inc.deferred = null;
                try {
                    refusePrepared(inc, f);
                } catch (FrameException e) {
                    LOG.warn("{}: deferred MIGRATE of {}: {}", uss.id(), mobile, e.getMessage());
                }
            }
        });
    }

    /** Refuses a MIGRATE that came while this node is a prepared target of migration {@code inc}; the LS retries. */
    private void refusePrepared(Incoming inc, Frame f) throws FrameException {
        Payloads.Migrate m = Json.decode(f.payload(), Payloads.Migrate.class);
        uss.core().metrics().inc("migrate.refused.prepared");
        uss.trySend(m.from(), new Frame(MessageType.MIGRATE_FAILED, 0, f.correlationId(), f.epoch(), 0,
                mobile.value(), Json.encode(new MigrateFailed("agent of " + mobile + " is arriving on " + uss.id()
                        + " (migration " + inc.id + " past its commit point)"))));
    }

    /** Runs the MIGRATE that waited for migration {@code inc} to end, after the task in progress. */
    private void runDeferred(Incoming inc) {
        Frame d = inc.deferred;
        if (d != null) {
            inc.deferred = null;
            actor.execute(() -> onFrame(d));
        }
    }

    private void onTransferData(Frame f) {
        if (state != State.INCOMING || in.id != f.correlationId() || in.readySent) {
            uss.core().metrics().inc("migrate.stray.data");
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
            if (uss.core().strategy(name) == null) {
                failIncoming("strategy '" + name + "' is not installed on " + uss.id(), true);
                return;
            }
            in.strategyName = name;
        }
        in.expectedSeq++;
        in.bytes += chunk.length;
        Incoming inc = in;
        byte[] data = chunk;
        offTransport(mayBlock(uss.core().strategy(inc.strategyName), inc.bytes), () -> {
            if (state == State.INCOMING && in == inc) {
                restoreChunk(inc, f, data);
            }
        });
    }

    /** Feeds one chunk to the strategy (starting its session on the first) and answers READY after the last. */
    private void restoreChunk(Incoming in, Frame f, byte[] chunk) {
        if (in.session == null) {
            MigrationStrategy s = uss.core().strategy(in.strategyName);
            if (s == null) {
                failIncoming("strategy '" + in.strategyName + "' was uninstalled mid-migration", true);
                return;
            }
            try {
                in.session = s.beginRestore(in, context(in.id, in.epoch, in.sourceNode, uss.id().value()));
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
                    throw new MigrationException("strategy " + in.strategyName + " finished without restoring the agent");
                }
                checkpointArriving(in); // durable before it votes: the source forgets its own at READY
                uss.send(NodeAddress.parse(in.source), new Frame(MessageType.READY, 0, in.id, in.epoch, 0,
                        mobile.value(), new byte[0]));
                LOG.debug("{}: migration {} of {}: READY sent to {}; the agent is prepared here", uss.id(), in.id,
                        mobile, in.sourceNode);
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
        inc.timeout = schedule(wait, () -> {
            if (state == State.INCOMING && in == inc) {
                uss.core().metrics().inc("migrate.buffered.timeout");
                LOG.warn("{}: no BUFFERED from {} within {} ms after READY for migration {} of {}; the agent goes live"
                        + " here without the source stub's messages", uss.id(), inc.sourceNode, wait, inc.id, mobile);
                arrive(inc, List.of(), false);
            }
        });
    }

    /** How long a prepared target waits for BUFFERED: twice the source's retry window. */
    private long bufferedWaitMillis() {
        return 2 * uss.settings().migrationTimeoutMillis();
    }

    private void onBuffered(Frame f) throws FrameException {
        long id = f.correlationId();
        if (state == State.INCOMING && in.id == id && in.readySent) {
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
                    uss.core().metrics().inc("migrate.buffered.duplicate");
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
        uss.core().metrics().inc("migrate.stray.buffered");
    }

    /** Adds one BUFFERED chunk ({@link BufferedAssembly#add}), counting gaps. */
    private List<Frame> assemble(BufferedAssembly a, Frame f) throws FrameException {
        List<Frame> messages = a.add(f);
        if (a.gap()) {
            uss.core().metrics().inc("migrate.buffered.gap");
        }
        return messages;
    }

    /** Tells the source that its BUFFERED is in: ACK (not a reply) with the migration id. */
    private void ackBuffered(String source, Frame f) {
        uss.trySend(source, new Frame(MessageType.ACK, 0, f.correlationId(), f.epoch(), f.seq() + 1, mobile.value(),
                new byte[0]));
    }

    /** The stub's messages came after the agent went live here without them: delivered now, as forwarded ones. */
    private void lateBuffered(List<Frame> late) {
        uss.core().metrics().add("migrate.buffered.late", late.size());
        LOG.warn("{}: {} buffered messages of {} arrived after its agent went live here; delivered late", uss.id(),
                late.size(), mobile);
        for (Frame d : late) {
            if (d.type() == MessageType.FLUSH) {
                onFlush(d);
            } else {
                try {
                    onAgentFrame(new Frame(d.type(), d.flags() | Frame.FORWARDED, d.correlationId(), epoch, d.seq(),
                            d.mobile(), d.payload()));
                } catch (FrameException e) {
                    uss.core().metrics().inc("frames.invalid");
                }
            }
        }
    }

    /** The agent goes live here: the stub's messages first, then those that reached this node directly. */
    private void arrive(Incoming inc, List<Frame> drained, boolean buffered) {
        in = null;
        inc.timeout.cancel(false);
        Arrived a = new Arrived(new BufferedAssembly(uss.settings().limits()));
        a.id = inc.id;
        a.source = inc.source;
        a.buffered = buffered;
        arrived = a;
        agent = inc.rebuilt;
        epoch = inc.epoch;
        state = State.LIVE;
        uss.hosted(1);
        uss.forgetAnchor(mobile); // the agent runs in the mobile's cluster now
        for (Frame d : drained) {
            if (d.type() == MessageType.FLUSH && d.correlationId() == inc.id) {
                inc.flushed = true;
            } else {
                deliverOrFlush(d);
            }
        }
        uss.core().metrics().add("stub.drained", drained.size());
        if (inc.flushPending && !inc.flushed) {
            Draining dr = new Draining();
            dr.flushId = inc.id;
            dr.held.addAll(inc.held);
            dr.heldBytes = inc.heldBytes;
            dr.timeout = schedule(uss.settings().migrationTimeoutMillis(), () -> {
                if (draining == dr) {
                    uss.core().metrics().inc("flush.timeout");
                    LOG.warn("{}: FLUSH marker of {} did not return; delivering held messages", uss.id(), mobile);
                    endDraining();
                }
            });
            draining = dr;
        } else {
            for (Frame h : inc.held) {
                deliverOrFlush(h);
            }
        }
        if (inc.timerRemaining >= 0) {
            agent.resumeTimers(this, inc.timerRemaining);
        }
        uss.core().metrics().inc("migrations.in");
        MigrateDone done = new MigrateDone(uss.id().value(), uss.cluster().value(), uss.address().toString(),
                inc.strategyName, inc.bytes, drained.size(), drained.size());
        uss.trySend(inc.ls, new Frame(MessageType.MIGRATE_DONE, 0, inc.id, inc.epoch, 0, mobile.value(),
                Json.encode(done)));
        runDeferred(inc);
    }

    /** Abandons an incoming migration; messages that reached this node early go back to the source. */
    private void failIncoming(String reason, boolean tellSource) {
        if (state != State.INCOMING) {
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
                LOG.warn("{}: abort of {} restore threw", uss.id(), inc.strategyName, e);
            }
        }
        uss.core().metrics().inc("migrations.failed.target");
        LOG.info("{}: incoming migration {} of {} failed: {}", uss.id(), inc.id, mobile, reason);
        Frame failed = new Frame(MessageType.MIGRATE_FAILED, 0, inc.id, inc.epoch, 0, mobile.value(),
                Json.encode(new MigrateFailed(reason)));
        if (tellSource) {
            uss.trySend(inc.source, failed);
        }
        uss.trySend(inc.ls, failed);
        // the agent stays at the source: what arrived here goes there
        forwardTo = inc.source;
        forwardNode = inc.sourceNode;
        forwardEpoch = epoch;
        state = State.FORWARDING;
        lastActivity = System.nanoTime();
        for (Frame h : inc.held) {
            forward(h);
        }
        armIdle();
        runDeferred(inc);
    }

    // ------------------------------------------------------------------ source side

    private void onTransfer(Frame f) throws FrameException {
        Transfer t = Json.decode(f.payload(), Transfer.class);
        long id = f.correlationId();
        ProtocolRules.Verdict verdict = ProtocolRules.transfer(state, out == null ? 0 : out.id,
                waiting == null ? null : waiting.transfer.correlationId(), epoch, highestEpoch, id, f.epoch());
        if (verdict == ProtocolRules.Verdict.DUPLICATE) {
            uss.core().metrics().inc("migrate.duplicate");
            return;
        }
        if (verdict == ProtocolRules.Verdict.NOT_LIVE) {
            failTransfer(f, t, "no live agent of " + mobile + " on " + uss.id() + " (" + state.name().toLowerCase() + ")");
            return;
        }
        if (verdict == ProtocolRules.Verdict.STALE) {
            uss.core().metrics().inc("migrate.stale");
            failTransfer(f, t, "stale TRANSFER: epoch " + f.epoch() + ", agent has " + epoch);
            return;
        }
        if (waiting != null) {
            failTransfer(f, t, "another migration of " + mobile + " waits for a stable point");
            return;
        }
        highestEpoch = f.epoch();
        StrategyNegotiator.Outcome negotiated = uss.negotiate(t.targetNode(), t.strategies(), t.strategy(),
                t.agentType());
        String name = negotiated.strategy();
        if (name == null) {
            failTransfer(f, t, negotiated.reason());
            return;
        }
        MigrationStrategy s = uss.core().strategy(name);
        if (s == null) { // uninstalled since the negotiation chose it
            failTransfer(f, t, "strategy '" + name + "' was uninstalled");
            return;
        }
        if (draining != null || !s.traits().asynchronousInitiation() && !agent.atStablePoint()) {
            Waiting w = new Waiting();
            w.transfer = f;
            w.request = t;
            w.strategy = s;
            w.timeout = schedule(uss.settings().stablePointTimeoutMillis(), () -> {
                if (waiting == w) {
                    waiting = null;
                    failTransfer(f, t, draining != null
                            ? "the agent was still taking in messages from its previous move after "
                                    + uss.settings().stablePointTimeoutMillis() + " ms (its FLUSH marker had not returned)"
                            : "no stable point within " + uss.settings().stablePointTimeoutMillis() + " ms (" + name
                                    + " migrates only between negotiations)");
                }
            });
            waiting = w;
            uss.core().metrics().inc("migrate.waited.stable");
            return;
        }
        startOutgoing(f, t, s);
    }

    private void failTransfer(Frame f, Transfer t, String reason) {
        Frame failed = new Frame(MessageType.MIGRATE_FAILED, 0, f.correlationId(), f.epoch(), 0, mobile.value(),
                Json.encode(new MigrateFailed(reason)));
        uss.core().metrics().inc("migrations.refused");
        uss.trySend(t.target(), failed);
        uss.tellLocationServer(failed);
    }

    private void startOutgoing(Frame f, Transfer t, MigrationStrategy s) {
        Outgoing o = new Outgoing();
        o.id = f.correlationId();
        o.epoch = f.epoch();
        o.target = t.target();
        o.targetNode = t.targetNode();
        o.strategy = s.name();
        o.ctx = context(o.id, o.epoch, uss.id().value(), o.targetNode);
        out = o;
        state = State.OUTGOING; // the stub now stands in for the agent
        if (seenFlushes != null) {
            for (Frame marker : seenFlushes) {
                if (marker.correlationId() == o.id) {
                    o.buffer.add(marker);
                }
            }
            seenFlushes = null;
        }
        offTransport(mayBlock(s, agent.applicationState().length + 4096L), () -> {
            if (state == State.OUTGOING && out == o) {
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
            s.capture(new SourceView(agent), ctx, chunk -> {
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
                uss.send(target, new Frame(MessageType.TRANSFER_DATA, i == chunks.size() - 1 ? Frame.LAST : 0, o.id,
                        o.epoch, i, mobile.value(), payload));
            }
            LOG.debug("{}: migration {} of {}: image sent to {} ({} bytes, {}); waiting for READY", uss.id(), o.id,
                    mobile, o.targetNode, o.bytes, s.name());
        } catch (MigrationException | RuntimeException | LinkageError e) {
            // LinkageError: the strategy's bundle was uninstalled while it ran (a class it still needed is gone)
            rollback(s.name() + " capture failed: " + e.getMessage(), true);
            return;
        } catch (TransportException e) {
            rollback("target " + o.targetNode + " unreachable: " + e.getMessage(), true);
            return;
        }
        o.timeout = schedule(uss.settings().migrationTimeoutMillis(),
                () -> rollback("no READY from " + o.targetNode + " within " + uss.settings().migrationTimeoutMillis()
                        + " ms", true));
    }

    private void onReady(Frame f) {
        if (state != State.OUTGOING || out.id != f.correlationId()) {
            // READY after a rollback: make the target discard its copy
            uss.core().metrics().inc("migrate.late.ready");
            // a prepared target never drops the agent on its own: it must hear that this migration was rolled back
            String target = rolledBackId == f.correlationId() ? rolledBackTarget : null;
            LOG.info("{}: late READY for migration {} of {}", uss.id(), f.correlationId(), mobile);
            if (target != null) {
                uss.trySend(target, new Frame(MessageType.MIGRATE_FAILED, 0, f.correlationId(), f.epoch(), 0,
                        mobile.value(), Json.encode(new MigrateFailed("migration was rolled back"))));
            }
            return;
        }
        if (out.timeout == null) {
            // the image is not even sent yet (its capture waits for a worker): a READY now is bogus
            uss.core().metrics().inc("migrate.stray.ready");
            return;
        }
        // commit point: from here the target owns the agent
        Outgoing o = out;
        out = null;
        o.timeout.cancel(false);
        agent = null;
        home(); // the agent follows its mobile: nothing is anchored here any more
        uss.hosted(-1);
        forgetCheckpoint();
        List<Frame> drained = new ArrayList<>(o.buffer);
        forwardTo = o.target;
        forwardNode = o.targetNode;
        forwardEpoch = o.epoch;
        state = State.FORWARDING;
        lastActivity = System.nanoTime();
        uss.core().metrics().inc("migrations.out");
        if (drain != null) {
            drain.retry.cancel(false); // an older drain still unacknowledged: this newer target is the agent's home
            uss.core().metrics().add("stub.drain.unacked", drain.messages);
        }
        Drain dr = new Drain();
        dr.id = o.id;
        dr.target = o.target;
        dr.targetNode = o.targetNode;
        dr.messages = drained.size();
        dr.chunks = bufferedChunks(o.id, o.epoch, drained);
        drain = dr;
        sendDrain(dr);
        armIdle();
        outcome(o, true);
    }

    /** The stub's buffer as BUFFERED frames: the encoded list cut into chunks of at most one data payload. */
    private List<Frame> bufferedChunks(long id, long ep, List<Frame> drained) {
        byte[] all = AgentMessages.encodeBuffered(drained);
        int max = uss.settings().limits().maxDataPayload();
        int n = Math.max(1, (all.length + max - 1) / max);
        List<Frame> chunks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int from = i * max;
            byte[] part = java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + max));
            chunks.add(new Frame(MessageType.BUFFERED, i == n - 1 ? Frame.LAST : 0, id, ep, i, mobile.value(), part));
        }
        return chunks;
    }

    /** Sends every chunk of the drain (again) and arms the next attempt; gives up after {@link #BUFFERED_ATTEMPTS}. */
    private void sendDrain(Drain dr) {
        dr.attempts++;
        if (dr.attempts > 1) {
            uss.core().metrics().inc("stub.drain.retried");
        }
        for (Frame c : dr.chunks) {
            if (!uss.trySend(dr.target, c)) {
                break; // the rest would not arrive either; the next attempt sends all again
            }
        }
        long every = Math.max(1, uss.settings().migrationTimeoutMillis() / BUFFERED_ATTEMPTS);
        dr.retry = schedule(every, () -> {
            if (drain != dr) {
                return;
            }
            if (dr.attempts < BUFFERED_ATTEMPTS) {
                sendDrain(dr);
            } else {
                drain = null;
                uss.core().metrics().add("stub.drain.unacked", dr.messages);
                LOG.error("{}: {} buffered messages of {} not acknowledged by {} after {} attempts", uss.id(),
                        dr.messages, mobile, dr.targetNode, dr.attempts);
            }
        });
    }

    /** The target has the stub's buffer: stop sending it. */
    private void onBufferedAck(Frame f) {
        Drain dr = drain;
        if (f.has(Frame.REPLY) || dr == null || dr.id != f.correlationId()) {
            uss.core().metrics().inc("frames.unexpected");
            return;
        }
        drain = null;
        dr.retry.cancel(false);
        uss.core().metrics().inc("stub.drain.acked");
    }

    private void onMigrateFailed(Frame f) throws FrameException {
        String reason = Json.decode(f.payload(), MigrateFailed.class).reason();
        if (state == State.OUTGOING && out.id == f.correlationId()) {
            rollback("target: " + reason, false);
        } else if (state == State.INCOMING && in.id == f.correlationId()) {
            failIncoming("source: " + reason, false);
        } else if (waiting != null && waiting.transfer.correlationId() == f.correlationId()) {
            waiting.timeout.cancel(false);
            waiting = null;
        }
    }

    /** Before the commit point: the agent resumes here with every buffered message, in order. */
    private void rollback(String reason, boolean tellTarget) {
        if (state != State.OUTGOING) {
            return;
        }
        Outgoing o = out;
        out = null;
        if (o.timeout != null) {
            o.timeout.cancel(false);
        }
        state = State.LIVE;
        rolledBackId = o.id;
        rolledBackTarget = o.target;
        uss.core().metrics().inc("migrations.rolledback");
        LOG.info("{}: migration {} of {} rolled back: {}", uss.id(), o.id, mobile, reason);
        Frame failed = new Frame(MessageType.MIGRATE_FAILED, 0, o.id, o.epoch, 0, mobile.value(),
                Json.encode(new MigrateFailed(reason)));
        if (tellTarget) {
            uss.trySend(o.target, failed);
        }
        uss.tellLocationServer(failed);
        for (Frame b : o.buffer) {
            deliverOrFlush(b);
        }
        uss.core().metrics().add("stub.returned", o.buffer.size());
        for (long token : o.deferredTimers) {
            agent.onTimer(token, this);
        }
        outcome(o, false);
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
        offTransport(mayBlock(uss.core().strategy(o.strategy), 0), () -> outcomeNow(o, committed));
    }

    private void outcomeNow(Outgoing o, boolean committed) {
        MigrationStrategy s = uss.core().strategy(o.strategy);
        if (s != null) {
            try {
                s.finished(o.ctx, committed);
            } catch (RuntimeException | LinkageError e) {
                hookFailed(s, "finished", e);
            }
        }
        if (committed) {
            departed(o.ctx.source(), o.ctx.workDirectory());
        }
    }

    /**
     * Every installed strategy hears that the agent left this node (migrated away or terminated). Never on a
     * transport thread: a strategy may touch files there (Condor deletes the agent's checkpoints), which
     * would hold up every frame of the round.
     */
    private void departed(NodeId node, Path work) {
        offTransport(true, () -> departedNow(node, work));
    }

    private void departedNow(NodeId node, Path work) {
        uss.core().forEachStrategy(s -> {
            try {
                s.departed(mobile, node, work);
            } catch (RuntimeException | LinkageError e) {
                hookFailed(s, "departed", e);
            }
        });
    }

    private void hookFailed(MigrationStrategy s, String hook, Throwable e) {
        uss.core().metrics().inc("strategy.hook.failed");
        LOG.warn("{}: strategy {} threw from {}() for {}: {}", uss.id(), s.name(), hook, mobile, e.toString());
    }

    // ------------------------------------------------------------------ stub time-outs

    private void armIdle() {
        cancelStubTimer();
        long idle = uss.settings().stubIdleMillis();
        stubTimer = schedule(idle, this::idleCheck);
    }

    private void idleCheck() {
        if (state != State.FORWARDING) {
            return;
        }
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(uss.settings().stubIdleMillis());
        long quiet = System.nanoTime() - lastActivity;
        if (quiet < idleNanos) {
            stubTimer = schedule(TimeUnit.NANOSECONDS.toMillis(idleNanos - quiet) + 1, this::idleCheck);
            return;
        }
        // A tombstone redirects senders to the agent's node: their next message then takes the direct path
        // there, and must not overtake one this stub forwarded that is still on its way (a slow link, a
        // retransmission). Forward on until the link to the next hop has delivered what it carries; only a link
        // that never drains (a peer that is gone) lets the stub expire regardless, after ten idle periods.
        if (!uss.drainedTo(NodeAddress.parse(forwardTo)) && quiet < 10 * idleNanos) {
            uss.core().metrics().inc("stub.expiry.postponed");
            stubTimer = schedule(Math.max(1, uss.settings().stubIdleMillis() / 10), this::idleCheck);
            return;
        }
        state = State.TOMBSTONE;
        uss.core().metrics().inc("stub.expired");
        stubTimer = schedule(uss.settings().tombstoneMillis(), () -> {
            if (state == State.TOMBSTONE) {
                retire();
            }
        });
    }

    private void cancelStubTimer() {
        if (stubTimer != null) {
            stubTimer.cancel(false);
            stubTimer = null;
        }
    }

    private ScheduledFuture<?> schedule(long millis, Runnable task) {
        return uss.core().schedule(() -> actor.execute(task), millis, TimeUnit.MILLISECONDS);
    }

    private MigrationContext context(long id, long ep, String source, String target) {
        return new MigrationContext(id, mobile, ep, new org.roamer.api.NodeId(source), new org.roamer.api.NodeId(target),
                uss.settings().limits().maxDataPayload() - 256, imageLimit(), uss.settings().workDirectory());
    }

    /** Largest agent image one migration may move: 64 frames' payload (64 MiB with the default frame limit). */
    private long imageLimit() {
        return 64L * uss.settings().limits().maxDataPayload();
    }

    // ------------------------------------------------------------------ strategy abort

    /** A strategy service left: migrations before their commit point that use it roll back. */
    void strategyRemoved(String name) {
        if (state == State.OUTGOING && name.equals(out.strategy)) {
            rollback("strategy '" + name + "' was uninstalled mid-migration", true);
        } else if (state == State.INCOMING && name.equals(in.strategyName) && !in.readySent) {
            failIncoming("strategy '" + name + "' was uninstalled mid-migration", true);
        } else if (waiting != null && name.equals(waiting.strategy.name())) {
            Waiting w = waiting;
            waiting = null;
            w.timeout.cancel(false);
            failTransfer(w.transfer, w.request, "strategy '" + name + "' was uninstalled");
        }
    }

    // ------------------------------------------------------------------ checkpoints

    /** Writes this agent's checkpoint if it is live here. On the actor. */
    void checkpoint(CheckpointStore store) {
        if (state != State.LIVE || draining != null) {
            return;
        }
        save(store);
    }

    /** What the checkpoint of a planned stop did for one cell. */
    enum StopCheckpoint {
        WRITTEN, FAILED, MIGRATING, NO_AGENT
    }

    /**
     * The checkpoint of a planned stop, on the actor: of a live agent also while it drains (the messages it holds are
     * not in it; the stop ends them anyway). An agent in a migration is not written: its migration ends without this
     * node.
     */
    StopCheckpoint checkpointForStop(CheckpointStore store) {
        if (state == State.LIVE) {
            return save(store) ? StopCheckpoint.WRITTEN : StopCheckpoint.FAILED;
        }
        return state == State.OUTGOING || state == State.INCOMING ? StopCheckpoint.MIGRATING : StopCheckpoint.NO_AGENT;
    }

    private boolean save(CheckpointStore store) {
        try {
            store.save(new SourceView(agent), epoch, uss.id(), uss.settings().checkpointDirectory());
            uss.core().metrics().inc("checkpoints.written");
            return true;
        } catch (MigrationException | RuntimeException | LinkageError e) {
            uss.core().metrics().inc("checkpoints.failed");
            LOG.warn("{}: checkpoint of {} failed: {}", uss.id(), mobile, e.getMessage());
            return false;
        }
    }

    /**
     * With checkpointing on, the rebuilt agent's checkpoint is written before READY: the source forgets its own
     * checkpoint at the commit point, so until this node's next periodic checkpoint a crash here would lose the
     * agent for good (found by NetworkNemesisIT). A prepared participant persists before it votes.
     */
    private void checkpointArriving(Incoming inc) {
        CheckpointStore store = uss.checkpoints().store();
        if (store == null) {
            return;
        }
        try {
            store.save(new SourceView(inc.rebuilt), inc.epoch, uss.id(), uss.settings().checkpointDirectory());
            uss.core().metrics().inc("checkpoints.written");
        } catch (MigrationException | RuntimeException | LinkageError e) {
            uss.core().metrics().inc("checkpoints.failed");
            LOG.warn("{}: checkpoint of arriving {} failed: {}", uss.id(), mobile, e.getMessage());
        }
    }

    /** The agent left or ended: its checkpoint here is stale (also when checkpointing was turned off since). */
    private void forgetCheckpoint() {
        CheckpointStore store = uss.checkpoints().storeToForget();
        if (store != null) {
            store.delete(uss.settings().checkpointDirectory(), mobile);
        }
    }

    /** Whether a live (or migrating-out, or arriving) agent is hosted by this cell. */
    boolean hostsAgent() {
        return state == State.LIVE || state == State.OUTGOING || state == State.INCOMING;
    }

    /** Brings the agent back from a checkpoint (crash recovery). On the actor. */
    void restored(UserAgent a, long timerRemaining, long newEpoch, CompletableFuture<AgentInfo> done) {
        if (hostsAgent()) {
            done.completeExceptionally(new MigrationException("the agent of " + mobile + " already runs on " + uss.id()));
            return;
        }
        cancelStubTimer();
        agent = a;
        epoch = newEpoch;
        highestEpoch = Math.max(highestEpoch, newEpoch);
        state = State.LIVE;
        uss.hosted(1);
        if (timerRemaining >= 0) {
            agent.resumeTimers(this, timerRemaining);
        }
        uss.core().metrics().inc("agents.restored");
        uss.checkpoints().placeRestored(mobile, a.radioPort());
        CheckpointStore store = uss.checkpoints().store();
        if (store != null) {
            checkpoint(store); // the new epoch on disk at once
        }
        done.complete(info());
    }

    // ------------------------------------------------------------------ views

    /** A snapshot for the console; {@code null} when no agent is hosted here. Call on the actor. */
    AgentInfo info() {
        UserAgent a = agent;
        if (a == null) {
            return null;
        }
        AgentStatus status = state == State.OUTGOING || waiting != null ? AgentStatus.MIGRATING : a.status();
        return new AgentInfo(mobile, uss.id(), uss.cluster(), status, epoch, a.profile(), a.calls(), a.delivered());
    }

    State state() {
        return state;
    }

    /** Sets the live agent's application state. On the actor. */
    boolean applicationState(byte[] bytes) {
        if (state != State.LIVE) {
            return false;
        }
        agent.applicationState(bytes);
        return true;
    }

    // ------------------------------------------------------------------ AgentContext

    @Override
    public void page(String callId) {
        Away a = away;
        if (a == null) {
            uss.page(mobile, callId);
            return;
        }
        // anchored: the paging area is the mobile's cluster; its USS pages and answers here
        uss.core().metrics().inc("pages.remote");
        if (!uss.trySend(a.uss, new Frame(MessageType.PAGE, 0, uss.nextCorrelation(), epoch, 0, mobile.value(),
                Json.encode(new Payloads.Page(callId, uss.address().toString()))))) {
            uss.page(mobile, callId); // the paging area is unreachable: try here (the call fails if not found)
        }
    }

    // ------------------------------------------------------------------ anchored routing

    /**
     * LOCATION_UPDATE (crossing) from the LS: the mobile registered in another cluster. This node's routing
     * policy decides: migrate (the LS then starts the migration), or stay anchored here (the mobile's cluster
     * learns this node's address, the agent pages there). A mobile back in this cluster is simply home.
     */
    private void onCrossing(Frame f) throws FrameException {
        Payloads.LocationUpdate u = Json.decode(f.payload(), Payloads.LocationUpdate.class);
        if (state != State.LIVE || f.epoch() != epoch || waiting != null) {
            uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ERROR, Json.encode(Reply.error("agent of "
                    + mobile + " is " + (state == State.LIVE ? waiting != null ? "about to migrate"
                    : "of epoch " + epoch + ", not " + f.epoch() : state.name().toLowerCase()) + " on " + uss.id()))));
            return;
        }
        ClusterId to;
        try {
            to = ClusterId.of(u.cluster());
            NodeAddress.parse(u.uss());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new FrameException("crossing without a valid cluster and USS: " + e.getMessage());
        }
        if (to.equals(uss.cluster())) {
            home();
            uss.forgetAnchor(mobile);
            uss.core().metrics().inc("routing.home");
            uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ACK,
                    Json.encode(Reply.routed(uss.routingName(), true, 0, 0))));
            return;
        }
        ClusterId from = away == null ? uss.cluster() : away.cluster;
        int clustersAway = (away == null ? 0 : away.visited.size()) + (away != null && away.visited.contains(to.value()) ? 0 : 1);
        RoutingPolicy policy = uss.routingPolicy();
        String own = uss.routingName();
        if (u.routing() != null && !u.routing().equals(own)) { // roamer:move --routing: this crossing only
            policy = uss.core().routing(u.routing());
            if (policy == null) {
                uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ERROR, Json.encode(Reply.error("routing policy '"
                        + UserSignalingServer.printable(u.routing()) + "' is not installed on " + uss.id() + "; installed: "
                        + uss.core().routingNames()))));
                return;
            }
        }
        String name = policy == null ? own : policy.name();
        RoutingDecision d = decide(policy, new Crossing(mobile, uss.cluster(), from, to, clustersAway, 0, false));
        if (d.action() == RoutingDecision.Action.MIGRATE) {
            uss.core().metrics().inc("routing.migrate");
            uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ACK, Json.encode(Reply.routed(name, false, 0, 0))));
            return;
        }
        long start = System.nanoTime();
        Frame ports = new Frame(MessageType.LOCATION_UPDATE, 0, uss.nextCorrelation(), epoch, 0, mobile.value(),
                Json.encode(new Payloads.LocationUpdate(Payloads.LocationUpdate.PORTS, uss.address().toString(),
                        to.value(), u.uss(), u.ussNode(), uss.address().toString(), uss.id().value())));
        uss.request(NodeAddress.parse(u.uss()), ports, uss.settings().migrationTimeoutMillis())
                .whenComplete((rep, e) -> actor.execute(() -> {
                    SignalingNode.Answer answer = SignalingNode.Answer.of(rep, e);
                    if (answer.refusal() != null) {
                        uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ERROR, Json.encode(Reply.error(
                                "radio ports of " + to + " not updated: " + answer.refusal()))));
                        return;
                    }
                    Reply r = answer.reply();
                    if (state != State.LIVE || f.epoch() != epoch) {
                        uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ERROR, Json.encode(Reply.error(
                                "agent of " + mobile + " left " + uss.id() + " meanwhile"))));
                        return;
                    }
                    anchored(to, u.uss(), u.ussNode(), d);
                    uss.core().metrics().inc("routing.anchored");
                    uss.core().metrics().latency("routing.anchor", System.nanoTime() - start);
                    uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ACK, Json.encode(Reply.routed(name, true,
                            r.ports() == null ? 0 : r.ports(), r.links() == null ? 0 : r.links()))));
                }));
    }

    private RoutingDecision decide(RoutingPolicy policy, Crossing c) {
        if (policy == null) {
            return RoutingDecision.MIGRATE; // no policy installed: the core's own behaviour
        }
        try {
            RoutingDecision d = policy.decide(c);
            return d == null ? RoutingDecision.MIGRATE : d;
        } catch (RuntimeException | LinkageError e) {
            uss.core().metrics().inc("routing.policy.failed");
            LOG.warn("{}: routing policy {} failed for {}; migrating", uss.id(), policy.name(), mobile, e);
            return RoutingDecision.MIGRATE;
        }
    }

    /** The agent stays here while its mobile is in {@code to}. */
    private void anchored(ClusterId to, String toUss, String toNode, RoutingDecision d) {
        Away a = away;
        if (a == null) {
            a = new Away();
            away = a;
        }
        if (a.recheck != null) {
            a.recheck.cancel(false);
            a.recheck = null;
        }
        a.cluster = to;
        a.uss = toUss;
        a.ussNode = toNode;
        a.sinceNanos = System.nanoTime();
        a.visited.add(to.value());
        if (d.recheckAfterMillis() > 0) {
            armRecheck(a, d.recheckAfterMillis());
        }
    }

    private void armRecheck(Away a, long millis) {
        a.recheck = schedule(millis, () -> {
            if (away != a || state != State.LIVE) {
                return;
            }
            a.recheck = null;
            uss.core().metrics().inc("routing.rechecks");
            long in = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.sinceNanos);
            RoutingDecision d = decide(uss.routingPolicy(),
                    new Crossing(mobile, uss.cluster(), a.cluster, a.cluster, a.visited.size(), in, true));
            if (d.action() == RoutingDecision.Action.MIGRATE) {
                uss.follow(mobile, a.cluster);
            } else if (d.recheckAfterMillis() > 0) {
                armRecheck(a, d.recheckAfterMillis());
            }
        });
    }

    /** The mobile is in this cluster again, or the agent left or ended: nothing is anchored here. */
    private void home() {
        Away a = away;
        away = null;
        if (a != null && a.recheck != null) {
            a.recheck.cancel(false);
        }
    }

    /** After an LS restart: tells the new LS that the live agent runs here, with its epoch and paging area. */
    void announceLive() {
        if (state == State.LIVE) {
            uss.announceLive(mobile, away == null ? uss.cluster() : away.cluster, epoch);
        }
    }

    /** The cluster the mobile is in while its agent stays here, or {@code null} when it is in this one. */
    ClusterId pagingArea() {
        Away a = away;
        return a == null ? null : a.cluster;
    }

    @Override
    public void connect(String callId, CallType type, String radioPort) {
        uss.connect(callId, type, radioPort);
    }

    @Override
    public void release(String callId) {
        uss.release(callId);
    }

    @Override
    public void callRequest(String callId, String callee, CallType type, List<String> services) {
        uss.callRequest(mobile, callId, callee, type, services);
    }

    @Override
    public void reply(String address, Frame frame) {
        uss.trySend(address, frame);
    }

    @Override
    public void air(int messages) {
        uss.core().metrics().add("air.messages", messages);
    }

    @Override
    public void delivered(String sender, long seq) {
        uss.core().delivered(mobile, uss.id(), epoch, sender, seq);
    }

    @Override
    public void startTimer(long delayMillis, long token) {
        UserAgent owner = agent;
        schedule(delayMillis, () -> {
            if (state == State.LIVE && agent == owner) {
                agent.onTimer(token, this);
            } else if (state == State.OUTGOING && agent == owner) {
                out.deferredTimers.add(token); // replayed on rollback; the image carries it on commit
            }
        });
    }

    /** The stopped agent as strategies see it. */
    private final class SourceView implements MigratingAgent {
        private final UserAgent a;

        SourceView(UserAgent a) {
            this.a = a;
        }

        @Override
        public MobileId mobile() {
            return mobile;
        }

        @Override
        public AgentStatus status() {
            return a.status();
        }

        @Override
        public boolean atStablePoint() {
            return a.atStablePoint();
        }

        @Override
        public MigrationVariables variables() {
            return a.variables();
        }

        @Override
        public AgentImage image() {
            return AgentImageCodec.capture(a, uss.core().agentType());
        }
    }
}

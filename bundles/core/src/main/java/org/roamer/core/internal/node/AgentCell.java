/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.nio.file.Path;
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
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.routing.Crossing;
import org.roamer.api.spi.routing.RoutingDecision;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.core.internal.Actor;
import org.roamer.core.internal.agent.AgentContext;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.agent.UserAgent;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.Busy;
import org.roamer.core.internal.wire.Payloads.CreateAgent;
import org.roamer.core.internal.wire.Payloads.MigrateFailed;
import org.roamer.core.internal.wire.Payloads.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one USS knows about one mobile's agent, owned by one {@link Actor}: the live agent, or the
 * stub that stands in for it while it migrates out (buffering), after the commit (forwarding) and after
 * the idle time-out (tombstone: redirecting), or the agent being rebuilt here (incoming). Every field is
 * touched only on the actor, so the protocol needs no locks. See docs/protocol.md for the state machine.
 * <p>
 * The cell keeps the agent's life cycle, hands each frame to what handles it, writes the agent's checkpoints, runs
 * anchored routing and answers the agent ({@link AgentContext}). Three parts it owns run the migration protocol, on
 * this cell's actor like everything here: the source side ({@link AgentCellOutgoing}, with the stub's buffer before
 * the commit point), the target side ({@link AgentCellIncoming}) and the stub after the commit
 * ({@link AgentCellStub}). The parts change the cell's {@link #state} and agent as the protocol goes.
 */
final class AgentCell implements AgentContext {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCell.class);

    enum State {
        NEW, LIVE, OUTGOING, FORWARDING, TOMBSTONE, INCOMING, DEAD
    }

    /** Also the helpers' (they keep no copy of their own: one cell per agent). */
    final UserSignalingServer uss;
    final MobileId mobile;
    final Actor actor;
    /** The source side of this agent's migrations. */
    final AgentCellOutgoing outgoing;
    /** The target side of this agent's migrations. */
    final AgentCellIncoming incoming;
    /** The stub that stands in for the agent once it is elsewhere. */
    final AgentCellStub stub;

    /** Where the agent is in its life and its migrations; the parts move it on as the protocol goes. */
    State state = State.NEW;
    /** The agent while it is hosted here (live, or migrating out until the commit point); else null. */
    UserAgent agent;
    long epoch;
    /** Highest epoch seen in any migration request: older requests are stale. */
    long highestEpoch;
    /** The mobile is in another cluster while its agent stays here (anchored routing); null when it is here. */
    private Away away;

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

    AgentCell(UserSignalingServer uss, MobileId mobile, Actor actor) {
        this.uss = uss;
        this.mobile = mobile;
        this.actor = actor;
        this.outgoing = new AgentCellOutgoing(this);
        this.incoming = new AgentCellIncoming(this);
        this.stub = new AgentCellStub(this);
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
    static boolean mayBlock(MigrationStrategy s, long imageBytes) {
        return s == null || !s.nonBlocking() || imageBytes > MigrationStrategy.INLINE_IMAGE_BYTES;
    }

    /**
     * Runs {@code task} now, or — when it may block and this runs on a transport thread (see
     * {@link Actor#runningInline()}) — queues it on this cell's actor, which runs it on a worker after the
     * current task. A queued task re-checks the cell's state itself.
     */
    void offTransport(boolean mayBlock, Runnable task) {
        if (mayBlock && actor.runningInline()) {
            actor.execute(task);
        } else {
            task.run();
        }
    }

    // ------------------------------------------------------------------ dispatch

    void onFrame(Frame f) {
        if (state == State.DEAD) {
            uss.dispatch(f); // this cell was retired: a fresh one takes the frame
            return;
        }
        try {
            switch (f.type()) {
                case CREATE_AGENT -> onCreate(f);
                case TERMINATE_AGENT -> onTerminate(f);
                case MIGRATE -> incoming.onMigrate(f);
                case TRANSFER -> outgoing.onTransfer(f);
                case TRANSFER_DATA -> incoming.onTransferData(f);
                case READY -> outgoing.onReady(f);
                case BUFFERED -> incoming.onBuffered(f);
                case ACK -> stub.onBufferedAck(f);
                case MIGRATE_FAILED -> onMigrateFailed(f);
                case FLUSH -> onFlush(f);
                case LOCATION_UPDATE -> onCrossing(f);
                case AGENT_MESSAGE, CALL_OFFER, PAGE_RESPONSE, ORIGINATE, CALL_DECISION, CALL_RELEASE ->
                    onAgentFrame(f);
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
                    Json.encode(same
                            ? Reply.success()
                            : Reply.error("agent of " + mobile + " already runs on " + uss.id()))));
            return;
        }
        stub.cancelTimer();
        agent = new UserAgent(mobile, uss.canonical(c.profile().toProfile()), uss.canonicalPort(c.radioPort()));
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
                    Json.encode(Reply
                            .error("agent of " + mobile + " is " + state.name().toLowerCase() + " on " + uss.id()))));
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

    /** The cell ends: the agent terminated here, or its tombstone expired. */
    void retire() {
        state = State.DEAD;
        stub.stop();
        home();
        uss.remove(this);
    }

    // ------------------------------------------------------------------ application frames

    void onAgentFrame(Frame f) throws FrameException {
        switch (state) {
            case LIVE -> {
                if (incoming.draining() && !(f.has(Frame.FORWARDED) && f.epoch() == epoch)) {
                    // arrived directly while older messages may still travel the old chain
                    incoming.holdWhileDraining(f);
                    return;
                }
                deliver(f);
                ack(f);
                outgoing.resumeWaitingTransfer();
            }
            case OUTGOING -> outgoing.buffer(f);
            case INCOMING -> incoming.hold(f);
            case FORWARDING -> stub.relay(f);
            case TOMBSTONE -> stub.redirect(f);
            default -> uss.noAgent(f);
        }
    }

    void onFlush(Frame f) {
        switch (state) {
            case FORWARDING, TOMBSTONE -> stub.forward(f);
            case OUTGOING -> outgoing.bufferMarker(f); // drained in order with the messages around it
            case INCOMING -> incoming.onFlush(f);
            case LIVE -> {
                if (!incoming.flushReturned(f)) {
                    // the marker overtook the TRANSFER it belongs to: everything before it has been delivered
                    // here; it goes first into the stub's buffer when that migration starts
                    outgoing.sawFlush(f);
                }
            }
            default -> uss.bounceFlush(f);
        }
    }

    /** Delivers a frame to the live agent; FLUSH markers in a drained buffer are protocol, not messages. */
    void deliverOrFlush(Frame f) {
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
    boolean fits(int count, int bytes, Frame f) {
        ProtocolRules.Room room = ProtocolRules.room(count, bytes, uss.settings().stubMaxMessages(),
                uss.settings().stubMaxBytes(), f);
        if (room == ProtocolRules.Room.OVER_LIMIT_FORWARDED) {
            uss.core().metrics().inc("stub.over.limit.forwarded");
        }
        return room != ProtocolRules.Room.REFUSE;
    }

    void refuse(Frame f, String reason) {
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

    /** Acknowledges an application message to its sender (accepted: delivered, buffered or forwarded). */
    void ack(Frame f) {
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

    // ------------------------------------------------------------------ both sides

    private void onMigrateFailed(Frame f) throws FrameException {
        String reason = Json.decode(f.payload(), MigrateFailed.class).reason();
        if (state == State.OUTGOING && outgoing.migrating(f.correlationId())) {
            outgoing.rollback("target: " + reason, false);
        } else if (state == State.INCOMING && incoming.arriving(f.correlationId())) {
            incoming.failIncoming("source: " + reason, false);
        } else {
            outgoing.dropWaiting(f.correlationId());
        }
    }

    // ------------------------------------------------------------------ outcome hooks (SPI 1.1)

    /**
     * Every installed strategy hears that the agent left this node (migrated away or terminated). Never on a
     * transport thread: a strategy may touch files there (Condor deletes the agent's checkpoints), which
     * would hold up every frame of the round.
     */
    void departed(NodeId node, Path work) {
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

    void hookFailed(MigrationStrategy s, String hook, Throwable e) {
        uss.core().metrics().inc("strategy.hook.failed");
        LOG.warn("{}: strategy {} threw from {}() for {}: {}", uss.id(), s.name(), hook, mobile, e.toString());
    }

    ScheduledFuture<?> schedule(long millis, Runnable task) {
        return uss.core().schedule(() -> actor.execute(task), millis, TimeUnit.MILLISECONDS);
    }

    MigrationContext context(long id, long ep, String source, String target) {
        return new MigrationContext(id, mobile, ep, new org.roamer.api.NodeId(source),
                new org.roamer.api.NodeId(target),
                uss.settings().limits().maxDataPayload() - 256, imageLimit(), uss.settings().workDirectory());
    }

    /** Largest agent image one migration may move: 64 frames' payload (64 MiB with the default frame limit). */
    long imageLimit() {
        return 64L * uss.settings().limits().maxDataPayload();
    }

    // ------------------------------------------------------------------ strategy abort

    /** A strategy service left: migrations before their commit point that use it roll back. */
    void strategyRemoved(String name) {
        if (state == State.OUTGOING && outgoing.uses(name)) {
            outgoing.rollback("strategy '" + name + "' was uninstalled mid-migration", true);
        } else if (state == State.INCOMING && incoming.beforeReadyWith(name)) {
            incoming.failIncoming("strategy '" + name + "' was uninstalled mid-migration", true);
        } else {
            outgoing.strategyRemoved(name);
        }
    }

    // ------------------------------------------------------------------ checkpoints

    /** Writes this agent's checkpoint if it is live here. On the actor. */
    void checkpoint(CheckpointStore store) {
        if (state != State.LIVE || incoming.draining()) {
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
    void checkpointArriving(UserAgent rebuilt, long ep) {
        CheckpointStore store = uss.checkpoints().store();
        if (store == null) {
            return;
        }
        try {
            store.save(new SourceView(rebuilt), ep, uss.id(), uss.settings().checkpointDirectory());
            uss.core().metrics().inc("checkpoints.written");
        } catch (MigrationException | RuntimeException | LinkageError e) {
            uss.core().metrics().inc("checkpoints.failed");
            LOG.warn("{}: checkpoint of arriving {} failed: {}", uss.id(), mobile, e.getMessage());
        }
    }

    /** The agent left or ended: its checkpoint here is stale (also when checkpointing was turned off since). */
    void forgetCheckpoint() {
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
            done.completeExceptionally(
                    new MigrationException("the agent of " + mobile + " already runs on " + uss.id()));
            return;
        }
        stub.cancelTimer();
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
        AgentStatus status = state == State.OUTGOING || outgoing.waiting() ? AgentStatus.MIGRATING : a.status();
        return new AgentInfo(mobile, uss.id(), uss.cluster(), status, epoch, a.profile(), a.calls(), a.delivered());
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
        if (state != State.LIVE || f.epoch() != epoch || outgoing.waiting()) {
            uss.trySend(u.from(), SignalingNode.reply(f, MessageType.ERROR, Json.encode(Reply.error("agent of "
                    + mobile + " is " + (state == State.LIVE
                            ? outgoing.waiting()
                                    ? "about to migrate"
                                    : "of epoch " + epoch + ", not " + f.epoch()
                            : state.name().toLowerCase())
                    + " on " + uss.id()))));
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
        int clustersAway = (away == null ? 0 : away.visited.size())
                + (away != null && away.visited.contains(to.value()) ? 0 : 1);
        RoutingPolicy policy = uss.routingPolicy();
        String own = uss.routingName();
        if (u.routing() != null && !u.routing().equals(own)) { // roamer:move --routing: this crossing only
            policy = uss.core().routing(u.routing());
            if (policy == null) {
                uss.trySend(u.from(),
                        SignalingNode.reply(f, MessageType.ERROR, Json.encode(Reply.error("routing policy '"
                                + UserSignalingServer.printable(u.routing()) + "' is not installed on " + uss.id()
                                + "; installed: "
                                + uss.core().routingNames()))));
                return;
            }
        }
        String name = policy == null ? own : policy.name();
        RoutingDecision d = decide(policy, new Crossing(mobile, uss.cluster(), from, to, clustersAway, 0, false));
        if (d.action() == RoutingDecision.Action.MIGRATE) {
            uss.core().metrics().inc("routing.migrate");
            uss.trySend(u.from(),
                    SignalingNode.reply(f, MessageType.ACK, Json.encode(Reply.routed(name, false, 0, 0))));
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
    void home() {
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
                outgoing.deferTimer(token); // replayed on rollback; the image carries it on commit
            }
        });
    }

    /** The agent as strategies and checkpoint stores see it. */
    MigratingAgent view(UserAgent a) {
        return new SourceView(a);
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

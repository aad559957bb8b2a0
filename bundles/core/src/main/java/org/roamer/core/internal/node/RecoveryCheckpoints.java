/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.roamer.api.AgentInfo;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.core.internal.RoamerCore;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery checkpoints of one {@link UserSignalingServer} (crash recovery): the periodic checkpoint of every
 * live agent, the checkpoints of a planned stop, listing and removing them, and bringing agents back from them — on
 * demand, and when the node starts (once it is registered and its checkpoint store is installed). Each checkpoint is
 * written on its agent's own actor ({@link AgentCell#checkpoint}); this keeps the node's bookkeeping around them.
 * Owned by its node, logging as it; thread-safe (configuration, console, timer and worker threads call it).
 */
public final class RecoveryCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(UserSignalingServer.class);

    /** How long a planned stop waits for its checkpoints, in all. */
    static final long STOP_CHECKPOINT_MILLIS = 20_000;

    private final UserSignalingServer uss;
    private final RoamerCore core;
    private volatile ScheduledFuture<?> checkpoints;
    /**
     * Whether the recovery directory may hold checkpoints: checkpointing is or was on (with this directory), the
     * directory existed when the node started or was reconfigured, or an agent was restored from it. While it
     * does, an agent leaving or ending here has its checkpoint deleted even when checkpointing is off now.
     */
    private volatile boolean recoveryInUse;
    private volatile boolean restoredOnStart;
    /** The restore on start found no checkpoint store of its name yet: it runs when that store is bound. */
    private final AtomicBoolean restoreWaitsForStore = new AtomicBoolean();
    /** Whether a planned stop checkpoints the live agents (checkpoint.on.stop); once per node instance. */
    private volatile boolean checkpointOnStop = true;
    /** Agents end with the node, as the embedding asked ({@link #endAgentsOnStop}): nothing to warn about. */
    private volatile boolean quietStop;
    private final AtomicBoolean stopCheckpointWritten = new AtomicBoolean();

    RecoveryCheckpoints(UserSignalingServer uss) {
        this.uss = uss;
        this.core = uss.core();
        recoveryInUse = recoveryInUse(uss.settings(), false);
    }

    /** Sets {@code checkpoint.on.stop} (the node's configuration, at start and when it changes). */
    void checkpointOnStop(boolean on) {
        checkpointOnStop = on;
    }

    /**
     * A stop of this node ends its agents without a checkpoint and without a warning: for an embedding whose agents
     * are not meant to outlive it (the Table 1 simulator). The configuration's {@code checkpoint.on.stop} again
     * after the next configuration change.
     */
    public void endAgentsOnStop() {
        checkpointOnStop = false;
        quietStop = true;
    }

    /**
     * The node's settings change from {@code now} to {@code next}: the recovery directory stays in use (see
     * {@link #recoveryInUse}) if it stays the same one, and is in use if checkpointing is on or the directory exists.
     * Before the node applies {@code next}; {@link #schedule} after.
     */
    void settingsChanging(UssSettings now, UssSettings next) {
        recoveryInUse = recoveryInUse(next, recoveryInUse && next.workDirectory().equals(now.workDirectory()));
    }

    /** (Re)schedules the periodic checkpoint of every live agent, as the node's settings say. */
    synchronized void schedule() {
        ScheduledFuture<?> c = checkpoints;
        if (c != null) {
            c.cancel(false);
        }
        long every = uss.settings().checkpointSeconds();
        checkpoints = every <= 0
                ? null
                : core.scheduleWithFixedDelay(this::checkpointAll, every, every, TimeUnit.SECONDS);
    }

    /** The node stops: no periodic checkpoint any more. */
    void cancel() {
        ScheduledFuture<?> c = checkpoints;
        if (c != null) {
            c.cancel(false);
        }
    }

    /**
     * The node stopped and takes no frame any more: the checkpoints of its planned stop ({@link #checkpointForStop}),
     * and a warning when live agents are lost with it.
     */
    void stop() {
        CheckpointStore store = core.checkpointStore(uss.settings().checkpointStore());
        StopCheckpoints saved = checkpointForStop(store);
        int hosted = uss.hostedAgents();
        if (!quietStop && (saved.lost() > 0 || saved.written() == 0 && hosted > 0)) {
            String why = !checkpointOnStop
                    ? "checkpoint.on.stop is off"
                    : store == null
                            ? "no checkpoint store '" + uss.settings().checkpointStore() + "' is installed"
                            : saved.failed() + " failed, " + saved.late() + " not written within "
                                    + STOP_CHECKPOINT_MILLIS + " ms, " + saved.migrating() + " in a migration";
            LOG.warn("USS {} stopped with {} agents not checkpointed for the next start: they are lost ({})", uss.id(),
                    Math.max(saved.lost(), hosted - saved.written()), why);
        }
    }

    /** What a planned stop wrote: agents {@code written}; not written: {@code failed}, {@code late}, {@code migrating}. */
    public record StopCheckpoints(int written, int failed, int late, int migrating) {
        static final StopCheckpoints NONE = new StopCheckpoints(0, 0, 0, 0);

        /** Agents the stop could not keep. */
        public int lost() {
            return failed + late + migrating;
        }
    }

    /**
     * A planned stop: writes a checkpoint of every live agent with {@code store} (if it is this node's store),
     * waiting at most {@link #STOP_CHECKPOINT_MILLIS} in all, so that the next start brings them back. Runs once per
     * node instance, when it is deactivated (in a Karaf shutdown the nodes stop while the checkpoint store is still
     * there: {@code CrashRecoveryIT}). Agents in the middle of a migration are
     * not written (their migration ends without this node); neither are messages a stub or a drain still holds.
     *
     * @return what was written, and what was not and why
     */
    public StopCheckpoints checkpointForStop(CheckpointStore store) {
        if (!checkpointOnStop || store == null || !store.name().equals(uss.settings().checkpointStore())
                || uss.cells().isEmpty() || stopCheckpointWritten.getAndSet(true)) {
            return StopCheckpoints.NONE;
        }
        long start = System.nanoTime();
        List<CompletableFuture<AgentCell.StopCheckpoint>> writes = new ArrayList<>();
        for (AgentCell c : uss.cells()) {
            CompletableFuture<AgentCell.StopCheckpoint> done = new CompletableFuture<>();
            try {
                c.actor.execute(() -> {
                    try {
                        done.complete(c.checkpointForStop(store));
                    } finally {
                        done.complete(AgentCell.StopCheckpoint.FAILED); // an Error: the wait must not last
                    }
                });
            } catch (RuntimeException e) { // the worker pool is already gone
                done.complete(AgentCell.StopCheckpoint.FAILED);
            }
            writes.add(done);
        }
        int written = 0;
        int failed = 0;
        int late = 0;
        int migrating = 0;
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(STOP_CHECKPOINT_MILLIS);
        for (CompletableFuture<AgentCell.StopCheckpoint> w : writes) {
            try {
                switch (w.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    case WRITTEN -> written++;
                    case FAILED -> failed++;
                    case MIGRATING -> migrating++;
                    case NO_AGENT -> {
                    }
                }
            } catch (TimeoutException e) {
                late++;
            } catch (ExecutionException e) {
                failed++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        recoveryInUse = true;
        LOG.info("USS {}: {} live {} checkpointed for the next start in {} ms", uss.id(), written,
                written == 1 ? "agent" : "agents", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return new StopCheckpoints(written, failed, late, migrating);
    }

    /** The checkpoint store, when checkpointing is on and the store is installed. */
    CheckpointStore store() {
        return uss.settings().checkpointSeconds() > 0 ? core.checkpointStore(uss.settings().checkpointStore()) : null;
    }

    /**
     * The checkpoint store that must forget an agent leaving or ending here: the installed store whenever the
     * recovery directory may hold checkpoints (see {@link #recoveryInUse}), also with checkpointing off now —
     * turned off, or never on since a restart — so that no stale checkpoint stays listed or restorable. Null
     * on a node that never kept any: no file system calls per migration there.
     */
    CheckpointStore storeToForget() {
        return recoveryInUse ? core.checkpointStore(uss.settings().checkpointStore()) : null;
    }

    private static boolean recoveryInUse(UssSettings s, boolean already) {
        return already || s.checkpointSeconds() > 0 || java.nio.file.Files.isDirectory(s.checkpointDirectory());
    }

    private void checkpointAll() {
        CheckpointStore store = core.checkpointStore(uss.settings().checkpointStore());
        if (store == null || uss.stopped()) {
            return;
        }
        for (AgentCell c : uss.cells()) {
            c.actor.execute(() -> c.checkpoint(store));
        }
    }

    /**
     * A restored agent's terminal is in range of this cluster again (the simulated air interface forgot it with the
     * restart): at the radio port the agent last knew when that port is in this cluster, else at the cluster's
     * first; nothing when the terminal is in range somewhere already. Without it the restored mobile could not be
     * paged ("terminal not found") until it moved.
     */
    void placeRestored(MobileId mobile, String lastPort) {
        if (core.air().portOf(mobile.value()) != null) {
            return;
        }
        List<String> ports = core.directory().radioPorts().stream().filter(p -> p.cluster().equals(uss.cluster()))
                .map(p -> p.id().value()).sorted().toList();
        String at = ports.contains(lastPort) ? lastPort : ports.isEmpty() ? null : ports.get(0);
        if (at != null) {
            core.air().place(mobile.value(), at);
        }
    }

    /** Checkpoints of this node. */
    public List<CheckpointStore.CheckpointInfo> list() throws MigrationException {
        CheckpointStore store = core.checkpointStore(uss.settings().checkpointStore());
        if (store == null) {
            throw new MigrationException("no checkpoint store '" + uss.settings().checkpointStore() + "' is installed");
        }
        return store.list(uss.settings().checkpointDirectory());
    }

    /**
     * Some time after an agent was restored: a call of it whose peer the Location Server does not know (the peer
     * deregistered, or its agent was never restored) is released at this agent, as if its peer had hung up. A
     * Location Server that does not answer releases nothing.
     */
    private void releaseCallsOfGonePeers(MobileId mobile) {
        AgentCell cell = uss.cell(mobile);
        if (uss.stopped() || cell == null) {
            return;
        }
        cell.actor.execute(() -> {
            AgentInfo info = cell.info();
            NodeAddress ls = uss.locationServer();
            if (info == null || ls == null) {
                return; // the agent left this node, or there is no Location Server to ask
            }
            for (org.roamer.api.ActiveCall call : info.calls()) {
                for (MobileId peer : call.peers()) {
                    Frame locate = Frame.of(MessageType.LOCATE, uss.nextCorrelation(), peer.value(),
                            Json.encode(new Payloads.Request(uss.address().toString())));
                    uss.request(ls, locate, 5000).thenAccept(r -> {
                        try {
                            Reply reply = Json.decode(r.payload(), Reply.class);
                            if (!reply.ok() && reply.node() == null && reply.reason() != null
                                    && reply.reason().startsWith("unknown mobile")) {
                                LOG.info("USS {}: released restored call {} of {}: its peer {} is gone ({})", uss.id(),
                                        call.callId(), mobile, peer, reply.reason());
                                core.metrics().inc("calls.released.peer.gone");
                                cell.post(Frame.of(MessageType.CALL_RELEASE, uss.nextCorrelation(), mobile.value(),
                                        Json.encode(new Payloads.CallRelease(call.callId()))));
                            }
                        } catch (FrameException e) {
                            LOG.debug("USS {}: bad LOCATE reply for {}: {}", uss.id(), peer, e.getMessage());
                        }
                    });
                }
            }
        });
    }

    /**
     * The node is registered with its Location Server: with {@code checkpoint.restore.on.start}, its agents come back
     * from their checkpoints (once per node instance, on a worker).
     */
    void registered() {
        if (uss.settings().restoreOnStart() && !restoredOnStart) {
            restoredOnStart = true;
            core.workers().execute(this::restoreAll);
        }
    }

    /** A checkpoint store was installed: the restore on start that waited for it runs now. */
    void storeAdded(String name) {
        if (!uss.stopped() && name.equals(uss.settings().checkpointStore())
                && restoreWaitsForStore.compareAndSet(true, false)) {
            core.workers().execute(this::restoreAll);
        }
    }

    private void restoreAll() {
        String name = uss.settings().checkpointStore();
        if (core.checkpointStore(name) == null) {
            // the store's bundle may start after this node (boot order is not fixed): wait for it, then restore
            restoreWaitsForStore.set(true);
            if (core.checkpointStore(name) == null || !restoreWaitsForStore.compareAndSet(true, false)) {
                LOG.info("USS {}: the restore on start waits for checkpoint store '{}' to be installed", uss.id(),
                        name);
                return;
            }
        }
        try {
            for (CheckpointStore.CheckpointInfo i : list()) {
                restore(i.mobile()).whenComplete((a, e) -> {
                    if (e != null) {
                        LOG.warn("USS {}: could not restore {} on start: {}", uss.id(), i.mobile(), e.getMessage());
                    } else {
                        LOG.info("USS {}: restored {} from its checkpoint, epoch {}", uss.id(), i.mobile(), a.epoch());
                    }
                });
            }
        } catch (MigrationException e) {
            LOG.warn("USS {}: no restore on start: {}", uss.id(), e.getMessage());
        }
    }

    /**
     * Deletes the checkpoint of {@code mobile} here, unless its agent runs here (its checkpoint protects it from a
     * crash). On the cell's actor when there is a cell, so that no checkpoint is written meanwhile.
     */
    public CheckpointStore.CheckpointInfo remove(MobileId mobile) throws MigrationException {
        CheckpointStore store = core.checkpointStore(uss.settings().checkpointStore());
        if (store == null) {
            throw new MigrationException("no checkpoint store '" + uss.settings().checkpointStore() + "' is installed");
        }
        CheckpointStore.CheckpointInfo info = store.list(uss.settings().checkpointDirectory()).stream()
                .filter(c -> c.mobile().equals(mobile)).findFirst()
                .orElseThrow(() -> new MigrationException("no checkpoint of " + mobile + " on " + uss.id()));
        AgentCell cell = uss.cell(mobile);
        if (cell == null) {
            store.delete(uss.settings().checkpointDirectory(), mobile);
            AgentCell meanwhile = uss.cell(mobile);
            if (meanwhile != null) {
                // an agent came (created or restored) while it went: its own checkpoint is written again
                meanwhile.actor.execute(() -> meanwhile.checkpoint(store));
            }
            return info;
        }
        CompletableFuture<Boolean> deleted = new CompletableFuture<>();
        cell.actor.execute(() -> {
            if (cell.hostsAgent()) {
                deleted.complete(false);
            } else {
                store.delete(uss.settings().checkpointDirectory(), mobile);
                deleted.complete(true);
            }
        });
        try {
            if (!deleted.get(10, TimeUnit.SECONDS)) {
                throw new MigrationException("the agent of " + mobile + " runs on " + uss.id()
                        + ": its checkpoint is its crash protection and is kept");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new MigrationException("could not remove the checkpoint of " + mobile + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted");
        }
        return info;
    }

    /**
     * Brings an agent back from its latest checkpoint here: verified and rebuilt, then recorded by the LS
     * with a new epoch, then live.
     */
    public CompletableFuture<AgentInfo> restore(MobileId mobile) {
        CompletableFuture<AgentInfo> done = new CompletableFuture<>();
        try {
            AgentCell existing = uss.cell(mobile);
            if (existing != null && existing.hostsAgent()) {
                throw new MigrationException("the agent of " + mobile + " already runs on " + uss.id());
            }
            CheckpointStore store = core.checkpointStore(uss.settings().checkpointStore());
            if (store == null) {
                throw new MigrationException("no checkpoint store '" + uss.settings().checkpointStore()
                        + "' is installed");
            }
            CheckpointStore.Checkpoint ckpt = store.load(uss.settings().checkpointDirectory(), mobile);
            AgentImageCodec.Restored r = AgentImageCodec.restore(ckpt.image(), core.agentType(), mobile);
            NodeAddress ls = uss.locationServer();
            if (ls == null) {
                throw new MigrationException("no Location Server known");
            }
            Frame reg = Frame.of(MessageType.REGISTRATION, uss.nextCorrelation(), mobile.value(), Json.encode(
                    new Payloads.Registration(uss.cluster().value(), uss.address().toString(), null, null,
                            ckpt.info().epoch())));
            uss.request(ls, reg, 10_000).whenComplete((rep, e) -> {
                try {
                    Reply reply = e == null ? Json.decode(rep.payload(), Reply.class) : null;
                    if (reply != null && !reply.ok() && reply.node() != null && !reply.node().equals(uss.id().value())
                            && reply.epoch() != null && reply.epoch() >= ckpt.info().epoch()) {
                        // the agent runs elsewhere with this epoch or a newer one: the checkpoint can never be
                        // restored (epochs only grow), so it goes instead of being tried at every start
                        store.delete(uss.settings().checkpointDirectory(), mobile);
                        core.metrics().inc("checkpoints.stale.deleted");
                        LOG.info("USS {}: deleted the stale checkpoint of {} (epoch {}): it runs on {} with epoch {}",
                                uss.id(), mobile, ckpt.info().epoch(), reply.node(), reply.epoch());
                    }
                    if (reply == null || !reply.ok()) {
                        done.completeExceptionally(new MigrationException(reply == null
                                ? "Location Server did not answer"
                                : reply.reason()));
                        return;
                    }
                    recoveryInUse = true;
                    AgentCell cell = uss.openCell(mobile);
                    cell.actor.execute(() -> cell.restored(r.agent(), r.timerRemainingMillis(), reply.epoch(), done));
                    done.thenAccept(info -> {
                        if (!info.calls().isEmpty()) {
                            core.schedule(() -> releaseCallsOfGonePeers(mobile),
                                    uss.settings().restoredCallCheckMillis(), TimeUnit.MILLISECONDS);
                        }
                    });
                } catch (FrameException x) {
                    done.completeExceptionally(new MigrationException(x.getMessage()));
                }
            });
        } catch (MigrationException e) {
            done.completeExceptionally(e);
        }
        return done;
    }
}

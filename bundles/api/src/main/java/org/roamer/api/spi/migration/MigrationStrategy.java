/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

import java.nio.file.Path;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;

/**
 * A pluggable way to move a user agent between USS nodes. Register implementations as OSGi services with
 * {@value #NAME_PROPERTY} set to {@link #name()}.
 *
 * <p>Protocol, as the core drives it:
 * <ol>
 * <li>Source: when the target asks for the agent (TRANSFER), the core stops the agent — at a stable point
 * unless {@link StrategyTraits#asynchronousInitiation()} — puts a stub in its place and calls
 * {@link #capture} on the agent's owner thread. Each chunk the strategy emits is sent as one TRANSFER_DATA
 * frame, in order.</li>
 * <li>Target: the core calls {@link #beginRestore} when the first chunk arrives and feeds every chunk to
 * {@link RestoreSession#accept} in order, then {@link RestoreSession#finish}. The strategy rebuilds the
 * agent through the {@link RestoreTarget}.</li>
 * <li>Any exception, a time-out or the strategy service going away before the commit rolls the migration
 * back: the source agent resumes with the buffered messages; the target calls
 * {@link RestoreSession#abort} (also after {@link RestoreSession#finish}, when the source rolled back after the
 * target had rebuilt the agent).</li>
 * <li>Outcome (SPI 1.1): at the source, {@link #finished} tells the strategy whether the migration committed or
 * rolled back; on a commit (by any strategy) or a termination every installed strategy hears that the agent
 * {@link #departed} the node, so that files it keeps for the agent there can go.</li>
 * </ol>
 * Implementations must be thread-safe: the core calls them for many agents at once, but never twice at
 * once for the same migration. They must not keep references to an agent after the call returns, must
 * not block on the network, and must never use Java native serialization.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface MigrationStrategy {
    /** Service property carrying the strategy's name. */
    String NAME_PROPERTY = "roamer.strategy";

    /**
     * Largest image, in bytes, that the core captures or restores on a transport thread (see
     * {@link #nonBlocking()}).
     *
     * @since 1.1
     */
    int INLINE_IMAGE_BYTES = 16 * 1024;

    /** Unique, stable name, e.g. {@code naive}; lower case letters, digits and '-'. */
    String name();

    /** The strategy's Table-2 traits; constant for an instance. */
    StrategyTraits traits();

    /**
     * Captures the stopped agent and emits its state as chunks. Called on the agent's owner thread.
     *
     * @param agent the agent, stopped; valid only during this call
     * @param ctx   the migration
     * @param out   receives the chunks in order; each at most {@link MigrationContext#maxChunkBytes()}
     * @throws MigrationException when the agent cannot be captured (the migration rolls back)
     */
    void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException;

    /**
     * Starts rebuilding an agent at the target.
     *
     * @param target where the agent is rebuilt; valid until the session finishes or aborts
     * @param ctx    the migration
     * @throws MigrationException when this node cannot take the agent (the migration rolls back)
     */
    RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException;

    /**
     * Whether {@link #capture}, {@link #beginRestore} and the session's calls only compute: no file, disk
     * or network I/O, no waiting on locks held elsewhere. The core may then run them for small agents
     * (up to {@link #INLINE_IMAGE_BYTES}) on the transport thread that received the frame, saving a
     * hand-off to a worker thread per step; otherwise, and by default, they run on a worker.
     *
     * @since 1.1
     */
    default boolean nonBlocking() {
        return false;
    }

    /**
     * The outcome of a migration this strategy was chosen for, at its source. Called exactly once per
     * migration for which the core stopped the agent (whether or not {@link #capture} was reached or
     * succeeded): with {@code committed} true after the commit point (READY received, the buffered messages
     * sent on to the target; the agent lives at the target now), false after a rollback of any cause (the agent
     * resumed here and keeps its epoch, so whatever was written for {@code ctx.epoch()} is stale). Nothing is
     * called when no strategy of this name is installed any more, nor for migrations still open when the node
     * stops (a strategy that keeps files must expect some left from before a restart); after an update it is
     * the new instance that is called, for a migration its predecessor captured.
     *
     * <p>Called on the agent's owner, like {@link #capture} (on the transport thread only when
     * {@link #nonBlocking()}), after the core has finished with the migration: it cannot change the outcome.
     * An exception is logged and counted ({@code strategy.hook.failed}), nothing else. By default it does
     * nothing.
     *
     * @param ctx       the migration, as {@link #capture} saw it
     * @param committed true after the commit, false after a rollback
     * @since 1.1
     */
    default void finished(MigrationContext ctx, boolean committed) {
    }

    /**
     * The agent of {@code mobile} no longer lives on {@code node}: it migrated away (by any strategy: after
     * {@link #finished} of the strategy that carried it) or it was terminated. Called on <em>every</em> installed
     * strategy, so that one which keeps files or other state for agents it brought to this node (Condor-like
     * checkpoints kept for crash recovery) can release what is now stale. Called on the agent's owner, on a
     * worker thread (never a transport thread), once per departure: keep it short (no network, no waiting on
     * locks held elsewhere, no fsync; deleting a few files is fine). An exception is logged and counted, nothing else. By default it
     * does nothing.
     *
     * @param mobile        the mobile whose agent left
     * @param node          the node it left
     * @param workDirectory that node's work directory, as in {@link MigrationContext#workDirectory()}
     * @since 1.1
     */
    default void departed(MobileId mobile, NodeId node, Path workDirectory) {
    }
}

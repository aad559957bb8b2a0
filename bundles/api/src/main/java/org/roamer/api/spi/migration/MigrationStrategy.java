package org.roamer.api.spi.migration;

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
 * {@link RestoreSession#abort}.</li>
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
}

package com.example.roamer.strategy.naivedeflate.internal;

import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;

/**
 * Rebuilds one agent from the single naive-deflate chunk: {@link #accept} verifies and decodes it at once (a
 * second chunk is refused), {@link #finish} creates the agent. Any refusal closes the session.
 *
 * <p>The core calls it from one thread at a time, possibly a different one each call: methods are synchronized
 * for visibility, not for concurrency.
 */
final class NaiveDeflateRestoreSession implements RestoreSession {
    private enum State { WAITING, RECEIVED, CLOSED }

    private final RestoreTarget target;
    private final MigrationContext ctx;
    private State state = State.WAITING;
    private String closedBecause;
    private MigrationVariables variables;

    NaiveDeflateRestoreSession(RestoreTarget target, MigrationContext ctx) {
        this.target = target;
        this.ctx = ctx;
    }

    @Override
    public synchronized void accept(byte[] chunk) throws MigrationException {
        if (state == State.CLOSED) {
            throw new MigrationException("naive-deflate restore of " + ctx.mobile() + " is " + closedBecause
                    + "; no more chunks accepted");
        }
        if (state == State.RECEIVED) {
            close("failed (second chunk)");
            throw new MigrationException("naive-deflate moves the variables of " + ctx.mobile()
                    + " in exactly one chunk; got a second one");
        }
        if (chunk == null || chunk.length > ctx.maxChunkBytes()) {
            close("failed (missing or oversized chunk)");
            throw new MigrationException(chunk == null ? "missing chunk" : "chunk of " + chunk.length
                    + " bytes exceeds this migration's limit of " + ctx.maxChunkBytes());
        }
        try {
            variables = VariablesFormat.decode(chunk, ctx.mobile(), ctx.migrationId(), ctx.epoch());
        } catch (MigrationException e) {
            close("failed (refused)");
            throw e;
        }
        state = State.RECEIVED;
    }

    @Override
    public synchronized void finish() throws MigrationException {
        if (state == State.CLOSED) {
            throw new MigrationException("naive-deflate restore of " + ctx.mobile() + " is " + closedBecause);
        }
        if (state == State.WAITING) {
            close("failed (no chunk)");
            throw new MigrationException("no naive-deflate variables arrived for " + ctx.mobile());
        }
        MigrationVariables vars = variables;
        close("finished");
        try {
            target.restoreVariables(vars);
        } catch (RuntimeException e) {
            throw new MigrationException("restoring agent " + ctx.mobile() + " from its migration variables failed: "
                    + e, e);
        }
    }

    @Override
    public synchronized void abort() {
        if (state != State.CLOSED) {
            close("aborted");
        }
    }

    private void close(String why) {
        state = State.CLOSED;
        closedBecause = why;
        variables = null;
    }
}

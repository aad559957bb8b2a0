/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;

/**
 * Rebuilds one agent from a single chunk of NAIVE migration variables. The chunk is decoded and validated
 * as soon as it arrives, so a garbled chunk fails {@link #accept}; {@link #finish} creates the agent.
 *
 * <p>The core calls it from one thread at a time, possibly a different one each call: methods are
 * synchronized for visibility, not for concurrency.
 */
final class NaiveRestoreSession implements RestoreSession {
    private enum State {
        WAITING, RECEIVED, CLOSED
    }

    private final RestoreTarget target;
    private final MigrationContext ctx;
    private State state = State.WAITING;
    private String closedBecause;
    private MigrationVariables variables;

    NaiveRestoreSession(RestoreTarget target, MigrationContext ctx) {
        this.target = target;
        this.ctx = ctx;
    }

    @Override
    public synchronized void accept(byte[] chunk) throws MigrationException {
        if (state == State.CLOSED) {
            throw new MigrationException("NAIVE restore of " + ctx.mobile() + " is " + closedBecause
                    + "; no more chunks accepted");
        }
        if (state == State.RECEIVED) {
            fail("second chunk");
            throw new MigrationException("NAIVE moves the migration variables of " + ctx.mobile()
                    + " in exactly one chunk; got a second one");
        }
        if (chunk == null) {
            fail("missing chunk");
            throw new MigrationException("missing chunk for NAIVE restore of " + ctx.mobile());
        }
        if (chunk.length > ctx.maxChunkBytes()) {
            fail("oversized chunk");
            throw new MigrationException("chunk of " + chunk.length + " bytes exceeds this migration's limit of "
                    + ctx.maxChunkBytes());
        }
        try {
            variables = VariablesCodec.decode(chunk, ctx.mobile(), ctx.migrationId(), ctx.epoch());
        } catch (MigrationException e) {
            fail("refused");
            throw e;
        }
        state = State.RECEIVED;
    }

    @Override
    public synchronized void finish() throws MigrationException {
        if (state == State.CLOSED) {
            throw new MigrationException("NAIVE restore of " + ctx.mobile() + " is " + closedBecause);
        }
        if (state == State.WAITING) {
            fail("failed");
            throw new MigrationException("no NAIVE migration variables arrived for " + ctx.mobile());
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

    private void fail(String why) {
        close("failed (" + why + ")");
    }

    private void close(String why) {
        state = State.CLOSED;
        closedBecause = why;
        variables = null;
    }
}

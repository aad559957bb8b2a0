/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.RestoreSession;

/**
 * Drives a strategy the way the USS core does: capture on the agent's owner thread into a sink with the
 * migration's limits, then, at the "target", {@code beginRestore}, {@code accept} for every chunk in order,
 * {@code finish} — and {@code abort} after any failure. Unlike the core it never hides what went wrong: a
 * restore ends in an {@link Outcome} that says which step refused or crashed, and lists every contract violation
 * the fakes saw.
 */
public final class Migrations {
    /** Migration id of {@link #context}. */
    public static final long MIGRATION_ID = 4711;
    /** Epoch of {@link #context}. */
    public static final long EPOCH = 7;
    /** Source USS of {@link #context}. */
    public static final NodeId SOURCE = NodeId.of("uss-source");
    /** Target USS of {@link #context}. */
    public static final NodeId TARGET = NodeId.of("uss-target");

    private Migrations() {
    }

    /** A migration of {@code mobile} from {@link #SOURCE} to {@link #TARGET} with these limits and work directory. */
    public static MigrationContext context(MobileId mobile, Path workDirectory, int maxChunkBytes, long maxImageBytes) {
        return new MigrationContext(MIGRATION_ID, mobile, EPOCH, SOURCE, TARGET, maxChunkBytes, maxImageBytes,
                workDirectory);
    }

    /**
     * Another migration of the same mobile, between the same nodes, with the same limits and work directory: what a
     * transfer replayed from {@code ctx} would be restored in. Migration ids are unique per Location Server and
     * epochs grow with every move, so a transfer of {@code ctx} restored in it must be refused.
     */
    public static MigrationContext withMigration(MigrationContext ctx, long migrationId, long epoch) {
        return new MigrationContext(migrationId, ctx.mobile(), epoch, ctx.source(), ctx.target(), ctx.maxChunkBytes(),
                ctx.maxImageBytes(), ctx.workDirectory());
    }

    /** The same migration seen from another node: another work directory (created), same ids and limits. */
    public static MigrationContext withWorkDirectory(MigrationContext ctx, Path workDirectory) {
        try {
            Files.createDirectories(workDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MigrationContext(ctx.migrationId(), ctx.mobile(), ctx.epoch(), ctx.source(), ctx.target(),
                ctx.maxChunkBytes(), ctx.maxImageBytes(), workDirectory);
    }

    /** The same migration with other limits. */
    public static MigrationContext withLimits(MigrationContext ctx, int maxChunkBytes, long maxImageBytes) {
        return new MigrationContext(ctx.migrationId(), ctx.mobile(), ctx.epoch(), ctx.source(), ctx.target(),
                maxChunkBytes, maxImageBytes, ctx.workDirectory());
    }

    // ------------------------------------------------------------------ capture

    /**
     * What a capture produced, and what the agent was at that moment.
     *
     * @param chunks    the chunks as the sink took them (copies)
     * @param bytes     their total size
     * @param state     the agent's state when the capture began
     * @param image     the agent's image when the capture began
     * @param variables the agent's variables then, {@code null} when it was not at a stable point
     * @param sink      the sink, for its checks
     */
    public record Captured(List<byte[]> chunks, long bytes, FakeAgentState state, AgentImage image,
            MigrationVariables variables, FakeChunkSink sink) {
        /** Number of chunks. */
        public int count() {
            return chunks.size();
        }

        /** Copies of the chunks, to corrupt. */
        public List<byte[]> copy() {
            List<byte[]> out = new ArrayList<>(chunks.size());
            for (byte[] c : chunks) {
                out.add(c.clone());
            }
            return out;
        }
    }

    /** Captures with a {@link FakeChunkSink} enforcing the context's limits. */
    public static Captured capture(MigrationStrategy strategy, FakeAgent agent, MigrationContext ctx)
            throws MigrationException {
        return capture(strategy, agent, ctx, new FakeChunkSink(ctx));
    }

    /**
     * Captures like the core: the agent is valid on this thread during the call only; an empty capture is a
     * failure.
     *
     * @throws MigrationException as the strategy (or the sink) threw it, or when nothing was captured
     * @throws AssertionError     when capture returned normally although the sink refused a chunk (the core
     *                            would send a transfer with a hole in it)
     */
    public static Captured capture(MigrationStrategy strategy, FakeAgent agent, MigrationContext ctx,
            FakeChunkSink sink) throws MigrationException {
        FakeAgentState state = agent.state();
        AgentImage image = agent.snapshotImage();
        MigrationVariables vars = state.atStablePoint() ? state.variables() : null;
        sink.open();
        agent.beginCapture();
        try {
            strategy.capture(agent, ctx, sink);
        } finally {
            agent.endCapture();
            sink.close();
        }
        if (sink.refusal() != null) {
            throw new AssertionError("capture() returned normally although the sink refused a chunk with \""
                    + sink.refusal().getMessage() + "\": it must propagate the MigrationException");
        }
        if (sink.chunks().isEmpty()) {
            throw new MigrationException("strategy " + strategy.name() + " captured nothing");
        }
        return new Captured(sink.chunksAsTaken(), sink.totalBytes(), state, image, vars, sink);
    }

    // ------------------------------------------------------------------ restore

    /** How a restore ended. */
    public enum Result {
        /** {@code finish} returned and the target holds a restored agent. */
        RESTORED,
        /** A step threw {@link MigrationException}: the migration rolls back. */
        REFUSED,
        /** A step threw something else: a contract violation (the core would roll back, with a poor reason). */
        CRASHED
    }

    /**
     * How a restore ended.
     *
     * @param result     restored, refused or crashed
     * @param step       the step that refused or crashed ({@code beginRestore}, {@code accept(chunk i of n)},
     *                   {@code finish}), else {@code null}
     * @param failure    what it threw, else {@code null}
     * @param target     the target, for what was restored
     * @param violations contract violations seen by the driver and the target
     */
    public record Outcome(Result result, String step, Throwable failure, FakeRestoreTarget target,
            List<String> violations) {
        /** A one-line description for assertion messages. */
        public String describe() {
            return switch (result) {
                case RESTORED ->
                    "restored via " + target.path() + (violations.isEmpty() ? "" : ", violations " + violations);
                case REFUSED, CRASHED -> result.name().toLowerCase() + " at " + step + ": " + failure
                        + (violations.isEmpty() ? "" : ", violations " + violations);
            };
        }
    }

    /**
     * Restores chunks like the core: {@code beginRestore}, {@code accept} for each (a fresh copy, as a frame
     * payload would be), {@code finish}; on any exception {@code abort}. Checks that the agent is not restored
     * before the last chunk and is restored when {@code finish} returns; closes the target at the end.
     */
    public static Outcome restore(MigrationStrategy strategy, FakeRestoreTarget target, MigrationContext ctx,
            List<byte[]> chunks) {
        List<String> violations = new ArrayList<>();
        RestoreSession session;
        try {
            session = strategy.beginRestore(target, ctx);
        } catch (MigrationException e) {
            target.close();
            return end(Result.REFUSED, "beginRestore", e, target, violations);
        } catch (RuntimeException e) {
            target.close();
            return end(Result.CRASHED, "beginRestore", e, target, violations);
        }
        if (session == null) {
            target.close();
            return end(Result.CRASHED, "beginRestore", new NullPointerException("beginRestore returned null"), target,
                    violations);
        }
        if (target.restored()) {
            violations.add("agent restored by beginRestore, before any chunk");
        }
        int n = chunks.size();
        for (int i = 0; i < n; i++) {
            String step = "accept(chunk " + i + " of " + n + ")";
            try {
                session.accept(chunks.get(i).clone());
            } catch (MigrationException e) {
                abort(session, target, violations);
                return end(Result.REFUSED, step, e, target, violations);
            } catch (RuntimeException e) {
                abort(session, target, violations);
                return end(Result.CRASHED, step, e, target, violations);
            }
            if (i < n - 1 && target.restored()) {
                violations.add("agent complete after chunk " + i + " of " + n + ", before the last chunk");
            }
        }
        try {
            session.finish();
        } catch (MigrationException e) {
            abort(session, target, violations);
            return end(Result.REFUSED, "finish", e, target, violations);
        } catch (RuntimeException e) {
            abort(session, target, violations);
            return end(Result.CRASHED, "finish", e, target, violations);
        }
        target.close();
        if (!target.restored()) {
            violations.add("finish() returned normally without restoring the agent (it must throw "
                    + "MigrationException with the reason)");
            return end(Result.REFUSED, "finish",
                    new MigrationException("strategy " + strategy.name() + " finished without restoring the agent"),
                    target, violations);
        }
        return end(Result.RESTORED, null, null, target, violations);
    }

    /** Calls {@code abort} as the core does: a throwing abort is recorded as a violation. Closes the target. */
    public static void abort(RestoreSession session, FakeRestoreTarget target, List<String> violations) {
        try {
            session.abort();
        } catch (RuntimeException | Error e) {
            violations.add("abort() threw " + e);
        }
        target.close();
    }

    private static Outcome end(Result r, String step, Throwable failure, FakeRestoreTarget target,
            List<String> violations) {
        List<String> all = new ArrayList<>(violations);
        all.addAll(target.violations());
        return new Outcome(r, step, failure, target, List.copyOf(all));
    }

    // ------------------------------------------------------------------ comparison

    /**
     * What differs between the captured agent and the one the target restored, or {@code null} when they are
     * equal: the same {@link MigrationVariables} when restored from variables, the same image byte for byte when
     * restored from an image or pages.
     */
    public static String mismatch(Captured captured, FakeRestoreTarget target) {
        if (!target.restored()) {
            return "nothing was restored";
        }
        if (target.path() == FakeRestoreTarget.Path.VARIABLES) {
            if (captured.variables() == null) {
                return "restored migration variables, but the agent was not at a stable point when captured";
            }
            return captured.variables().equals(target.restoredVariables())
                    ? null
                    : "migration variables differ: " + difference(captured.variables(), target.restoredVariables());
        }
        AgentImage want = captured.image();
        AgentImage got = target.restoredImage();
        if (!want.type().equals(got.type())) {
            return "agent type differs: captured " + FakeAgentLayout.describe(want.type()) + ", restored "
                    + FakeAgentLayout.describe(got.type());
        }
        String d = segment("data", want.data(), got.data());
        d = d != null ? d : segment("stack", want.stack(), got.stack());
        d = d != null ? d : segment("registers", want.registers(), got.registers());
        return d;
    }

    /** The first differing field of two sets of migration variables, e.g. {@code calls[0].callId: call-17 -> ball-17}. */
    public static String difference(MigrationVariables want, MigrationVariables got) {
        if (got == null) {
            return "none restored";
        }
        List<String> d = new ArrayList<>();
        diff(d, "mobile", want.mobile(), got.mobile());
        diff(d, "profile.mobTerm", want.profile().mobTerm(), got.profile().mobTerm());
        diff(d, "profile.capabilities", want.profile().capabilities(), got.profile().capabilities());
        diff(d, "profile.applications", want.profile().applications(), got.profile().applications());
        diff(d, "profile.forwardTo", want.profile().forwardTo(), got.profile().forwardTo());
        diff(d, "radioPort", want.radioPort(), got.radioPort());
        diff(d, "delivered", want.delivered(), got.delivered());
        diff(d, "calls.size", want.calls().size(), got.calls().size());
        for (int i = 0; i < Math.min(want.calls().size(), got.calls().size()); i++) {
            var a = want.calls().get(i);
            var b = got.calls().get(i);
            diff(d, "calls[" + i + "].callId", a.callId(), b.callId());
            diff(d, "calls[" + i + "].type", a.type(), b.type());
            diff(d, "calls[" + i + "].peers", a.peers(), b.peers());
            diff(d, "calls[" + i + "].originating", a.originating(), b.originating());
            diff(d, "calls[" + i + "].radioPort", a.radioPort(), b.radioPort());
        }
        return d.isEmpty() ? "equal fields, unequal records" : String.join(", ", d);
    }

    private static void diff(List<String> out, String field, Object want, Object got) {
        if (!java.util.Objects.equals(want, got)) {
            out.add(field + ": " + want + " -> " + got);
        }
    }

    private static String segment(String name, byte[] want, byte[] got) {
        int at = Arrays.mismatch(want, got);
        if (at < 0) {
            return null;
        }
        return name + " segment differs at byte " + at + " (captured " + want.length + " bytes, restored " + got.length
                + ")";
    }
}

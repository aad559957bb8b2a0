/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.StrategyTraits;
import org.roamer.testkit.Migrations.Captured;
import org.roamer.testkit.Migrations.Outcome;
import org.roamer.testkit.Migrations.Result;

/**
 * The conformance tests every {@link MigrationStrategy} must pass. Extend it in the strategy's own test sources
 * and return the strategy under test from {@link #strategy()}:
 *
 * <pre>
 * class MyStrategyConformanceTest extends StrategyConformanceTest {
 *     &#64;Override
 *     protected MigrationStrategy strategy() {
 *         return new MyStrategy();
 *     }
 * }
 * </pre>
 *
 * Each test drives the strategy as the USS core does ({@link Migrations}) against fakes of the core
 * ({@link FakeAgent}, {@link FakeChunkSink}, {@link FakeRestoreTarget}) and checks one part of the contract:
 * state fidelity, limits, what the switch-over relies on, rollback, rejection of damaged or foreign transfers,
 * and the Table-2 traits the strategy declares. Whether a restored agent counts as equal depends on how the
 * strategy rebuilt it: from migration variables, the variables must be equal; from an image (whole or in
 * pages), the image must be equal byte for byte.
 *
 * <p>A new instance is made for every test ({@link #strategy()} is called once per test); the hooks below may be
 * overridden, e.g. to point a Condor-like strategy at a checkpoint directory. A test that cannot apply to a
 * strategy (reordering a single-chunk transfer) is skipped through an assumption, never passed silently.
 */
@TestMethodOrder(MethodOrderer.DisplayName.class)
public abstract class StrategyConformanceTest {
    /** A fresh directory per test; the source and target "nodes" get sub-directories of it. */
    @TempDir
    protected Path tempDir;

    private MigrationStrategy strategy;
    private StrategyTraits traits;

    /** The strategy under test; called once before each test. */
    protected abstract MigrationStrategy strategy();

    /** The directory under which source and target work directories are made; by default a JUnit temp dir. */
    protected Path workDirectory() {
        return tempDir;
    }

    /** The chunk limit of a normal migration; by default the core's: 1 MiB, one data frame's payload. */
    protected int maxChunkBytes() {
        return FrameLimits.DEFAULT.maxDataPayload();
    }

    /** The image limit of a normal migration; by default the core's: 64 chunks. */
    protected long maxImageBytes() {
        return 64L * maxChunkBytes();
    }

    /** The target's limit on pre-created segments; by default the core's: 1 MiB. */
    protected long maxPreCreateBytes() {
        return FakeRestoreTarget.DEFAULT_MAX_PRE_CREATE_BYTES;
    }

    /** A chunk limit small enough to split a {@link Agents#LARGE} image into about ten chunks. */
    protected int smallChunkBytes() {
        return 8 * 1024;
    }

    /**
     * A chunk limit that splits a {@link Agents#MEDIUM} image into several chunks, so that the garbling, garbage,
     * truncation, splicing and replay checks (5a-5c, 5h, 5i) also damage chunks after the first; by default 1 KiB.
     */
    protected int multiChunkBytes() {
        return 1024;
    }

    /**
     * The target's restored-size limit, {@code RestoreTarget.maxRestoredBytes()} (SPI 1.2); by default the core's,
     * which equals its image limit ({@link #maxImageBytes()}).
     */
    protected long maxRestoredBytes() {
        return maxImageBytes();
    }

    /** System property sizing the concurrency check (1e): migrations at once. */
    public static final String CONCURRENT_MIGRATIONS_PROPERTY = "roamer.testkit.concurrency.migrations";
    /** System property sizing the concurrency check (1e): threads driving them. */
    public static final String CONCURRENT_THREADS_PROPERTY = "roamer.testkit.concurrency.threads";

    /**
     * How many migrations the concurrency check (1e) runs through one instance at once: the system property
     * {@value #CONCURRENT_MIGRATIONS_PROPERTY}, by default 192 (at least 2).
     */
    protected int concurrentMigrations() {
        return Math.max(2, Integer.getInteger(CONCURRENT_MIGRATIONS_PROPERTY, 192));
    }

    /**
     * How many threads drive the concurrency check (1e): the system property {@value #CONCURRENT_THREADS_PROPERTY},
     * by default 8 (at least 2).
     */
    protected int concurrentThreads() {
        return Math.max(2, Integer.getInteger(CONCURRENT_THREADS_PROPERTY, 8));
    }

    @BeforeEach
    final void createStrategy() {
        strategy = strategy();
        assertThat(strategy).as("strategy()").isNotNull();
        traits = strategy.traits();
        assertThat(traits).as("traits() of " + strategy.name()).isNotNull();
    }

    /** The instance under test in the running test. */
    protected final MigrationStrategy strategyUnderTest() {
        return strategy;
    }

    // ================================================================== 0. declaration

    @Test
    @DisplayName("0. declaration: a stable lower-case name and constant Table-2 traits with a description")
    public void nameAndTraits() {
        assertThat(strategy.name()).as("name()").isNotNull().matches("[a-z0-9][a-z0-9-]*");
        assertThat(strategy.name()).as("name() is stable").isEqualTo(strategy.name());
        assertThat(strategy.traits()).as("traits() is constant").isEqualTo(traits);
        assertThat(traits.description()).as("traits().description()").isNotBlank();
    }

    // ================================================================== 1. fidelity

    @Test
    @DisplayName("1a. fidelity: an idle agent is restored equal")
    public void fidelityIdle() {
        roundTrip(Agents.idle(), "idle agent");
    }

    @Test
    @DisplayName("1b. fidelity: an agent in two calls, with a rich profile, is restored equal")
    public void fidelityInCalls() {
        roundTrip(Agents.inCalls(), "agent in calls");
    }

    @Test
    @DisplayName("1b'. fidelity: mob-term off, no capabilities, forwarding set (every profile field the other way)")
    public void fidelityProfileTheOtherWay() {
        roundTrip(Agents.mobTermOff(), "agent with mob-term off");
    }

    @Test
    @DisplayName("1c. fidelity: a large agent (72 KiB of object state) is restored equal")
    public void fidelityLarge() {
        roundTrip(Agents.inCalls(Agents.LARGE), "agent with 72 KiB padding");
    }

    @Test
    @DisplayName("1d. fidelity: a very large agent (1 MB of object state) is restored equal")
    public void fidelityVeryLarge() {
        roundTrip(Agents.inCalls(Agents.VERY_LARGE), "agent with 1 MB padding");
    }

    @Test
    @DisplayName("1e. fidelity: many migrations at once through one instance (captured concurrently, restored in interleaved sessions on changing threads) each restore their own agent")
    public void fidelityConcurrent() throws Exception {
        int n = concurrentMigrations();
        int threads = concurrentThreads();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // all captures at once, released together
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Object>> captures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                captures.add(() -> {
                    MobileId mobile = MobileId.of("mobile-" + k);
                    FakeAgent agent = FakeAgent.builder(k % 2 == 0
                            ? Agents.idleVariables(mobile)
                            : Agents.inCallsVariables(mobile)).padding(k % 7 == 6 ? Agents.LARGE : (k % 3) * 4096)
                            .paddingSeed(k).build();
                    int chunk = switch (k % 4) {
                        case 1 -> multiChunkBytes();
                        case 3 -> 2048;
                        default -> maxChunkBytes();
                    };
                    MigrationContext src = new MigrationContext(1000 + k, mobile, Migrations.EPOCH + k % 3,
                            Migrations.SOURCE, Migrations.TARGET, chunk, maxImageBytes(), node("source"));
                    start.await();
                    try {
                        return Migrations.capture(strategy, agent, src);
                    } catch (MigrationException | RuntimeException e) {
                        return mobile + ": capture failed: " + e;
                    }
                });
            }
            List<Future<Object>> captured = new ArrayList<>();
            for (Callable<Object> c : captures) {
                captured.add(pool.submit(c));
            }
            start.countDown();
            List<String> failures = new ArrayList<>();
            List<Concurrent> restores = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Object r = captured.get(k).get(5, TimeUnit.MINUTES);
                if (r instanceof Captured c) {
                    MobileId mobile = MobileId.of("mobile-" + k);
                    MigrationContext tgt = new MigrationContext(1000 + k, mobile, Migrations.EPOCH + k % 3,
                            Migrations.SOURCE, Migrations.TARGET, k % 4 == 1
                                    ? multiChunkBytes()
                                    : k % 4 == 3 ? 2048 : maxChunkBytes(),
                            maxImageBytes(), node("target"));
                    restores.add(new Concurrent(c, target(mobile), tgt));
                } else {
                    failures.add(String.valueOf(r));
                }
            }
            // every session open at once; chunk i of every session before chunk i + 1 of any, each call on whichever
            // thread is free (the core calls a session from one thread at a time, not always the same one)
            run(pool, restores, Concurrent::begin);
            int rounds = restores.stream().mapToInt(r -> r.captured.count()).max().orElse(0);
            for (int i = 0; i < rounds; i++) {
                int chunk = i;
                run(pool, restores, r -> r.accept(chunk));
            }
            run(pool, restores, Concurrent::finish);
            for (Concurrent r : restores) {
                String v = r.verdict();
                if (v != null) {
                    failures.add(r.ctx.mobile() + " (migration " + r.ctx.migrationId() + ", " + r.captured.count()
                            + " chunks): " + v);
                }
            }
            assertNone(failures, n + " concurrent migrations on " + threads + " threads");
        } finally {
            pool.shutdownNow();
        }
    }

    /** One migration of the concurrency check, restored step by step. */
    private final class Concurrent {
        final Captured captured;
        final FakeRestoreTarget target;
        final MigrationContext ctx;
        RestoreSession session;
        String failure;

        Concurrent(Captured captured, FakeRestoreTarget target, MigrationContext ctx) {
            this.captured = captured;
            this.target = target;
            this.ctx = ctx;
        }

        void begin() {
            try {
                session = strategy.beginRestore(target, ctx);
                if (session == null) {
                    failure = "beginRestore returned null";
                }
            } catch (MigrationException | RuntimeException e) {
                failure = "beginRestore threw " + e;
            }
        }

        void accept(int i) {
            if (failure == null && i < captured.count()) {
                try {
                    session.accept(captured.chunks().get(i).clone());
                } catch (MigrationException | RuntimeException e) {
                    failure = "accept(chunk " + i + ") threw " + e;
                }
            }
        }

        void finish() {
            if (failure == null) {
                try {
                    session.finish();
                } catch (MigrationException | RuntimeException e) {
                    failure = "finish threw " + e;
                }
            }
            target.close();
        }

        String verdict() {
            if (failure != null) {
                return failure;
            }
            if (!target.violations().isEmpty()) {
                return "violations " + target.violations();
            }
            return Migrations.mismatch(captured, target);
        }
    }

    /** Runs {@code step} for every migration on the pool and waits for all of them. */
    private static void run(ExecutorService pool, List<Concurrent> all, java.util.function.Consumer<Concurrent> step)
            throws Exception {
        List<Callable<Object>> tasks = new ArrayList<>();
        for (Concurrent c : all) {
            tasks.add(() -> {
                synchronized (c) { // one thread at a time per session, and what it did visible to the next
                    step.accept(c);
                }
                return null;
            });
        }
        for (Future<Object> f : pool.invokeAll(tasks, 5, TimeUnit.MINUTES)) {
            if (f.isCancelled()) {
                throw new AssertionError("a migration step did not end within 5 minutes (blocked?)");
            }
            f.get();
        }
    }

    // ================================================================== 2. limits

    @Test
    @DisplayName("2a. limits: with chunk limits of 1 KiB, 8 KiB and the default every chunk fits and a large agent is restored equal")
    public void chunksRespectTheChunkLimit() {
        for (int limit : new int[]{1024, smallChunkBytes(), maxChunkBytes()}) {
            FakeAgent agent = Agents.inCalls(Agents.LARGE);
            MigrationContext src = Migrations.withLimits(source(Agents.ALICE), limit, maxImageBytes());
            Captured c = captureClean(agent, src, "large agent, chunk limit " + limit);
            for (int i = 0; i < c.count(); i++) {
                assertThat(c.chunks().get(i).length).as("chunk %d of %d, chunk limit %d", i, c.count(), limit)
                        .isLessThanOrEqualTo(limit);
            }
            assertThat(c.bytes()).as("total, image limit").isLessThanOrEqualTo(maxImageBytes());
            assertRestoredEqual(c, restore(c, src), "large agent, chunk limit " + limit);
        }
    }

    @Test
    @DisplayName("2b. limits: a 16-byte chunk limit is honoured or refused with MigrationException, never exceeded")
    public void tinyChunkLimit() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), 16, maxImageBytes());
        FakeAgent agent = Agents.inCalls(256);
        FakeChunkSink sink = new FakeChunkSink(src);
        Captured c;
        try {
            c = Migrations.capture(strategy, agent, src, sink);
        } catch (MigrationException e) {
            assertThat(e.getMessage()).as("reason of the refusal").isNotBlank();
            assertThat(sink.violations()).as("sink violations").isEmpty();
            assertThat(agent.violations()).as("agent violations").isEmpty();
            return;
        } catch (RuntimeException e) {
            throw new AssertionError("capture with a 16-byte chunk limit must succeed or throw MigrationException, "
                    + "threw " + e, e);
        }
        assertThat(sink.violations()).as("sink violations").isEmpty();
        assertRestoredEqual(c, restore(c, src), "agent captured in 16-byte chunks");
    }

    @Test
    @DisplayName("2c. limits: an image limit too small for the agent fails capture with MigrationException, never another exception; an exact one is enough")
    public void imageLimit() {
        Captured full = captureClean(Agents.inCalls(Agents.LARGE), source(Agents.ALICE), "large agent");
        long t = full.bytes();
        for (long limit : new long[]{0, 1, t / 4, t - 1}) {
            MigrationContext src = Migrations.withLimits(source(Agents.ALICE), maxChunkBytes(), limit);
            FakeAgent agent = Agents.inCalls(Agents.LARGE);
            FakeChunkSink sink = new FakeChunkSink(src);
            try {
                Captured c = Migrations.capture(strategy, agent, src, sink);
                fail("capture with an image limit of %d bytes (the agent takes %d) succeeded with %d bytes in %d chunks",
                        limit, t, c.bytes(), c.count());
            } catch (MigrationException e) {
                assertThat(e.getMessage()).as("reason of the refusal").isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("capture over the image limit (" + limit + " bytes) must throw "
                        + "MigrationException, threw " + e, e);
            }
            assertThat(sink.violations()).as("sink violations, image limit " + limit).isEmpty();
            assertThat(agent.violations()).as("agent violations, image limit " + limit).isEmpty();
        }
        MigrationContext exact = Migrations.withLimits(source(Agents.ALICE), maxChunkBytes(), t);
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), exact, "large agent, image limit = its size " + t);
        assertRestoredEqual(c, restore(c, exact), "large agent, image limit = its size");
    }

    @Test
    @DisplayName("2d. limits: a target whose restored-size limit (RestoreTarget.maxRestoredBytes, SPI 1.2) is below the agent's image is refused by the strategy itself, which never offers the target more; an exact limit is enough")
    public void restoredSizeLimitHonoured() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent");
        Outcome normal = restore(c, src);
        assertRestoredEqual(c, normal, "large agent");
        Assumptions.assumeTrue(normal.target().path() != FakeRestoreTarget.Path.VARIABLES, strategy.name()
                + " restores from migration variables: the restored-size limit bounds images");
        long size = normal.target().restoredImage().size();
        List<String> failures = new ArrayList<>();
        for (long limit : new long[]{0, 1, size / 4, size - c.image().registers().length, size - 1}) {
            FakeRestoreTarget target = target(Agents.ALICE).withMaxRestoredBytes(limit);
            Outcome o = Migrations.restore(strategy, target, target(src), c.chunks());
            String what = "a " + size + "-byte image at a target restoring at most " + limit + " bytes";
            if (!o.violations().isEmpty()) {
                failures.add(what + ": violations " + o.violations() + " (" + o.describe() + ")");
            } else if (o.result() != Result.REFUSED) {
                failures.add(what + ": " + o.describe() + " instead of a refusal with MigrationException");
            } else if (o.failure().getMessage() == null || o.failure().getMessage().isBlank()) {
                failures.add(what + ": refused without a reason at " + o.step());
            } else if (target.restored()) {
                failures.add(what + ": refused, but an agent was restored");
            }
        }
        assertNone(failures, "restores over the target's restored-size limit");
        Outcome exact = Migrations.restore(strategy, target(Agents.ALICE).withMaxRestoredBytes(size), target(src),
                c.chunks());
        assertRestoredEqual(c, exact, "large agent at a target restoring at most its " + size + " bytes");
    }

    // ================================================================== 3. switch-over

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("3a. switch-over: capture is synchronous on the owner thread and keeps no reference — the source agent may change right after without changing what is restored")
    public void captureKeepsNoReference() {
        FakeAgent agent = Agents.inCalls(4096);
        MigrationContext src = source(Agents.ALICE);
        Captured c = captureClean(agent, src, "agent in calls");
        // the agent lives on at the source (a rollback, messages delivered): none of it may leak into the transfer
        agent.deliver(5);
        agent.scramblePadding(99);
        agent.addCall(new ActiveCall("call-19", CallType.DATA, List.of(Agents.DAVE), true, "rp-3"));
        agent.startNegotiation(Agents.offerFromBob(), 900);
        Outcome o = restore(c, src);
        assertRestoredEqual(c, o, "agent changed at the source after capture");
        assertThat(agent.violations()).as("reads of the agent after capture() returned").isEmpty();
        assertThat(c.sink().modifiedChunks()).as("chunks changed after the sink took them").isEmpty();
    }

    @Test
    @DisplayName("3b. switch-over: the agent is complete only after the last chunk, so the stub's buffered messages apply exactly once after finish")
    public void completeOnlyAtTheEnd() throws Exception {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent");
        FakeRestoreTarget target = target(Agents.ALICE);
        RestoreSession session = strategy.beginRestore(target, target(src));
        assertThat(target.restored()).as("agent restored by beginRestore()").isFalse();
        int n = c.count();
        for (int i = 0; i < n; i++) {
            session.accept(c.chunks().get(i).clone());
            if (i < n - 1) {
                assertThat(target.restored()).as("agent complete after chunk %d of %d: a message the stub buffered "
                        + "could reach an agent that has not got all its state", i, n).isFalse();
            }
        }
        session.finish();
        target.close();
        assertThat(target.restored()).as("agent restored once finish() returned").isTrue();
        assertThat(target.violations()).as("target violations").isEmpty();
        assertThat(Migrations.mismatch(c, target)).as("restored agent").isNull();
        // the core now drains the stub into the agent: it resumes from exactly the captured mailbox position
        long delivered = target.path() == FakeRestoreTarget.Path.VARIABLES
                ? target.restoredVariables().delivered()
                : target.restoredState().variables().delivered();
        assertThat(delivered).as("delivered count the buffered messages continue from")
                .isEqualTo(c.state().variables().delivered());
    }

    @Test
    @DisplayName("3c. switch-over: chunks belong to the sink once handed over — none is changed afterwards, so the core may send them after capture returns")
    public void chunksAreNotReused() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), 1024, maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent in 1 KiB chunks");
        assertThat(c.sink().modifiedChunks()).as("chunks changed after the sink took them").isEmpty();
        // restore from the very arrays the strategy handed over, as the core sends them
        Outcome o = Migrations.restore(strategy, target(Agents.ALICE), target(src), c.sink().chunks());
        assertRestoredEqual(c, o, "large agent restored from the handed-over arrays");
    }

    // ================================================================== 4. rollback

    @Test
    @DisplayName("4a. rollback: a sink failing at the first, a middle or the last chunk makes capture throw MigrationException with the sink's reason, and no chunk follows")
    public void sinkFailurePropagates() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        int n = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent").count();
        for (int at : Corruptions.sample(n, 3)) {
            MigrationException broken = new MigrationException("link to uss-target lost at chunk " + at + " (kit)");
            FakeChunkSink sink = new FakeChunkSink(src).failingAt(at, broken);
            FakeAgent agent = Agents.inCalls(Agents.LARGE);
            try {
                Migrations.capture(strategy, agent, src, sink);
                fail("capture succeeded although the sink refused chunk %d", at);
            } catch (MigrationException e) {
                assertThat(carries(e, broken)).as("MigrationException \"%s\" carries the sink's reason \"%s\"",
                        e.getMessage(), broken.getMessage()).isTrue();
            } catch (RuntimeException e) {
                throw new AssertionError("a sink failing at chunk " + at + " must surface as MigrationException, "
                        + "capture threw " + e, e);
            }
            assertThat(sink.violations()).as("sink violations, failing at chunk " + at).isEmpty();
            assertThat(agent.violations()).as("agent violations").isEmpty();
        }
    }

    @Test
    @DisplayName("4b. rollback: abort() after any number of chunks short of the last leaves nothing restored and never throws, even twice")
    public void abortLeavesNothing() throws Exception {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent");
        for (int k : Corruptions.sample(c.count(), 12)) {
            FakeRestoreTarget target = target(Agents.ALICE);
            RestoreSession session = strategy.beginRestore(target, target(src));
            for (int i = 0; i < k; i++) {
                session.accept(c.chunks().get(i).clone());
            }
            List<String> violations = new ArrayList<>();
            Migrations.abort(session, target, violations);
            Migrations.abort(session, target, violations);
            assertThat(violations).as("abort() after %d of %d chunks", k, c.count()).isEmpty();
            assertThat(target.restored()).as("agent restored after abort() at chunk %d of %d", k, c.count()).isFalse();
            assertThat(target.violations()).as("target violations").isEmpty();
        }
    }

    @Test
    @DisplayName("4c. rollback: a refused chunk or an early finish() ends in MigrationException, then abort() never throws and nothing is restored")
    public void refusalThenAbort() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent");
        byte[] garbage = new byte[Math.min(64, smallChunkBytes())];
        new SplittableRandom(4).nextBytes(garbage);
        List<List<byte[]>> cases = new ArrayList<>();
        cases.add(List.of());
        cases.add(List.of(garbage));
        if (c.count() > 1) {
            cases.add(Corruptions.replace(c.chunks(), c.count() - 1, garbage));
        }
        cases.add(Corruptions.replace(c.chunks(), 0, garbage));
        for (List<byte[]> chunks : cases) {
            Outcome o = Migrations.restore(strategy, target(Agents.ALICE), target(src), chunks);
            String what = chunks.isEmpty() ? "finish() without a chunk" : chunks.size() + " chunks with garbage";
            assertThat(o.result()).as("%s: %s", what, o.describe()).isEqualTo(Result.REFUSED);
            assertThat(o.failure().getMessage()).as("%s: reason", what).isNotBlank();
            assertThat(o.violations()).as("%s: violations (abort() included)", what).isEmpty();
            assertThat(o.target().restored()).as("%s: agent restored", what).isFalse();
        }
    }

    @Test
    @DisplayName("4d. rollback: accept() and finish() after abort() throw MigrationException and restore nothing")
    public void nothingAfterAbort() throws Exception {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent");
        FakeRestoreTarget target = target(Agents.ALICE);
        RestoreSession session = strategy.beginRestore(target, target(src));
        session.accept(c.chunks().get(0).clone());
        List<String> violations = new ArrayList<>();
        Migrations.abort(session, target, violations);
        assertThat(violations).as("abort()").isEmpty();
        byte[] next = c.chunks().get(Math.min(1, c.count() - 1)).clone();
        assertThrowsMigrationException(() -> session.accept(next), "accept() after abort()");
        assertThrowsMigrationException(session::finish, "finish() after abort()");
        assertThat(target.restored()).as("agent restored after abort()").isFalse();
        assertThat(target.violations()).as("target used after abort()").isEmpty();
    }

    @Test
    @DisplayName("4e. rollback: a target refusing any one of its operations surfaces as MigrationException and nothing is restored")
    public void targetFailurePropagates() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent");
        Outcome ok = restore(c, src);
        assertRestoredEqual(c, ok, "large agent");
        int ops = ok.target().operations();
        for (int k : Corruptions.sample(ops, 12)) {
            MigrationException full = new MigrationException("target USS out of room at operation " + k + " (kit)");
            FakeRestoreTarget target = target(Agents.ALICE).failingAtOperation(k, full);
            Outcome o = Migrations.restore(strategy, target, target(src), c.chunks());
            assertThat(o.result()).as("target failing at operation %d of %d: %s", k, ops, o.describe())
                    .isEqualTo(Result.REFUSED);
            assertThat(o.failure().getMessage()).as("reason").isNotBlank();
            assertThat(o.violations()).as("violations").isEmpty();
            assertThat(o.target().restored()).as("agent restored").isFalse();
        }
    }

    // ================================================================== 5. rejection

    @Test
    @DisplayName("5a. rejection: every single-byte change at a few positions of a small transfer, and single-bit changes in every chunk of a multi-chunk transfer, are refused, never restored as a different agent")
    public void garbledRefused() {
        List<String> failures = new ArrayList<>();
        int tried = 0;
        int wrong = 0;
        int positions = 0;
        MigrationContext small = source(Agents.ALICE);
        MigrationContext multi = Migrations.withLimits(small, multiChunkBytes(), maxImageBytes());
        for (MigrationContext src : List.of(small, multi)) {
            boolean isSmall = src == small;
            Captured c = captureClean(isSmall ? Agents.inCalls(64) : Agents.inCalls(Agents.MEDIUM), src,
                    isSmall ? "small agent in calls" : "medium agent in calls");
            List<Long> at = isSmall
                    ? Corruptions.positions(c.chunks())
                    : Corruptions.positionsInEveryChunk(c.chunks(), 16);
            List<Integer> masks = new ArrayList<>();
            for (int mask = 1; mask <= 255; mask++) {
                if (isSmall || Corruptions.FEW_MASKS.contains(mask)) {
                    masks.add(mask);
                }
            }
            positions += at.size();
            for (long p : at) {
                int[] loc = Corruptions.locate(c.chunks(), p);
                int original = c.chunks().get(loc[0])[loc[1]] & 0xff;
                int bad = 0;
                String example = null;
                for (int mask : masks) {
                    tried++;
                    String v = verdict(c, Corruptions.flip(c.chunks(), p, mask), src, true);
                    if (v != null) {
                        bad++;
                        if (example == null) {
                            example = String.format("0x%02x -> 0x%02x: %s", original, original ^ mask, v);
                        }
                    }
                }
                if (bad > 0) {
                    wrong += bad;
                    failures.add(String.format("%d-chunk transfer, byte %d (chunk %d offset %d, 0x%02x%s): %d of %d "
                            + "other values not refused, e.g. %s", c.count(), p, loc[0], loc[1], original,
                            original >= 0x20 && original < 0x7f ? " '" + (char) original + "'" : "", bad, masks.size(),
                            example));
                }
            }
        }
        assertNone(failures, positions + " positions of garbled transfers (" + wrong + " of " + tried
                + " transfers not refused)");
    }

    @Test
    @DisplayName("5b. rejection: random garbage, empty and oversized chunks, in a small and in a multi-chunk transfer, are refused")
    public void garbageRefused() {
        SplittableRandom random = new SplittableRandom(0x6172626167L);
        List<String> failures = new ArrayList<>();
        int tried = 0;
        MigrationContext small = source(Agents.ALICE);
        MigrationContext multi = Migrations.withLimits(small, multiChunkBytes(), maxImageBytes());
        for (MigrationContext src : List.of(small, multi)) {
            Captured c = captureClean(src == small ? Agents.inCalls(64) : Agents.inCalls(Agents.MEDIUM), src,
                    src == small ? "small agent in calls" : "medium agent in calls");
            String what = c.count() + "-chunk transfer, ";
            List<List<byte[]>> cases = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i : Corruptions.sample(c.count(), 8)) {
                int len = c.chunks().get(i).length;
                for (int t = 0; t < 16; t++) {
                    cases.add(Corruptions.replace(c.chunks(), i, bytes(random, len)));
                    names.add(what + "chunk " + i + " replaced by " + len + " random bytes (#" + t + ")");
                    int other = random.nextInt(2 * len + 16);
                    cases.add(Corruptions.replace(c.chunks(), i, bytes(random, other)));
                    names.add(what + "chunk " + i + " replaced by " + other + " random bytes (#" + t + ")");
                }
                cases.add(Corruptions.replace(c.chunks(), i, new byte[len]));
                names.add(what + "chunk " + i + " zeroed");
                cases.add(Corruptions.replace(c.chunks(), i, new byte[0]));
                names.add(what + "chunk " + i + " empty");
            }
            if (src == small) {
                for (int t = 0; t < 16; t++) {
                    int len = 1 + random.nextInt(256);
                    cases.add(List.of(bytes(random, len)));
                    names.add("a lone chunk of " + len + " random bytes (#" + t + ")");
                }
                cases.add(List.of(new byte[0]));
                names.add("a lone empty chunk");
                cases.add(List.of(bytes(random, maxChunkBytes() + 1)));
                names.add("a lone random chunk of maxChunkBytes + 1 bytes");
            } else {
                int i = c.count() / 2;
                cases.add(Corruptions.replace(c.chunks(), i, bytes(random, src.maxChunkBytes() + 1)));
                names.add(what + "chunk " + i + " replaced by maxChunkBytes + 1 random bytes");
            }
            for (int k = 0; k < cases.size(); k++) {
                tried++;
                String v = verdict(c, cases.get(k), src, false);
                if (v != null) {
                    failures.add(names.get(k) + ": " + v);
                }
            }
        }
        assertNone(failures, tried + " transfers with garbage");
    }

    @Test
    @DisplayName("5c. rejection: a truncated transfer — every prefix of the chunk list, and chunks cut short, in a small and in a multi-chunk transfer — is refused")
    public void truncationRefused() {
        List<String> failures = new ArrayList<>();
        int tried = 0;
        MigrationContext small = source(Agents.ALICE);
        MigrationContext paged = Migrations.withLimits(small, smallChunkBytes(), maxImageBytes());
        MigrationContext multi = Migrations.withLimits(small, multiChunkBytes(), maxImageBytes());
        for (MigrationContext src : List.of(small, paged, multi)) {
            FakeAgent agent = src == small
                    ? Agents.inCalls(64)
                    : src == paged ? Agents.inCalls(Agents.LARGE) : Agents.inCalls(Agents.MEDIUM);
            Captured c = captureClean(agent, src, agent.toString());
            String what = c.count() + "-chunk transfer";
            for (int k = 0; k < c.count(); k++) {
                tried++;
                String v = verdict(c, Corruptions.prefix(c.chunks(), k), src, false);
                if (v != null) {
                    failures.add(what + ", first " + k + " chunks only: " + v);
                }
            }
            if (src == paged) {
                continue;
            }
            for (int i : Corruptions.sample(c.count(), 16)) {
                int len = c.chunks().get(i).length;
                List<Integer> cuts = len <= 512 && src == small
                        ? Corruptions.sample(len, len)
                        : List.of(0, 1, len / 2, len - 1);
                for (int cut : cuts) {
                    tried++;
                    String v = verdict(c, Corruptions.cut(c.chunks(), i, cut), src, true);
                    if (v != null) {
                        failures.add(what + ", chunk " + i + " cut to " + cut + " of " + len + " bytes: " + v);
                    }
                }
            }
        }
        assertNone(failures, tried + " truncated transfers");
    }

    @Test
    @DisplayName("5d. rejection: a reordered chunk list is refused, never restored as a different agent")
    public void reorderingRefused() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), smallChunkBytes(), maxImageBytes());
        Captured c = captureClean(Agents.inCalls(Agents.LARGE), src, "large agent");
        Assumptions.assumeTrue(c.count() >= 2, "a single-chunk transfer cannot be reordered");
        List<String> failures = new ArrayList<>();
        List<List<byte[]>> cases = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i : Corruptions.sample(c.count() - 1, 12)) {
            if (!Arrays.equals(c.chunks().get(i), c.chunks().get(i + 1))) {
                cases.add(Corruptions.swap(c.chunks(), i, i + 1));
                names.add("chunks " + i + " and " + (i + 1) + " swapped");
            }
        }
        cases.add(Corruptions.reverse(c.chunks()));
        names.add("all chunks reversed");
        cases.add(Corruptions.lastFirst(c.chunks()));
        names.add("last chunk first");
        for (int k = 0; k < cases.size(); k++) {
            String v = verdict(c, cases.get(k), src, true);
            if (v != null) {
                failures.add(names.get(k) + ": " + v);
            }
        }
        assertNone(failures, cases.size() + " reordered transfers of " + c.count() + " chunks");
    }

    @Test
    @DisplayName("5e. rejection: a duplicated chunk is refused, never restored as a different agent")
    public void duplicationRefused() {
        List<String> failures = new ArrayList<>();
        int tried = 0;
        MigrationContext small = source(Agents.ALICE);
        MigrationContext paged = Migrations.withLimits(small, smallChunkBytes(), maxImageBytes());
        for (MigrationContext src : List.of(small, paged)) {
            FakeAgent agent = src == small ? Agents.inCalls(64) : Agents.inCalls(Agents.LARGE);
            Captured c = captureClean(agent, src, agent.toString());
            String what = c.count() + "-chunk transfer";
            for (int i : Corruptions.sample(c.count(), 12)) {
                tried++;
                String v = verdict(c, Corruptions.duplicate(c.chunks(), i), src, true);
                if (v != null) {
                    failures.add(what + ", chunk " + i + " twice: " + v);
                }
            }
            tried++;
            String v = verdict(c, Corruptions.twice(c.chunks()), src, true);
            if (v != null) {
                failures.add(what + ", whole transfer twice: " + v);
            }
        }
        assertNone(failures, tried + " transfers with duplicated chunks");
    }

    @Test
    @DisplayName("5f. rejection: an agent image of another type (version, layout hash, bundle) is refused with a reason — unless the strategy is heterogeneous, which must restore it")
    public void foreignAgentType() {
        MigrationContext src = source(Agents.ALICE);
        Captured c = captureClean(Agents.inCalls(), src, "agent in calls");
        AgentType own = FakeAgentLayout.TYPE;
        List<AgentType> foreign = List.of(
                new AgentType(own.bundle(), "2.0.0", own.layoutHash()),
                new AgentType(own.bundle(), own.version(), own.layoutHash() ^ 0x10),
                new AgentType("com.example.other.agent", own.version(), own.layoutHash()));
        for (AgentType local : foreign) {
            FakeRestoreTarget target = target(Agents.ALICE).withLocalType(local);
            Outcome o = Migrations.restore(strategy, target, target(src), c.chunks());
            String what = "image of " + FakeAgentLayout.describe(own) + " at a node running "
                    + FakeAgentLayout.describe(local);
            if (traits.heterogeneous()) {
                assertRestoredEqual(c, o, what + " (heterogeneous strategy)");
            } else {
                assertThat(o.result()).as("%s: %s", what, o.describe()).isEqualTo(Result.REFUSED);
                assertThat(o.failure().getMessage()).as(what + ": the reason").isNotBlank();
                assertThat(o.violations()).as(what + ": violations").isEmpty();
                assertThat(target.restored()).as(what + ": agent restored").isFalse();
            }
        }
    }

    @Test
    @DisplayName("5g. rejection: a transfer restored for another mobile is refused")
    public void otherMobileRefused() {
        MigrationContext src = source(Agents.ALICE);
        Captured c = captureClean(Agents.inCalls(), src, "agent in calls");
        MigrationContext forBob = Migrations.context(Agents.BOB, node("target"), maxChunkBytes(), maxImageBytes());
        Outcome o = Migrations.restore(strategy, target(Agents.BOB), forBob, c.chunks());
        assertThat(o.result()).as("alice's transfer restored as bob: %s", o.describe()).isEqualTo(Result.REFUSED);
        assertThat(o.violations()).as("violations").isEmpty();
        assertThat(o.target().restored()).as("agent restored").isFalse();
    }

    @Test
    @DisplayName("5h. rejection: a transfer replayed in another migration of the same mobile — another migration id, another epoch, or both — is refused")
    public void replayOfAnotherMigrationRefused() {
        List<String> failures = new ArrayList<>();
        int tried = 0;
        MigrationContext small = source(Agents.ALICE);
        MigrationContext multi = Migrations.withLimits(small, multiChunkBytes(), maxImageBytes());
        for (MigrationContext src : List.of(small, multi)) {
            Captured c = captureClean(src == small ? Agents.inCalls() : Agents.inCalls(Agents.MEDIUM), src,
                    "agent in calls");
            long id = src.migrationId();
            long epoch = src.epoch();
            // migration ids come from the Location Server (unique), epochs grow by one per move
            long[][] others = {{id + 1, epoch}, {id, epoch + 1}, {id + 1, epoch + 1}, {id - 1, epoch - 1},
                    {id ^ (1L << 40), epoch}, {id, epoch + (1L << 32)}};
            for (long[] other : others) {
                tried++;
                MigrationContext replay = Migrations.withMigration(src, other[0], other[1]);
                Outcome o = Migrations.restore(strategy, target(Agents.ALICE), target(replay), c.chunks());
                String what = c.count() + "-chunk transfer of migration " + id + " (epoch " + epoch
                        + ") replayed in migration " + other[0] + " (epoch " + other[1] + ")";
                if (!o.violations().isEmpty()) {
                    failures.add(what + ": violations " + o.violations());
                } else if (o.result() != Result.REFUSED) {
                    failures.add(what + ": " + o.describe() + " instead of a refusal with MigrationException");
                } else if (o.target().restored()) {
                    failures.add(what + ": refused, but an agent was restored");
                }
            }
        }
        assertNone(failures, tried + " replayed transfers (a strategy binds its transfer to the migration id and the "
                + "epoch of its context, which both ends share)");
    }

    @Test
    @DisplayName("5i. rejection: chunks spliced from the transfers of two migrations (the same agent changed, another agent) are refused, never restored as a different agent")
    public void splicedTransfersRefused() {
        MigrationContext src = Migrations.withLimits(source(Agents.ALICE), multiChunkBytes(), maxImageBytes());
        Captured a = captureClean(Agents.inCalls(Agents.MEDIUM), src, "medium agent in calls");
        Assumptions.assumeTrue(a.count() >= 2, "a single-chunk transfer cannot be spliced (5h replays it whole)");
        // the same agent, moved on at the source (messages, object state) and captured in a later migration
        FakeAgent changed = Agents.inCalls(Agents.MEDIUM);
        changed.deliver(3);
        changed.scramblePadding(0x5711ceL);
        Captured later = captureClean(changed, Migrations.withMigration(src, src.migrationId() + 1, src.epoch() + 1),
                "the same agent changed, next migration");
        // another agent of the same shape (mobile ids of the same length), in a migration of its own
        FakeAgent carol = FakeAgent.builder(Agents.inCallsVariables(Agents.CAROL)).padding(Agents.MEDIUM)
                .paddingSeed(0xca501L).build();
        MigrationContext carols = new MigrationContext(src.migrationId() + 2, Agents.CAROL, src.epoch(), src.source(),
                src.target(), src.maxChunkBytes(), src.maxImageBytes(), src.workDirectory());
        Captured other = captureClean(carol, carols, "another agent");
        List<String> failures = new ArrayList<>();
        int tried = 0;
        for (Captured b : List.of(later, other)) {
            String from = b == later ? "the same agent's next migration" : "another agent's migration";
            int n = Math.min(a.count(), b.count());
            List<List<Integer>> splices = new ArrayList<>();
            List<Integer> odd = new ArrayList<>();
            List<Integer> tail = new ArrayList<>();
            List<Integer> head = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i % 2 == 1) {
                    odd.add(i);
                }
                if (i >= n / 2) {
                    tail.add(i);
                }
                if (i < n - 1) {
                    head.add(i);
                }
            }
            splices.add(odd);
            splices.add(tail);
            splices.add(head);
            splices.add(List.of(0));
            for (int i : Corruptions.sample(n, 8)) {
                splices.add(List.of(i));
            }
            for (List<Integer> taken : splices) {
                tried++;
                String v = verdict(a, Corruptions.splice(a.chunks(), b.chunks(), taken), src, true);
                if (v != null) {
                    failures.add(a.count() + "-chunk transfer with chunks " + taken + " from " + from + ": " + v);
                }
            }
        }
        assertNone(failures, tried + " spliced transfers");
    }

    // ================================================================== 6. traits

    @Test
    @DisplayName("6a. traits: optimizesData — true: an idle agent moves fewer bytes than in calls and at most a tenth of its image; false: at least its whole image")
    public void optimizesDataHolds() {
        MigrationContext src = source(Agents.ALICE);
        Captured idle = captureClean(Agents.idle(), src, "idle agent");
        Captured calls = captureClean(Agents.inCalls(), src, "agent in calls");
        Captured idleLarge = captureClean(Agents.idle(Agents.LARGE), src, "idle agent with 72 KiB padding");
        Captured callsLarge = captureClean(Agents.inCalls(Agents.LARGE), src, "agent in calls with 72 KiB padding");
        System.out.printf("[testkit] %s moves: idle %d B (image %d B), in calls %d B (image %d B), idle+72KiB %d B "
                + "(image %d B), in calls+72KiB %d B (image %d B)%n", strategy.name(), idle.bytes(),
                idle.image().size(),
                calls.bytes(), calls.image().size(), idleLarge.bytes(), idleLarge.image().size(), callsLarge.bytes(),
                callsLarge.image().size());
        if (traits.optimizesData()) {
            assertThat(idle.bytes()).as("bytes moved for an idle agent vs. the same agent in calls")
                    .isLessThan(calls.bytes());
            assertThat(idleLarge.bytes()).as("bytes moved for an idle large agent vs. in calls")
                    .isLessThan(callsLarge.bytes());
            assertThat(idleLarge.bytes()).as("bytes moved for an idle agent with a %d-byte image (at most a tenth)",
                    idleLarge.image().size()).isLessThanOrEqualTo(idleLarge.image().size() / 10);
        } else {
            assertThat(idleLarge.bytes()).as("bytes moved for an idle large agent vs. its image")
                    .isGreaterThanOrEqualTo(idleLarge.image().size());
            assertThat(callsLarge.bytes()).as("bytes moved for a large agent in calls vs. its image")
                    .isGreaterThanOrEqualTo(callsLarge.image().size());
        }
    }

    @Test
    @DisplayName("6b. traits: asynchronousInitiation — false: capturing an agent mid-negotiation is refused with MigrationException; true: it succeeds and the restored agent carries the negotiation")
    public void asynchronousInitiationHolds() {
        MigrationContext src = source(Agents.ALICE);
        FakeAgent agent = Agents.negotiating();
        if (!traits.asynchronousInitiation()) {
            FakeChunkSink sink = new FakeChunkSink(src);
            try {
                Migrations.capture(strategy, agent, src, sink);
                fail("capture of an agent in the middle of a negotiation succeeded, but the strategy declares "
                        + "asynchronousInitiation=false: it must refuse rather than capture inconsistent state");
            } catch (MigrationException e) {
                assertThat(e.getMessage()).as("reason of the refusal").isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("capture of an agent mid-negotiation must be refused with MigrationException, "
                        + "threw " + e, e);
            }
            assertThat(agent.violations()).as("agent violations").isEmpty();
            assertThat(sink.violations()).as("sink violations").isEmpty();
            return;
        }
        Captured c = captureClean(agent, src, "agent mid-negotiation");
        Outcome o = restore(c, src);
        assertRestoredEqual(c, o, "agent mid-negotiation");
        assertThat(o.target().path()).as("restore path of an agent mid-negotiation")
                .isNotEqualTo(FakeRestoreTarget.Path.VARIABLES);
        assertThat(o.target().restoredImage().stack().length).as("restored stack segment").isGreaterThan(1);
        assertThat(o.target().restoredState().negotiation()).as("restored negotiation")
                .isEqualTo(Agents.offerFromBob());
        assertThat(o.target().restoredState().timerRemainingMillis()).as("restored negotiation timer")
                .isEqualTo(1_500);
    }

    @Test
    @DisplayName("6c. traits: independentOfAgentLogic — true: capture never calls variables(); a strategy restoring from variables must declare false")
    public void independenceHolds() {
        MigrationContext src = source(Agents.ALICE);
        FakeAgent agent = Agents.inCalls();
        Captured c = captureClean(agent, src, "agent in calls");
        Outcome o = restore(c, src);
        assertRestoredEqual(c, o, "agent in calls");
        if (traits.independentOfAgentLogic()) {
            assertThat(agent.variablesCalls()).as("calls of variables() by a strategy declaring "
                    + "independentOfAgentLogic=true").isZero();
            assertThat(o.target().path()).as("restore path of a strategy declaring independentOfAgentLogic=true")
                    .isNotEqualTo(FakeRestoreTarget.Path.VARIABLES);
        }
    }

    // ================================================================== 7. after the migration (SPI 1.1)

    @Test
    @DisplayName("7a. hooks: finished() and departed() never throw, also for migrations and agents the strategy never saw")
    public void outcomeHooksNeverThrow() {
        MigrationContext src = source(Agents.ALICE);
        Captured c = captureClean(Agents.inCalls(), src, "agent in calls");
        Outcome o = restore(c, src);
        assertRestoredEqual(c, o, "agent in calls");
        MigrationContext unknown = Migrations.context(Agents.BOB, node("source"), maxChunkBytes(), maxImageBytes());
        org.assertj.core.api.Assertions.assertThatCode(() -> {
            strategy.finished(src, true);
            strategy.departed(Agents.ALICE, src.source(), src.workDirectory());
            strategy.finished(unknown, false);
            strategy.finished(unknown, true);
            strategy.departed(Agents.BOB, unknown.source(), unknown.workDirectory());
            strategy.departed(Agents.BOB, unknown.target(), node("elsewhere"));
        }).as("hooks of " + strategy.name()).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("7b. declaration: a strategy declaring nonBlocking() writes no file at the source or the target")
    public void nonBlockingWritesNoFiles() throws IOException {
        Assumptions.assumeTrue(strategy.nonBlocking(), strategy.name() + " does not declare nonBlocking()");
        MigrationContext src = source(Agents.ALICE);
        for (FakeAgent agent : List.of(Agents.idle(), Agents.inCalls(), Agents.inCalls(Agents.LARGE))) {
            Captured c = captureClean(agent, src, "agent");
            assertRestoredEqual(c, restore(c, src), "agent");
        }
        strategy.finished(src, true);
        strategy.departed(Agents.ALICE, src.source(), src.workDirectory());
        try (var files = Files.walk(workDirectory())) {
            assertThat(files.filter(Files::isRegularFile).map(Path::toString).toList())
                    .as("files written under the work directories by a strategy declaring nonBlocking()").isEmpty();
        }
    }

    // ================================================================== helpers

    /** The source side of a normal migration of {@code mobile}. */
    protected final MigrationContext source(MobileId mobile) {
        return Migrations.context(mobile, node("source"), maxChunkBytes(), maxImageBytes());
    }

    /** The target side of a migration: same ids and limits, the target node's work directory. */
    protected final MigrationContext target(MigrationContext source) {
        return Migrations.withWorkDirectory(source, node("target"));
    }

    /** A target node expecting {@code mobile}, with {@link #maxPreCreateBytes()} and {@link #maxRestoredBytes()}. */
    protected final FakeRestoreTarget target(MobileId mobile) {
        return new FakeRestoreTarget(mobile).withMaxPreCreateBytes(maxPreCreateBytes())
                .withMaxRestoredBytes(maxRestoredBytes());
    }

    private Path node(String name) {
        Path p = workDirectory().resolve(name);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Captures and checks that neither the agent, nor the sink, nor the ownership of chunks was abused. */
    protected final Captured captureClean(FakeAgent agent, MigrationContext ctx, String what) {
        FakeChunkSink sink = new FakeChunkSink(ctx);
        Captured c;
        try {
            c = Migrations.capture(strategy, agent, ctx, sink);
        } catch (MigrationException | RuntimeException e) {
            throw new AssertionError("capture of " + what + " failed: " + e
                    + (sink.violations().isEmpty() ? "" : "; sink violations " + sink.violations())
                    + (agent.violations().isEmpty() ? "" : "; agent violations " + agent.violations()), e);
        }
        assertThat(agent.violations()).as("agent violations capturing " + what).isEmpty();
        assertThat(sink.violations()).as("sink violations capturing " + what).isEmpty();
        assertThat(sink.modifiedChunks()).as("chunks changed after the sink took them, capturing " + what).isEmpty();
        return c;
    }

    /** Captures at the default limits, restores at a fresh target and asserts the agent restored equal. */
    protected final void roundTrip(FakeAgent agent, String what) {
        MigrationContext src = source(agent.state().variables().mobile());
        Captured c = captureClean(agent, src, what);
        assertThat(c.bytes()).as(what + ": total bytes vs. the image limit").isLessThanOrEqualTo(maxImageBytes());
        assertRestoredEqual(c, restore(c, src), what);
    }

    /** Restores a capture at a fresh target like the core. */
    protected final Outcome restore(Captured c, MigrationContext source) {
        return Migrations.restore(strategy, target(source.mobile()), target(source), c.chunks());
    }

    /** Asserts a restore succeeded without violations and rebuilt the captured agent. */
    protected static void assertRestoredEqual(Captured c, Outcome o, String what) {
        assertThat(o.result()).as("%s: %s", what, o.describe()).isEqualTo(Result.RESTORED);
        assertThat(o.violations()).as(what + ": violations").isEmpty();
        String mm = Migrations.mismatch(c, o.target());
        if (mm != null) {
            fail("%s: the restored agent is not the captured one: %s", what, mm);
        }
    }

    /**
     * Why a damaged transfer was handled wrongly, or {@code null} when it was refused with a reason (or, if
     * {@code identicalAllowed}, restored exactly as captured: the damage carried no information).
     */
    private String verdict(Captured c, List<byte[]> chunks, MigrationContext src, boolean identicalAllowed) {
        Outcome o = Migrations.restore(strategy, target(src.mobile()), target(src), chunks);
        if (!o.violations().isEmpty()) {
            return "violations " + o.violations() + " (" + o.describe() + ")";
        }
        return switch (o.result()) {
            case CRASHED -> "threw " + o.failure() + " at " + o.step() + " instead of MigrationException";
            case REFUSED -> o.failure().getMessage() == null || o.failure().getMessage().isBlank()
                    ? "refused without a reason at " + o.step()
                    : null;
            case RESTORED -> {
                String mm = Migrations.mismatch(c, o.target());
                yield mm == null && identicalAllowed
                        ? null
                        : mm == null
                                ? "restored (an agent equal to the captured one) instead of refusing"
                                : "restored a different agent: " + mm;
            }
        };
    }

    private static void assertNone(List<String> failures, String what) {
        if (!failures.isEmpty()) {
            StringBuilder b = new StringBuilder();
            b.append(failures.size()).append(" of ").append(what).append(" went wrong, e.g.:");
            for (String f : failures.subList(0, Math.min(12, failures.size()))) {
                b.append("\n  - ").append(f);
            }
            fail(b.toString());
        }
    }

    /** Whether {@code e} is {@code cause}, has it in its cause chain, or repeats its message. */
    private static boolean carries(Throwable e, MigrationException cause) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t == cause || t.getMessage() != null && t.getMessage().contains(cause.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** A step that must throw a MigrationException (not another exception, not nothing). */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void assertThrowsMigrationException(Step step, String what) {
        try {
            step.run();
        } catch (MigrationException e) {
            assertThat(e.getMessage()).as(what + ": reason").isNotBlank();
            return;
        } catch (Exception e) {
            throw new AssertionError(what + " must throw MigrationException, threw " + e, e);
        }
        fail("%s returned normally; it must throw MigrationException", what);
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}

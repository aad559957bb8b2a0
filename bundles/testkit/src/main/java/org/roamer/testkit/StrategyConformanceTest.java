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
    @DisplayName("1e. fidelity: 48 migrations at once through one instance each restore their own agent")
    public void fidelityConcurrent() throws Exception {
        int n = 48;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                tasks.add(() -> {
                    MobileId mobile = MobileId.of("mobile-" + k);
                    FakeAgent agent = FakeAgent.builder(k % 2 == 0 ? Agents.idleVariables(mobile)
                            : Agents.inCallsVariables(mobile)).padding((k % 3) * 4096).paddingSeed(k).build();
                    MigrationContext src = new MigrationContext(1000 + k, mobile, Migrations.EPOCH,
                            Migrations.SOURCE, Migrations.TARGET, k % 4 == 3 ? 2048 : maxChunkBytes(), maxImageBytes(),
                            node("source"));
                    Captured c;
                    try {
                        c = Migrations.capture(strategy, agent, src);
                    } catch (MigrationException | RuntimeException e) {
                        return mobile + ": capture failed: " + e;
                    }
                    Outcome o = Migrations.restore(strategy, target(mobile), Migrations.withWorkDirectory(src,
                            node("target")), c.chunks());
                    String mm = o.result() == Result.RESTORED ? Migrations.mismatch(c, o.target()) : o.describe();
                    return mm == null ? null : mobile + ": " + mm;
                });
            }
            List<Future<String>> results = pool.invokeAll(tasks, 5, TimeUnit.MINUTES);
            List<String> failures = new ArrayList<>();
            for (Future<String> f : results) {
                if (f.isCancelled()) {
                    failures.add("a migration did not end within 5 minutes (blocked?)");
                } else if (f.get() != null) {
                    failures.add(f.get());
                }
            }
            assertNone(failures, n + " concurrent migrations");
        } finally {
            pool.shutdownNow();
        }
    }

    // ================================================================== 2. limits

    @Test
    @DisplayName("2a. limits: with chunk limits of 1 KiB, 8 KiB and the default every chunk fits and a large agent is restored equal")
    public void chunksRespectTheChunkLimit() {
        for (int limit : new int[] {1024, smallChunkBytes(), maxChunkBytes()}) {
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
        for (long limit : new long[] {0, 1, t / 4, t - 1}) {
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
        long delivered = target.path() == FakeRestoreTarget.Path.VARIABLES ? target.restoredVariables().delivered()
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
    @DisplayName("5a. rejection: every single-byte change at a few positions of a small transfer is refused, never restored as a different agent")
    public void garbledRefused() {
        MigrationContext src = source(Agents.ALICE);
        Captured c = captureClean(Agents.inCalls(64), src, "small agent in calls");
        List<String> failures = new ArrayList<>();
        int tried = 0;
        int wrong = 0;
        for (long p : Corruptions.positions(c.chunks())) {
            int[] at = Corruptions.locate(c.chunks(), p);
            int original = c.chunks().get(at[0])[at[1]] & 0xff;
            int bad = 0;
            String example = null;
            for (int mask = 1; mask <= 255; mask++) {
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
                failures.add(String.format("byte %d (chunk %d offset %d, 0x%02x%s): %d of 255 other values not "
                        + "refused, e.g. %s", p, at[0], at[1], original, original >= 0x20 && original < 0x7f
                                ? " '" + (char) original + "'" : "", bad, example));
            }
        }
        assertNone(failures, Corruptions.positions(c.chunks()).size() + " positions of a garbled transfer ("
                + c.count() + " chunks, " + c.bytes() + " bytes, every other value of the byte: " + wrong + " of "
                + tried + " transfers not refused)");
    }

    @Test
    @DisplayName("5b. rejection: random garbage, empty and oversized chunks are refused")
    public void garbageRefused() {
        MigrationContext src = source(Agents.ALICE);
        Captured c = captureClean(Agents.inCalls(64), src, "small agent in calls");
        SplittableRandom random = new SplittableRandom(0x6172626167L);
        List<String> failures = new ArrayList<>();
        List<List<byte[]>> cases = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i : Corruptions.sample(c.count(), 8)) {
            int len = c.chunks().get(i).length;
            for (int t = 0; t < 16; t++) {
                cases.add(Corruptions.replace(c.chunks(), i, bytes(random, len)));
                names.add("chunk " + i + " replaced by " + len + " random bytes (#" + t + ")");
                int other = random.nextInt(2 * len + 16);
                cases.add(Corruptions.replace(c.chunks(), i, bytes(random, other)));
                names.add("chunk " + i + " replaced by " + other + " random bytes (#" + t + ")");
            }
            cases.add(Corruptions.replace(c.chunks(), i, new byte[len]));
            names.add("chunk " + i + " zeroed");
            cases.add(Corruptions.replace(c.chunks(), i, new byte[0]));
            names.add("chunk " + i + " empty");
        }
        for (int t = 0; t < 16; t++) {
            int len = 1 + random.nextInt(256);
            cases.add(List.of(bytes(random, len)));
            names.add("a lone chunk of " + len + " random bytes (#" + t + ")");
        }
        cases.add(List.of(new byte[0]));
        names.add("a lone empty chunk");
        cases.add(List.of(bytes(random, maxChunkBytes() + 1)));
        names.add("a lone random chunk of maxChunkBytes + 1 bytes");
        for (int k = 0; k < cases.size(); k++) {
            String v = verdict(c, cases.get(k), src, false);
            if (v != null) {
                failures.add(names.get(k) + ": " + v);
            }
        }
        assertNone(failures, cases.size() + " transfers with garbage");
    }

    @Test
    @DisplayName("5c. rejection: a truncated transfer — every prefix of the chunk list, and chunks cut short — is refused")
    public void truncationRefused() {
        List<String> failures = new ArrayList<>();
        int tried = 0;
        MigrationContext small = source(Agents.ALICE);
        MigrationContext paged = Migrations.withLimits(small, smallChunkBytes(), maxImageBytes());
        for (MigrationContext src : List.of(small, paged)) {
            FakeAgent agent = src == small ? Agents.inCalls(64) : Agents.inCalls(Agents.LARGE);
            Captured c = captureClean(agent, src, agent.toString());
            String what = c.count() + "-chunk transfer";
            for (int k = 0; k < c.count(); k++) {
                tried++;
                String v = verdict(c, Corruptions.prefix(c.chunks(), k), src, false);
                if (v != null) {
                    failures.add(what + ", first " + k + " chunks only: " + v);
                }
            }
            if (src != small) {
                continue;
            }
            for (int i = 0; i < c.count(); i++) {
                int len = c.chunks().get(i).length;
                List<Integer> cuts = len <= 512 ? Corruptions.sample(len, len) : List.of(0, 1, len / 2, len - 1);
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
                + "(image %d B), in calls+72KiB %d B (image %d B)%n", strategy.name(), idle.bytes(), idle.image().size(),
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

    /** A target node expecting {@code mobile}, with {@link #maxPreCreateBytes()}. */
    protected final FakeRestoreTarget target(MobileId mobile) {
        return new FakeRestoreTarget(mobile).withMaxPreCreateBytes(maxPreCreateBytes());
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
                    ? "refused without a reason at " + o.step() : null;
            case RESTORED -> {
                String mm = Migrations.mismatch(c, o.target());
                yield mm == null && identicalAllowed ? null
                        : mm == null ? "restored (an agent equal to the captured one) instead of refusing"
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

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.roamer.strategy.condor.internal.Fixtures.LOCAL;
import static org.roamer.strategy.condor.internal.Fixtures.files;
import static org.roamer.strategy.condor.internal.Fixtures.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.testkit.FakeRestoreTarget;

/**
 * Which checkpoint files stay: the outcome hooks ({@code finished} at the source, {@code departed} on every node
 * an agent leaves, {@code abort} after {@code finish} at the target) called as the core calls them, with real
 * files. A directory must hold only checkpoints of agents that live on its node: after any number of moves, at
 * most one file per hosted mobile.
 */
class CondorCheckpointCleanupTest {
    static final NodeId A = NodeId.of("uss-a");
    static final NodeId B = NodeId.of("uss-b");
    static final NodeId C = NodeId.of("uss-c");
    static final MobileId ALICE = MobileId.of("alice");
    static final MobileId BOB = MobileId.of("bob");

    @TempDir
    Path root;

    CondorStrategy strategy = Fixtures.strategy();

    /** Each node's work directory, as the core hands it to strategies: {@code <root>/<node>}. */
    Path work(NodeId node) {
        return root.resolve(node.value());
    }

    /** Each node's default checkpoint directory. */
    Path dir(NodeId node) {
        return Checkpoints.defaultDirectory(work(node));
    }

    static MigrationContext ctx(long id, MobileId mobile, long epoch, NodeId from, NodeId to, Path work) {
        return new MigrationContext(id, mobile, epoch, from, to, Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, work);
    }

    static String name(MobileId mobile, long epoch, long id, NodeId node) {
        return Checkpoints.fileName(mobile, epoch, id, node);
    }

    static FakeRestoreTarget target(MobileId mobile) {
        return new FakeRestoreTarget(mobile).withLocalType(LOCAL).withOpaqueImages();
    }

    /** How a migration ends, as the core sees it. */
    enum End {
        COMMIT, ROLLBACK_BEFORE_FINISH, ROLLBACK_AFTER_FINISH
    }

    /**
     * One migration of {@code mobile} from {@code from} to {@code to} driven as the core drives it: capture at the
     * source, the chunks restored at the target; then on a commit {@code finished(ctx, true)} and {@code departed}
     * on the source, on a rollback the target's {@code abort} (after {@code finish} or before) and
     * {@code finished(ctx, false)}.
     */
    void migrate(CondorStrategy s, MobileId mobile, long epoch, long id, NodeId from, NodeId to, End end)
            throws MigrationException {
        MigrationContext source = ctx(id, mobile, epoch, from, to, work(from));
        MigrationContext target = ctx(id, mobile, epoch, from, to, work(to));
        List<byte[]> chunks = Fixtures.capture(s, image(3_000, 100, 8, id), source);
        RestoreSession session = s.beginRestore(target(mobile), target);
        if (end == End.ROLLBACK_BEFORE_FINISH) {
            session.accept(chunks.get(0));
            session.abort();
            s.finished(source, false);
            return;
        }
        for (byte[] c : chunks) {
            session.accept(c);
        }
        session.finish();
        if (end == End.ROLLBACK_AFTER_FINISH) {
            session.abort(); // MIGRATE_FAILED from the source after READY went out
            s.finished(source, false);
        } else {
            s.finished(source, true);
            s.departed(mobile, from, work(from));
        }
    }

    // ------------------------------------------------------------------ source side

    @Test
    void aCommitDeletesTheSourcesCheckpointAndTheTargetKeepsItsOwn() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.COMMIT);
        assertThat(files(dir(A))).isEmpty();
        assertThat(files(dir(B))).containsExactly(name(ALICE, 2, 11, B));
        CheckpointHeader h = Checkpoints.readHeader(dir(B).resolve(name(ALICE, 2, 11, B)), Fixtures.MAX_IMAGE);
        assertThat(h.epoch()).isEqualTo(2);
        assertThat(h.node()).as("where the image was taken").isEqualTo(A);
    }

    @Test
    void aRollbackDeletesOnlyTheFileOfThatMigration() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.COMMIT); // alice now lives on B, with B's checkpoint
        migrate(strategy, BOB, 5, 12, A, B, End.COMMIT);
        // alice tries to leave B and the migration rolls back: she stays on B, epoch 2
        MigrationContext ctx = ctx(13, ALICE, 3, B, C, work(B));
        Fixtures.capture(strategy, image(3_000, 100, 8, 13), ctx);
        assertThat(files(dir(B))).contains(name(ALICE, 3, 13, B));
        strategy.finished(ctx, false);
        assertThat(files(dir(B))).as("her checkpoint of epoch 2 is still hers; epoch 3 she never reached")
                .containsExactly(name(ALICE, 2, 11, B), name(BOB, 5, 12, B));
    }

    @Test
    void aCommitAlsoDeletesWhatTheSourceKeptWhenTheAgentArrivedThereButNothingElse() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.COMMIT);
        migrate(strategy, BOB, 5, 12, A, B, End.COMMIT);
        Path dirB = dir(B);
        // not Condor's: other names, a hidden temporary file, a recovery-style file, a directory
        List<String> foreign = List.of("alice.rckp", "notes.txt", "alice-e2-m11-uss-b.rckp.bak",
                ".alice-e9-m9-uss-b.rckp.123.tmp", "alice-e02-m11-uss-b.rckp", "alice-e-m11-uss-b.rckp");
        for (String f : foreign) {
            Files.writeString(dirB.resolve(f), "not a checkpoint");
        }
        Files.createDirectory(dirB.resolve("alice-e1-m1-uss-b.rckp"));
        // alice moves on B -> C, after a restart: the new instance reads B's directory
        migrate(Fixtures.strategy(), ALICE, 3, 14, B, C, End.COMMIT);
        List<String> left = new ArrayList<>(foreign);
        left.add(name(BOB, 5, 12, B));
        assertThat(files(dirB)).as("alice's two files on B gone, bob's and the foreign ones stay")
                .containsExactlyInAnyOrderElementsOf(left);
        assertThat(Files.isDirectory(dirB.resolve("alice-e1-m1-uss-b.rckp"))).isTrue();
        assertThat(files(dir(C))).containsExactly(name(ALICE, 3, 14, C));
        assertThat(files(dir(A))).isEmpty();
    }

    @Test
    void finishedWithACommitAloneCleansUpTheNodeForThatMobile() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.COMMIT);
        migrate(strategy, BOB, 5, 12, A, B, End.COMMIT);
        MigrationContext ctx = ctx(13, ALICE, 3, B, C, work(B));
        Fixtures.capture(strategy, image(3_000, 100, 8, 13), ctx);
        strategy.finished(ctx, true); // without departed(): Condor does not rely on being told twice
        assertThat(files(dir(B))).containsExactly(name(BOB, 5, 12, B));
    }

    @Test
    void leavingByAnotherStrategyDeletesTheCheckpointsTheNodeKeptOfTheAgent() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.COMMIT);
        migrate(strategy, BOB, 5, 12, A, B, End.COMMIT);
        // alice leaves B by NAIVE: Condor only hears departed()
        strategy.departed(ALICE, B, work(B));
        assertThat(files(dir(B))).containsExactly(name(BOB, 5, 12, B));
        // and bob is terminated on B
        strategy.departed(BOB, B, work(B));
        assertThat(files(dir(B))).isEmpty();
        assertThatCode(() -> strategy.departed(BOB, B, work(B))).as("again: nothing left").doesNotThrowAnyException();
        assertThatCode(() -> strategy.departed(ALICE, C, work(C))).as("a node that never had a directory")
                .doesNotThrowAnyException();
        assertThat(Files.exists(dir(C))).isFalse();
    }

    @Test
    void inADirectorySharedByNodesOnlyTheLeavingNodesFilesOfThatMobileGo(@TempDir Path shared) throws Exception {
        CondorStrategy s = Fixtures.strategy(new CondorStrategy.Settings(shared, true, 65_536));
        migrate(s, ALICE, 2, 11, A, B, End.COMMIT);
        assertThat(files(shared)).containsExactly(name(ALICE, 2, 11, B));
        // a copy of alice by another node (say, C kept hers from before) and bob on A
        migrate(s, BOB, 5, 12, C, A, End.COMMIT);
        Path cOfAlice = shared.resolve(name(ALICE, 1, 3, C));
        Files.copy(shared.resolve(name(ALICE, 2, 11, B)), cOfAlice);
        CondorStrategy restarted = Fixtures.strategy(new CondorStrategy.Settings(shared, true, 65_536));
        restarted.departed(ALICE, A, work(A));
        assertThat(files(shared)).as("alice never lived on A").hasSize(3);
        migrate(restarted, ALICE, 3, 14, B, A, End.COMMIT);
        assertThat(files(shared)).as("B's copy of alice gone; C's copy of alice, A's bob and A's alice stay")
                .containsExactlyInAnyOrder(name(ALICE, 1, 3, C), name(BOB, 5, 12, A), name(ALICE, 3, 14, A));
        // the default directories of the nodes are not this strategy's now: untouched
        Files.createDirectories(dir(A));
        Files.copy(shared.resolve(name(BOB, 5, 12, A)), dir(A).resolve(name(ALICE, 3, 14, A)));
        restarted.departed(ALICE, A, work(A));
        assertThat(files(dir(A))).containsExactly(name(ALICE, 3, 14, A));
        assertThat(files(shared)).containsExactlyInAnyOrder(name(ALICE, 1, 3, C), name(BOB, 5, 12, A));
    }

    // ------------------------------------------------------------------ target side

    @Test
    void anAbortAfterFinishDeletesTheTargetsCheckpoint() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.ROLLBACK_AFTER_FINISH);
        assertThat(files(dir(A))).as("the source's file of the rolled-back migration").isEmpty();
        assertThat(files(dir(B))).as("the rebuilt agent was discarded on B").isEmpty();
        migrate(strategy, ALICE, 3, 12, A, B, End.ROLLBACK_BEFORE_FINISH);
        assertThat(files(dir(A))).isEmpty();
        try (var s = Files.list(dir(B))) {
            assertThat(s).as("not even a temporary file").isEmpty();
        }
    }

    @Test
    void aNewArrivalReplacesTheOlderCheckpointsTheTargetStillHadOfTheMobile() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.COMMIT);
        // B's directory still holds alice's file although she left (Condor was not installed when she did)
        migrate(strategy, ALICE, 3, 12, B, C, End.COMMIT);
        Files.copy(dir(C).resolve(name(ALICE, 3, 12, C)), dir(B).resolve(name(ALICE, 2, 11, B)));
        migrate(strategy, ALICE, 4, 13, C, A, End.COMMIT);
        CondorStrategy restarted = Fixtures.strategy();
        migrate(restarted, ALICE, 5, 14, A, B, End.COMMIT);
        assertThat(files(dir(B))).containsExactly(name(ALICE, 5, 14, B));
        assertThat(files(dir(A))).isEmpty();
        assertThat(files(dir(C))).isEmpty();
    }

    @Test
    void withoutKeepingCheckpointsTheHooksHaveNothingToDo() throws Exception {
        CondorStrategy s = Fixtures.strategy(new CondorStrategy.Settings(null, false, 65_536));
        migrate(s, ALICE, 2, 11, A, B, End.COMMIT);
        migrate(s, ALICE, 3, 12, B, A, End.ROLLBACK_AFTER_FINISH);
        assertThat(files(dir(A))).isEmpty();
        assertThat(files(dir(B))).isEmpty();
        assertThat(s.files().size(dir(A)) + s.files().size(dir(B))).isZero();
    }

    // ------------------------------------------------------------------ after a restart

    @Test
    void aNewInstanceFindsTheCheckpointsKeptBeforeAndCleansThemUp() throws Exception {
        migrate(strategy, ALICE, 2, 11, A, B, End.COMMIT);
        migrate(strategy, BOB, 5, 12, A, B, End.COMMIT);
        // the source crashed before the outcome of a migration of bob from B reached it: its file stayed
        Fixtures.capture(strategy, image(3_000, 100, 8, 13), ctx(13, BOB, 6, B, C, work(B)));
        CondorStrategy restarted = Fixtures.strategy(); // a restart or a bundle update: nothing in memory
        restarted.departed(ALICE, B, work(B));
        assertThat(files(dir(B))).containsExactly(name(BOB, 5, 12, B), name(BOB, 6, 13, B));
        migrate(restarted, BOB, 7, 14, B, A, End.COMMIT);
        assertThat(files(dir(B))).isEmpty();
        assertThat(files(dir(A))).containsExactly(name(BOB, 7, 14, A));
    }

    @Test
    void aNameThatReadsTwoWaysIsSettledByTheFilesHeader() throws Exception {
        // mobile "a-e1-m2-b" checkpointed by node "x", and mobile "a" by node "b-e3-m4-x": the same file name
        MobileId longName = MobileId.of("a-e1-m2-b");
        NodeId x = NodeId.of("x");
        String file = name(longName, 3, 4, x);
        assertThat(file).isEqualTo(name(MobileId.of("a"), 1, 2, NodeId.of("b-e3-m4-x")));
        assertThat(CheckpointFiles.parse(file)).containsExactlyInAnyOrder(
                new CheckpointFiles.Name(longName, 3, 4, x),
                new CheckpointFiles.Name(MobileId.of("a"), 1, 2, NodeId.of("b-e3-m4-x")));
        Fixtures.capture(strategy, image(1_000, 10, 8, 4), ctx(4, longName, 3, x, A, work(x)));
        assertThat(files(dir(x))).containsExactly(file);

        CondorStrategy restarted = Fixtures.strategy();
        restarted.departed(MobileId.of("a"), NodeId.of("b-e3-m4-x"), work(x));
        assertThat(files(dir(x))).as("not the file of mobile 'a'").containsExactly(file);
        restarted.departed(longName, x, work(x));
        assertThat(files(dir(x))).isEmpty();

        // a corrupted file of an ambiguous name is nobody's: never deleted
        Files.createDirectories(dir(x));
        Files.writeString(dir(x).resolve(file), "garbled");
        CondorStrategy again = Fixtures.strategy();
        again.departed(longName, x, work(x));
        again.departed(MobileId.of("a"), NodeId.of("b-e3-m4-x"), work(x));
        assertThat(files(dir(x))).containsExactly(file);
    }

    @Test
    void namesAreParsedStrictly() {
        assertThat(CheckpointFiles.parse("alice-e3-m7-uss-a.rckp"))
                .containsExactly(new CheckpointFiles.Name(ALICE, 3, 7, A));
        assertThat(CheckpointFiles.parse("alice-e3-m18446744073709551615-uss-a.rckp"))
                .containsExactly(new CheckpointFiles.Name(ALICE, 3, -1L, A));
        for (String bad : List.of("alice.rckp", "alice-e3-m7-uss-a.rckp.tmp", "alice-e3-m7-.rckp", "-e3-m7-a.rckp",
                "alice-e03-m7-uss-a.rckp", "alice-e3-m-uss-a.rckp", "alice-e3m7-uss-a.rckp", "alice-e3-m7uss-a.rckp",
                "alice-e3-m7-uss a.rckp", "alice-e99999999999999999999-m7-a.rckp", "al!ce-e3-m7-uss-a.rckp", "")) {
            assertThat(CheckpointFiles.parse(bad)).as(bad).isEmpty();
        }
    }

    // ------------------------------------------------------------------ the bound

    /**
     * Three mobiles move at random between three nodes for 300 migrations, some rolled back before or after the
     * target finished, some leaving by another strategy (only departed() is called), one restart of the
     * strategy half-way. After every migration each directory holds exactly one file per mobile that arrived
     * there by Condor and still lives there, and nothing else.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void afterManyMovesEachDirectoryHoldsOneFilePerHostedMobileThatArrivedByCondor(long seed) throws Exception {
        Random random = new Random(seed);
        NodeId[] nodes = {A, B, C};
        MobileId[] mobiles = {ALICE, BOB, MobileId.of("carol")};
        NodeId[] at = {A, B, C};
        long[] epoch = {1, 1, 1};
        String[] file = new String[3]; // the file of a mobile that arrived by Condor, where it lives
        CondorStrategy s = strategy;
        for (long id = 1; id <= 300; id++) {
            if (id == 150) {
                s = Fixtures.strategy();
            }
            int m = random.nextInt(3);
            NodeId from = at[m];
            NodeId to = nodes[(List.of(nodes).indexOf(from) + 1 + random.nextInt(2)) % 3];
            long next = ++epoch[m];
            int kind = random.nextInt(10);
            if (kind == 0) {
                migrate(s, mobiles[m], next, id, from, to, End.ROLLBACK_BEFORE_FINISH);
            } else if (kind == 1) {
                migrate(s, mobiles[m], next, id, from, to, End.ROLLBACK_AFTER_FINISH);
            } else if (kind <= 4) { // by NAIVE or TERN: Condor only hears that the agent left
                s.departed(mobiles[m], from, work(from));
                at[m] = to;
                file[m] = null;
            } else {
                migrate(s, mobiles[m], next, id, from, to, End.COMMIT);
                at[m] = to;
                file[m] = name(mobiles[m], next, id, to);
            }
            for (NodeId n : nodes) {
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    if (at[i].equals(n) && file[i] != null) {
                        expected.add(file[i]);
                    }
                }
                assertThat(files(dir(n))).as("%s after migration %d", n, id)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void aFailingDirectoryNeverMakesTheHooksThrow() throws Exception {
        Path blocked = root.resolve("blocked");
        Files.writeString(blocked, "a file where the directory should be");
        CondorStrategy s = Fixtures.strategy(new CondorStrategy.Settings(blocked, true, 65_536));
        MigrationContext ctx = ctx(1, ALICE, 2, A, B, work(A));
        assertThatCode(() -> s.finished(ctx, true)).doesNotThrowAnyException();
        assertThatCode(() -> s.finished(ctx, false)).doesNotThrowAnyException();
        assertThatCode(() -> s.departed(ALICE, A, work(A))).doesNotThrowAnyException();
        assertThatCode(() -> strategy.departed(ALICE, A, null)).as("no work directory").doesNotThrowAnyException();
        assertThatCode(() -> strategy.finished(ctx(1, ALICE, 2, A, B, null), true)).doesNotThrowAnyException();
        assertThat(Files.readString(blocked)).startsWith("a file");
    }
}

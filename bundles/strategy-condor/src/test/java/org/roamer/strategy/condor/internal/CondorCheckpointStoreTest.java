/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.roamer.strategy.condor.internal.Fixtures.ALICE;
import static org.roamer.strategy.condor.internal.Fixtures.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamer.api.AgentStatus;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.CheckpointStore.CheckpointInfo;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

/** The crash-recovery store on disk: save, list, load and delete checkpoints of a node's directory. */
class CondorCheckpointStoreTest {
    static final NodeId NODE = NodeId.of("uss-c1");
    static final Instant T0 = Instant.parse("2026-03-04T05:06:07.891Z");

    @TempDir
    Path work;

    /** A stopped agent of any mobile that hands out a given image. */
    record Agent(MobileId mobile, Supplier<AgentImage> images) implements MigratingAgent {
        Agent(MobileId mobile, AgentImage image) {
            this(mobile, () -> image);
        }

        @Override
        public AgentStatus status() {
            return AgentStatus.IDLE;
        }

        @Override
        public boolean atStablePoint() {
            return true;
        }

        @Override
        public MigrationVariables variables() {
            throw new IllegalStateException("not used by a checkpoint store");
        }

        @Override
        public AgentImage image() {
            return images.get();
        }
    }

    /** Records the durability calls in order, and performs them. */
    static final class Recording implements Durability {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void force(FileChannel channel, Path file) throws IOException {
            calls.add("force " + file.getFileName() + " exists=" + Files.exists(file));
            FSYNC.force(channel, file);
        }

        @Override
        public void forceDirectory(Path dir) {
            calls.add("forceDirectory " + dir.getFileName());
            FSYNC.forceDirectory(dir);
        }
    }

    private Path dir() {
        return work.resolve("uss-c1").resolve("recovery");
    }

    private static CondorCheckpointStore store(Clock clock) {
        return new CondorCheckpointStore(Fixtures.MAX_IMAGE, clock, Durability.FSYNC);
    }

    private static CondorCheckpointStore store() {
        return store(Clock.fixed(T0, ZoneOffset.UTC));
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void isTheCondorStore() {
        assertThat(store().name()).isEqualTo("condor").isEqualTo(CondorCheckpointStore.NAME);
        assertThat(CheckpointStore.NAME_PROPERTY).isEqualTo("roamer.checkpoints");
    }

    /**
     * An agent's state is its container user's only: the checkpoint directory rwx------, the file rw-------.
     * A temporary file a dead save left (older than a minute) goes when the node lists its checkpoints at start;
     * a young one (a save in progress) stays.
     */
    @Test
    void checkpointsAreTheOwnersOnlyAndStaleTemporariesAreSweptWhenListed() throws Exception {
        org.junit.jupiter.api.Assumptions
                .assumeTrue(work.getFileSystem().supportedFileAttributeViews().contains("posix"));
        CondorCheckpointStore store = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.systemUTC(),
                Durability.FSYNC);
        store.save(new Agent(ALICE, Fixtures.image(100, 10, 1, 1)), 1, NODE, dir());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())))
                .isEqualTo("rwx------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir().resolve("alice.rckp")))).isEqualTo("rw-------");

        Path stale = Files.write(dir().resolve(".bob.rckp.tmp"), new byte[10]);
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - CondorCheckpointStore.STALE_TEMP_MILLIS - 60_000));
        Path young = Files.write(dir().resolve(".carol.rckp.tmp"), new byte[10]);
        assertThat(store.list(dir())).extracting(i -> i.mobile().value()).containsExactly("alice");
        assertThat(stale).doesNotExist();
        assertThat(young).exists();
    }

    @Test
    void saveListLoadRoundTripIsByteExact() throws Exception {
        Seal key = Seal.hmac(CheckpointKey.random());
        CondorCheckpointStore store = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.fixed(T0, ZoneOffset.UTC),
                Durability.FSYNC, key);
        AgentImage image = Fixtures.seed72k();
        store.save(new Agent(ALICE, image), 1, NODE, dir());

        assertThat(names(dir())).containsExactly("alice.rckp");
        Path file = dir().resolve("alice.rckp");
        List<CheckpointInfo> list = store.list(dir());
        assertThat(list).containsExactly(new CheckpointInfo(ALICE, 1, T0.toEpochMilli(), Files.size(file),
                Fixtures.LOCAL, NODE));
        // the README's 72 KiB case: a 91-byte header (node uss-c1 is one byte longer than uss-a) + 74,256 + 32
        assertThat(Files.size(file)).isEqualTo(74_379);

        CheckpointStore.Checkpoint back = store.load(dir(), ALICE);
        assertThat(back.info()).isEqualTo(list.get(0));
        Fixtures.assertSameImage(back.image(), image);

        // the module's file format, sealed under the node's key (the keyless reader of migration checkpoints
        // refuses it); migration id 0 = no migration
        assertThatThrownBy(() -> Checkpoints.readHeader(file, Fixtures.MAX_IMAGE)).hasMessageContaining("checksum");
        CheckpointHeader h = CheckpointFormat.readHeader(file, Fixtures.MAX_IMAGE, key);
        assertThat(h.migrationId()).isEqualTo(CondorCheckpointStore.RECOVERY_MIGRATION_ID).isZero();
        assertThat(h.epoch()).isEqualTo(1);
        assertThat(h.node()).isEqualTo(NODE);
        assertThat(h.created()).isEqualTo(T0);
    }

    @Test
    void emptySegmentsRoundTripToo() throws Exception {
        CondorCheckpointStore store = store();
        AgentImage empty = image(0, 0, 0, 1);
        store.save(new Agent(ALICE, empty), 9, NODE, dir());
        Fixtures.assertSameImage(store.load(dir(), ALICE).image(), empty);
    }

    @Test
    void writesThroughATemporaryFileForcedBeforeTheRenameAndForcesTheDirectoryAfter() throws Exception {
        Recording rec = new Recording();
        CondorCheckpointStore store = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.systemUTC(), rec);
        store.save(new Agent(ALICE, image(100, 10, 1, 1)), 1, NODE, dir());
        // the new directory's entry is forced in its parent; the file forced while still temporary
        assertThat(rec.calls).containsExactly("forceDirectory uss-c1", "force .alice.rckp.tmp exists=true",
                "forceDirectory recovery");
        rec.calls.clear();
        store.save(new Agent(ALICE, image(100, 10, 1, 2)), 1, NODE, dir());
        assertThat(rec.calls).containsExactly("force .alice.rckp.tmp exists=true", "forceDirectory recovery");
        assertThat(names(dir())).containsExactly("alice.rckp");
    }

    @Test
    void aNewerCheckpointReplacesTheOlderOne() throws Exception {
        Instant[] now = {T0};
        CondorCheckpointStore store = store(new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        });
        AgentImage first = image(1_000, 20, 4, 1);
        AgentImage second = image(3_000, 40, 8, 2);
        AgentImage third = image(500, 0, 8, 3);
        store.save(new Agent(ALICE, first), 1, NODE, dir());
        now[0] = T0.plusSeconds(1);
        store.save(new Agent(ALICE, second), 1, NODE, dir()); // the periodic checkpoint, same epoch
        assertThat(names(dir())).containsExactly("alice.rckp");
        assertThat(store.list(dir())).singleElement().satisfies(i -> {
            assertThat(i.epoch()).isEqualTo(1);
            assertThat(i.written()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
        });
        Fixtures.assertSameImage(store.load(dir(), ALICE).image(), second);

        now[0] = T0.plusSeconds(2);
        store.save(new Agent(ALICE, third), 2, NodeId.of("uss-c2"), dir()); // restored: a new epoch
        assertThat(names(dir())).containsExactly("alice.rckp");
        assertThat(store.list(dir())).singleElement().satisfies(i -> {
            assertThat(i.epoch()).isEqualTo(2);
            assertThat(i.node()).isEqualTo(NodeId.of("uss-c2"));
        });
        CheckpointStore.Checkpoint back = store.load(dir(), ALICE);
        assertThat(back.info().epoch()).isEqualTo(2);
        Fixtures.assertSameImage(back.image(), third);
    }

    @Test
    void aTemporaryFileLeftByACrashIsNeverListedAndIsOverwritten() throws Exception {
        CondorCheckpointStore store = store();
        Files.createDirectories(dir());
        Files.writeString(dir().resolve(".alice.rckp.tmp"), "half a checkpoint, then the power went out");
        assertThat(store.list(dir())).isEmpty();
        assertThatThrownBy(() -> store.load(dir(), ALICE)).isInstanceOf(MigrationException.class)
                .hasMessageContaining("no checkpoint of alice");
        AgentImage image = image(2_000, 0, 0, 5);
        store.save(new Agent(ALICE, image), 3, NODE, dir());
        assertThat(names(dir())).containsExactly("alice.rckp");
        Fixtures.assertSameImage(store.load(dir(), ALICE).image(), image);
    }

    @Test
    void aCorruptedCheckpointIsSkippedByListAndRefusedByLoad() throws Exception {
        CondorCheckpointStore store = store();
        MobileId bob = MobileId.of("bob");
        MobileId carol = MobileId.of("carol");
        store.save(new Agent(ALICE, image(4_000, 100, 16, 1)), 1, NODE, dir());
        store.save(new Agent(bob, image(500, 10, 2, 2)), 4, NODE, dir());
        store.save(new Agent(carol, image(700, 10, 2, 3)), 2, NODE, dir());

        Path alice = dir().resolve("alice.rckp");
        byte[] bytes = Files.readAllBytes(alice);
        bytes[2_000] ^= 0x10; // one bit of the data segment
        Files.write(alice, bytes);
        Path carolFile = dir().resolve("carol.rckp");
        byte[] c = Files.readAllBytes(carolFile);
        Files.write(carolFile, java.util.Arrays.copyOf(c, c.length - 1)); // truncated
        // a checkpoint renamed to another mobile's name, an empty one, other files: none of them count
        Files.copy(dir().resolve("bob.rckp"), dir().resolve("dave.rckp"));
        Files.write(dir().resolve("erin.rckp"), new byte[0]);
        Files.writeString(dir().resolve("notes.txt"), "not a checkpoint");
        Files.writeString(dir().resolve("-not-a-mobile.rckp"), "not a checkpoint either");

        assertThat(store.list(dir())).extracting(CheckpointInfo::mobile).containsExactly(bob);
        assertThatThrownBy(() -> store.load(dir(), ALICE)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("alice").hasMessageContaining("checksum mismatch");
        assertThatThrownBy(() -> store.load(dir(), carol)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("checksum mismatch");
        assertThatThrownBy(() -> store.load(dir(), MobileId.of("dave"))).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("holds the agent of bob, not of dave");
        assertThatThrownBy(() -> store.load(dir(), MobileId.of("erin"))).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("truncated");
        assertThat(store.load(dir(), bob).info().epoch()).isEqualTo(4);

        // the next checkpoint of alice replaces the corrupted file
        AgentImage fresh = image(4_000, 100, 16, 9);
        store.save(new Agent(ALICE, fresh), 1, NODE, dir());
        Fixtures.assertSameImage(store.load(dir(), ALICE).image(), fresh);
        assertThat(store.list(dir())).extracting(CheckpointInfo::mobile).containsExactly(ALICE, bob);
    }

    @Test
    void aMissingDirectoryHasNoCheckpoints() throws Exception {
        CondorCheckpointStore store = store();
        assertThat(store.list(dir())).isEmpty();
        assertThatThrownBy(() -> store.load(dir(), ALICE)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("no checkpoint of alice");
        assertThatCode(() -> store.delete(dir(), ALICE)).doesNotThrowAnyException();
    }

    @Test
    void deleteRemovesEveryFileOfThatMobileOnly() throws Exception {
        Recording rec = new Recording();
        CondorCheckpointStore store = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.systemUTC(), rec);
        MobileId bob = MobileId.of("bob");
        store.save(new Agent(ALICE, image(300, 0, 0, 1)), 1, NODE, dir());
        store.save(new Agent(bob, image(300, 0, 0, 2)), 1, NODE, dir());
        Files.writeString(dir().resolve(".alice.rckp.tmp"), "left by a crash");
        rec.calls.clear();

        store.delete(dir(), ALICE);
        assertThat(names(dir())).containsExactly("bob.rckp");
        assertThat(rec.calls).containsExactly("forceDirectory recovery"); // the deletion survives a crash
        assertThat(store.list(dir())).extracting(CheckpointInfo::mobile).containsExactly(bob);
        assertThatThrownBy(() -> store.load(dir(), ALICE)).hasMessageContaining("no checkpoint of alice");

        rec.calls.clear();
        store.delete(dir(), ALICE); // nothing left: no error, nothing forced
        assertThat(rec.calls).isEmpty();
        assertThatCode(() -> store.delete(work.resolve("nowhere"), bob)).doesNotThrowAnyException();
        assertThatCode(() -> store.delete(null, null)).doesNotThrowAnyException();
        store.delete(dir(), bob);
        assertThat(names(dir())).isEmpty();
        assertThat(store.list(dir())).isEmpty();
    }

    @Test
    void failedSavesLeaveNoFileAndKeepThePreviousCheckpoint() throws Exception {
        CondorCheckpointStore store = new CondorCheckpointStore(10_000, Clock.systemUTC(), Durability.FSYNC);
        AgentImage good = image(5_000, 0, 0, 1);
        store.save(new Agent(ALICE, good), 1, NODE, dir());

        assertThatThrownBy(() -> store.save(new Agent(ALICE, image(9_000, 1_000, 1, 2)), 2, NODE, dir()))
                .isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("exceeds the store's limit of 10000");
        assertThatThrownBy(() -> store.save(new Agent(ALICE, () -> {
            throw new IllegalStateException("boom");
        }), 2, NODE, dir())).isExactlyInstanceOf(MigrationException.class).hasMessageContaining("boom");
        assertThatThrownBy(() -> store.save(new Agent(ALICE, new AgentImage(Fixtures.LOCAL, new byte[1], null,
                new byte[0])), 2, NODE, dir())).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("incomplete image");
        // the directory cannot be written: a file where the directory should be
        Path blocked = work.resolve("blocked");
        Files.writeString(blocked, "a file");
        assertThatThrownBy(() -> store.save(new Agent(ALICE, good), 1, NODE, blocked.resolve("recovery")))
                .isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("cannot write the checkpoint of alice");

        assertThat(names(dir())).containsExactly("alice.rckp");
        CheckpointStore.Checkpoint back = store.load(dir(), ALICE);
        assertThat(back.info().epoch()).isEqualTo(1);
        Fixtures.assertSameImage(back.image(), good);
    }

    @Test
    void aFileOverTheLimitIsRefusedByLoadAndSkippedByList() throws Exception {
        store().save(new Agent(ALICE, image(20_000, 0, 0, 1)), 1, NODE, dir());
        CondorCheckpointStore small = new CondorCheckpointStore(10_000, Clock.systemUTC(), Durability.FSYNC);
        assertThat(small.list(dir())).isEmpty();
        assertThatThrownBy(() -> small.load(dir(), ALICE)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void fileNamesAreUnambiguous() {
        assertThat(CondorCheckpointStore.fileName(MobileId.of("m-1.a_b"))).isEqualTo("m-1.a_b.rckp");
        assertThat(CondorCheckpointStore.tempName(ALICE)).isEqualTo(".alice.rckp.tmp");
        assertThat(CondorCheckpointStore.mobileOf("m-1.a_b.rckp")).isEqualTo(MobileId.of("m-1.a_b"));
        assertThat(CondorCheckpointStore.mobileOf(".alice.rckp.tmp")).isNull();
        assertThat(CondorCheckpointStore.mobileOf(".alice.rckp")).isNull();
        assertThat(CondorCheckpointStore.mobileOf("alice.txt")).isNull();
        assertThat(CondorCheckpointStore.mobileOf("a b.rckp")).isNull();
        assertThat(CondorCheckpointStore.mobileOf(".rckp")).isNull();
    }

    @Test
    void concurrentSavesOfDifferentMobilesAllLand() throws Exception {
        CondorCheckpointStore store = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.systemUTC(),
                Durability.FSYNC);
        int threads = 8;
        int mobilesPerThread = 12;
        int rounds = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int round = 1; round <= rounds; round++) {
                        for (int m = 0; m < mobilesPerThread; m++) {
                            int id = thread * mobilesPerThread + m;
                            store.save(new Agent(MobileId.of("m" + id), image(1_000 + id, id % 7, 4, id * 10L + round)),
                                    round, NODE, dir());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        List<CheckpointInfo> list = store.list(dir());
        assertThat(list).hasSize(threads * mobilesPerThread).allSatisfy(i -> assertThat(i.epoch()).isEqualTo(rounds));
        assertThat(names(dir())).hasSize(threads * mobilesPerThread).allSatisfy(n -> assertThat(n).endsWith(".rckp")
                .doesNotStartWith("."));
        for (int id = 0; id < threads * mobilesPerThread; id++) {
            Fixtures.assertSameImage(store.load(dir(), MobileId.of("m" + id)).image(),
                    image(1_000 + id, id % 7, 4, id * 10L + rounds));
        }
    }

    @Test
    void concurrentSavesListsAndLoadsNeverSeeAPartialFile() throws Exception {
        CondorCheckpointStore store = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.systemUTC(),
                Durability.FSYNC);
        AgentImage a = image(50_000, 100, 8, 1);
        AgentImage b = image(60_000, 200, 8, 2);
        store.save(new Agent(ALICE, a), 1, NODE, dir());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    store.save(new Agent(ALICE, i % 2 == 0 ? b : a), 1, NODE, dir());
                }
                return null;
            });
            Future<?> reader = pool.submit(() -> {
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!writer.isDone() && System.nanoTime() < until) {
                    assertThat(store.list(dir())).hasSize(1);
                    AgentImage read = store.load(dir(), ALICE).image();
                    assertThat(read.data().length).isIn(50_000, 60_000);
                }
                return null;
            });
            writer.get(60, TimeUnit.SECONDS);
            reader.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(names(dir())).containsExactly("alice.rckp");
    }

    /**
     * Issue 8: whoever can write the recovery directory but cannot read the node's key cannot make a checkpoint
     * the node takes: an image changed (here its epoch, which would go straight to the Location Server) and
     * resealed with SHA-256, as any reader can, is refused at list and at load, and so is a checkpoint sealed
     * under another node's key; the same file under the right key is taken.
     */
    @Test
    void aCheckpointResealedWithoutTheNodesKeyIsRefused() throws Exception {
        byte[] key = CheckpointKey.random();
        CondorCheckpointStore store = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.fixed(T0, ZoneOffset.UTC),
                Durability.FSYNC, Seal.hmac(key));
        store.save(new Agent(ALICE, image(3_000, 10, 2, 1)), 3, NODE, dir());
        Path file = dir().resolve("alice.rckp");
        byte[] good = Files.readAllBytes(file);
        assertThat(store.load(dir(), ALICE).info().epoch()).isEqualTo(3);

        byte[] forged = good.clone();
        java.nio.ByteBuffer.wrap(forged).putLong(16, 1L << 40); // the epoch field of the header
        Files.write(file, Fixtures.reseal(forged)); // a valid SHA-256 seal over the changed bytes
        assertThat(store.list(dir())).as("skipped when listed").isEmpty();
        assertThatThrownBy(() -> store.load(dir(), ALICE)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining("HMAC-SHA256");

        Files.write(file, good);
        CondorCheckpointStore other = new CondorCheckpointStore(Fixtures.MAX_IMAGE, Clock.fixed(T0, ZoneOffset.UTC),
                Durability.FSYNC, Seal.hmac(CheckpointKey.random()));
        assertThat(other.list(dir())).as("another node's key").isEmpty();
        assertThat(store.list(dir())).extracting(CheckpointInfo::epoch).containsExactly(3L);
    }

    /** The key is made once, its owner's only, and read back the same; a file that is not a key is an error. */
    @Test
    void theCheckpointKeyIsMadeOnceAndKeptPrivate() throws Exception {
        Path file = work.resolve("etc").resolve("roamer-checkpoint.key");
        byte[] made = CheckpointKey.loadOrCreate(file);
        assertThat(made).hasSize(Seal.KEY_BYTES);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(CheckpointKey.loadOrCreate(file)).isEqualTo(made);
        try (var left = Files.list(file.getParent())) {
            assertThat(left).as("no temporary file left").containsExactly(file);
        }
        Files.write(file, new byte[7]);
        assertThatThrownBy(() -> CheckpointKey.loadOrCreate(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("7 bytes");
    }
}

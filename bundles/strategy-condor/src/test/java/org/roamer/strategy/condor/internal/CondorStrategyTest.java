/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.roamer.strategy.condor.internal.Fixtures.ALICE;
import static org.roamer.strategy.condor.internal.Fixtures.LOCAL;
import static org.roamer.strategy.condor.internal.Fixtures.NOW;
import static org.roamer.strategy.condor.internal.Fixtures.capture;
import static org.roamer.strategy.condor.internal.Fixtures.concat;
import static org.roamer.strategy.condor.internal.Fixtures.ctx;
import static org.roamer.strategy.condor.internal.Fixtures.files;
import static org.roamer.strategy.condor.internal.Fixtures.image;
import static org.roamer.strategy.condor.internal.Fixtures.restore;
import static org.roamer.strategy.condor.internal.Fixtures.restored;
import static org.roamer.strategy.condor.internal.Fixtures.seed72k;
import static org.roamer.strategy.condor.internal.Fixtures.target;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.testkit.FakeRestoreTarget;
import org.roamer.testkit.OpaqueAgent;

class CondorStrategyTest {
    private final CondorStrategy strategy = Fixtures.strategy();

    @TempDir
    Path work;

    private Path checkpoints() {
        return work.resolve("checkpoints");
    }

    private static MigrationException refused(CondorStrategy strategy, FakeRestoreTarget target, MigrationContext ctx,
            List<byte[]> chunks) {
        Throwable t = catchThrowable(() -> restore(strategy, target, ctx, chunks));
        assertThat(t).isExactlyInstanceOf(MigrationException.class);
        assertThat(t.getMessage()).isNotBlank();
        assertThat(target.restored()).isFalse();
        return (MigrationException) t;
    }

    /** Refused at the target; afterwards only the source's checkpoint (if any) is left, no target file, no temp. */
    private MigrationException refused(List<byte[]> chunks) throws IOException {
        List<String> before = files(checkpoints());
        MigrationException e = refused(strategy, target(), ctx(work), chunks);
        assertThat(files(checkpoints())).isEqualTo(before);
        return e;
    }

    /** The DS configuration as SCR would hand it in. */
    private record Config(String checkpointDirectory, boolean keepCheckpoints, int chunkSize)
            implements
                CondorStrategy.Config {
        @Override
        public Class<? extends Annotation> annotationType() {
            return CondorStrategy.Config.class;
        }
    }

    @Test
    void declaresNameAndTable2Traits() {
        assertThat(strategy.name()).isEqualTo("condor").isEqualTo(CondorStrategy.NAME);
        assertThat(strategy.traits().independentOfAgentLogic()).isTrue();
        assertThat(strategy.traits().heterogeneous()).isFalse();
        assertThat(strategy.traits().asynchronousInitiation()).isTrue();
        assertThat(strategy.traits().optimizesData()).isFalse();
        assertThat(strategy.traits().description()).contains("checkpoint");
        assertThat(MigrationStrategy.NAME_PROPERTY).isEqualTo("roamer.strategy");
    }

    @Test
    void seedImageOf72KbRoundTripsThroughCheckpointFilesOnBothNodes() throws Exception {
        AgentImage image = seed72k();
        List<byte[]> chunks = capture(strategy, image, work);
        String source = "alice-e3-m7-uss-a.rckp";
        String target = "alice-e3-m7-uss-b.rckp";
        assertThat(files(checkpoints())).containsExactly(source);
        byte[] file = Files.readAllBytes(checkpoints().resolve(source));
        assertThat(concat(chunks)).as("the USS transfers the file").isEqualTo(file);

        FakeRestoreTarget t = target();
        restore(strategy, t, ctx(work), chunks);
        Fixtures.assertSameImage(restored(t), image);
        assertThat(t.operations()).as("restoreImage alone, no pre-create").isEqualTo(1);
        assertThat(files(checkpoints())).containsExactly(source, target);
        assertThat(Files.readAllBytes(checkpoints().resolve(target))).isEqualTo(file);

        CheckpointHeader h = Checkpoints.readHeader(checkpoints().resolve(target), Fixtures.MAX_IMAGE);
        assertThat(h).isEqualTo(new CheckpointHeader(1, 7L, 3L, NOW, ALICE, NodeId.of("uss-a"), LOCAL,
                72 * 1024, 512, 16));
        int header = file.length - image.size() - 32;
        System.out.printf("Condor, 72 KiB image (data %d, stack %d, registers %d = %d bytes):%n", image.data().length,
                image.stack().length, image.registers().length, image.size());
        System.out.printf("  checkpoint file %d bytes (header %d, segments %d, SHA-256 32), %d chunk(s) of <= %d bytes,"
                + " %d bytes on the wire; on disk: %d bytes at the source + %d at the target%n", file.length, header,
                image.size(), chunks.size(), CondorStrategy.DEFAULT_CHUNK_SIZE, concat(chunks).length, file.length,
                file.length);
        assertThat(chunks).hasSize(2);
    }

    @Test
    void headerLayoutIsTheDocumentedOne() throws Exception {
        AgentImage image = image(3, 2, 1, 1);
        byte[] file = concat(capture(strategy, image, work));
        ByteBuffer b = ByteBuffer.wrap(file);
        assertThat(new String(file, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RCKP");
        assertThat(b.getShort(4)).isEqualTo((short) 1);
        int h = b.getShort(6);
        assertThat(h).isEqualTo(52 + 2 + 5 + 2 + 5 + 2 + 15 + 2 + 5);
        assertThat(b.getLong(8)).isEqualTo(7L);
        assertThat(b.getLong(16)).isEqualTo(3L);
        assertThat(b.getLong(24)).isEqualTo(NOW.toEpochMilli());
        assertThat(b.getLong(32)).isEqualTo(LOCAL.layoutHash());
        assertThat(b.getInt(40)).isEqualTo(3);
        assertThat(b.getInt(44)).isEqualTo(2);
        assertThat(b.getInt(48)).isEqualTo(1);
        assertThat(b.getShort(52)).isEqualTo((short) 5);
        assertThat(new String(file, 54, 5, StandardCharsets.UTF_8)).isEqualTo("alice");
        assertThat(Arrays.copyOfRange(file, h, h + 3)).isEqualTo(image.data());
        assertThat(file.length).isEqualTo(h + 6 + 32);
        assertThat(Arrays.copyOfRange(file, h + 6, file.length))
                .isEqualTo(CheckpointFormat.sha256().digest(Arrays.copyOf(file, h + 6)));
    }

    @Test
    void checkpointIsForcedToDiskAndInPlaceBeforeTheFirstChunkLeaves() throws Exception {
        List<String> events = new ArrayList<>();
        Durability recording = new Durability() {
            @Override
            public void force(FileChannel channel, Path file) throws IOException {
                Durability.FSYNC.force(channel, file);
                events.add("force " + (file.getFileName().toString().endsWith(".tmp") ? "temp" : file.getFileName())
                        + " " + channel.size());
            }

            @Override
            public void forceDirectory(Path dir) {
                Durability.FSYNC.forceDirectory(dir);
                events.add("force directory " + dir.getFileName());
            }
        };
        CondorStrategy s = new CondorStrategy(new CondorStrategy.Settings(null, true, 65_536),
                Clock.fixed(NOW, ZoneOffset.UTC), recording);
        AgentImage image = seed72k();
        List<String> atFirstChunk = new ArrayList<>();
        s.capture(OpaqueAgent.of(image), ctx(work), chunk -> {
            if (atFirstChunk.isEmpty()) {
                atFirstChunk.addAll(events);
                try {
                    atFirstChunk.addAll(files(checkpoints()));
                    Checkpoints.read(checkpoints().resolve("alice-e3-m7-uss-a.rckp"), Fixtures.MAX_IMAGE);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        });
        long size = Files.size(checkpoints().resolve("alice-e3-m7-uss-a.rckp"));
        assertThat(atFirstChunk).containsExactly("force temp " + size, "force directory checkpoints",
                "alice-e3-m7-uss-a.rckp");

        events.clear();
        List<byte[]> chunks = capture(strategy, image, work);
        restore(s, target(), ctx(work), chunks);
        assertThat(events).containsExactly("force temp " + size, "force directory checkpoints");
    }

    @Test
    void configurationChoosesDirectoryRetentionAndChunkSize(@TempDir Path elsewhere) throws Exception {
        CondorStrategy configured = new CondorStrategy(new Config(elsewhere.toString(), true, 1_000));
        AgentImage image = image(10_000, 100, 10, 2);
        List<byte[]> chunks = capture(configured, image, work);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(1_000)).hasSizeGreaterThan(10);
        assertThat(files(elsewhere)).containsExactly("alice-e3-m7-uss-a.rckp");
        assertThat(files(checkpoints())).isEmpty();
        // the chunk size is capped by the migration's limit
        assertThat(capture(configured, image, ctx(work, 500, Fixtures.MAX_IMAGE)))
                .allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(500));

        configured.modified(new Config(" ", false, 65_536));
        assertThat(configured.settings()).isEqualTo(new CondorStrategy.Settings(null, false, 65_536));
        assertThatThrownBy(() -> new CondorStrategy(new Config("", true, 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk size");
    }

    @Test
    void withoutKeepingCheckpointsNoFileStaysOnEitherNode() throws Exception {
        CondorStrategy s = Fixtures.strategy(new CondorStrategy.Settings(null, false, 65_536));
        AgentImage image = seed72k();
        List<byte[]> chunks = capture(s, image, work);
        assertThat(files(checkpoints())).isEmpty();
        Fixtures.assertSameImage(restore(s, chunks, work), image);
        assertThat(files(checkpoints())).isEmpty();
    }

    @Test
    void aFailedCaptureLeavesNoCheckpoint() throws Exception {
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(seed72k()), ctx(work), c -> {
            throw new MigrationException("image exceeds the core's limit");
        })).isExactlyInstanceOf(MigrationException.class);
        assertThat(files(checkpoints())).isEmpty();
    }

    @Test
    void captureRefusesWhatCannotBeMovedBeforeWritingAnything() throws Exception {
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(image(5_000, 1, 0, 4)), ctx(work, 1_000, 5_000), c -> {
        }))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("over this migration's limit");
        AgentImage longName = image(new AgentType("b".repeat(2_000), "1", 1), 1, 1, 1, 4);
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(longName), ctx(work), c -> {
        }))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("agent bundle");
        OpaqueAgent throwing = OpaqueAgent.failing(new IllegalStateException("runtime gone"));
        assertThatThrownBy(() -> strategy.capture(throwing, ctx(work), c -> {
        }))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("runtime gone");
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(null), ctx(work), c -> {
        }))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("incomplete image");
        assertThat(files(checkpoints())).isEmpty();
    }

    @Test
    void anUnwritableDirectoryIsAMigrationException() throws Exception {
        Path blocked = work.resolve("blocked");
        Files.writeString(blocked, "a file where the directory should be");
        CondorStrategy s = Fixtures.strategy(new CondorStrategy.Settings(blocked, true, 65_536));
        assertThatThrownBy(() -> capture(s, seed72k(), work)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("cannot write the checkpoint");
        List<byte[]> chunks = capture(strategy, seed72k(), work);
        assertThat(refused(s, target(), ctx(work), chunks)).hasMessageContaining("cannot write the checkpoint");
    }

    // ------------------------------------------------------------------ foreign checkpoints

    @Test
    void foreignBundleVersionOrLayoutIsRefusedWithAReason() throws Exception {
        AgentType otherBundle = new AgentType("com.example.agent", LOCAL.version(), LOCAL.layoutHash());
        AgentType otherVersion = new AgentType(LOCAL.bundle(), "0.2.0", LOCAL.layoutHash());
        AgentType otherLayout = new AgentType(LOCAL.bundle(), LOCAL.version(), 0xbadL);
        assertThat(refused(capture(strategy, image(otherBundle, 9_000, 10, 2, 5), work)))
                .hasMessageContaining("com.example.agent").hasMessageContaining("org.roamer.core");
        assertThat(refused(capture(strategy, image(otherVersion, 9_000, 10, 2, 5), work)))
                .hasMessageContaining("version '0.2.0'").hasMessageContaining("runs version 0.1.0");
        assertThat(refused(capture(strategy, image(otherLayout, 9_000, 10, 2, 5), work)))
                .hasMessageContaining("layout hash 0000000000000bad").hasMessageContaining("0000000000005eed");
    }

    @Test
    void checkpointOfAnotherMigrationMobileOrEpochIsRefused() throws Exception {
        List<byte[]> chunks = capture(strategy, image(100, 10, 1, 6), work);
        MigrationContext otherMigration = new MigrationContext(8L, ALICE, 3L, Fixtures.SOURCE, Fixtures.TARGET,
                Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, work);
        assertThat(refused(strategy, target(), otherMigration, chunks)).hasMessageContaining("migration 7");
        MigrationContext otherMobile = new MigrationContext(7L, MobileId.of("bob"), 3L, Fixtures.SOURCE,
                Fixtures.TARGET, Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, work);
        assertThat(refused(strategy, target(), otherMobile, chunks)).hasMessageContaining("mobile alice");
        MigrationContext otherEpoch = new MigrationContext(7L, ALICE, 4L, Fixtures.SOURCE, Fixtures.TARGET,
                Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, work);
        assertThat(refused(strategy, target(), otherEpoch, chunks)).hasMessageContaining("epoch 3");
    }

    // ------------------------------------------------------------------ garbled, truncated, reordered, duplicated

    @Test
    void aFlippedByteAnywhereIsCaughtByTheChecksumBeforeParsing() throws Exception {
        byte[] file = concat(capture(strategy, seed72k(), work));
        Random r = new Random(42);
        int header = file.length - seed72k().size() - 32;
        List<Integer> positions = new ArrayList<>(List.of(0, 4, 6, 40, 52, header - 1, header, file.length - 1));
        for (int i = 0; i < 24; i++) {
            positions.add(r.nextInt(file.length));
        }
        for (int at : positions) {
            byte[] garbled = file.clone();
            garbled[at] ^= (byte) (1 << r.nextInt(8));
            assertThat(refused(Fixtures.split(garbled, 65_536))).as("flipped at %d", at)
                    .hasMessageContaining("checksum mismatch");
        }
    }

    @Test
    void truncatedCheckpointsAreRefused() throws Exception {
        List<byte[]> chunks = Fixtures.split(concat(capture(strategy, seed72k(), work)), 16_384);
        FakeRestoreTarget target = target();
        RestoreSession session = strategy.beginRestore(target, ctx(work));
        for (byte[] c : chunks.subList(0, chunks.size() - 1)) {
            session.accept(c);
        }
        assertThatThrownBy(session::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("checksum mismatch");
        assertThat(target.restored()).isFalse();
        for (int n = 0; n < chunks.size(); n++) {
            refused(chunks.subList(0, n));
        }
        assertThat(refused(List.of(new byte[10]))).hasMessageContaining("truncated");
    }

    @Test
    void reorderedOrDuplicatedChunksAreRefused() throws Exception {
        List<byte[]> chunks = Fixtures.split(concat(capture(strategy, seed72k(), work)), 8_192);
        List<byte[]> reordered = new ArrayList<>(chunks);
        Collections.swap(reordered, 2, 3);
        assertThat(refused(reordered)).hasMessageContaining("checksum mismatch");
        for (int i = 0; i < chunks.size(); i++) {
            List<byte[]> twice = new ArrayList<>(chunks);
            twice.add(i, chunks.get(i));
            assertThat(refused(twice)).hasMessageContaining("checksum mismatch");
        }
    }

    // ------------------------------------------------------------------ lengths and limits, with a valid checksum

    @ParameterizedTest
    @ValueSource(ints = {4 * 1024 * 1024 + 1, Integer.MAX_VALUE, -1, 101})
    void declaredLengthsThatDoNotFitAreRefusedBeforeAllocation(int declared) throws Exception {
        AgentImage image = image(100, 10, 1, 7);
        CheckpointHeader lying = new CheckpointHeader(1, 7L, 3L, NOW, ALICE, Fixtures.SOURCE, LOCAL, declared, 10, 1);
        byte[] file = Fixtures.checkpointBytes(lying, image.data(), image.stack(), image.registers());
        assertThat(refused(List.of(file))).hasMessageMatching(
                "(?s).*(over the limit|negative|do not add up).*");
    }

    @Test
    void everyHeaderFieldIsCheckedEvenWithAValidChecksum() throws Exception {
        AgentImage image = image(100, 10, 1, 8);
        byte[] good = Fixtures.checkpointBytes(Fixtures.header(image), image.data(), image.stack(), image.registers());
        assertThat(Fixtures.restore(strategy, List.of(good), work)).isNotNull();
        assertThat(refused(List.of(patched(good, 0, (byte) 'X')))).hasMessageContaining("not a Roamer checkpoint");
        assertThat(refused(List.of(patched(good, 5, (byte) 2)))).hasMessageContaining("format v2");
        assertThat(refused(List.of(patched(good, 6, (byte) 0x7f)))).hasMessageContaining("header length");
        assertThat(refused(List.of(patched(good, 7, (byte) 10)))).hasMessageContaining("header length");
        assertThat(refused(List.of(patched(good, 53, (byte) 0xff)))).hasMessageContaining("mobile");
        assertThat(refused(List.of(patched(good, 54, (byte) '!')))).hasMessageContaining("checkpoint header");
        assertThat(refused(List.of(patched(good, 54, (byte) 0xc3)))).hasMessageContaining("UTF-8");
        assertThat(refused(List.of(patched(good, 24, (byte) 0x80)))).hasMessageContaining("before 1970");
        byte[] longer = Fixtures.reseal(Arrays.copyOf(good, good.length + 1));
        assertThat(refused(List.of(longer))).hasMessageContaining("do not add up");
    }

    private static byte[] patched(byte[] file, int at, byte value) {
        byte[] b = file.clone();
        b[at] = value;
        return Fixtures.reseal(b);
    }

    @Test
    void chunksOverTheLimitsOrMissingAreRefused() throws Exception {
        assertThat(refused(strategy, target(), ctx(work, 100, 1_000), List.of(new byte[101])))
                .hasMessageContaining("exceeds this migration's limit of 100");
        assertThat(refused(strategy, target(), ctx(work, 100, 250), List.of(new byte[100], new byte[100],
                new byte[100]))).hasMessageContaining("exceeds this migration's limit of 250 bytes at chunk 3");
        assertThat(refused(Arrays.asList((byte[]) null))).hasMessageContaining("missing chunk");
        assertThat(files(checkpoints())).isEmpty();
    }

    /**
     * What the target restores at most bounds the checkpoint: a file that cannot hold an image within the limit is
     * refused at the chunk that makes it too long, a declared image over it before its segments are read; the
     * target is never handed such an image, and no file stays. Exactly the image's size is enough.
     */
    @Test
    void aCheckpointOverTheTargetsRestoredSizeLimitIsRefusedBeforeItIsRestored() throws Exception {
        AgentImage image = seed72k();
        List<byte[]> chunks = capture(strategy, image, work);
        List<String> before = files(checkpoints());
        int size = image.size();
        for (long max : new long[]{0, size / 2}) { // the first 64 KiB chunk already holds more than that
            FakeRestoreTarget early = target();
            Throwable t = catchThrowable(() -> restore(strategy, Fixtures.limited(early, max), ctx(work), chunks));
            assertThat(t).as("limit %d", max).isExactlyInstanceOf(MigrationException.class)
                    .hasMessageContaining("at chunk 1")
                    .hasMessageContaining("restored-size limit of " + max + " bytes");
            assertThat(early.operations()).as("restoreImage never called").isZero();
        }
        FakeRestoreTarget late = target();
        Throwable t = catchThrowable(() -> restore(strategy, Fixtures.limited(late, size - 1), ctx(work), chunks));
        assertThat(t).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("declares " + size + " bytes of segments, over the limit of " + (size - 1));
        assertThat(late.operations()).as("restoreImage never called").isZero();
        assertThat(late.violations()).isEmpty();
        assertThat(files(checkpoints())).as("nothing kept of the refused transfers").isEqualTo(before);
        FakeRestoreTarget exact = target();
        restore(strategy, Fixtures.limited(exact, size), ctx(work), chunks);
        Fixtures.assertSameImage(restored(exact), image);
    }

    // ------------------------------------------------------------------ life cycle

    @Test
    void acceptAfterAbortOrFinishOrARefusalIsRefusedAndAbortCleansUp() throws Exception {
        List<byte[]> chunks = Fixtures.split(concat(capture(strategy, seed72k(), work)), 16_384);
        List<String> sourceOnly = files(checkpoints());

        RestoreSession aborted = strategy.beginRestore(target(), ctx(work));
        aborted.accept(chunks.get(0));
        try (var s = Files.list(checkpoints())) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp"))).hasSize(1);
        }
        aborted.abort();
        assertThat(files(checkpoints())).isEqualTo(sourceOnly);
        assertThatCode(aborted::abort).doesNotThrowAnyException();
        assertThatThrownBy(() -> aborted.accept(chunks.get(1))).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("aborted");
        assertThatThrownBy(aborted::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("aborted");

        FakeRestoreTarget target = target();
        RestoreSession finished = strategy.beginRestore(target, ctx(work));
        for (byte[] c : chunks) {
            finished.accept(c);
        }
        finished.finish();
        restored(target);
        assertThatThrownBy(() -> finished.accept(chunks.get(0))).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("finished");
        assertThatThrownBy(finished::finish).isExactlyInstanceOf(MigrationException.class);
        assertThatCode(finished::abort).doesNotThrowAnyException();

        RestoreSession failed = strategy.beginRestore(target(), ctx(work, 100, Fixtures.MAX_IMAGE));
        assertThatThrownBy(() -> failed.accept(chunks.get(0))).isExactlyInstanceOf(MigrationException.class);
        assertThatThrownBy(() -> failed.accept(new byte[1])).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("failed");
        assertThatCode(failed::abort).doesNotThrowAnyException();

        RestoreSession empty = strategy.beginRestore(target(), ctx(work));
        assertThatThrownBy(empty::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("no checkpoint bytes arrived");
    }

    @Test
    void theTargetsRefusalRemovesItsCheckpoint() throws Exception {
        List<byte[]> chunks = capture(strategy, seed72k(), work);
        FakeRestoreTarget twice = target();
        twice.restoreImage(seed72k());
        assertThatThrownBy(() -> restore(strategy, twice, ctx(work), chunks))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("already restored");
        assertThat(files(checkpoints())).containsExactly("alice-e3-m7-uss-a.rckp");
    }
}

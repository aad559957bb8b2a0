/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.roamer.strategy.tern.internal.Fixtures.ALICE;
import static org.roamer.strategy.tern.internal.Fixtures.LOCAL;
import static org.roamer.strategy.tern.internal.Fixtures.assertSameImage;
import static org.roamer.strategy.tern.internal.Fixtures.capture;
import static org.roamer.strategy.tern.internal.Fixtures.ctx;
import static org.roamer.strategy.tern.internal.Fixtures.image;
import static org.roamer.strategy.tern.internal.Fixtures.restore;
import static org.roamer.strategy.tern.internal.Fixtures.restored;
import static org.roamer.strategy.tern.internal.Fixtures.seed72k;
import static org.roamer.strategy.tern.internal.Fixtures.target;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.testkit.FakeRestoreTarget;
import org.roamer.testkit.OpaqueAgent;

class TernStrategyTest {
    private final TernStrategy strategy = new TernStrategy();

    /** Restores into a fresh target; asserts the refusal is a MigrationException and nothing was restored. */
    private static MigrationException refused(TernStrategy strategy, FakeRestoreTarget target, MigrationContext ctx,
            List<byte[]> chunks) {
        Throwable t = catchThrowable(() -> restore(strategy, target, ctx, chunks));
        assertThat(t).isExactlyInstanceOf(MigrationException.class);
        assertThat(t.getMessage()).isNotBlank();
        assertThat(target.restored()).isFalse();
        return (MigrationException) t;
    }

    private MigrationException refused(List<byte[]> chunks) {
        return refused(strategy, target(), ctx(), chunks);
    }

    private static List<Integer> kinds(List<byte[]> chunks) {
        List<Integer> kinds = new ArrayList<>();
        for (byte[] c : chunks) {
            kinds.add((int) c[1]);
        }
        return kinds;
    }

    private static Config config(int pageSize, int pagesPerChunk) {
        return new Config(pageSize, pagesPerChunk);
    }

    /** The DS configuration as SCR would hand it in. */
    private record Config(int pageSize, int pagesPerChunk) implements TernStrategy.Config {
        @Override
        public Class<? extends Annotation> annotationType() {
            return TernStrategy.Config.class;
        }
    }

    @Test
    void declaresNameAndTable2Traits() {
        assertThat(strategy.name()).isEqualTo("tern").isEqualTo(TernStrategy.NAME);
        assertThat(strategy.traits().independentOfAgentLogic()).isTrue();
        assertThat(strategy.traits().heterogeneous()).isFalse();
        assertThat(strategy.traits().asynchronousInitiation()).isTrue();
        assertThat(strategy.traits().optimizesData()).isFalse();
        assertThat(strategy.traits().description()).contains("page").contains("pre-created");
        assertThat(MigrationStrategy.NAME_PROPERTY).isEqualTo("roamer.strategy");
    }

    @Test
    void seedImageOf72KbRoundTripsPageByPageAndPrintsItsChunks() throws Exception {
        AgentImage image = seed72k();
        List<byte[]> chunks = capture(strategy, image);
        FakeRestoreTarget target = target();
        restore(strategy, target, ctx(), chunks);
        Fixtures.assertSameImage(restored(target), image);
        // 72 KiB of data in 18 pages of 4 KiB, 512 bytes of stack in 1 page: each written straight in
        assertThat(target.pagesWritten()).isEqualTo(19);
        assertThat(kinds(chunks)).hasSize(22).startsWith(1, 2, 3).endsWith(3, 4, 5);

        TernStrategy batched = new TernStrategy(config(4096, 1024));
        List<byte[]> fewer = capture(batched, image);
        Fixtures.assertSameImage(restore(batched, fewer), image);
        System.out.printf("TERN, 72 KiB image (data %d, stack %d, registers %d = %d bytes):%n", image.data().length,
                image.stack().length, image.registers().length, image.size());
        print("4096-byte pages, 1 per chunk (default)", chunks);
        print("4096-byte pages, as many as fit 64 KiB", fewer);
    }

    private static void print(String how, List<byte[]> chunks) {
        long total = chunks.stream().mapToLong(c -> c.length).sum();
        System.out.printf("  %-40s %3d chunks, %6d bytes (arguments %d, sizes %d, largest %d)%n", how, chunks.size(),
                total, chunks.get(0).length, chunks.get(1).length,
                chunks.stream().mapToInt(c -> c.length).max().orElse(0));
    }

    @Test
    void chunksFollowFig8AAndStayWithinTheChunkLimit() throws Exception {
        AgentImage image = image(10_000, 5_000, 40, 1);
        MigrationContext small = ctx(1_000, Fixtures.MAX_IMAGE);
        List<byte[]> chunks = capture(strategy, image, small);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(1_000));
        List<Integer> kinds = kinds(chunks);
        assertThat(kinds.get(0)).isEqualTo(1);
        assertThat(kinds.get(1)).isEqualTo(2);
        assertThat(kinds.get(kinds.size() - 1)).isEqualTo(5);
        List<Integer> sorted = new ArrayList<>(kinds);
        Collections.sort(sorted);
        assertThat(kinds).isEqualTo(sorted);
        // a 4096-byte page does not fit a 1000-byte chunk: pages are split, and still arrive whole
        FakeRestoreTarget target = target();
        restore(strategy, target, small, chunks);
        Fixtures.assertSameImage(restored(target), image);
    }

    @Test
    void pagesPerChunkBatchesWholePagesUpToTheChunkLimit() {
        TernStrategy.Settings s = new TernStrategy.Settings(4096, 4);
        assertThat(s.run(64 * 1024)).isEqualTo(4 * 4096);
        assertThat(s.run(10_000)).isEqualTo(2 * 4096);
        assertThat(s.run(1_000)).isEqualTo(1_000 - TernFormat.PAGE_OVERHEAD);
        assertThat(new TernStrategy.Settings(4096, 1).run(1 << 20)).isEqualTo(4096);
    }

    @Test
    void emptySegmentsRoundTrip() throws Exception {
        AgentImage empty = new AgentImage(LOCAL, new byte[0], new byte[0], new byte[0]);
        List<byte[]> chunks = capture(strategy, empty);
        assertThat(kinds(chunks)).containsExactly(1, 2, 5);
        Fixtures.assertSameImage(restore(strategy, chunks), empty);
    }

    @Test
    void configurationSetsThePageSizeAndIsValidated() throws Exception {
        TernStrategy configured = new TernStrategy(config(512, 2));
        assertThat(capture(configured, image(4096, 0, 0, 2))).hasSize(2 + 4 + 1);
        configured.modified(config(1024, 1));
        assertThat(configured.settings()).isEqualTo(new TernStrategy.Settings(1024, 1));
        assertThatThrownBy(() -> new TernStrategy(config(16, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("page size");
        assertThatThrownBy(() -> new TernStrategy(config(4096, 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pages per chunk");
    }

    @Test
    void captureNeverAsksForMigrationVariablesAndCutsMidNegotiation() throws Exception {
        OpaqueAgent agent = OpaqueAgent.of(image(100, 10, 1, 3));
        List<byte[]> chunks = new ArrayList<>();
        strategy.capture(agent, ctx(), chunks::add);
        assertThat(agent.imageCalls()).isEqualTo(1);
        assertThat(chunks).isNotEmpty();
    }

    @Test
    void captureRefusesWhatCannotBeMovedBeforeEmittingAnything() {
        List<byte[]> emitted = new ArrayList<>();
        MigrationContext tight = ctx(1_000, 5_000);
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(image(5_000, 1, 0, 4)), tight, emitted::add))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("over this migration's limit");
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(image(10, 1, 995, 4)), tight, emitted::add))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("do not fit one chunk");
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(image(10, 1, 1, 4)), ctx(TernFormat.PAGE_OVERHEAD,
                5_000), emitted::add)).isExactlyInstanceOf(MigrationException.class).hasMessageContaining("no room");
        AgentImage longName = image(new AgentType("b".repeat(2_000), "1", 1), 1, 1, 1, 4);
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(longName), ctx(), emitted::add))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("agent bundle");
        assertThat(emitted).isEmpty();
    }

    @Test
    void captureTurnsAFailingOrIncompleteImageIntoAMigrationException() {
        OpaqueAgent throwing = OpaqueAgent.failing(new IllegalStateException("runtime gone"));
        assertThatThrownBy(() -> strategy.capture(throwing, ctx(), c -> {
        }))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("runtime gone");
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(null), ctx(), c -> {
        }))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("incomplete image");
        assertThatThrownBy(() -> strategy.capture(OpaqueAgent.of(new AgentImage(LOCAL, null, new byte[0], new byte[0])),
                ctx(), c -> {
                })).isExactlyInstanceOf(MigrationException.class);
    }

    // ------------------------------------------------------------------ foreign images

    @Test
    void foreignBundleVersionOrLayoutIsRefusedWithAReasonBeforePreCreate() throws Exception {
        AgentType otherBundle = new AgentType("com.example.agent", LOCAL.version(), LOCAL.layoutHash());
        AgentType otherVersion = new AgentType(LOCAL.bundle(), "0.2.0", LOCAL.layoutHash());
        AgentType otherLayout = new AgentType(LOCAL.bundle(), LOCAL.version(), 0xbadL);
        for (AgentType foreign : List.of(otherBundle, otherVersion, otherLayout)) {
            FakeRestoreTarget target = target();
            MigrationException e = refused(strategy, target, ctx(), capture(strategy, image(foreign, 9_000, 10, 2, 5)));
            assertThat(target.operations()).as("refused before pre-creating").isZero();
            if (foreign == otherBundle) {
                assertThat(e).hasMessageContaining("com.example.agent").hasMessageContaining("org.roamer.core");
            } else if (foreign == otherVersion) {
                assertThat(e).hasMessageContaining("version '0.2.0'").hasMessageContaining("runs version 0.1.0");
            } else {
                assertThat(e).hasMessageContaining("layout hash 0000000000000bad")
                        .hasMessageContaining("0000000000005eed");
            }
        }
    }

    @Test
    void imageOfAnotherMigrationOrMobileOrANewerFormatIsRefused() throws Exception {
        List<byte[]> chunks = capture(strategy, image(100, 10, 1, 6));
        MigrationContext otherMigration = new MigrationContext(8L, ALICE, 3L, NodeId.of("uss-a"), NodeId.of("uss-b"),
                Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, Path.of("target"));
        assertThat(refused(strategy, target(), otherMigration, chunks)).hasMessageContaining("migration 7");
        MigrationContext otherMobile = new MigrationContext(7L, MobileId.of("bob"), 3L, NodeId.of("uss-a"),
                NodeId.of("uss-b"), Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, Path.of("target"));
        assertThat(refused(strategy, target(), otherMobile, chunks)).hasMessageContaining("mobile 'alice'");

        MigrationContext otherEpoch = new MigrationContext(7L, ALICE, 4L, NodeId.of("uss-a"), NodeId.of("uss-b"),
                Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, Path.of("target"));
        assertThat(refused(strategy, target(), otherEpoch, chunks))
                .hasMessageContaining("epoch 3, this migration for 4");

        byte[] args = chunks.get(0).clone();
        args[2] = 3;
        reseal(args);
        chunks.set(0, args);
        assertThat(refused(chunks)).hasMessageContaining("format v3");
    }

    /**
     * Every chunk's CRC32C covers the one before it: a page of another transfer — another migration of the same
     * image, another capture in this migration — is refused although it is intact and fits (same offset, same
     * length), and so is a transfer that takes over from another one after any chunk.
     */
    @Test
    void chunksOfAnotherTransferSplicedInAreRefused() throws Exception {
        AgentImage image = seed72k();
        List<byte[]> chunks = capture(strategy, image);
        List<byte[]> nextMigration = Fixtures.capture(strategy, image, new MigrationContext(8L, ALICE, 4L,
                NodeId.of("uss-a"), NodeId.of("uss-b"), Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, Path.of("target")));
        AgentImage changed = seed72k();
        changed.data()[5000] ^= 1; // the agent moved on: one byte of page 1 differs
        List<byte[]> sameMigration = capture(strategy, changed);
        for (List<byte[]> other : List.of(nextMigration, sameMigration)) {
            int firstDifference = 0;
            while (java.util.Arrays.equals(other.get(firstDifference), chunks.get(firstDifference))) {
                firstDifference++;
            }
            for (int i = 1; i < chunks.size(); i++) {
                List<byte[]> spliced = new ArrayList<>(chunks);
                spliced.set(i, other.get(i));
                if (java.util.Arrays.equals(other.get(i), chunks.get(i))) {
                    assertSameImage(restore(strategy, spliced), image); // the same bytes: nothing was changed
                } else {
                    assertThat(refused(spliced)).as("chunk %d of another transfer", i).hasMessageContaining("garbled")
                            .hasMessageContaining("chunk before it");
                }
                if (i > firstDifference) { // this transfer up to chunk i, the other one from there on
                    List<byte[]> tail = new ArrayList<>(chunks.subList(0, i));
                    tail.addAll(other.subList(i, other.size()));
                    assertThat(refused(tail)).as("the other transfer from chunk %d on", i)
                            .hasMessageContaining("chunk before it");
                }
            }
        }
        assertThat(refused(List.of(nextMigration.get(0)))).as("a transfer's first chunk, in its own right")
                .hasMessageContaining("belongs to migration 8, not to 7");
    }

    /** The declared sizes are checked against the target's restored-size limit before anything is pre-created. */
    @Test
    void anImageOverTheTargetsRestoredSizeLimitIsRefusedBeforePreCreating() throws Exception {
        AgentImage image = image(1_000, 100, 16, 5);
        List<byte[]> chunks = capture(strategy, image);
        for (long max : new long[]{0, 1_000, 1_115}) {
            FakeRestoreTarget target = target();
            Throwable t = catchThrowable(() -> restore(strategy, Fixtures.limited(target, max), ctx(), chunks));
            assertThat(t).as("limit %d", max).isExactlyInstanceOf(MigrationException.class)
                    .hasMessageContaining("declares 1116 bytes").hasMessageContaining("restored-size limit of " + max);
            assertThat(target.operations()).as("refused before pre-creating").isZero();
        }
        FakeRestoreTarget exact = target();
        restore(strategy, Fixtures.limited(exact, 1_116), ctx(), chunks);
        assertSameImage(restored(exact), image);
    }

    /** Recomputes a chunk's CRC32C after the test changed it, so the structure checks are reached. */
    static void reseal(byte[] chunk) {
        int crc = TernFormat.crc(chunk, chunk.length - 4);
        java.nio.ByteBuffer.wrap(chunk, chunk.length - 4, 4).putInt(crc);
    }

    // ------------------------------------------------------------------ garbled, truncated, reordered, duplicated

    @Test
    void aFlippedByteAnywhereIsRefused() throws Exception {
        List<byte[]> chunks = capture(strategy, seed72k());
        Random r = new Random(42);
        for (int i = 0; i < chunks.size(); i++) {
            for (int n = 0; n < 8; n++) {
                List<byte[]> garbled = new ArrayList<>(chunks);
                byte[] c = chunks.get(i).clone();
                int at = n == 0 ? 0 : n == 1 ? c.length - 1 : r.nextInt(c.length);
                c[at] ^= (byte) (1 << r.nextInt(8));
                garbled.set(i, c);
                assertThat(refused(garbled)).hasMessageMatching("(?s).*(garbled|not a TERN chunk).*");
            }
        }
    }

    @Test
    void truncatedImagesAreRefused() throws Exception {
        List<byte[]> chunks = capture(strategy, seed72k());
        // missing last chunk (the registers): finish() says what is missing
        FakeRestoreTarget target = target();
        RestoreSession session = strategy.beginRestore(target, ctx());
        for (byte[] c : chunks.subList(0, chunks.size() - 1)) {
            session.accept(c);
        }
        assertThatThrownBy(session::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("incomplete").hasMessageContaining("registers missing");
        assertThat(target.restored()).isFalse();
        // every other prefix is refused as well
        for (int n = 0; n < chunks.size(); n++) {
            refused(chunks.subList(0, n));
        }
        // a chunk cut short
        List<byte[]> cut = new ArrayList<>(chunks);
        byte[] page = chunks.get(5);
        byte[] shorter = java.util.Arrays.copyOf(page, page.length - 100);
        cut.set(5, shorter);
        assertThat(refused(Fixtures.chained(cut))).hasMessageContaining("offset");
    }

    /**
     * A missing page breaks the chain of CRC32Cs at the next chunk; a sender that chained a transfer without it
     * (a bug there) is refused by the offsets.
     */
    @Test
    void aMissingPageIsRefusedWhenTheNextOneArrives() throws Exception {
        List<byte[]> chunks = new ArrayList<>(capture(strategy, seed72k()));
        chunks.remove(4);
        assertThat(refused(chunks)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(chunks))).hasMessageContaining("data page at offset 12288, expected 8192");
        List<byte[]> noStack = new ArrayList<>(capture(strategy, seed72k()));
        noStack.remove(20);
        assertThat(refused(noStack)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(noStack))).hasMessageContaining("registers before the image was complete")
                .hasMessageContaining("stack 0/512");
    }

    /** Reordered chunks break the chain; chained in their wrong order (a sender's bug), Fig. 8A order refuses them. */
    @Test
    void reorderedChunksAreRefused() throws Exception {
        List<byte[]> chunks = capture(strategy, seed72k());
        List<byte[]> pages = new ArrayList<>(chunks);
        Collections.swap(pages, 3, 4);
        assertThat(refused(pages)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(pages))).hasMessageContaining("expected 4096");
        List<byte[]> header = new ArrayList<>(chunks);
        Collections.swap(header, 0, 1);
        assertThat(refused(header)).hasMessageContaining("sizes chunk is garbled"); // its CRC32C is chained
        assertThat(refused(Fixtures.chained(header))).hasMessageContaining("is sizes, expected arguments");
        List<byte[]> stackFirst = new ArrayList<>(chunks);
        Collections.swap(stackFirst, 2, 20);
        assertThat(refused(stackFirst)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(stackFirst)))
                .hasMessageContaining("stack page before the image was complete");
        List<byte[]> registersFirst = new ArrayList<>(chunks);
        Collections.swap(registersFirst, 2, 21);
        assertThat(refused(registersFirst)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(registersFirst)))
                .hasMessageContaining("registers before the image was complete");
    }

    @Test
    void duplicatedChunksAreRefused() throws Exception {
        List<byte[]> chunks = capture(strategy, seed72k());
        for (int i = 0; i < chunks.size(); i++) {
            List<byte[]> twice = new ArrayList<>(chunks);
            twice.add(i + 1, chunks.get(i));
            refused(twice);
        }
        List<byte[]> page = new ArrayList<>(chunks);
        page.add(4, chunks.get(3));
        assertThat(refused(page)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(page))).hasMessageContaining("duplicates");
        List<byte[]> registers = new ArrayList<>(chunks);
        registers.add(chunks.get(chunks.size() - 1));
        assertThat(refused(registers)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(registers))).hasMessageContaining("after the registers");
        List<byte[]> lastPage = new ArrayList<>(chunks);
        lastPage.add(20, chunks.get(19));
        assertThat(refused(lastPage)).hasMessageContaining("chunk before it");
        assertThat(refused(Fixtures.chained(lastPage))).hasMessageContaining("after the data segment was complete");
    }

    @Test
    void anOverlappingPageIsRefused() throws Exception {
        List<byte[]> chunks = new ArrayList<>(capture(strategy, seed72k()));
        byte[] overlapping = TernFormat.page(0, TernFormat.DATA, 4000, new byte[4096], 0, 4096);
        chunks.set(3, overlapping);
        assertThat(refused(Fixtures.chained(chunks))).hasMessageContaining("offset 4000, expected 4096");
        List<byte[]> past = new ArrayList<>(capture(strategy, seed72k()));
        past.set(19, TernFormat.page(0, TernFormat.DATA, 69_632, new byte[4097], 0, 4097));
        assertThat(refused(Fixtures.chained(past))).hasMessageContaining("runs past the declared data size of 73728");
    }

    // ------------------------------------------------------------------ sizes and limits

    @ParameterizedTest
    @ValueSource(ints = {4 * 1024 * 1024 + 1, Integer.MAX_VALUE, -1})
    void oversizedOrNegativeDeclaredSizesAreRefusedBeforeAllocation(int declared) throws Exception {
        FakeRestoreTarget target = target();
        List<byte[]> chunks = Fixtures.chained(List.of(TernFormat.args(7L, 3L, ALICE, LOCAL),
                TernFormat.sizes(0, declared, 0, 0)));
        MigrationException e = refused(strategy, target, ctx(), chunks);
        assertThat(e).hasMessageMatching("(?s).*(over this migration's limit|negative).*");
        assertThat(target.operations()).as("refused before pre-creating").isZero();
        // the sum counts, not each size alone
        FakeRestoreTarget sum = target();
        refused(strategy, sum, ctx(), Fixtures.chained(List.of(TernFormat.args(7L, 3L, ALICE, LOCAL),
                TernFormat.sizes(0, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))));
        assertThat(sum.operations()).as("refused before pre-creating").isZero();
    }

    @Test
    void registersThatCannotFitAChunkAreRefusedBeforeAllocation() throws Exception {
        FakeRestoreTarget target = target();
        refused(strategy, target, ctx(), Fixtures.chained(List.of(TernFormat.args(7L, 3L, ALICE, LOCAL),
                TernFormat.sizes(0, 0, 0, Fixtures.MAX_CHUNK))));
        assertThat(target.operations()).as("refused before pre-creating").isZero();
    }

    @Test
    void registersOfTheWrongLengthAreRefused() throws Exception {
        List<byte[]> chunks = new ArrayList<>(capture(strategy, image(10, 10, 16, 8)));
        chunks.set(chunks.size() - 1, TernFormat.registers(0, new byte[15]));
        assertThat(refused(Fixtures.chained(chunks))).hasMessageContaining("15 bytes, 16 declared");
    }

    @Test
    void theTargetsOwnRefusalsAndFailuresComeBackAsMigrationExceptions() throws Exception {
        List<byte[]> chunks = capture(strategy, image(9_000, 10, 2, 9));
        FakeRestoreTarget small = target().withMaxPreCreateBytes(1_000);
        assertThat(refused(strategy, small, ctx(), chunks)).hasMessageContaining("exceed 1000");
        // a target whose preCreate fails with an unchecked exception; otherwise the kit's
        FakeRestoreTarget behind = target();
        RestoreTarget broken = new RestoreTarget() {
            @Override
            public AgentType localAgentType() {
                return behind.localAgentType();
            }

            @Override
            public void restoreVariables(MigrationVariables variables) throws MigrationException {
                behind.restoreVariables(variables);
            }

            @Override
            public void restoreImage(AgentImage image) throws MigrationException {
                behind.restoreImage(image);
            }

            @Override
            public PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) {
                throw new IllegalStateException("cell retired");
            }
        };
        Throwable t = catchThrowable(() -> restore(strategy, broken, ctx(), chunks));
        assertThat(t).isExactlyInstanceOf(MigrationException.class).hasMessageContaining("cell retired");
        assertThat(behind.restored()).isFalse();
    }

    @Test
    void chunksOverTheLimitOrMissingOrShorterThanTheFramingAreRefused() throws Exception {
        assertThat(refused(strategy, target(), ctx(100, 1_000), List.of(new byte[101])))
                .hasMessageContaining("exceeds this migration's limit");
        assertThat(refused(java.util.Arrays.asList((byte[]) null))).hasMessageContaining("missing chunk");
        assertThat(refused(List.of(new byte[]{'T', 1, 0}))).hasMessageContaining("shorter");
        assertThat(refused(List.of(new byte[]{'X', 1, 0, 0, 0, 0}))).hasMessageContaining("not a TERN chunk");
    }

    // ------------------------------------------------------------------ life cycle

    @Test
    void acceptAfterAbortOrFinishOrARefusalIsRefusedAndAbortNeverThrows() throws Exception {
        List<byte[]> chunks = capture(strategy, image(100, 10, 1, 10));
        RestoreSession aborted = strategy.beginRestore(target(), ctx());
        aborted.accept(chunks.get(0));
        aborted.abort();
        assertThatCode(aborted::abort).doesNotThrowAnyException();
        assertThatThrownBy(() -> aborted.accept(chunks.get(1))).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("aborted");
        assertThatThrownBy(aborted::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("aborted");

        FakeRestoreTarget target = target();
        RestoreSession finished = strategy.beginRestore(target, ctx());
        for (byte[] c : chunks) {
            finished.accept(c);
        }
        finished.finish();
        restored(target);
        assertThatThrownBy(() -> finished.accept(chunks.get(0))).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("finished");
        assertThatThrownBy(finished::finish).isExactlyInstanceOf(MigrationException.class);
        assertThatCode(finished::abort).doesNotThrowAnyException();

        RestoreSession failed = strategy.beginRestore(target(), ctx());
        assertThatThrownBy(() -> failed.accept(chunks.get(1))).isExactlyInstanceOf(MigrationException.class);
        assertThatThrownBy(() -> failed.accept(chunks.get(0))).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("failed");
        assertThatCode(failed::abort).doesNotThrowAnyException();

        RestoreSession fresh = strategy.beginRestore(target(), ctx());
        assertThatCode(fresh::abort).doesNotThrowAnyException();
        assertThatThrownBy(fresh::finish).isExactlyInstanceOf(MigrationException.class);
    }

    @Test
    void finishWithoutChunksSaysSo() throws Exception {
        RestoreSession session = strategy.beginRestore(target(), ctx());
        assertThatThrownBy(session::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("no chunk arrived");
    }
}

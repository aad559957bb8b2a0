/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.testkit.reference.PagedImageStrategy;
import org.roamer.testkit.reference.PagedImageStrategy.Flaw;
import org.roamer.testkit.reference.StreamedImageStrategy;
import org.roamer.testkit.reference.VariablesStrategy;

/**
 * The kit's own mutation test: each deliberately broken strategy runs through the whole conformance kit (on the
 * JUnit Platform test kit) and the check made for its bug must fail.
 */
class KitCatchesBrokenStrategiesTest {
    /** The kit's checks: every one is started for every strategy (some may skip). */
    private static final int CHECKS = 33;
    private static final Map<Class<?>, String> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put(IgnoresChunkLimit.class, "chunksRespectTheChunkLimit");
        EXPECTED.put(RecyclesChunks.class, "chunksAreNotReused");
        EXPECTED.put(NoChecksum.class, "garbledRefused");
        EXPECTED.put(UncheckedParse.class, "garbageRefused");
        EXPECTED.put(AppendsPages.class, "reorderingRefused");
        EXPECTED.put(TypeBlind.class, "foreignAgentType");
        EXPECTED.put(RegistersFirst.class, "completeOnlyAtTheEnd");
        EXPECTED.put(ThrowingAbort.class, "abortLeavesNothing");
        EXPECTED.put(WrapsTargetFailure.class, "targetFailurePropagates");
        EXPECTED.put(KeepsAgent.class, "captureKeepsNoReference");
        EXPECTED.put(SwallowsSinkFailure.class, "sinkFailurePropagates");
        EXPECTED.put(ClaimsSynchronous.class, "asynchronousInitiationHolds");
        EXPECTED.put(ClaimsHeterogeneous.class, "foreignAgentType");
        EXPECTED.put(ClaimsOptimizing.class, "optimizesDataHolds");
        EXPECTED.put(ClaimsIndependence.class, "independenceHolds");
        EXPECTED.put(ThrowingHooks.class, "outcomeHooksNeverThrow");
        EXPECTED.put(WritesFileWhileNonBlocking.class, "nonBlockingWritesNoFiles");
        EXPECTED.put(FirstChunkChecksumOnly.class, "garbledRefused");
        EXPECTED.put(AcceptsSplice.class, "splicedTransfersRefused");
        EXPECTED.put(NoMigrationBinding.class, "replayOfAnotherMigrationRefused");
        EXPECTED.put(PreCreatesOverTheRestoredLimit.class, "restoredSizeLimitHonoured");
        EXPECTED.put(RestoresOverTheRestoredLimit.class, "restoredSizeLimitHonoured");
        EXPECTED.put(SharesSessionState.class, "fidelityConcurrent");
    }

    @TestFactory
    Stream<DynamicTest> everyBrokenStrategyFailsItsCheck() {
        return EXPECTED.entrySet().stream().map(e -> DynamicTest.dynamicTest(
                e.getKey().getSimpleName() + " fails " + e.getValue(), () -> {
                    Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(e.getKey())).execute()
                            .testEvents();
                    List<String> failed = tests.failed().stream()
                            .map(ev -> ev.getTestDescriptor().getSource().orElseThrow())
                            .map(s -> ((MethodSource) s).getMethodName()).toList();
                    assertThat(tests.started().count()).as("conformance tests run").isEqualTo(CHECKS);
                    assertThat(failed).as("checks failed by " + e.getKey().getSimpleName()).contains(e.getValue());
                }));
    }

    @TestFactory
    Stream<DynamicTest> correctStrategiesPassEveryCheck() {
        return Stream.of(Correct.class, CorrectStreamed.class)
                .map(c -> DynamicTest.dynamicTest(c.getSimpleName(), () -> {
                    Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(c)).execute()
                            .testEvents();
                    assertThat(tests.failed().count()).as("failed checks").isZero();
                    assertThat(tests.succeeded().count()).as("passed checks").isEqualTo(CHECKS);
                }));
    }

    @Tag("kit-mutant")
    abstract static class Mutant extends StrategyConformanceTest {
        private final Flaw flaw;

        Mutant(Flaw flaw) {
            this.flaw = flaw;
        }

        @Override
        protected MigrationStrategy strategy() {
            return new PagedImageStrategy(flaw);
        }
    }

    @Tag("kit-mutant")
    static class Correct extends StrategyConformanceTest {
        @Override
        protected MigrationStrategy strategy() {
            return new PagedImageStrategy();
        }
    }

    @Tag("kit-mutant")
    static class CorrectStreamed extends StrategyConformanceTest {
        @Override
        protected MigrationStrategy strategy() {
            return new StreamedImageStrategy();
        }
    }

    @Tag("kit-mutant")
    abstract static class StreamedMutant extends StrategyConformanceTest {
        private final StreamedImageStrategy.Flaw flaw;

        StreamedMutant(StreamedImageStrategy.Flaw flaw) {
            this.flaw = flaw;
        }

        @Override
        protected MigrationStrategy strategy() {
            return new StreamedImageStrategy(flaw);
        }
    }

    /** Verifies the seal of the first chunk only: a garbled later chunk of a multi-chunk transfer is restored. */
    static class FirstChunkChecksumOnly extends StreamedMutant {
        FirstChunkChecksumOnly() {
            super(StreamedImageStrategy.Flaw.FIRST_CHUNK_CHECKSUM_ONLY);
        }
    }

    /** Checks the migration binding of the first chunk only: chunks of another migration's transfer are taken. */
    static class AcceptsSplice extends StreamedMutant {
        AcceptsSplice() {
            super(StreamedImageStrategy.Flaw.ACCEPTS_SPLICE);
        }
    }

    /** Binds its transfer to nothing but the mobile: another migration's transfer is restored whole. */
    static class NoMigrationBinding extends StreamedMutant {
        NoMigrationBinding() {
            super(StreamedImageStrategy.Flaw.NO_MIGRATION_BINDING);
        }
    }

    /** Hands the target an image over its restored-size limit (restoreImage) instead of refusing it. */
    static class RestoresOverTheRestoredLimit extends StreamedMutant {
        RestoresOverTheRestoredLimit() {
            super(StreamedImageStrategy.Flaw.IGNORES_RESTORED_LIMIT);
        }
    }

    /** Assembles every session's stream in one buffer of the strategy instance. */
    static class SharesSessionState extends StreamedMutant {
        SharesSessionState() {
            super(StreamedImageStrategy.Flaw.SHARED_SESSION_STATE);
        }
    }

    /** Pre-creates segments over the target's restored-size limit instead of refusing them. */
    static class PreCreatesOverTheRestoredLimit extends Mutant {
        PreCreatesOverTheRestoredLimit() {
            super(Flaw.IGNORES_RESTORED_LIMIT);
        }
    }

    static class IgnoresChunkLimit extends Mutant {
        IgnoresChunkLimit() {
            super(Flaw.IGNORES_CHUNK_LIMIT);
        }
    }

    static class RecyclesChunks extends Mutant {
        RecyclesChunks() {
            super(Flaw.RECYCLES_CHUNKS);
        }
    }

    static class NoChecksum extends Mutant {
        NoChecksum() {
            super(Flaw.NO_CHECKSUM);
        }
    }

    static class UncheckedParse extends Mutant {
        UncheckedParse() {
            super(Flaw.UNCHECKED_PARSE);
        }
    }

    static class AppendsPages extends Mutant {
        AppendsPages() {
            super(Flaw.APPENDS_PAGES);
        }
    }

    static class TypeBlind extends Mutant {
        TypeBlind() {
            super(Flaw.TYPE_BLIND);
        }
    }

    static class RegistersFirst extends Mutant {
        RegistersFirst() {
            super(Flaw.REGISTERS_FIRST);
        }
    }

    static class ThrowingAbort extends Mutant {
        ThrowingAbort() {
            super(Flaw.THROWING_ABORT);
        }
    }

    static class WrapsTargetFailure extends Mutant {
        WrapsTargetFailure() {
            super(Flaw.WRAPS_TARGET_FAILURE);
        }
    }

    static class KeepsAgent extends Mutant {
        KeepsAgent() {
            super(Flaw.KEEPS_AGENT);
        }
    }

    static class SwallowsSinkFailure extends Mutant {
        SwallowsSinkFailure() {
            super(Flaw.SWALLOWS_SINK_FAILURE);
        }
    }

    static class ClaimsSynchronous extends Mutant {
        ClaimsSynchronous() {
            super(Flaw.CLAIMS_SYNCHRONOUS);
        }
    }

    static class ClaimsHeterogeneous extends Mutant {
        ClaimsHeterogeneous() {
            super(Flaw.CLAIMS_HETEROGENEOUS);
        }
    }

    static class ClaimsOptimizing extends Mutant {
        ClaimsOptimizing() {
            super(Flaw.CLAIMS_OPTIMIZING);
        }
    }

    static class ThrowingHooks extends Mutant {
        ThrowingHooks() {
            super(Flaw.THROWING_HOOKS);
        }
    }

    static class WritesFileWhileNonBlocking extends Mutant {
        WritesFileWhileNonBlocking() {
            super(Flaw.WRITES_FILE_WHILE_NON_BLOCKING);
        }
    }

    @Tag("kit-mutant")
    static class ClaimsIndependence extends StrategyConformanceTest {
        @Override
        protected MigrationStrategy strategy() {
            return new VariablesStrategy(true);
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.roamer.api.AgentStatus;
import org.roamer.api.image.AgentImageLayout;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.PreCreatedAgent;

/** The fakes behave like the core and record what the core relies on. */
class FakesTest {
    private static final AgentType TYPE = FakeAgentLayout.TYPE;
    /** A type whose images are not in the kit's layout. */
    private static final AgentType OPAQUE = new AgentType("org.example.agent", "1.0.0", 42L);

    // ------------------------------------------------------------------ layout

    @Test
    void layoutRoundTripsEveryStandardAgent() throws Exception {
        for (FakeAgent a : List.of(Agents.idle(), Agents.inCalls(), Agents.inCalls(Agents.LARGE),
                Agents.negotiating())) {
            FakeAgentState s = a.state();
            assertThat(FakeAgentLayout.decode(a.snapshotImage(), TYPE, Agents.ALICE)).isEqualTo(s);
        }
    }

    @Test
    void layoutRefusesEveryTruncationAndNeverThrowsAnythingElse() {
        AgentImage img = Agents.negotiating().snapshotImage();
        byte[][] segments = {img.data(), img.stack(), img.registers()};
        for (int seg = 0; seg < 3; seg++) {
            for (int n = 0; n < segments[seg].length; n++) {
                byte[][] cut = {img.data(), img.stack(), img.registers()};
                cut[seg] = Arrays.copyOf(segments[seg], n);
                AgentImage bad = new AgentImage(TYPE, cut[0], cut[1], cut[2]);
                assertThatThrownBy(() -> FakeAgentLayout.decode(bad, TYPE, Agents.ALICE))
                        .as("segment %d cut to %d", seg, n).isExactlyInstanceOf(MigrationException.class);
            }
        }
        byte[] longer = Arrays.copyOf(img.registers(), img.registers().length + 1);
        assertThatThrownBy(() -> FakeAgentLayout.decode(new AgentImage(TYPE, img.data(), img.stack(), longer), TYPE,
                Agents.ALICE)).hasMessageContaining("trailing");
    }

    @Test
    void layoutRefusesForeignTypesAndOtherMobilesWithAReason() {
        AgentImage img = Agents.idle().snapshotImage();
        AgentType v2 = new AgentType(TYPE.bundle(), "2.0.0", TYPE.layoutHash());
        AgentType hash = new AgentType(TYPE.bundle(), TYPE.version(), TYPE.layoutHash() + 1);
        assertThatThrownBy(() -> FakeAgentLayout.decode(img, v2, Agents.ALICE)).hasMessageContaining("2.0.0")
                .hasMessageContaining("1.0.0");
        assertThatThrownBy(() -> FakeAgentLayout.decode(img, hash, Agents.ALICE)).hasMessageContaining("layout");
        assertThatThrownBy(() -> FakeAgentLayout.decode(img, TYPE, Agents.BOB)).hasMessageContaining("bob");
    }

    @Test
    void layoutIsTheCoresOwnAndRefusesWhatItRefuses() throws Exception {
        FakeAgentState s = Agents.negotiating().state();
        AgentImage kit = FakeAgentLayout.encode(s, TYPE);
        AgentImageLayout.State core = AgentImageLayout.decode(kit, TYPE, Agents.ALICE);
        assertThat(core.variables()).isEqualTo(s.variables());
        assertThat(core.applicationState()).isEqualTo(s.padding());
        assertThat(core.conversation().callId()).isEqualTo(s.negotiation().callId());
        assertThat(AgentImageLayout.encode(core, TYPE)).usingRecursiveComparison().isEqualTo(kit);
        assertThat(TYPE.layoutHash()).isEqualTo(AgentImageLayout.LAYOUT_HASH);
        // a profile set with the same entry twice: refused (the core used to drop the second one silently)
        AgentImage img = Agents.idle().snapshotImage();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(bytes);
        d.writeUTF("alice");
        d.writeBoolean(true);
        d.writeShort(2);
        d.writeUTF("data");
        d.writeUTF("data");
        d.writeShort(0);
        d.writeBoolean(false);
        d.writeShort(0);
        d.writeBoolean(false);
        d.writeLong(0);
        d.writeInt(0);
        byte[] fixed = bytes.toByteArray();
        AgentImage twice = new AgentImage(TYPE, fixed, img.stack(), img.registers());
        assertThatThrownBy(() -> FakeAgentLayout.decode(twice, TYPE, Agents.ALICE))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("duplicate entry 'data'");
        assertThatThrownBy(() -> new FakeRestoreTarget(Agents.ALICE).restoreImage(twice))
                .hasMessageContaining("duplicate entry 'data'");
    }

    // ------------------------------------------------------------------ agent

    @Test
    void agentBehavesLikeTheCoresView() {
        FakeAgent idle = Agents.idle();
        assertThat(idle.status()).isEqualTo(AgentStatus.IDLE);
        assertThat(Agents.inCalls().status()).isEqualTo(AgentStatus.IN_CALL);
        FakeAgent neg = Agents.negotiating();
        assertThat(neg.status()).isEqualTo(AgentStatus.NEGOTIATING);
        assertThat(neg.atStablePoint()).isFalse();
        assertThatThrownBy(neg::variables).isInstanceOf(IllegalStateException.class).hasMessageContaining("call-99");
        assertThat(neg.image().stack().length).isGreaterThan(1);
        assertThat(idle.image()).isNotSameAs(idle.image());
        assertThat(Agents.idle(1000).image().size()).isGreaterThan(1000);
    }

    @Test
    void agentReadAfterCaptureOrFromAnotherThreadIsAViolation() throws Exception {
        FakeAgent a = Agents.inCalls();
        a.beginCapture();
        a.variables();
        Throwable other = CompletableFuture.supplyAsync(() -> {
            try {
                a.image();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        }).get();
        assertThat(other).hasMessageContaining("owner thread");
        a.endCapture();
        assertThatThrownBy(a::image).isInstanceOf(IllegalStateException.class).hasMessageContaining("after capture");
        assertThat(a.violations()).hasSize(2);
        assertThat(a.variablesCalls()).isEqualTo(1);
        assertThat(a.state()).isNotNull(); // the kit may still look
    }

    @Test
    void mutatorsChangeTheStateButNotEarlierImages() {
        FakeAgent a = Agents.inCalls(128);
        AgentImage before = a.snapshotImage();
        a.deliver(3);
        a.scramblePadding(1);
        assertThat(a.state().variables().delivered()).isEqualTo(45);
        assertThat(a.snapshotImage().data()).isNotEqualTo(before.data());
        assertThat(before.data()).isEqualTo(Agents.inCalls(128).snapshotImage().data());
    }

    @Test
    void opaqueAgentHandsOutItsImageAsGivenAndNoVariables() {
        AgentImage img = OpaqueAgent.randomImage(OPAQUE, 100, 10, 4, 1);
        OpaqueAgent a = OpaqueAgent.of(img);
        assertThat(a.mobile()).isEqualTo(Agents.ALICE);
        assertThat(a.status()).isEqualTo(AgentStatus.NEGOTIATING);
        assertThat(a.atStablePoint()).isFalse();
        assertThatThrownBy(a::variables).isInstanceOf(IllegalStateException.class).hasMessageContaining("alice")
                .hasMessageContaining("negotiating");
        assertThat(a.imageCalls()).isZero();
        assertThat(a.image()).isSameAs(img);
        assertThat(a.image()).isSameAs(img);
        assertThat(a.imageCalls()).isEqualTo(2);
        assertThat(OpaqueAgent.of(Agents.BOB, img).mobile()).isEqualTo(Agents.BOB);
        assertThat(OpaqueAgent.of(null).image()).isNull(); // an incomplete image, for the strategy to refuse

        IllegalStateException gone = new IllegalStateException("runtime gone");
        OpaqueAgent failing = OpaqueAgent.failing(gone);
        assertThatThrownBy(failing::image).isSameAs(gone);
        assertThat(failing.imageCalls()).isEqualTo(1);
        assertThat(failing).hasToString("OpaqueAgent[alice, failing with " + gone + "]");
    }

    @Test
    void randomImagesHaveTheAskedSizesAndDependOnlyOnTheSeed() {
        AgentImage img = OpaqueAgent.randomImage(OPAQUE, 1_000, 20, 0, 7);
        assertThat(img.type()).isEqualTo(OPAQUE);
        assertThat(img.data()).hasSize(1_000).isEqualTo(OpaqueAgent.randomImage(OPAQUE, 1_000, 20, 0, 7).data());
        assertThat(img.stack()).hasSize(20);
        assertThat(img.registers()).isEmpty();
        assertThat(img.data()).isNotEqualTo(OpaqueAgent.randomImage(OPAQUE, 1_000, 20, 0, 8).data())
                .isNotEqualTo(new byte[1_000]);
        assertThatThrownBy(() -> OpaqueAgent.randomImage(OPAQUE, 1, -1, 1, 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stack -1");
    }

    // ------------------------------------------------------------------ sink

    @Test
    void sinkEnforcesTheLimitsLikeTheCoreAndRecordsWhatTheCoreReliesOn() throws Exception {
        FakeChunkSink sink = new FakeChunkSink(10, 15);
        sink.open();
        sink.accept(new byte[10]);
        assertThatThrownBy(() -> sink.accept(new byte[6])).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("image exceeds 15");
        assertThat(sink.violations()).isEmpty();
        assertThatThrownBy(() -> sink.accept(new byte[1])).isExactlyInstanceOf(MigrationException.class);
        assertThat(sink.violations()).singleElement().asString().contains("after the sink refused");

        FakeChunkSink big = new FakeChunkSink(10, 100);
        assertThatThrownBy(() -> big.accept(new byte[11])).hasMessageContaining("exceeds 10");
        assertThat(big.violations()).singleElement().asString().contains("exceeds maxChunkBytes");
    }

    @Test
    void sinkSeesChunksChangedAfterHandOverAndChunksAfterClose() throws Exception {
        FakeChunkSink sink = new FakeChunkSink(100, 1000);
        byte[] reused = {1, 2, 3};
        sink.accept(reused);
        reused[0] = 9;
        sink.accept(new byte[]{4});
        assertThat(sink.modifiedChunks()).containsExactly(0);
        assertThat(sink.chunksAsTaken().get(0)).containsExactly(1, 2, 3);
        sink.close();
        assertThatThrownBy(() -> sink.accept(new byte[1])).isInstanceOf(IllegalStateException.class);
        assertThat(sink.violations()).singleElement().asString().contains("after capture() returned");
    }

    @Test
    void sinkFailsOnRequest() {
        MigrationException broken = new MigrationException("link down");
        FakeChunkSink sink = new FakeChunkSink(100, 1000).failingAt(0, broken);
        assertThatThrownBy(() -> sink.accept(new byte[1])).isSameAs(broken);
        assertThat(sink.refusal()).isSameAs(broken);
    }

    // ------------------------------------------------------------------ target

    @Test
    void targetRestoresVariablesOfTheMigratingMobileOnce() throws Exception {
        FakeRestoreTarget t = new FakeRestoreTarget(Agents.ALICE);
        assertThatThrownBy(() -> t.restoreVariables(Agents.idleVariables(Agents.BOB))).hasMessageContaining("bob");
        FakeRestoreTarget ok = new FakeRestoreTarget(Agents.ALICE);
        ok.restoreVariables(Agents.idleVariables(Agents.ALICE));
        assertThat(ok.restored()).isTrue();
        assertThat(ok.path()).isEqualTo(FakeRestoreTarget.Path.VARIABLES);
        assertThatThrownBy(() -> ok.restoreVariables(Agents.idleVariables(Agents.ALICE)))
                .hasMessageContaining("already");
        assertThatThrownBy(() -> ok.restoreImage(Agents.idle().snapshotImage())).hasMessageContaining("already");
    }

    @Test
    void targetChecksImagesLikeTheCore() throws Exception {
        AgentType other = new AgentType(TYPE.bundle(), TYPE.version(), TYPE.layoutHash() ^ 1);
        FakeRestoreTarget foreign = new FakeRestoreTarget(Agents.ALICE).withLocalType(other);
        assertThatThrownBy(() -> foreign.restoreImage(Agents.idle().snapshotImage())).hasMessageContaining("layout");
        assertThat(foreign.restored()).isFalse();
        FakeRestoreTarget ok = new FakeRestoreTarget(Agents.ALICE);
        AgentImage img = Agents.negotiating().snapshotImage();
        ok.restoreImage(img);
        assertThat(ok.restoredImage().data()).isEqualTo(img.data()).isNotSameAs(img.data());
        assertThat(ok.restoredState().negotiation()).isEqualTo(Agents.offerFromBob());
    }

    @Test
    void targetChecksPreCreatedAgentsLikeTheCore() throws Exception {
        AgentImage img = Agents.inCalls(300).snapshotImage();
        AgentType v2 = new AgentType(TYPE.bundle(), "2.0.0", TYPE.layoutHash());
        assertThatThrownBy(() -> new FakeRestoreTarget(Agents.ALICE).preCreate(v2, 1, 1)).hasMessageContaining("2.0.0");
        assertThatThrownBy(() -> new FakeRestoreTarget(Agents.ALICE).preCreate(TYPE, -1, 1))
                .hasMessageContaining("exceed");
        assertThatThrownBy(() -> new FakeRestoreTarget(Agents.ALICE).withMaxPreCreateBytes(100).preCreate(TYPE, 60, 41))
                .hasMessageContaining("exceed 100");
        FakeRestoreTarget t = new FakeRestoreTarget(Agents.ALICE);
        PreCreatedAgent a = t.preCreate(TYPE, img.data().length, img.stack().length);
        assertThatThrownBy(() -> t.preCreate(TYPE, 1, 1)).hasMessageContaining("one restore path");
        assertThatThrownBy(() -> a.writeData(img.data().length - 1, new byte[2])).hasMessageContaining("outside");
        assertThatThrownBy(() -> a.writeStack(-1, new byte[1])).hasMessageContaining("outside");
        int half = img.data().length / 2;
        a.writeData(0, Arrays.copyOf(img.data(), half));
        a.writeData(half, Arrays.copyOfRange(img.data(), half, img.data().length));
        a.writeStack(0, img.stack());
        assertThat(t.restored()).isFalse();
        a.complete(img.registers());
        assertThat(t.restored()).isTrue();
        assertThat(t.path()).isEqualTo(FakeRestoreTarget.Path.PRE_CREATED);
        assertThat(t.restoredImage().data()).isEqualTo(img.data());
        assertThatThrownBy(() -> a.writeData(0, new byte[1])).hasMessageContaining("complete");
        assertThat(t.violations()).singleElement().asString().contains("after complete()");
    }

    @Test
    void targetRefusesAnIncompletePreCreatedAgentWhenItDoesNotDecode() throws Exception {
        AgentImage img = Agents.inCalls().snapshotImage();
        FakeRestoreTarget t = new FakeRestoreTarget(Agents.ALICE);
        PreCreatedAgent a = t.preCreate(TYPE, img.data().length, img.stack().length);
        a.writeStack(0, img.stack());
        assertThatThrownBy(() -> a.complete(img.registers())).isExactlyInstanceOf(MigrationException.class);
        assertThat(t.restored()).isFalse();
    }

    @Test
    void targetRefusesRestoresOverItsRestoredSizeLimitAndRecordsThemAsViolations() throws Exception {
        AgentImage img = Agents.inCalls(100).snapshotImage();
        int size = img.size();
        assertThat(new FakeRestoreTarget(Agents.ALICE).maxRestoredBytes())
                .isEqualTo(FakeRestoreTarget.DEFAULT_MAX_RESTORED_BYTES).isEqualTo(64L * 1024 * 1024);
        FakeRestoreTarget exact = new FakeRestoreTarget(Agents.ALICE).withMaxRestoredBytes(size);
        exact.restoreImage(img);
        assertThat(exact.restored()).isTrue();
        assertThat(exact.violations()).isEmpty();

        FakeRestoreTarget image = new FakeRestoreTarget(Agents.ALICE).withMaxRestoredBytes(size - 1);
        assertThatThrownBy(() -> image.restoreImage(img)).isExactlyInstanceOf(MigrationException.class)
                .hasMessage("restored agent image of " + size + " bytes exceeds this node's limit of " + (size - 1)
                        + " bytes");
        assertThat(image.restored()).isFalse();
        assertThat(image.violations()).singleElement().asString().contains("restoreImage()")
                .contains("must read the limit");

        int segments = img.data().length + img.stack().length;
        FakeRestoreTarget declared = new FakeRestoreTarget(Agents.ALICE).withMaxRestoredBytes(segments - 1);
        assertThatThrownBy(() -> declared.preCreate(TYPE, img.data().length, img.stack().length))
                .hasMessageContaining("exceeds this node's limit");
        assertThat(declared.violations()).singleElement().asString().contains("preCreate()");

        FakeRestoreTarget whole = new FakeRestoreTarget(Agents.ALICE).withMaxRestoredBytes(segments);
        PreCreatedAgent a = whole.preCreate(TYPE, img.data().length, img.stack().length);
        a.writeData(0, img.data());
        a.writeStack(0, img.stack());
        assertThatThrownBy(() -> a.complete(img.registers())).hasMessageContaining("exceeds this node's limit");
        assertThat(whole.restored()).isFalse();
        assertThat(whole.violations()).singleElement().asString().contains("complete()");
    }

    @Test
    void corruptionsSpliceTwoCapturesAndReachEveryChunk() {
        List<byte[]> a = List.of(new byte[]{1, 1}, new byte[]{2, 2, 2}, new byte[]{3});
        List<byte[]> b = List.of(new byte[]{9, 9}, new byte[]{8, 8, 8});
        List<byte[]> spliced = Corruptions.splice(a, b, List.of(1, 2));
        assertThat(spliced).containsExactly(new byte[]{1, 1}, new byte[]{8, 8, 8}, new byte[]{3});
        assertThat(spliced.get(0)).isNotSameAs(a.get(0));
        assertThat(Corruptions.positionsInEveryChunk(a, 16)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new byte[10]);
        }
        List<Long> at = Corruptions.positionsInEveryChunk(many, 16);
        assertThat(at).hasSize(48).contains(0L, 5L, 9L, 390L, 395L, 399L);
    }

    @Test
    void targetUsedAfterCloseIsAViolationAndFailsOnRequest() throws Exception {
        FakeRestoreTarget t = new FakeRestoreTarget(Agents.ALICE);
        t.close();
        assertThatThrownBy(t::localAgentType).isInstanceOf(IllegalStateException.class);
        assertThat(t.violations()).hasSize(1);
        MigrationException full = new MigrationException("full");
        FakeRestoreTarget failing = new FakeRestoreTarget(Agents.ALICE).failingAtOperation(1, full);
        PreCreatedAgent a = failing.preCreate(TYPE, 10, 0);
        assertThatThrownBy(() -> a.writeData(0, new byte[1])).isSameAs(full);
    }

    @Test
    void opaqueTargetRestoresImagesItCannotDecodeWithTheCoresOtherChecks() throws Exception {
        AgentImage img = OpaqueAgent.randomImage(OPAQUE, 300, 30, 8, 1);
        assertThatThrownBy(() -> new FakeRestoreTarget(Agents.ALICE).withLocalType(OPAQUE).restoreImage(img))
                .as("without the option the kit decodes").isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("agent image");

        FakeRestoreTarget t = new FakeRestoreTarget(Agents.ALICE).withLocalType(OPAQUE).withOpaqueImages();
        t.restoreImage(img);
        assertThat(t.restored()).isTrue();
        assertThat(t.path()).isEqualTo(FakeRestoreTarget.Path.IMAGE);
        assertThat(t.restoredImage()).isSameAs(img);
        assertThat(t.restoredState()).isNull();
        assertThatThrownBy(() -> t.restoreImage(img)).hasMessageContaining("already restored");

        FakeRestoreTarget foreign = new FakeRestoreTarget(Agents.ALICE).withOpaqueImages();
        assertThatThrownBy(() -> foreign.restoreImage(img)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("org.example.agent").hasMessageContaining("cannot be restored");
        FakeRestoreTarget incomplete = new FakeRestoreTarget(Agents.ALICE).withLocalType(OPAQUE).withOpaqueImages();
        assertThatThrownBy(() -> incomplete.restoreImage(new AgentImage(OPAQUE, img.data(), null, img.registers())))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("incomplete");
        assertThat(foreign.restored()).isFalse();
        assertThat(incomplete.restored()).isFalse();
    }

    @Test
    void opaqueTargetRecordsPreCreatedSegmentsAsWrittenAndKeepsThePreCreateChecks() throws Exception {
        AgentImage img = OpaqueAgent.randomImage(OPAQUE, 300, 30, 8, 2);
        assertThatThrownBy(() -> new FakeRestoreTarget(Agents.ALICE).withOpaqueImages().withMaxPreCreateBytes(100)
                .withLocalType(OPAQUE).preCreate(OPAQUE, 300, 30)).hasMessageContaining("exceed 100");
        assertThatThrownBy(() -> new FakeRestoreTarget(Agents.ALICE).withOpaqueImages().preCreate(OPAQUE, 1, 1))
                .hasMessageContaining("differs");

        FakeRestoreTarget t = new FakeRestoreTarget(Agents.ALICE).withLocalType(OPAQUE).withOpaqueImages();
        PreCreatedAgent a = t.preCreate(OPAQUE, 300, 30);
        assertThatThrownBy(() -> a.writeData(250, new byte[51])).hasMessageContaining("outside");
        a.writeData(200, Arrays.copyOfRange(img.data(), 200, 300));
        a.writeData(0, Arrays.copyOf(img.data(), 200));
        a.writeStack(0, img.stack());
        assertThatThrownBy(() -> a.complete(null)).hasMessageContaining("no registers");
        assertThat(t.restored()).isFalse();
        a.complete(img.registers());
        assertThat(t.restored()).isTrue();
        assertThat(t.path()).isEqualTo(FakeRestoreTarget.Path.PRE_CREATED);
        assertThat(t.pagesWritten()).isEqualTo(3);
        assertThat(t.restoredImage().type()).isEqualTo(OPAQUE);
        assertThat(t.restoredImage().data()).isEqualTo(img.data());
        assertThat(t.restoredImage().stack()).isEqualTo(img.stack());
        assertThat(t.restoredImage().registers()).isSameAs(img.registers());
        assertThat(t.restoredState()).isNull();
        assertThatThrownBy(() -> a.writeStack(0, new byte[1])).hasMessageContaining("complete");
        assertThat(t.violations()).singleElement().asString().contains("after complete()");

        MigrationException full = new MigrationException("full");
        FakeRestoreTarget failing = new FakeRestoreTarget(Agents.ALICE).withLocalType(OPAQUE).withOpaqueImages()
                .failingAtOperation(3, full);
        PreCreatedAgent f = failing.preCreate(OPAQUE, 300, 30);
        f.writeData(0, img.data());
        f.writeStack(0, img.stack());
        assertThatThrownBy(() -> f.complete(img.registers())).isSameAs(full);
        assertThat(failing.restored()).isFalse();
    }

    // ------------------------------------------------------------------ driver

    @Test
    void driverSeesAnAgentCompleteBeforeTheLastChunkAndAFinishThatRestoresNothing() {
        org.roamer.api.spi.migration.MigrationStrategy early = new TinyStrategy(true);
        List<byte[]> two = List.of(new byte[]{1}, new byte[]{2});
        Migrations.Outcome o = Migrations.restore(early, new FakeRestoreTarget(Agents.ALICE),
                Migrations.context(Agents.ALICE, null, 100, 1000), two);
        assertThat(o.result()).isEqualTo(Migrations.Result.RESTORED);
        assertThat(o.violations()).singleElement().asString().contains("before the last chunk");

        Migrations.Outcome lazy = Migrations.restore(new TinyStrategy(false), new FakeRestoreTarget(Agents.ALICE),
                Migrations.context(Agents.ALICE, null, 100, 1000), two);
        assertThat(lazy.result()).isEqualTo(Migrations.Result.REFUSED);
        assertThat(lazy.violations()).singleElement().asString().contains("without restoring");
    }

    @Test
    void driverCapturesLikeTheCore() {
        var ctx = Migrations.context(Agents.ALICE, null, 100, 1000);
        assertThatThrownBy(() -> Migrations.capture(new TinyStrategy(false), Agents.idle(), ctx))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("captured nothing");
        assertThatCode(() -> Migrations.capture(new TinyStrategy(true), Agents.idle(), ctx)).doesNotThrowAnyException();
    }

    /** Restores the idle agent on the first chunk ({@code eager}) or never; captures one chunk or none. */
    private record TinyStrategy(boolean eager) implements org.roamer.api.spi.migration.MigrationStrategy {
        @Override
        public String name() {
            return "tiny";
        }

        @Override
        public org.roamer.api.spi.migration.StrategyTraits traits() {
            return new org.roamer.api.spi.migration.StrategyTraits(false, true, false, true, "tiny");
        }

        @Override
        public void capture(org.roamer.api.spi.migration.MigratingAgent agent,
                org.roamer.api.spi.migration.MigrationContext ctx, org.roamer.api.spi.migration.ChunkSink out)
                throws MigrationException {
            if (eager) {
                out.accept(new byte[]{1});
            }
        }

        @Override
        public org.roamer.api.spi.migration.RestoreSession beginRestore(
                org.roamer.api.spi.migration.RestoreTarget target, org.roamer.api.spi.migration.MigrationContext ctx) {
            List<byte[]> got = new ArrayList<>();
            return new org.roamer.api.spi.migration.RestoreSession() {
                @Override
                public void accept(byte[] chunk) throws MigrationException {
                    got.add(chunk);
                    if (eager && got.size() == 1) {
                        target.restoreVariables(Agents.idleVariables(Agents.ALICE));
                    }
                }

                @Override
                public void finish() {
                }

                @Override
                public void abort() {
                }
            };
        }
    }
}

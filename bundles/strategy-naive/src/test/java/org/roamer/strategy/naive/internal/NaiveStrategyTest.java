/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.roamer.strategy.naive.internal.Fixtures.ALICE;
import static org.roamer.strategy.naive.internal.Fixtures.captureOne;
import static org.roamer.strategy.naive.internal.Fixtures.ctx;
import static org.roamer.strategy.naive.internal.Fixtures.idle;
import static org.roamer.strategy.naive.internal.Fixtures.inCall;
import static org.roamer.strategy.naive.internal.Fixtures.restore;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.strategy.naive.internal.Fixtures.FakeAgent;
import org.roamer.strategy.naive.internal.Fixtures.FakeTarget;

class NaiveStrategyTest {
    private final NaiveStrategy strategy = new NaiveStrategy();

    /** A chunk carrying this JSON text with its correct CRC32C, so that it reaches the JSON parser. */
    private static byte[] chunk(String json) {
        return Fixtures.seal(json.getBytes(UTF_8));
    }

    /** The JSON text of a chunk, without its checksum. */
    private static String jsonOf(byte[] chunk) {
        return new String(chunk, 0, chunk.length - VariablesCodec.CHECKSUM_BYTES, UTF_8);
    }

    private MigrationException refused(String json) {
        return refused(chunk(json));
    }

    private MigrationException refused(byte[] chunk) {
        FakeTarget target = new FakeTarget();
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> {
            RestoreSession s = strategy.beginRestore(target, ctx(ALICE));
            s.accept(chunk);
            s.finish();
        });
        assertThat(t).isExactlyInstanceOf(MigrationException.class);
        assertThat(target.restored).isEmpty();
        return (MigrationException) t;
    }

    @Test
    void declaresNameAndTable2Traits() {
        assertThat(strategy.name()).isEqualTo("naive").isEqualTo(NaiveStrategy.NAME);
        assertThat(strategy.traits().independentOfAgentLogic()).isFalse();
        assertThat(strategy.traits().heterogeneous()).isTrue();
        assertThat(strategy.traits().asynchronousInitiation()).isFalse();
        assertThat(strategy.traits().optimizesData()).isTrue();
        assertThat(strategy.traits().description()).contains("migration variables").contains("JSON")
                .contains("CRC32C");
        assertThat(MigrationStrategy.NAME_PROPERTY).isEqualTo("roamer.strategy");
    }

    @Test
    void idleAgentRoundTrips() throws Exception {
        MigrationVariables vars = idle();
        assertThat(restore(strategy, ALICE, captureOne(strategy, vars))).isEqualTo(vars);
    }

    @Test
    void agentInCallRoundTrips() throws Exception {
        MigrationVariables vars = inCall();
        assertThat(restore(strategy, ALICE, captureOne(strategy, vars))).isEqualTo(vars);
    }

    @Test
    void everyFieldAwayFromItsDefaultRoundTrips() throws Exception {
        Profile profile = new Profile(false, Set.of("fax"), Set.of("mail", "xserver"), MobileId.of("voicemail-1"));
        List<ActiveCall> calls = List.of(
                new ActiveCall("c1", CallType.VIDEO, List.of(MobileId.of("bob"), MobileId.of("carol")), false, null),
                new ActiveCall("c2", CallType.DATA, List.of(), true, "rp-9"),
                new ActiveCall("c3", CallType.FAX, List.of(MobileId.of("dave")), false, "rp 9/ü"));
        MigrationVariables vars = new MigrationVariables(ALICE, profile, calls, "rp-1", Long.MAX_VALUE);
        assertThat(restore(strategy, ALICE, captureOne(strategy, vars))).isEqualTo(vars);
    }

    @Test
    void idleMovesFewerBytesThanInCallAndStaysInTheSeedsRange() throws Exception {
        byte[] idle = captureOne(strategy, idle());
        byte[] inCall = captureOne(strategy, inCall());
        assertThat(idle.length).isLessThan(inCall.length).isLessThan(100);
        assertThat(jsonOf(idle)).isEqualTo("{\"v\":1,\"m\":\"alice\",\"c\":[\"data\",\"voice\"]}");

        Profile rich = new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"), null);
        ActiveCall voice = new ActiveCall("call-17", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2");
        ActiveCall conference = new ActiveCall("call-18", CallType.VOICE,
                List.of(MobileId.of("bob"), MobileId.of("carol"), MobileId.of("dave")), false, "rp-2");
        List<MigrationVariables> cases = List.of(
                idle(),
                new MigrationVariables(ALICE, rich, List.of(), "rp-2", 42),
                new MigrationVariables(ALICE, Profile.defaults(), List.of(voice), "rp-2", 0),
                inCall(),
                new MigrationVariables(ALICE, rich, List.of(conference), "rp-2", 42));
        String[] labels = {"idle, default profile", "idle, video profile", "in a voice call, default profile",
                "in a voice call, video profile", "in a 4-party call, video profile"};
        for (int i = 0; i < cases.size(); i++) {
            byte[] chunk = captureOne(strategy, cases.get(i));
            System.out.printf("NAIVE %-34s %4d bytes  %s + CRC32C %08x%n", labels[i] + ":", chunk.length,
                    jsonOf(chunk), ByteBuffer.wrap(chunk, chunk.length - 4, 4).getInt());
        }
    }

    @Test
    void chunkIsTheJsonFollowedByTheCrc32cOfItsMigrationAndTheJsonBigEndian() throws Exception {
        byte[] chunk = captureOne(strategy, inCall());
        int json = chunk.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(16).putLong(Fixtures.MIGRATION).putLong(Fixtures.EPOCH).array());
        crc.update(chunk, 0, json);
        assertThat(Integer.toUnsignedLong(ByteBuffer.wrap(chunk, json, 4).getInt())).isEqualTo(crc.getValue());
        assertThat(jsonOf(chunk)).startsWith("{\"v\":1,").endsWith("}]}");
    }

    @Test
    void everySingleByteChangeRefusedByTheChecksumBeforeParsing() throws Exception {
        byte[] chunk = captureOne(strategy, inCall());
        for (int i = 0; i < chunk.length; i++) {
            for (int v = 0; v < 256; v++) {
                if (v == (chunk[i] & 0xff)) {
                    continue;
                }
                byte[] garbled = chunk.clone();
                garbled[i] = (byte) v;
                assertThat(refused(garbled)).hasMessageStartingWith("checksum mismatch");
            }
        }
    }

    @Test
    void aChangedValueThatStillParsesIsRefused() throws Exception {
        byte[] chunk = captureOne(strategy, inCall());
        String json = jsonOf(chunk);
        int at = json.indexOf("call-17");
        assertThat(at).isPositive();
        chunk[at] = 'b'; // "ball-17": valid JSON, valid variables, another call
        assertThat(refused(chunk)).hasMessageStartingWith("checksum mismatch").hasMessageContaining("CRC32C");
        // the same change with a matching checksum is a valid chunk: the checksum is all that catches it
        String other = json.substring(0, at) + "b" + json.substring(at + 1);
        assertThat(restore(strategy, ALICE, chunk(other)).calls()).extracting(ActiveCall::callId)
                .containsExactly("ball-17");
    }

    /** A chunk is bound to its migration: the same bytes restored in another migration of the mobile are refused. */
    @Test
    void aChunkReplayedInAnotherMigrationIsRefused() throws Exception {
        byte[] chunk = captureOne(strategy, inCall());
        long id = Fixtures.MIGRATION;
        long epoch = Fixtures.EPOCH;
        for (long[] other : new long[][]{{id + 1, epoch}, {id, epoch + 1}, {id + 1, epoch + 1},
                {id ^ (1L << 40), epoch},
                {id, epoch + (1L << 32)}}) {
            FakeTarget target = new FakeTarget();
            RestoreSession s = strategy.beginRestore(target, new MigrationContext(other[0], ALICE, other[1],
                    NodeId.of("uss-a"), NodeId.of("uss-b"), 64 * 1024, 1024 * 1024, Path.of("target")));
            assertThatThrownBy(() -> s.accept(chunk)).as("replayed in migration %d, epoch %d", other[0], other[1])
                    .isExactlyInstanceOf(MigrationException.class).hasMessageStartingWith("checksum mismatch")
                    .hasMessageContaining("in migration " + other[0] + " (epoch " + other[1] + ")")
                    .hasMessageContaining("captured for another migration");
            assertThatThrownBy(s::finish).isInstanceOf(MigrationException.class);
            assertThat(target.restored).isEmpty();
        }
        assertThat(restore(strategy, ALICE, chunk)).isEqualTo(inCall());
    }

    /** A chunk sealed the way NAIVE did before (CRC32C of the JSON alone) names no migration: refused, and why. */
    @Test
    void aChunkThatNamesNoMigrationIsRefusedWithTheReason() {
        byte[] json = "{\"v\":1,\"m\":\"alice\",\"c\":[\"data\",\"voice\"]}".getBytes(UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(json);
        byte[] unbound = ByteBuffer.allocate(json.length + 4).put(json).putInt((int) crc.getValue()).array();
        assertThat(refused(unbound)).hasMessageStartingWith("checksum mismatch")
                .hasMessageContaining("not the migration it was captured for").hasMessageContaining("upgrade");
    }

    @Test
    void jsonWithoutItsChecksumRefused() {
        byte[] bare = "{\"v\":1,\"m\":\"alice\",\"c\":[\"data\",\"voice\"]}".getBytes(UTF_8);
        assertThat(refused(bare)).hasMessageStartingWith("checksum mismatch");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void chunkTooShortForAChecksumRefused(int length) {
        assertThat(refused(new byte[length])).hasMessageContaining("too short");
    }

    @Test
    void fuzzSeedsReachTheJsonDecoderUnlessTheirNameSaysBadCrc() throws Exception {
        Path seeds = Path.of(getClass().getResource("NaiveRestoreFuzzTestInputs/restore").toURI());
        List<Path> files;
        try (Stream<Path> list = Files.list(seeds)) {
            files = list.sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(10);
        for (Path seed : files) {
            String name = seed.getFileName().toString();
            byte[] chunk = Files.readAllBytes(seed);
            if (name.startsWith("bad-crc-")) {
                assertThat(refused(chunk)).as(name).message().containsAnyOf("checksum mismatch", "too short");
            } else if (name.startsWith("idle") || name.startsWith("in-call") || name.startsWith("unknown-fields")) {
                assertThat(restore(strategy, ALICE, chunk).mobile()).as(name).isEqualTo(ALICE);
            } else {
                assertThat(refused(chunk)).as(name).hasMessageNotContaining("checksum");
            }
        }
    }

    @Test
    void emitsExactlyOneChunk() throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        strategy.capture(new FakeAgent(inCall()), ctx(ALICE), chunks::add);
        assertThat(chunks).hasSize(1);
    }

    @Test
    void captureRefusedWhenNotAtAStablePoint() {
        assertThatThrownBy(() -> strategy.capture(new FakeAgent(idle(), false), ctx(ALICE), c -> {
        })).isExactlyInstanceOf(MigrationException.class).hasMessageContaining("stable point");
    }

    @Test
    void captureRefusedWhenTheVariablesNameAnotherMobile() {
        assertThatThrownBy(() -> strategy.capture(new FakeAgent(idle()), ctx(MobileId.of("mallory")), c -> {
        })).isExactlyInstanceOf(MigrationException.class).hasMessageContaining("mallory");
    }

    @Test
    void captureRefusedOverTheMigrationsChunkOrImageLimit() {
        MigrationContext smallChunk = new MigrationContext(1, ALICE, 1, NodeId.of("a"), NodeId.of("b"), 20, 1000,
                Path.of("target"));
        MigrationContext smallImage = new MigrationContext(1, ALICE, 1, NodeId.of("a"), NodeId.of("b"), 1000, 20,
                Path.of("target"));
        List<byte[]> sent = new ArrayList<>();
        assertThatThrownBy(() -> strategy.capture(new FakeAgent(idle()), smallChunk, sent::add))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> strategy.capture(new FakeAgent(idle()), smallImage, sent::add))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("limit");
        assertThat(sent).isEmpty();
    }

    @Test
    void captureRefusedOverTheNaiveSizeLimit() {
        List<ActiveCall> calls = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            calls.add(new ActiveCall("call-" + i, CallType.VOICE, List.of(MobileId.of("peer-" + i)), true, "rp-1"));
        }
        MigrationVariables huge = new MigrationVariables(ALICE, Profile.defaults(), calls, null, 0);
        assertThatThrownBy(() -> captureOne(strategy, huge)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("limit of " + VariablesCodec.MAX_BYTES);
    }

    @Test
    void captureRefusesARadioPortTheTargetCouldNotRead() {
        MigrationVariables broken = new MigrationVariables(ALICE, Profile.defaults(), List.of(), "rp-\ud800", 0);
        assertThatThrownBy(() -> captureOne(strategy, broken)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("surrogate");
    }

    @Test
    void unknownFieldsAreTolerated() throws Exception {
        String newer = "{\"v\":1,\"m\":\"alice\",\"c\":[\"voice\"],\"x\":{\"nested\":[1,2,{\"y\":null}]},"
                + "\"k\":[{\"i\":\"c1\",\"y\":\"voice\",\"q\":\"qos-gold\"}],\"zz\":3.5}";
        MigrationVariables vars = restore(strategy, ALICE, chunk(newer));
        assertThat(vars.profile().capabilities()).containsExactly("voice");
        assertThat(vars.calls()).extracting(ActiveCall::callId).containsExactly("c1");
    }

    @Test
    void nullCountsAsAbsent() throws Exception {
        MigrationVariables vars = restore(strategy, ALICE,
                chunk("{\"v\":1,\"m\":\"alice\",\"t\":null,\"c\":null,\"f\":null,\"r\":null,\"d\":null,\"k\":null}"));
        assertThat(vars).isEqualTo(new MigrationVariables(ALICE, new Profile(true, Set.of(), Set.of(), null),
                List.of(), null, 0));
    }

    @Test
    void newerSchemaRefusedWithAClearReason() {
        assertThat(refused("{\"v\":2,\"m\":\"alice\",\"c\":\"all of them\"}"))
                .hasMessageContaining("schema v2").hasMessageContaining("newer");
        assertThat(refused("{\"m\":\"alice\",\"v\":99999999999999}")).hasMessageContaining("newer");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "null", "[]", "\"v\"", "42", "{", "{\"v\":1,\"m\":\"alice\"", "{\"v\":1,\"m\":\"ali",
            "{\"v\":1,\"m\":\"alice\"}}", "{\"v\":1,\"m\":\"alice\"} {}", "{\"v\":1,\"m\":\"alice\",}",
            "{v:1,m:\"alice\"}", "{'v':1,'m':'alice'}", "{\"v\":1,\"m\":\"alice\"} // comment",
            "{\"v\":1,\"m\":\"alice\",\"d\":NaN}", "{\"v\":1,\"m\":\"alice\",\"d\":0x10}",
            "{\"v\":1,\"v\":2,\"m\":\"alice\"}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c\",\"i\":\"d\",\"y\":\"voice\"}]}",
            "{\"v\":0,\"m\":\"alice\"}", "{\"v\":-1,\"m\":\"alice\"}", "{\"v\":1.5,\"m\":\"alice\"}",
            "{\"v\":\"1\",\"m\":\"alice\"}", "{\"v\":1e400000000000,\"m\":\"alice\"}", "{\"m\":\"alice\"}",
            "{\"v\":1}", "{\"v\":1,\"m\":7}", "{\"v\":1,\"m\":\"\"}", "{\"v\":1,\"m\":\"-alice\"}",
            "{\"v\":1,\"m\":\"alice\",\"t\":\"yes\"}", "{\"v\":1,\"m\":\"alice\",\"c\":\"voice\"}",
            "{\"v\":1,\"m\":\"alice\",\"c\":[\"Voice\"]}", "{\"v\":1,\"m\":\"alice\",\"c\":[1]}",
            "{\"v\":1,\"m\":\"alice\",\"f\":\"bob smith\"}", "{\"v\":1,\"m\":\"alice\",\"d\":-1}",
            "{\"v\":1,\"m\":\"alice\",\"d\":9223372036854775808}", "{\"v\":1,\"m\":\"alice\",\"d\":1.0}",
            "{\"v\":1,\"m\":\"alice\",\"r\":\"\"}", "{\"v\":1,\"m\":\"alice\",\"r\":\"\\ud800\"}",
            "{\"v\":1,\"m\":\"alice\",\"r\":\"a\\nb\"}",
            "{\"v\":1,\"m\":\"alice\",\"k\":{}}", "{\"v\":1,\"m\":\"alice\",\"k\":[1]}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"y\":\"voice\"}]}", "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c1\"}]}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c1\",\"y\":\"telepathy\"}]}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c1\",\"y\":\"VOICE\"}]}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c 1\",\"y\":\"voice\"}]}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c1\",\"y\":\"voice\",\"p\":[\"\"]}]}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c1\",\"y\":\"voice\",\"p\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}]}",
            "{\"v\":1,\"m\":\"alice\",\"k\":[{\"i\":\"c1\",\"y\":\"voice\",\"o\":1}]}"
    })
    void malformedVariablesRefusedWithMigrationException(String text) {
        // each with a correct checksum: the JSON decoder itself refuses them
        assertThat(refused(text).getMessage()).isNotBlank().doesNotContain("checksum");
    }

    @Test
    void invalidUtf8Refused() {
        byte[] bad = "{\"v\":1,\"m\":\"alice\",\"x\":\"..\"}".getBytes(UTF_8);
        bad[bad.length - 4] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        assertThat(refused(Fixtures.seal(bad))).hasMessageContaining("UTF-8");
    }

    @Test
    void truncationAtEveryLengthRefused() throws Exception {
        byte[] full = captureOne(strategy, inCall());
        for (int n = 0; n < full.length; n++) {
            refused(Arrays.copyOf(full, n));
        }
        // truncated JSON sealed with a matching checksum: the JSON decoder refuses it
        byte[] json = jsonOf(full).getBytes(UTF_8);
        for (int n = 0; n < json.length; n++) {
            assertThat(refused(Fixtures.seal(Arrays.copyOf(json, n)))).hasMessageNotContaining("checksum");
        }
    }

    @Test
    void deepNestingRefusedBeforeItCanHurt() {
        String deep = "{\"v\":1,\"m\":\"alice\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThat(refused(deep)).hasMessageContaining("not valid JSON");
        String justTooDeep = "{\"v\":1,\"m\":\"alice\",\"x\":" + "[".repeat(VariablesCodec.MAX_DEPTH)
                + "]".repeat(VariablesCodec.MAX_DEPTH) + "}";
        refused(justTooDeep);
    }

    @Test
    void nestingWithinTheLimitIsToleratedAsAnUnknownField() throws Exception {
        int depth = VariablesCodec.MAX_DEPTH - 1;
        String ok = "{\"v\":1,\"m\":\"alice\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        assertThat(restore(strategy, ALICE, chunk(ok)).mobile()).isEqualTo(ALICE);
    }

    @Test
    void oversizedChunkRefusedBeforeParsing() throws Exception {
        String padding = " ".repeat(VariablesCodec.MAX_BYTES);
        assertThat(refused("{\"v\":1,\"m\":\"alice\"}" + padding)).hasMessageContaining("exceed");
        // the limit counts the checksum: JSON that fits alone but not with its CRC32C is refused
        String justFits = "{\"v\":1,\"m\":\"alice\"}";
        justFits += " ".repeat(VariablesCodec.MAX_BYTES - VariablesCodec.CHECKSUM_BYTES - justFits.length());
        assertThat(chunk(justFits)).hasSize(VariablesCodec.MAX_BYTES);
        assertThat(restore(strategy, ALICE, chunk(justFits)).mobile()).isEqualTo(ALICE);
        assertThat(refused(justFits + " ")).hasMessageContaining("exceed");
        byte[] garbage = new byte[VariablesCodec.MAX_BYTES + 1];
        assertThat(refused(garbage)).hasMessageContaining("exceed");
    }

    @Test
    void mobileMismatchRefused() throws Exception {
        byte[] alice = captureOne(strategy, idle());
        FakeTarget target = new FakeTarget();
        RestoreSession s = strategy.beginRestore(target, ctx(MobileId.of("bob")));
        assertThatThrownBy(() -> s.accept(alice)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("alice").hasMessageContaining("bob");
        assertThatThrownBy(s::finish).isExactlyInstanceOf(MigrationException.class);
        assertThat(target.restored).isEmpty();
    }

    @Test
    void secondChunkRefused() throws Exception {
        byte[] chunk = captureOne(strategy, idle());
        FakeTarget target = new FakeTarget();
        RestoreSession s = strategy.beginRestore(target, ctx(ALICE));
        s.accept(chunk);
        assertThatThrownBy(() -> s.accept(chunk)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("exactly one chunk");
        assertThatThrownBy(s::finish).isExactlyInstanceOf(MigrationException.class);
        assertThat(target.restored).isEmpty();
    }

    @Test
    void finishWithoutAChunkRefused() throws Exception {
        RestoreSession s = strategy.beginRestore(new FakeTarget(), ctx(ALICE));
        assertThatThrownBy(s::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("no NAIVE migration variables");
    }

    @Test
    void nothingAcceptedAfterFinishOrAbort() throws Exception {
        byte[] chunk = captureOne(strategy, idle());
        FakeTarget target = new FakeTarget();
        RestoreSession finished = strategy.beginRestore(target, ctx(ALICE));
        finished.accept(chunk);
        finished.finish();
        assertThatThrownBy(() -> finished.accept(chunk)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("finished");
        assertThatThrownBy(finished::finish).isExactlyInstanceOf(MigrationException.class);
        assertThat(target.restored).hasSize(1);

        RestoreSession aborted = strategy.beginRestore(target, ctx(ALICE));
        aborted.accept(chunk);
        aborted.abort();
        assertThatThrownBy(() -> aborted.accept(chunk)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("aborted");
        assertThatThrownBy(aborted::finish).isExactlyInstanceOf(MigrationException.class);
        assertThat(target.restored).hasSize(1);
    }

    @Test
    void abortNeverThrows() throws Exception {
        RestoreSession s = strategy.beginRestore(new FakeTarget(), ctx(ALICE));
        assertThatCode(() -> {
            s.abort();
            s.abort();
        }).doesNotThrowAnyException();
        RestoreSession failed = strategy.beginRestore(new FakeTarget(), ctx(ALICE));
        assertThatThrownBy(() -> failed.accept(chunk("garbage"))).isExactlyInstanceOf(MigrationException.class);
        assertThatCode(failed::abort).doesNotThrowAnyException();
    }

    @Test
    void aFailingTargetSurfacesAsMigrationException() throws Exception {
        byte[] chunk = captureOne(strategy, idle());
        RestoreSession s = strategy.beginRestore(new FakeTarget() {
            @Override
            public void restoreVariables(MigrationVariables variables) {
                throw new IllegalStateException("USS is shutting down");
            }
        }, ctx(ALICE));
        s.accept(chunk);
        assertThatThrownBy(s::finish).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("USS is shutting down");
    }
}

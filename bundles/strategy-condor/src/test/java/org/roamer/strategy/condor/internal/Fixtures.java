/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.testkit.FakeChunkSink;
import org.roamer.testkit.FakeRestoreTarget;
import org.roamer.testkit.OpaqueAgent;

/**
 * Checkpoint helpers and what the core provides to a strategy, for Condor's own tests, the latter from the
 * conformance kit (bundles/testkit): these tests move opaque images (random bytes of chosen segment sizes, any
 * bytes in the property and fuzz tests, images read back from checkpoint files), so the source agent is the kit's
 * {@link OpaqueAgent} and the target its {@link FakeRestoreTarget} taking opaque images; chunks are captured into
 * its {@link FakeChunkSink}.
 */
final class Fixtures {
    static final MobileId ALICE = MobileId.of("alice");
    static final AgentType LOCAL = new AgentType("org.roamer.core", "0.1.0", 0x5eedL);
    static final int MAX_CHUNK = 64 * 1024;
    static final long MAX_IMAGE = 4L * 1024 * 1024;
    static final NodeId SOURCE = NodeId.of("uss-a");
    static final NodeId TARGET = NodeId.of("uss-b");
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");

    private Fixtures() {
    }

    static MigrationContext ctx(Path work) {
        return ctx(work, MAX_CHUNK, MAX_IMAGE);
    }

    static MigrationContext ctx(Path work, int maxChunk, long maxImage) {
        return new MigrationContext(7L, ALICE, 3L, SOURCE, TARGET, maxChunk, maxImage, work);
    }

    /** A strategy with a fixed clock and the given settings. */
    static CondorStrategy strategy(CondorStrategy.Settings settings) {
        return new CondorStrategy(settings, Clock.fixed(NOW, ZoneOffset.UTC), Durability.FSYNC);
    }

    /** The defaults: work directory's checkpoints, kept, 64 KiB chunks. */
    static CondorStrategy strategy() {
        return strategy(new CondorStrategy.Settings(null, true, CondorStrategy.DEFAULT_CHUNK_SIZE));
    }

    /** The files (not directories) under a directory, names only, sorted; empty when it does not exist. */
    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A whole checkpoint file's bytes with a correct SHA-256, from any header and segments. */
    static byte[] checkpointBytes(CheckpointHeader h, byte[] data, byte[] stack, byte[] registers) throws Exception {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(CheckpointFormat.header(h));
        b.write(data);
        b.write(stack);
        b.write(registers);
        return seal(b.toByteArray());
    }

    /** Appends the SHA-256 of the bytes. */
    static byte[] seal(byte[] body) {
        byte[] digest = CheckpointFormat.sha256().digest(body);
        byte[] file = Arrays.copyOf(body, body.length + digest.length);
        System.arraycopy(digest, 0, file, body.length, digest.length);
        return file;
    }

    /** Recomputes the trailing SHA-256 of a whole checkpoint after a test changed it. */
    static byte[] reseal(byte[] file) {
        return seal(Arrays.copyOf(file, file.length - CheckpointFormat.DIGEST));
    }

    /** Splits bytes into chunks of at most {@code size}. */
    static List<byte[]> split(byte[] bytes, int size) {
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            chunks.add(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
        }
        return chunks;
    }

    static byte[] concat(List<byte[]> chunks) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        chunks.forEach(b::writeBytes);
        return b.toByteArray();
    }

    static CheckpointHeader header(AgentImage image) {
        return new CheckpointHeader(1, 7L, 3L, NOW, ALICE, SOURCE, image.type(), image.data().length,
                image.stack().length, image.registers().length);
    }

    /** An image of the local type with random segments of the given sizes. */
    static AgentImage image(int data, int stack, int registers, long seed) {
        return OpaqueAgent.randomImage(LOCAL, data, stack, registers, seed);
    }

    static AgentImage image(AgentType type, int data, int stack, int registers, long seed) {
        return OpaqueAgent.randomImage(type, data, stack, registers, seed);
    }

    /** The seed's TERN case (and the size the seed gives its user process): "a data size of about 72 Kbytes". */
    static AgentImage seed72k() {
        return image(72 * 1024, 512, 16, 72);
    }

    /**
     * The target as Condor uses it: the kit's target taking opaque images, running {@link #LOCAL}; its
     * {@code restoreImage} has the core's checks (this node's agent type, one agent per migration) and records
     * what was restored. Condor restores the whole image: {@link #restored} checks that it did.
     */
    static FakeRestoreTarget target() {
        return new FakeRestoreTarget(ALICE).withLocalType(LOCAL).withOpaqueImages();
    }

    /** {@code target} with a restored-size limit ({@link RestoreTarget#maxRestoredBytes()}) of {@code max} bytes. */
    static RestoreTarget limited(FakeRestoreTarget target, long max) {
        return new RestoreTarget() {
            @Override
            public AgentType localAgentType() {
                return target.localAgentType();
            }

            @Override
            public void restoreVariables(org.roamer.api.spi.migration.MigrationVariables variables)
                    throws MigrationException {
                target.restoreVariables(variables);
            }

            @Override
            public void restoreImage(AgentImage image) throws MigrationException {
                target.restoreImage(image);
            }

            @Override
            public org.roamer.api.spi.migration.PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize)
                    throws MigrationException {
                return target.preCreate(type, dataSize, stackSize);
            }

            @Override
            public long maxRestoredBytes() {
                return max;
            }
        };
    }

    /**
     * Asserts the target holds one agent, restored from a whole image (Condor must neither restore variables nor
     * pre-create), without a contract violation; returns its image.
     */
    static AgentImage restored(FakeRestoreTarget target) {
        assertThat(target.restored()).as("an agent restored").isTrue();
        assertThat(target.path()).as("Condor restores the whole image").isEqualTo(FakeRestoreTarget.Path.IMAGE);
        assertThat(target.violations()).as("restore target contract violations").isEmpty();
        return target.restoredImage();
    }

    /** Asserts two images are equal segment by segment (byte arrays compared with Arrays.equals). */
    static void assertSameImage(AgentImage actual, AgentImage expected) {
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(Arrays.equals(actual.data(), expected.data())).as("data equal").isTrue();
        assertThat(Arrays.equals(actual.stack(), expected.stack())).as("stack equal").isTrue();
        assertThat(Arrays.equals(actual.registers(), expected.registers())).as("registers equal").isTrue();
    }

    /** Captures through the strategy and returns the chunks. */
    static List<byte[]> capture(CondorStrategy strategy, AgentImage image, Path work) throws MigrationException {
        return capture(strategy, image, ctx(work));
    }

    /**
     * Captures into the kit's {@link FakeChunkSink}: it refuses chunks over the context's limits as the core
     * does, and the capture must leave it no contract violation (oversized chunk, chunk after a refusal or from
     * another thread, chunk changed after hand-over). Returns the chunks as handed over.
     */
    static List<byte[]> capture(CondorStrategy strategy, AgentImage image, MigrationContext ctx)
            throws MigrationException {
        FakeChunkSink sink = new FakeChunkSink(ctx);
        sink.open();
        try {
            strategy.capture(OpaqueAgent.of(image), ctx, sink);
        } finally {
            sink.close();
        }
        assertThat(sink.refusal()).as("capture returned although the sink refused a chunk").isNull();
        assertThat(sink.violations()).as("chunk sink contract violations").isEmpty();
        assertThat(sink.modifiedChunks()).as("chunks changed after hand-over").isEmpty();
        return new ArrayList<>(sink.chunks());
    }

    /** Restores the chunks and returns what the target received. */
    static AgentImage restore(CondorStrategy strategy, List<byte[]> chunks, Path work) throws MigrationException {
        FakeRestoreTarget target = target();
        restore(strategy, target, ctx(work), chunks);
        return restored(target);
    }

    static void restore(CondorStrategy strategy, RestoreTarget target, MigrationContext ctx, List<byte[]> chunks)
            throws MigrationException {
        RestoreSession session = strategy.beginRestore(target, ctx);
        for (byte[] c : chunks) {
            session.accept(c);
        }
        session.finish();
    }
}

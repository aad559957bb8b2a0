/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * What the core provides to a strategy, for TERN's own tests, from the conformance kit (bundles/testkit): these
 * tests move opaque images (random bytes of chosen segment sizes, any bytes in the property and fuzz tests), so
 * the source agent is the kit's {@link OpaqueAgent} and the target its {@link FakeRestoreTarget} taking opaque
 * images; chunks are captured into its {@link FakeChunkSink}.
 */
final class Fixtures {
    static final MobileId ALICE = MobileId.of("alice");
    static final AgentType LOCAL = new AgentType("org.roamer.core", "0.1.0", 0x5eedL);
    static final int MAX_CHUNK = 64 * 1024;
    static final long MAX_IMAGE = 4L * 1024 * 1024;

    private Fixtures() {
    }

    static MigrationContext ctx() {
        return ctx(MAX_CHUNK, MAX_IMAGE);
    }

    static MigrationContext ctx(int maxChunk, long maxImage) {
        return new MigrationContext(7L, ALICE, 3L, NodeId.of("uss-a"), NodeId.of("uss-b"), maxChunk, maxImage,
                Path.of("target"));
    }

    /**
     * Copies of the chunks with every CRC32C recomputed as a sender would: the first over itself, each later one
     * over the previous chunk's CRC32C and itself. For tests that change, insert or build chunks and want the
     * structure checks behind the checksum reached. Chunks shorter than the framing are copied as they are.
     */
    static List<byte[]> chained(List<byte[]> chunks) {
        List<byte[]> out = new ArrayList<>(chunks.size());
        Integer previous = null;
        for (byte[] c : chunks) {
            byte[] copy = c == null ? null : c.clone();
            if (copy != null && copy.length >= TernFormat.HEADER + TernFormat.TRAILER) {
                int end = copy.length - TernFormat.TRAILER;
                int crc = previous == null ? TernFormat.crc(copy, end) : TernFormat.crc(previous, copy, end);
                java.nio.ByteBuffer.wrap(copy, end, TernFormat.TRAILER).putInt(crc);
                previous = crc;
            }
            out.add(copy);
        }
        return out;
    }

    /** {@code target} with a restored-size limit ({@link RestoreTarget#maxRestoredBytes()}) of {@code max} bytes. */
    static RestoreTarget limited(FakeRestoreTarget target, long max) {
        return new RestoreTarget() {
            @Override
            public org.roamer.api.spi.migration.AgentType localAgentType() {
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

    /** An image of the local type with random segments of the given sizes. */
    static AgentImage image(int data, int stack, int registers, long seed) {
        return OpaqueAgent.randomImage(LOCAL, data, stack, registers, seed);
    }

    static AgentImage image(AgentType type, int data, int stack, int registers, long seed) {
        return OpaqueAgent.randomImage(type, data, stack, registers, seed);
    }

    /** The seed's TERN case: "a data size of about 72 Kbytes". */
    static AgentImage seed72k() {
        return image(72 * 1024, 512, 16, 72);
    }

    /**
     * The target as TERN uses it: the kit's target taking opaque images, running {@link #LOCAL}, pre-creating up
     * to {@link #MAX_IMAGE} bytes of segments (it refuses a foreign type or sizes over that limit, bounds-checks
     * every page written, and restores at most one agent). TERN pre-creates: {@link #restored} checks that it did.
     */
    static FakeRestoreTarget target() {
        return new FakeRestoreTarget(ALICE).withLocalType(LOCAL).withMaxPreCreateBytes(MAX_IMAGE).withOpaqueImages();
    }

    /**
     * Asserts the target holds one agent, completed after pre-creating it (TERN must neither restore variables
     * nor a whole image), without a contract violation; returns its image.
     */
    static AgentImage restored(FakeRestoreTarget target) {
        assertThat(target.restored()).as("an agent restored").isTrue();
        assertThat(target.path()).as("TERN pre-creates the agent").isEqualTo(FakeRestoreTarget.Path.PRE_CREATED);
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
    static List<byte[]> capture(TernStrategy strategy, AgentImage image) throws MigrationException {
        return capture(strategy, image, ctx());
    }

    /**
     * Captures into the kit's {@link FakeChunkSink}: it refuses chunks over the context's limits as the core
     * does, and the capture must leave it no contract violation (oversized chunk, chunk after a refusal or from
     * another thread, chunk changed after hand-over). Returns the chunks as handed over.
     */
    static List<byte[]> capture(TernStrategy strategy, AgentImage image, MigrationContext ctx)
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
    static AgentImage restore(TernStrategy strategy, List<byte[]> chunks) throws MigrationException {
        FakeRestoreTarget target = target();
        restore(strategy, target, ctx(), chunks);
        return restored(target);
    }

    static void restore(TernStrategy strategy, RestoreTarget target, MigrationContext ctx, List<byte[]> chunks)
            throws MigrationException {
        RestoreSession session = strategy.beginRestore(target, ctx);
        for (byte[] c : chunks) {
            session.accept(c);
        }
        session.finish();
    }
}

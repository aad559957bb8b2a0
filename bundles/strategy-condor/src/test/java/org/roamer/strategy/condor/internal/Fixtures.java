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
import java.util.Random;
import java.util.stream.Stream;
import org.roamer.api.AgentStatus;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.testkit.FakeChunkSink;

/**
 * Tiny fakes of what the core provides to a strategy, and checkpoint helpers, for Condor's own tests. Chunks are
 * captured into the conformance kit's {@link FakeChunkSink} (bundles/testkit). The agent and the target stay
 * here: these tests move opaque images (random bytes of chosen segment sizes, any bytes in the property and fuzz
 * tests, images read back from checkpoint files), while the kit's {@code FakeAgent} only hands out images in its
 * own layout and its {@code FakeRestoreTarget} decodes every image it restores in that layout, so it would refuse
 * them.
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
        return image(LOCAL, data, stack, registers, seed);
    }

    static AgentImage image(AgentType type, int data, int stack, int registers, long seed) {
        Random r = new Random(seed);
        return new AgentImage(type, bytes(r, data), bytes(r, stack), bytes(r, registers));
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** The seed's TERN case (and the size the seed gives its user process): "a data size of about 72 Kbytes". */
    static AgentImage seed72k() {
        return image(72 * 1024, 512, 16, 72);
    }

    /** A stopped source agent that hands out a fixed image; NAIVE's variables are not available. */
    static class FakeAgent implements MigratingAgent {
        private final AgentImage image;
        int imageCalls;

        FakeAgent(AgentImage image) {
            this.image = image;
        }

        @Override
        public MobileId mobile() {
            return ALICE;
        }

        @Override
        public AgentStatus status() {
            return AgentStatus.NEGOTIATING;
        }

        @Override
        public boolean atStablePoint() {
            return false;
        }

        @Override
        public MigrationVariables variables() {
            throw new IllegalStateException("not at a stable point: negotiating");
        }

        @Override
        public AgentImage image() {
            imageCalls++;
            return image;
        }
    }

    /**
     * The target as Condor uses it: {@link #restoreImage} with the core's checks (this node's agent type, one
     * agent per migration), recording what was restored. Restoring variables or pre-creating is refused; a
     * {@link #preCreate} call is counted.
     */
    static class FakeTarget implements RestoreTarget {
        final List<AgentImage> restored = new ArrayList<>();
        int preCreated;

        @Override
        public AgentType localAgentType() {
            return LOCAL;
        }

        @Override
        public void restoreVariables(MigrationVariables variables) throws MigrationException {
            throw new MigrationException("Condor must not restore variables");
        }

        @Override
        public void restoreImage(AgentImage image) throws MigrationException {
            if (!image.type().equals(LOCAL)) {
                throw new MigrationException("agent type " + image.type() + " differs from this node's " + LOCAL);
            }
            if (!restored.isEmpty()) {
                throw new MigrationException("the agent was already restored in this migration");
            }
            restored.add(image);
        }

        @Override
        public PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) throws MigrationException {
            preCreated++;
            throw new MigrationException("Condor must not pre-create: it restores the whole image");
        }
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
    static List<byte[]> capture(CondorStrategy strategy, AgentImage image, MigrationContext ctx) throws MigrationException {
        FakeChunkSink sink = new FakeChunkSink(ctx);
        sink.open();
        try {
            strategy.capture(new FakeAgent(image), ctx, sink);
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
        FakeTarget target = new FakeTarget();
        restore(strategy, target, ctx(work), chunks);
        if (target.restored.size() != 1) {
            throw new AssertionError("expected one restored agent, got " + target.restored.size());
        }
        return target.restored.get(0);
    }

    static void restore(CondorStrategy strategy, FakeTarget target, MigrationContext ctx, List<byte[]> chunks)
            throws MigrationException {
        RestoreSession session = strategy.beginRestore(target, ctx);
        for (byte[] c : chunks) {
            session.accept(c);
        }
        session.finish();
    }
}

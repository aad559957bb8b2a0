package org.roamer.strategy.tern.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * Tiny fakes of what the core provides to a strategy, for TERN's own tests. Chunks are captured into the
 * conformance kit's {@link FakeChunkSink} (bundles/testkit). The agent and the target stay here: these tests move
 * opaque images (random bytes of chosen segment sizes, any bytes in the property and fuzz tests), while the kit's
 * {@code FakeAgent} only hands out images in its own layout and its {@code FakeRestoreTarget} decodes every image
 * it restores in that layout, so it would refuse them.
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

    /** The seed's TERN case: "a data size of about 72 Kbytes". */
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
     * The target as TERN uses it: {@link #preCreate} does what the core's does (refuses a foreign type or sizes
     * over its limit, allocates the segments, bounds-checks every page written), and the agent is recorded when
     * the pre-created agent completes, at most once. Restoring variables or a whole image is refused: TERN
     * pre-creates.
     */
    static class FakeTarget implements RestoreTarget {
        final List<AgentImage> restored = new ArrayList<>();
        final AgentType local;
        final long maxSegments;
        int preCreated;
        long pageWrites;

        FakeTarget() {
            this(LOCAL, MAX_IMAGE);
        }

        FakeTarget(AgentType local, long maxSegments) {
            this.local = local;
            this.maxSegments = maxSegments;
        }

        @Override
        public AgentType localAgentType() {
            return local;
        }

        @Override
        public void restoreVariables(MigrationVariables variables) throws MigrationException {
            throw new MigrationException("TERN must not restore variables");
        }

        @Override
        public void restoreImage(AgentImage image) throws MigrationException {
            throw new MigrationException("TERN must not restore a whole image: it pre-creates the agent");
        }

        @Override
        public PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) throws MigrationException {
            if (!type.equals(local)) {
                throw new MigrationException("agent type " + type + " differs from this node's " + local);
            }
            if (dataSize < 0 || stackSize < 0 || dataSize + (long) stackSize > maxSegments) {
                throw new MigrationException("declared segment sizes " + dataSize + "+" + stackSize + " exceed "
                        + maxSegments);
            }
            if (preCreated++ > 0) {
                throw new MigrationException("an agent was already pre-created in this migration");
            }
            byte[] data = new byte[dataSize];
            byte[] stack = new byte[stackSize];
            return new PreCreatedAgent() {
                @Override
                public void writeData(int offset, byte[] page) throws MigrationException {
                    write(data, offset, page, "data");
                }

                @Override
                public void writeStack(int offset, byte[] page) throws MigrationException {
                    write(stack, offset, page, "stack");
                }

                @Override
                public void complete(byte[] registers) throws MigrationException {
                    if (!restored.isEmpty()) {
                        throw new MigrationException("the agent was already restored in this migration");
                    }
                    restored.add(new AgentImage(type, data, stack, registers));
                }
            };
        }

        private void write(byte[] segment, int offset, byte[] page, String name) throws MigrationException {
            if (offset < 0 || page.length > segment.length - offset) {
                throw new MigrationException(name + " page at " + offset + " (+" + page.length + ") outside segment of "
                        + segment.length + " bytes");
            }
            pageWrites++;
            System.arraycopy(page, 0, segment, offset, page.length);
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
    static List<byte[]> capture(TernStrategy strategy, AgentImage image) throws MigrationException {
        return capture(strategy, image, ctx());
    }

    /**
     * Captures into the kit's {@link FakeChunkSink}: it refuses chunks over the context's limits as the core
     * does, and the capture must leave it no contract violation (oversized chunk, chunk after a refusal or from
     * another thread, chunk changed after hand-over). Returns the chunks as handed over.
     */
    static List<byte[]> capture(TernStrategy strategy, AgentImage image, MigrationContext ctx) throws MigrationException {
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
    static AgentImage restore(TernStrategy strategy, List<byte[]> chunks) throws MigrationException {
        FakeTarget target = new FakeTarget();
        restore(strategy, target, ctx(), chunks);
        if (target.restored.size() != 1) {
            throw new AssertionError("expected one restored agent, got " + target.restored.size());
        }
        return target.restored.get(0);
    }

    static void restore(TernStrategy strategy, FakeTarget target, MigrationContext ctx, List<byte[]> chunks)
            throws MigrationException {
        RestoreSession session = strategy.beginRestore(target, ctx);
        for (byte[] c : chunks) {
            session.accept(c);
        }
        session.finish();
    }
}

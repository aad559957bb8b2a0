/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.testkit.FakeRestoreTarget;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The Condor restore path on arbitrary chunks: a valid restore or a {@link MigrationException}, never another
 * exception, and never a file left behind. A plain {@code mvn test} replays the seeds in
 * {@code CondorRestoreFuzzTestInputs/restore/}; {@code JAZZER_FUZZ=1 mvn test -Dtest=CondorRestoreFuzzTest}
 * fuzzes.
 *
 * <p>Input layout: one mode byte, then chunks as {@code u16 length | bytes}; a last, short entry takes what
 * is left. When the mode byte is odd the harness appends the SHA-256 of all chunk bytes as one more chunk,
 * so the fuzzer gets past the checksum to the parser; when even, chunks are taken as they are.
 */
class CondorRestoreFuzzTest {
    private static final Path WORK = work();
    private final CondorStrategy strategy = Fixtures.strategy(new CondorStrategy.Settings(null, false, 65_536));

    /** A RAM file system when there is one, so fuzzing is not bound by the disk's fsync. */
    private static Path work() {
        try {
            Path shm = Path.of("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? shm
                    : Files.createDirectories(Path.of("target"));
            Path dir = Files.createTempDirectory(base, "condor-fuzz");
            // deleted in reverse order at exit; every input leaves the checkpoint directory empty
            dir.toFile().deleteOnExit();
            dir.resolve("checkpoints").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void restore(byte[] input) throws Exception {
        List<byte[]> chunks = chunks(input);
        FakeRestoreTarget target = Fixtures.target();
        RestoreSession session = strategy.beginRestore(target, Fixtures.ctx(WORK));
        try {
            for (byte[] c : chunks) {
                session.accept(c);
            }
            session.finish();
        } catch (MigrationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            assertThat(target.restored()).isFalse();
            session.abort();
            assertThat(Fixtures.files(WORK.resolve("checkpoints"))).isEmpty();
            return;
        }
        AgentImage image = Fixtures.restored(target);
        assertThat(Fixtures.files(WORK.resolve("checkpoints"))).isEmpty();
        assertThat(image.type()).isEqualTo(Fixtures.LOCAL);
        // what was accepted captures again into a checkpoint that restores to the same image
        Fixtures.assertSameImage(Fixtures.restore(strategy, Fixtures.capture(strategy, image, WORK), WORK), image);
    }

    /** Splits a fuzz input into chunks (see the class comment). */
    static List<byte[]> chunks(byte[] input) {
        List<byte[]> chunks = new ArrayList<>();
        if (input.length == 0) {
            return chunks;
        }
        boolean seal = (input[0] & 1) != 0;
        ByteBuffer in = ByteBuffer.wrap(input, 1, input.length - 1);
        while (in.hasRemaining()) {
            int n = in.remaining() >= 2 ? in.getShort() & 0xffff : in.remaining();
            byte[] c = new byte[Math.min(n, in.remaining())];
            in.get(c);
            chunks.add(c);
        }
        if (seal) {
            chunks.add(CheckpointFormat.sha256().digest(Fixtures.concat(chunks)));
        }
        return chunks;
    }

    /** The inverse of {@link #chunks}, for writing seeds. */
    static byte[] input(boolean seal, List<byte[]> chunks) {
        int size = 1 + chunks.stream().mapToInt(c -> 2 + c.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size).put((byte) (seal ? 1 : 0));
        for (byte[] c : chunks) {
            out.putShort((short) c.length).put(c);
        }
        return Arrays.copyOf(out.array(), size);
    }
}

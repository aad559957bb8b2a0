/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.testkit.FakeRestoreTarget;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The TERN restore path on arbitrary chunks: a valid restore or a {@link MigrationException}, never another
 * exception. A plain {@code mvn test} replays the seeds in {@code TernRestoreFuzzTestInputs/restore/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=TernRestoreFuzzTest} fuzzes.
 *
 * <p>Input layout: one mode byte, then chunks as {@code u16 length | bytes}; a last, short entry takes what
 * is left. When the mode byte is odd the harness recomputes every chunk's CRC32C, chained as a sender chains
 * them ({@link Fixtures#chained}), so the fuzzer gets past the checksum to the structure checks; when even, chunks
 * are taken as they are.
 */
class TernRestoreFuzzTest {
    private final TernStrategy strategy = new TernStrategy();

    @FuzzTest(maxDuration = "60s")
    void restore(byte[] input) throws Exception {
        List<byte[]> chunks = chunks(input);
        FakeRestoreTarget target = Fixtures.target();
        RestoreSession session = strategy.beginRestore(target, Fixtures.ctx());
        try {
            for (byte[] c : chunks) {
                session.accept(c);
            }
            session.finish();
        } catch (MigrationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            assertThat(target.restored()).isFalse();
            session.abort();
            return;
        }
        AgentImage image = Fixtures.restored(target);
        assertThat(image.type()).isEqualTo(Fixtures.LOCAL);
        // what was accepted captures again into chunks that restore to the same image
        Fixtures.assertSameImage(Fixtures.restore(strategy, Fixtures.capture(strategy, image)), image);
    }

    /** Splits a fuzz input into chunks (see the class comment). */
    static List<byte[]> chunks(byte[] input) {
        List<byte[]> chunks = new ArrayList<>();
        if (input.length == 0) {
            return chunks;
        }
        boolean reseal = (input[0] & 1) != 0;
        ByteBuffer in = ByteBuffer.wrap(input, 1, input.length - 1);
        while (in.hasRemaining()) {
            int n = in.remaining() >= 2 ? in.getShort() & 0xffff : in.remaining();
            n = Math.min(n, in.remaining());
            byte[] c = new byte[n];
            in.get(c);
            chunks.add(c);
        }
        return reseal ? Fixtures.chained(chunks) : chunks;
    }

    /** The inverse of {@link #chunks}, for writing seeds. */
    static byte[] input(boolean reseal, List<byte[]> chunks) {
        int size = 1 + chunks.stream().mapToInt(c -> 2 + c.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size).put((byte) (reseal ? 1 : 0));
        for (byte[] c : chunks) {
            out.putShort((short) c.length).put(c);
        }
        return Arrays.copyOf(out.array(), size);
    }
}

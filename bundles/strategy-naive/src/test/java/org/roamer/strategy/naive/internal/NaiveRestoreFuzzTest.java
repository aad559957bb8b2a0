/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.strategy.naive.internal.Fixtures.FakeTarget;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The NAIVE restore path on arbitrary bytes: a valid restore or a {@link MigrationException}, never another
 * exception. Two targets:
 *
 * <ul>
 *   <li>{@link #restore}: the input is the chunk, as it arrives from another node (JSON, then its CRC32C);
 *       almost every mutation breaks the checksum, which is what this target checks.</li>
 *   <li>{@link #restoreResealed}: the input is the JSON; the harness appends its correct CRC32C, so the fuzzer
 *       gets past the checksum to the JSON decoder.</li>
 * </ul>
 *
 * A plain {@code mvn test} replays the seeds in {@code NaiveRestoreFuzzTestInputs/restore/} and
 * {@code .../restoreResealed/} (the former written by the test-scope {@link FuzzSeeds});
 * {@code JAZZER_FUZZ=1 mvn test -Dtest='NaiveRestoreFuzzTest#restoreResealed'} fuzzes one of them.
 */
class NaiveRestoreFuzzTest {
    private final NaiveStrategy strategy = new NaiveStrategy();

    @FuzzTest(maxDuration = "60s")
    void restore(byte[] input) throws Exception {
        restoreChunk(input);
    }

    @FuzzTest(maxDuration = "60s")
    void restoreResealed(byte[] json) throws Exception {
        restoreChunk(Fixtures.seal(json));
    }

    private void restoreChunk(byte[] chunk) throws Exception {
        FakeTarget target = new FakeTarget();
        RestoreSession session = strategy.beginRestore(target, Fixtures.ctx(Fixtures.ALICE));
        try {
            session.accept(chunk);
            session.finish();
        } catch (MigrationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            assertThat(target.restored).isEmpty();
            session.abort();
            return;
        }
        assertThat(target.restored).hasSize(1);
        MigrationVariables vars = target.restored.get(0);
        assertThat(vars.mobile()).isEqualTo(Fixtures.ALICE);
        // what was accepted re-encodes into something that restores to the same variables
        byte[] again = VariablesCodec.encode(vars, Fixtures.MIGRATION, Fixtures.EPOCH);
        assertThat(VariablesCodec.decode(again, Fixtures.ALICE, Fixtures.MIGRATION, Fixtures.EPOCH)).isEqualTo(vars);
    }
}

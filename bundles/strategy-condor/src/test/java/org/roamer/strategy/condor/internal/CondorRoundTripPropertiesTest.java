/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.testkit.FakeRestoreTarget;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;

class CondorRoundTripPropertiesTest {
    private final Path work;

    CondorRoundTripPropertiesTest() throws IOException {
        Files.createDirectories(Path.of("target"));
        work = Files.createTempDirectory(Path.of("target"), "condor-properties");
    }

    /** Every try starts without checkpoints; the work directory is created again on demand. */
    @AfterTry
    void removeWorkDirectory() throws IOException {
        if (!Files.exists(work)) {
            return;
        }
        try (Stream<Path> all = Files.walk(work)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Property(tries = 100)
    void anyImageRoundTripsExactlyUnderAnyChunkSize(@ForAll("images") AgentImage image,
            @ForAll @IntRange(min = 64, max = 128 * 1024) int chunkSize, @ForAll boolean keep) throws Exception {
        CondorStrategy strategy = Fixtures.strategy(new CondorStrategy.Settings(null, keep, chunkSize));
        MigrationContext ctx = Fixtures.ctx(work);
        List<byte[]> chunks = Fixtures.capture(strategy, image, ctx);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(Math.min(chunkSize,
                Fixtures.MAX_CHUNK)));
        FakeRestoreTarget target = Fixtures.target();
        Fixtures.restore(strategy, target, ctx, chunks);
        Fixtures.assertSameImage(Fixtures.restored(target), image);
        assertThat(Fixtures.files(work.resolve("checkpoints"))).hasSize(keep ? 2 : 0);
    }

    @Property(tries = 100)
    void anyCutOrFlippedBitIsRefused(@ForAll("images") AgentImage image, @ForAll @IntRange(min = 0) int where,
            @ForAll boolean cut) throws Exception {
        CondorStrategy strategy = Fixtures.strategy(new CondorStrategy.Settings(null, false, 4096));
        byte[] file = Fixtures.concat(Fixtures.capture(strategy, image, work));
        int at = where % file.length;
        byte[] bad;
        if (cut) {
            bad = java.util.Arrays.copyOf(file, at);
        } else {
            bad = file.clone();
            bad[at] ^= (byte) (1 << (where % 8));
        }
        FakeRestoreTarget target = Fixtures.target();
        assertThatThrownBy(() -> Fixtures.restore(strategy, target, Fixtures.ctx(work), Fixtures.split(bad, 4096)))
                .isExactlyInstanceOf(MigrationException.class);
        assertThat(target.restored()).isFalse();
        assertThat(Fixtures.files(work.resolve("checkpoints"))).isEmpty();
    }

    @Provide
    Arbitrary<AgentImage> images() {
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(300 * 1024);
        Arbitrary<byte[]> stack = Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000);
        Arbitrary<byte[]> registers = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return Combinators.combine(data, stack, registers).as((d, s, r) -> new AgentImage(Fixtures.LOCAL, d, s, r));
    }
}

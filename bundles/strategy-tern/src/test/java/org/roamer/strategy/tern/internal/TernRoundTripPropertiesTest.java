/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

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

class TernRoundTripPropertiesTest {
    @Property(tries = 200)
    void anyImageRoundTripsExactlyUnderAnyPageSizeAndChunkLimit(@ForAll("images") AgentImage image,
            @ForAll("pageSizes") int pageSize, @ForAll @IntRange(min = 1, max = 32) int pagesPerChunk,
            @ForAll @IntRange(min = 200, max = 128 * 1024) int maxChunk) throws Exception {
        TernStrategy strategy = new TernStrategy(new TernStrategy.Settings(pageSize, pagesPerChunk));
        MigrationContext ctx = Fixtures.ctx(maxChunk, Fixtures.MAX_IMAGE);
        List<byte[]> chunks = Fixtures.capture(strategy, image, ctx);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(maxChunk));
        FakeRestoreTarget target = Fixtures.target();
        Fixtures.restore(strategy, target, ctx, chunks);
        Fixtures.assertSameImage(Fixtures.restored(target), image);
    }

    @Property(tries = 200)
    void droppingOrRepeatingAnyOneChunkIsRefused(@ForAll("images") AgentImage image,
            @ForAll @IntRange(min = 0, max = 10_000) int which, @ForAll boolean repeat) throws Exception {
        TernStrategy strategy = new TernStrategy();
        List<byte[]> chunks = new ArrayList<>(Fixtures.capture(strategy, image));
        int i = which % chunks.size();
        if (repeat) {
            chunks.add(i, chunks.get(i));
        } else {
            chunks.remove(i);
        }
        FakeRestoreTarget target = Fixtures.target();
        assertThatThrownBy(() -> Fixtures.restore(strategy, target, Fixtures.ctx(), chunks))
                .isExactlyInstanceOf(MigrationException.class);
        assertThat(target.restored()).isFalse();
    }

    @Provide
    Arbitrary<AgentImage> images() {
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(300 * 1024);
        Arbitrary<byte[]> stack = Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000);
        Arbitrary<byte[]> registers = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return Combinators.combine(data, stack, registers).as((d, s, r) -> new AgentImage(Fixtures.LOCAL, d, s, r));
    }

    @Provide
    Arbitrary<Integer> pageSizes() {
        return Arbitraries.oneOf(Arbitraries.of(64, 512, 4096, 65_536), Arbitraries.integers().between(64, 20_000));
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.roamer.api.spi.migration.AgentType;

/**
 * Writes the committed seed inputs of {@link TernRestoreFuzzTest}. Run from the module directory:
 * {@code java -cp target/classes:target/test-classes:<api jar> org.roamer.strategy.tern.internal.FuzzSeeds}.
 */
final class FuzzSeeds {
    private FuzzSeeds() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0
                ? args[0]
                : "src/test/resources/org/roamer/strategy/tern/internal/TernRestoreFuzzTestInputs/restore");
        Files.createDirectories(dir);
        TernStrategy small = new TernStrategy(new TernStrategy.Settings(64, 1));
        List<byte[]> valid = Fixtures.capture(small, Fixtures.image(200, 70, 8, 1));
        write(dir, "valid.bin", false, valid);
        write(dir, "valid-empty-segments.bin", false, Fixtures.capture(small, Fixtures.image(0, 0, 0, 2)));
        write(dir, "foreign-version.bin", false,
                Fixtures.capture(small,
                        Fixtures.image(new AgentType("org.roamer.core", "9.9.9", 0x5eedL), 100, 10, 4, 3)));
        List<byte[]> truncated = new ArrayList<>(valid.subList(0, valid.size() - 1));
        write(dir, "missing-registers.bin", false, truncated);
        List<byte[]> reordered = new ArrayList<>(valid);
        Collections.swap(reordered, 2, 3);
        write(dir, "reordered-pages.bin", false, reordered);
        List<byte[]> duplicated = new ArrayList<>(valid);
        duplicated.add(3, valid.get(2));
        write(dir, "duplicated-page.bin", false, duplicated);
        List<byte[]> garbled = new ArrayList<>(valid);
        byte[] g = valid.get(2).clone();
        g[10] ^= 0x10;
        garbled.set(2, g);
        write(dir, "garbled-page.bin", false, garbled);
        write(dir, "resealed-garbled-page.bin", true, garbled);
        write(dir, "huge-sizes.bin", false, Fixtures.chained(List.of(valid.get(0),
                TernFormat.sizes(0, Integer.MAX_VALUE, 1, 1))));
        write(dir, "negative-offset.bin", false, Fixtures.chained(List.of(valid.get(0), valid.get(1),
                TernFormat.page(0, TernFormat.DATA, -64, new byte[64], 0, 64))));
        // a page of another capture of the same image (another migration) spliced in: intact, but not in the chain
        List<byte[]> other = Fixtures.capture(small, Fixtures.image(200, 70, 8, 1),
                new org.roamer.api.spi.migration.MigrationContext(8L, Fixtures.ALICE, 4L, Fixtures.ctx().source(),
                        Fixtures.ctx().target(), Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE,
                        Fixtures.ctx().workDirectory()));
        List<byte[]> spliced = new ArrayList<>(valid);
        spliced.set(3, other.get(3));
        write(dir, "spliced-page.bin", false, spliced);
    }

    private static void write(Path dir, String name, boolean reseal, List<byte[]> chunks) throws Exception {
        Files.write(dir.resolve(name), TernRestoreFuzzTest.input(reseal, chunks));
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;

/**
 * Writes the committed seed inputs of {@link CondorRestoreFuzzTest}. Run from the module directory:
 * {@code java -cp target/classes:target/test-classes:<api jar> org.roamer.strategy.condor.internal.FuzzSeeds}.
 */
final class FuzzSeeds {
    private FuzzSeeds() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0
                ? args[0]
                : "src/test/resources/org/roamer/strategy/condor/internal/CondorRestoreFuzzTestInputs/restore");
        Files.createDirectories(dir);
        AgentImage image = Fixtures.image(200, 40, 8, 1);
        byte[] valid = file(image);
        write(dir, "valid.bin", false, Fixtures.split(valid, 100));
        write(dir, "valid-unsealed.bin", true, Fixtures.split(body(valid), 100));
        write(dir, "valid-empty-segments.bin", false, List.of(file(Fixtures.image(0, 0, 0, 2))));
        AgentImage foreign = Fixtures.image(new AgentType("org.roamer.core", "9.9.9", 0x5eedL), 50, 5, 1, 3);
        write(dir, "foreign-version.bin", false, List.of(file(foreign)));
        List<byte[]> chunks = Fixtures.split(valid, 100);
        write(dir, "missing-last-chunk.bin", false, chunks.subList(0, chunks.size() - 1));
        List<byte[]> reordered = new ArrayList<>(chunks);
        Collections.swap(reordered, 0, 1);
        write(dir, "reordered.bin", false, reordered);
        byte[] flipped = valid.clone();
        flipped[120] ^= 4;
        write(dir, "flipped-bit.bin", false, List.of(flipped));
        byte[] huge = body(valid);
        huge[40] = 0x7f; // data length 0x7f0000c8
        write(dir, "huge-data-length.bin", true, List.of(huge));
        byte[] headerLength = body(valid);
        headerLength[6] = 0x20;
        write(dir, "bad-header-length.bin", true, List.of(headerLength));
        write(dir, "not-a-checkpoint.bin", true, List.of("{\"v\":1,\"m\":\"alice\"}".getBytes()));
    }

    private static byte[] file(AgentImage image) throws Exception {
        return Fixtures.checkpointBytes(Fixtures.header(image), image.data(), image.stack(), image.registers());
    }

    private static byte[] body(byte[] file) {
        return Arrays.copyOf(file, file.length - CheckpointFormat.DIGEST);
    }

    private static void write(Path dir, String name, boolean seal, List<byte[]> chunks) throws Exception {
        Files.write(dir.resolve(name), CondorRestoreFuzzTest.input(seal, chunks));
    }
}

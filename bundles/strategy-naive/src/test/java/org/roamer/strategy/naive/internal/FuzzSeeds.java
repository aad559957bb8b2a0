/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the committed seed inputs of {@link NaiveRestoreFuzzTest#restore}: every JSON seed of
 * {@link NaiveRestoreFuzzTest#restoreResealed} sealed with its correct CRC32C for the migration of
 * {@link Fixtures#ctx} (so it reaches the JSON decoder), plus a few chunks whose checksum does not match — among them
 * one sealed for another migration and one sealed the way NAIVE did before its chunks named their migration. Run from the module directory:
 * {@code java -cp target/classes:target/test-classes:<api jar> org.roamer.strategy.naive.internal.FuzzSeeds}.
 */
final class FuzzSeeds {
    private static final Path INPUTS = Path.of(
            "src/test/resources/org/roamer/strategy/naive/internal/NaiveRestoreFuzzTestInputs");

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws Exception {
        Path json = INPUTS.resolve("restoreResealed");
        Path dir = INPUTS.resolve("restore");
        Files.createDirectories(dir);
        List<Path> seeds;
        try (Stream<Path> files = Files.list(json)) {
            seeds = files.sorted().toList();
        }
        for (Path seed : seeds) {
            String name = seed.getFileName().toString().replaceFirst("\\.[a-z0-9]+$", "");
            Files.write(dir.resolve(name + ".bin"), Fixtures.seal(Files.readAllBytes(seed)));
        }

        // checksums that do not match
        byte[] idle = Fixtures.seal(Files.readAllBytes(json.resolve("idle.json")));
        byte[] inCall = Fixtures.seal(Files.readAllBytes(json.resolve("in-call.json")));
        byte[] garbled = inCall.clone();
        garbled[new String(garbled, StandardCharsets.ISO_8859_1).indexOf("call-17")] = 'b'; // parses as "ball-17"
        Files.write(dir.resolve("bad-crc-garbled-call-id.bin"), garbled);
        byte[] flipped = idle.clone();
        flipped[flipped.length - 1] ^= 1;
        Files.write(dir.resolve("bad-crc-flipped-checksum.bin"), flipped);
        Files.write(dir.resolve("bad-crc-unsealed.json"), Files.readAllBytes(json.resolve("idle.json")));
        Files.write(dir.resolve("bad-crc-cut-checksum.bin"), Arrays.copyOf(inCall, inCall.length - 2));
        Files.write(dir.resolve("bad-crc-too-short.bin"), Arrays.copyOf(idle, 3));
        byte[] idleJson = Files.readAllBytes(json.resolve("idle.json"));
        Files.write(dir.resolve("bad-crc-other-migration.bin"),
                VariablesCodec.seal(idleJson, Fixtures.MIGRATION + 1, Fixtures.EPOCH));
        java.util.zip.CRC32C unbound = new java.util.zip.CRC32C();
        unbound.update(idleJson);
        Files.write(dir.resolve("bad-crc-unbound.bin"), java.nio.ByteBuffer.allocate(idleJson.length + 4).put(idleJson)
                .putInt((int) unbound.getValue()).array());
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit.reference;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

import org.roamer.api.spi.migration.MigrationException;

/** CRC32-sealed chunks and small writing helpers shared by the reference strategies. */
final class Wire {
    /** Bytes a seal adds. */
    static final int SEAL = 4;

    private Wire() {
    }

    /** {@code body} followed by its CRC32. */
    static byte[] seal(byte[] body) {
        byte[] out = Arrays.copyOf(body, body.length + SEAL);
        ByteBuffer.wrap(out, body.length, SEAL).putInt(crc(body, body.length));
        return out;
    }

    /** The body of a sealed chunk. @throws MigrationException when the chunk is too short or its CRC32 fails */
    static byte[] open(byte[] chunk, boolean verify) throws MigrationException {
        if (chunk == null || chunk.length < SEAL) {
            throw new MigrationException("chunk of " + (chunk == null ? "null" : chunk.length) + " bytes is too short");
        }
        int n = chunk.length - SEAL;
        if (verify && ByteBuffer.wrap(chunk, n, SEAL).getInt() != crc(chunk, n)) {
            throw new MigrationException("chunk fails its CRC32: garbled in transit");
        }
        return Arrays.copyOf(chunk, n);
    }

    static int crc(byte[] b, int length) {
        CRC32 crc = new CRC32();
        crc.update(b, 0, length);
        return (int) crc.getValue();
    }

    /** Writes with a {@link DataOutputStream} into a byte array. */
    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    static byte[] bytes(Body body) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            body.write(d);
            d.flush();
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

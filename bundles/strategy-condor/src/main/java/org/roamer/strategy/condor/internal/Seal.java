/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What seals a checkpoint file (its last {@value CheckpointFormat#DIGEST} bytes): a SHA-256 anyone can recompute
 * (checkpoints in transit, whose links are authenticated), or an HMAC-SHA256 under a node's key (recovery
 * checkpoints on disk: whoever can write the recovery directory but not read the key cannot make a changed file
 * that checks). Immutable; each {@link #start()} gives a new, single-use sealer.
 */
abstract class Seal {
    /** The SHA-256 of the file's bytes. */
    static final Seal SHA256 = new Seal("SHA-256") {
        @Override
        Sealer start() {
            MessageDigest sha = CheckpointFormat.sha256();
            return new Sealer() {
                @Override
                void update(ByteBuffer b) {
                    sha.update(b);
                }

                @Override
                byte[] finish() {
                    return sha.digest();
                }
            };
        }
    };

    /** Bytes of a key. */
    static final int KEY_BYTES = 32;

    private final String name;

    private Seal(String name) {
        this.name = name;
    }

    /** HMAC-SHA256 under {@code key} ({@value #KEY_BYTES} bytes; copied). */
    static Seal hmac(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a checkpoint key has " + KEY_BYTES + " bytes, not " + key.length);
        }
        SecretKeySpec spec = new SecretKeySpec(Arrays.copyOf(key, key.length), "HmacSHA256");
        return new Seal("HMAC-SHA256 under the node's key") {
            @Override
            Sealer start() {
                Mac mac;
                try {
                    mac = Mac.getInstance("HmacSHA256");
                    mac.init(spec);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("every Java platform has HmacSHA256", e);
                }
                return new Sealer() {
                    @Override
                    void update(ByteBuffer b) {
                        mac.update(b);
                    }

                    @Override
                    byte[] finish() {
                        return mac.doFinal();
                    }
                };
            }
        };
    }

    /** A new sealer. */
    abstract Sealer start();

    @Override
    public String toString() {
        return name;
    }

    /** Seals one file: its bytes in order, then {@link #finish()}. */
    abstract static class Sealer {
        abstract void update(ByteBuffer b);

        final void update(byte[] b) {
            update(ByteBuffer.wrap(b));
        }

        /** The seal, {@value CheckpointFormat#DIGEST} bytes. */
        abstract byte[] finish();
    }
}

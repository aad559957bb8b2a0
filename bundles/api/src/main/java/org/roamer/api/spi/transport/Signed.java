/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.transport;

import java.util.Objects;

/**
 * A signature made with a container's credential, with the credential's certificate, so that any node of the
 * network can check it without having met the signer: the certificate must be issued by the network's CA, and it
 * names who signed ({@link Peer}). A Location Server signs each migration's ticket this way.
 *
 * @param signature   the signature's bytes (for an EC key, ECDSA with SHA-256, DER)
 * @param certificate the signer's X.509 certificate, DER
 * @since 1.4
 */
public record Signed(byte[] signature, byte[] certificate) {
    /** Largest signature or certificate taken from a frame. */
    public static final int MAX_BYTES = 4096;

    /** Checks sizes and copies. */
    public Signed {
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(certificate, "certificate");
        if (signature.length == 0 || signature.length > MAX_BYTES || certificate.length == 0
                || certificate.length > MAX_BYTES) {
            throw new IllegalArgumentException("a signature and its certificate take 1.." + MAX_BYTES + " bytes each");
        }
        signature = signature.clone();
        certificate = certificate.clone();
    }

    /** A copy of the signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** A copy of the certificate. */
    @Override
    public byte[] certificate() {
        return certificate.clone();
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.directory.zookeeper.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The TLS material of a directory member or client: a PKCS#12 key store with this node's key and
 * certificate (signed by the network's CA), and a trust store with the CA. Both ends of every link present a
 * certificate the other checks (mutual TLS), and host names or addresses are verified against it.
 */
record Tls(Path keyStore, Path trustStore, String password) {
    Tls {
        Objects.requireNonNull(password, "password");
        for (Path p : new Path[]{keyStore, trustStore}) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS store " + p + " is missing or unreadable");
            }
        }
    }
}

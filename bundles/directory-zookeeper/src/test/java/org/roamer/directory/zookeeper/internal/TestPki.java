/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.directory.zookeeper.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network's CA and node certificates made by the distribution's own {@code bin/roamer-pki} (the recipe
 * {@code run.sh} uses): each node gets a PKCS#12 key store with its key and a certificate for 127.0.0.1 and
 * localhost signed by the CA, and a trust store with the CA.
 */
final class TestPki {
    static final String PASSWORD = "test-password";
    private static final Path SCRIPT = Path.of("..", "..", "karaf-assembly", "src", "main", "karaf", "assembly", "bin",
            "roamer-pki").toAbsolutePath().normalize();
    private final Path dir;

    TestPki(Path dir, String caName) throws IOException, InterruptedException {
        this.dir = dir;
        run("ca", caName);
    }

    Path trustStore() {
        return dir.resolve("trust.p12");
    }

    /** A node's key store, signed by this CA. */
    Path node(String name) throws IOException, InterruptedException {
        run("node", name);
        return dir.resolve(name + ".p12");
    }

    Tls tls(String name) throws IOException, InterruptedException {
        return new Tls(node(name), trustStore(), PASSWORD);
    }

    private void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), dir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("ROAMER_PKI_PASSWORD", PASSWORD);
        pb.environment().put("ROAMER_PKI_DAYS", "30");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("roamer-pki " + String.join(" ", args) + " failed: " + out);
        }
    }
}

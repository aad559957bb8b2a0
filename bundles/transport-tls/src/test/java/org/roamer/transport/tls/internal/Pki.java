/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tls.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A network's PKI made by the distribution's own {@code bin/roamer-pki} (one recipe for the product and tests). */
final class Pki {
    private static final Path SCRIPT = Path.of("..", "..", "karaf-assembly", "src", "main", "karaf", "assembly", "bin",
            "roamer-pki").toAbsolutePath().normalize();
    final Path dir;

    Pki(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        run("ca");
    }

    char[] password() throws IOException {
        return Files.readString(dir.resolve("password"), StandardCharsets.US_ASCII).trim().toCharArray();
    }

    /** A container's credential: {@code args} are {@code --role R} and {@code --cluster C} pairs. */
    Credentials credentials(String name, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("node", name));
        a.addAll(List.of(args));
        run(a.toArray(String[]::new));
        return Credentials.load(dir.resolve(name + ".p12"), dir.resolve("trust.p12"), password());
    }

    private void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), dir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("roamer-pki " + String.join(" ", args) + " failed: " + out);
        }
    }
}

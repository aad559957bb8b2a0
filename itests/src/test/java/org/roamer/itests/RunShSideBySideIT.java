/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The single-container launcher as a user drives it: two distributions side by side ({@code ROAMER_HOME} and
 * {@code ROAMER_PORT_BASE}, issue 9), and the console's secrets (issue 8): the generated password is printed on
 * the first start only, the container keeps its hash, the clear copy is its owner's only, and no process's command
 * line carries it while {@code ./run.sh client} runs.
 */
class RunShSideBySideIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path script = Path.of("..", "run.sh").toAbsolutePath().normalize();
    private final List<Path> homes = new ArrayList<>();
    private boolean passed;

    private record Result(int code, String output) {
    }

    private Result run(Path home, Integer portBase, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("run-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(script.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("ROAMER_HOME", home.toString());
        pb.environment().remove("ROAMER_PASSWORD");
        if (portBase != null) {
            pb.environment().put("ROAMER_PORT_BASE", portBase.toString());
        }
        Process p = pb.start();
        if (!p.waitFor(ScriptedNetwork.COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./run.sh " + String.join(" ", args) + " did not finish");
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    private String ok(Path home, Integer portBase, String... args) throws Exception {
        Result r = run(home, portBase, args);
        assertThat(r.code()).as("./run.sh " + String.join(" ", args) + ":\n" + r.output()).isZero();
        return r.output();
    }

    /** A base whose 14 ports (SSH at it, nodes at +10..+13) are free now. */
    private static int freeBase() throws IOException {
        for (int tries = 0; tries < 100; tries++) {
            int base = 20_000 + RANDOM.nextInt(20_000);
            if (free(base) && free(base + 10) && free(base + 11) && free(base + 12) && free(base + 13)) {
                return base;
            }
        }
        throw new IOException("no free port range");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    private Path home(String name) throws IOException {
        Path h = Path.of("target", name + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(4))).toAbsolutePath();
        homes.add(h);
        return h;
    }

    @AfterEach
    void stop() throws Exception {
        for (Path h : homes) {
            run(h, null, "stop");
            if (passed) {
                ScriptedNetwork.deleteTree(h);
            }
        }
    }

    @Test
    void twoDistributionsRunSideBySideAndNoCommandLineCarriesThePassword() throws Exception {
        Path a = home("side-a");
        Path b = home("side-b");
        int baseA = freeBase();
        String startedA = ok(a, baseA, "start");
        int baseB;
        do {
            baseB = freeBase();
        } while (Math.abs(baseB - baseA) < 14);
        String startedB = ok(b, baseB, "start");

        // each console shows its own nodes on its own ports
        String nodesA = ok(a, null, "client", "roamer:nodes");
        String nodesB = ok(b, null, "client", "roamer:nodes");
        assertThat(ScriptedNetwork.row(nodesA, "ls1")).contains("127.0.0.1:" + (baseA + 10));
        assertThat(ScriptedNetwork.row(nodesA, "uss-c3")).contains("127.0.0.1:" + (baseA + 13));
        assertThat(ScriptedNetwork.row(nodesB, "uss-c1")).contains("127.0.0.1:" + (baseB + 11));
        // and their own networks: the same mobile in both, moved in one only
        ok(a, null, "client", "roamer:register m1 c1");
        ok(b, null, "client", "roamer:register m1 c1");
        assertThat(ok(a, null, "client", "roamer:move m1 c2")).contains("migrated m1");
        assertThat(ok(a, null, "client", "roamer:agent m1")).contains("uss-c2");
        assertThat(ok(b, null, "client", "roamer:agent m1")).contains("uss-c1");

        // the generated password: printed by the first start, and only there
        Matcher m = Pattern.compile("password: ([A-Za-z0-9]{20})").matcher(startedA);
        assertThat(m.find()).as("the first start prints the generated password:\n" + startedA).isTrue();
        String password = m.group(1);
        assertThat(startedB).doesNotContain(password);
        ok(a, null, "stop");
        String again = ok(a, null, "start");
        assertThat(again).doesNotContain(password).contains("password: ./run.sh password");
        assertThat(ok(a, null, "password")).contains("password: " + password);
        // the container keeps its SHA-256 only; the clear copy is the operator's alone
        String users = Files.readString(a.resolve("etc/users.properties"));
        assertThat(users).contains("roamer = {CRYPT}").doesNotContain(password);
        assertThat(
                PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve("client/etc/users.properties"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve("client/etc"))))
                .isEqualTo("rwx------");

        // while ./run.sh client runs (here 3 s), no process's command line carries the password
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "client", "shell:sleep 3")
                .directory(script.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("ROAMER_HOME", a.toString());
        Process client = pb.start();
        int looked = 0;
        boolean sawClient = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.isAlive()) {
            if (System.nanoTime() > deadline) {
                client.descendants().forEach(ProcessHandle::destroyForcibly);
                client.destroyForcibly();
                throw new AssertionError("./run.sh client 'shell:sleep 3' did not end within 60 s");
            }
            for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                String line = p.info().commandLine().orElse("");
                assertThat(line).as("command line of process " + p.pid()).doesNotContain(password);
                sawClient |= line.contains("org.apache.karaf.client.Main");
            }
            looked++;
            Thread.sleep(100);
        }
        assertThat(client.exitValue()).isZero();
        assertThat(sawClient).as("the client's JVM was seen in " + looked + " looks").isTrue();
        passed = true;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A network of containers driven the way the README tells a user: {@code ./run.sh network ...} with this
 * test's own directory ({@code target/<prefix>-<random>/}), SSH and node ports and console password. Closing
 * stops the network and kills any process left from that directory; the directory is deleted when the test
 * passed (kept otherwise, or with {@code -Droamer.itest.keepRuntimeFolder=true}).
 */
// close() waits for processes to exit, so it may be interrupted: that ends the test, which is what an interrupt means here
@SuppressWarnings("try")
final class ScriptedNetwork implements AutoCloseable {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(240);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What one run of run.sh printed, and its exit code. */
    record Result(int code, String output) {
    }

    final Path base;
    private final Path script;
    private final String tag;
    private final int sshBase;
    private final int portBase;
    private final String password;
    private boolean passed;

    ScriptedNetwork(String prefix) throws IOException {
        tag = prefix;
        script = Path.of("..", "run.sh").toAbsolutePath().normalize();
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no run.sh at " + script);
        }
        base = Path.of("target", prefix + "-" + HexFormat.of().formatHex(bytes(6))).toAbsolutePath();
        Files.createDirectories(base);
        // run.sh: SSH and node ports at base + 0..22 (ls2, ls3 at 21, 22), ZooKeeper's at node base + 103..111
        int ssh;
        int port;
        do {
            ssh = freeRange(23);
            port = freeRange(112);
        } while (Math.abs(port - ssh) < 112);
        sshBase = ssh;
        portBase = port;
        password = HexFormat.of().formatHex(bytes(12));
        log("network in %s; SSH %d.., nodes %d..", base, sshBase, portBase);
    }

    /** Marks the test passed: its directory goes when the network is closed. */
    void passed() {
        passed = true;
    }

    /** The console password this network was started with (ROAMER_PASSWORD). */
    String password() {
        return password;
    }

    /** A container's home. */
    Path home(String container) {
        return base.resolve(container);
    }

    String client(String container, String... commands) throws Exception {
        return run(clientArgs(container, commands)).output();
    }

    /** Console commands in a container; a failing command is an answer, not an error. */
    Result tryClient(String container, String... commands) throws Exception {
        return runRaw(clientArgs(container, commands));
    }

    private static String[] clientArgs(String container, String... commands) {
        List<String> args = new ArrayList<>(List.of("network", "client", container));
        args.addAll(List.of(commands));
        return args.toArray(String[]::new);
    }

    /** ./run.sh with the arguments; fails on a non-zero exit. */
    Result run(String... args) throws Exception {
        Result r = runRaw(args);
        if (r.code() != 0) {
            throw new AssertionError("./run.sh " + String.join(" ", args) + " failed (exit " + r.code() + "):\n"
                    + r.output());
        }
        return r;
    }

    /** ./run.sh with this network's home, ports and password; bounded by {@link #COMMAND_TIMEOUT}. */
    Result runRaw(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(base, "run-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(script.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("ROAMER_NETWORK_HOME", base.toString());
        pb.environment().put("ROAMER_NETWORK_SSH", Integer.toString(sshBase));
        pb.environment().put("ROAMER_NETWORK_PORT", Integer.toString(portBase));
        pb.environment().put("ROAMER_PASSWORD", password);
        Process p = pb.start();
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.onExit().get(10, TimeUnit.SECONDS);
            throw new AssertionError(
                    "./run.sh " + String.join(" ", args) + " did not finish within " + COMMAND_TIMEOUT);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    @Override
    public void close() throws Exception {
        try {
            try {
                log("%s", runRaw("network", "stop").output());
            } finally {
                List<ProcessHandle> left = ours().toList();
                for (ProcessHandle p : left) {
                    log("killing left-over process %d: %s", p.pid(), p.info().commandLine().orElse("?"));
                    p.destroyForcibly();
                }
                for (ProcessHandle p : left) {
                    p.onExit().get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (passed && !Boolean.getBoolean("roamer.itest.keepRuntimeFolder")) {
                deleteTree(base);
            } else {
                log("kept %s (logs in */data/log/karaf.log)", base);
            }
        }
    }

    /** Every live process whose command line names this network's directory. */
    private Stream<ProcessHandle> ours() {
        String dir = base.toString();
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self && p.isAlive())
                .filter(p -> p.info().commandLine().orElse("").contains(dir));
    }

    // ------------------------------------------------------------------ output parsing

    static List<String> rows(String table, String key) {
        return table.lines().filter(l -> Stream.of(l.split("\\|")).map(String::trim).anyMatch(key::equals)).toList();
    }

    static String row(String table, String key) {
        List<String> r = rows(table, key);
        if (r.size() != 1) {
            throw new AssertionError(r.size() + " rows for '" + key + "' in:\n" + table);
        }
        return r.get(0) + " ";
    }

    static String field(String agent, String name) {
        return agent.lines().filter(l -> l.startsWith(name + " ")).map(l -> l.substring(name.length()).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no '" + name + "' in:\n" + agent));
    }

    // ------------------------------------------------------------------ helpers

    interface Attempt<T> {
        T get() throws Exception;
    }

    static <T> T poll(String what, Duration timeout, Attempt<T> attempt, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last;
        while (true) {
            last = attempt.get();
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
            }
            Thread.sleep(500); // between two attempts of a bounded poll
        }
    }

    /**
     * The first of {@code n} consecutive free loopback ports, from a random start below Linux's ephemeral range
     * (32768 and up): a port there may be taken by an outgoing connection between the check and the bind.
     */
    static int freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = 10_000 + RANDOM.nextInt(22_000 - n);
            boolean free = true;
            for (int p = first; p < first + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + n + " consecutive free ports found");
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    void log(String format, Object... args) {
        System.out.printf("[" + tag + "] " + format + "%n", args);
    }
}

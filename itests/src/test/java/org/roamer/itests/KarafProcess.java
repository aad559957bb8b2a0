/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The assembled distribution as its own process, driven the way an operator drives it: {@code bin/start},
 * {@code bin/client -b}, {@code bin/stop}, SIGKILL. It unpacks {@code roamer.distribution.zip} into
 * {@code target/<prefix>-<random>/}, moves every port out of the way (SSH and RMI on free ports, every Roamer
 * listener on {@code 127.0.0.1:0}, the USS nodes finding the in-container Location Server by themselves),
 * adds a console user with a random password. Every wait is bounded. {@link #close} stops Karaf (bin/stop, then
 * kills it) and any process still running from the unpack directory; the directory is deleted after a passing
 * test ({@link #passed}), kept after a failure or with {@code -Droamer.itest.keepRuntimeFolder=true}.
 */
// close() waits for processes to exit, so it may be interrupted: that ends the test, which is what an interrupt means here
@SuppressWarnings("try")
final class KarafProcess implements AutoCloseable {
    static final String USER = "roamer";
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_PAUSE = Duration.ofMillis(500);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String tag;
    private Path base;
    private final Path home;
    private String password;
    private int sshPort;
    /** The running Karaf JVM, when one was started. */
    private ProcessHandle karaf;
    private boolean passed;
    private int clientRuns;

    /** Unpacks the distribution and configures it (periodic checkpoints every second, no restore on start). */
    KarafProcess(String prefix) throws IOException {
        tag = prefix;
        Path zip = Path.of(System.getProperty("roamer.distribution.zip",
                "target/distribution/roamer-karaf-assembly.zip")).toAbsolutePath();
        assertThat(zip).as("the Roamer distribution (build it first: mvn -B install -DskipTests at the root)")
                .isRegularFile();
        base = Path.of("target", prefix + "-" + HexFormat.of().formatHex(bytes(6))).toAbsolutePath();
        Files.createDirectories(base);
        base = base.toRealPath(); // bin/karaf names its home by its physical path
        unzip(zip, base);
        try (Stream<Path> top = Files.list(base)) {
            home = top.filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IllegalStateException("nothing unpacked from " + zip));
        }
        try (Stream<Path> bin = Files.list(home.resolve("bin"))) {
            bin.filter(p -> !p.toString().endsWith(".bat")).forEach(p -> p.toFile().setExecutable(true, false));
        }
        configure();
        log("distribution %s unpacked to %s; SSH on 127.0.0.1:%d", zip.getFileName(), home, sshPort);
    }

    /** Edits etc/ before the first start. */
    private void configure() throws IOException {
        Path etc = home.resolve("etc");
        sshPort = freePort();
        put(etc.resolve("org.apache.karaf.shell.cfg"), Map.of("sshPort", Integer.toString(sshPort),
                "sshHost", "127.0.0.1"));
        // JMX/RMI: not booted by the distribution; moved out of the way should the management feature come
        put(etc.resolve("org.apache.karaf.management.cfg"), Map.of("rmiRegistryPort", Integer.toString(freePort()),
                "rmiServerPort", Integer.toString(freePort()), "rmiRegistryHost", "127.0.0.1",
                "rmiServerHost", "127.0.0.1"));
        put(etc.resolve("org.roamer.location-ls1.cfg"), Map.of("listen", "127.0.0.1:0"));
        List<Path> uss;
        try (Stream<Path> files = Files.list(etc)) {
            uss = files.filter(p -> p.getFileName().toString().matches("org\\.roamer\\.uss-.+\\.cfg")).sorted()
                    .toList();
        }
        assertThat(uss).isNotEmpty();
        for (Path cfg : uss) {
            Map<String, String> edits = new LinkedHashMap<>();
            edits.put("listen", "127.0.0.1:0");
            edits.put("location.server", ""); // the in-container Location Server, wherever it listens
            edits.put("checkpoint.interval.s", "1");
            edits.put("checkpoint.restore.on.start", "false");
            put(cfg, edits);
        }
        password = HexFormat.of().formatHex(bytes(12));
        Path users = etc.resolve("users.properties");
        Map<String, String> login = new LinkedHashMap<>();
        login.put(USER, password + ",_g_:admingroup");
        login.put("_g_\\:admingroup", "group,admin,manager,viewer,systembundles,ssh");
        put(users, login);
        try {
            Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    Path home() {
        return home;
    }

    long pid() {
        return karaf.pid();
    }

    /** The test passed: {@link #close} deletes the unpack directory. */
    void passed() {
        passed = true;
    }

    /** The USS configurations in etc/. */
    List<Path> ussConfigs() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("etc"))) {
            return files.filter(p -> p.getFileName().toString().matches("org\\.roamer\\.uss-.+\\.cfg")).sorted()
                    .toList();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (karaf != null && karaf.isAlive()) {
                try {
                    stop();
                } catch (java.util.concurrent.TimeoutException e) {
                    log("Karaf (pid %d) did not stop within %s: killing it", karaf.pid(), STOP_TIMEOUT);
                    kill();
                }
            }
        } finally {
            // whatever still runs from this unpack directory is ours: a wrapper script, a client, a JVM
            if (base != null) {
                List<ProcessHandle> left = ours().toList();
                for (ProcessHandle p : left) {
                    log("killing left-over process %d: %s", p.pid(), p.info().commandLine().orElse("?"));
                    p.destroyForcibly();
                }
                for (ProcessHandle p : left) {
                    p.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
                assertThat(ours().toList()).as("processes left running from " + base).isEmpty();
            }
            if (base != null && passed && !Boolean.getBoolean("roamer.itest.keepRuntimeFolder")) {
                deleteTree(base);
            } else if (base != null) {
                log("kept %s (logs in data/log/karaf.log)", base);
            }
        }
    }

    // ------------------------------------------------------------------ Karaf as a process

    /** bin/start, then polls the console until roamer:nodes lists the nodes; returns the time it took. */
    Duration start() throws Exception {
        Files.deleteIfExists(home.resolve("karaf.pid"));
        long t0 = System.nanoTime();
        // output to a file, never a pipe: the Karaf JVM inherits it and outlives bin/start
        Process start = karafScript("start").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("start.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(devNull())).start();
        assertThat(start.waitFor(60, TimeUnit.SECONDS)).as("bin/start returned").isTrue();
        assertThat(start.exitValue()).as("bin/start exit code").isZero();
        karaf = poll("the Karaf JVM of " + home, Duration.ofSeconds(60), this::findKaraf, Optional::isPresent)
                .orElseThrow();
        String nodes = poll("the console answering roamer:nodes", BOOT_TIMEOUT, () -> {
            if (!karaf.isAlive()) {
                throw new AssertionError("Karaf stopped while starting:\n" + tail(home.resolve("data/log/karaf.log")));
            }
            Result r = client(List.of("roamer:nodes"), 10);
            return r.code() == 0 ? r.output() : "";
        }, out -> out.contains("ls1") && out.contains("uss-c1") && out.contains("uss-c2"));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        log("roamer:nodes:%n%s", nodes);
        return took;
    }

    /** bin/stop, then waits for the Karaf JVM to exit; returns the time it took. */
    Duration stop() throws Exception {
        long t0 = System.nanoTime();
        Process stop = karafScript("stop").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("stop.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(devNull())).start();
        if (!stop.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            stop.destroyForcibly();
        }
        karaf.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** A script of bin/ run in the Karaf home with JAVA_HOME = the JVM running this test. */
    private ProcessBuilder karafScript(String script, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin").resolve(script).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb;
    }

    /** The Karaf JVM started from this unpack directory: its pid file, checked against its command line. */
    private Optional<ProcessHandle> findKaraf() {
        Path pidFile = home.resolve("karaf.pid");
        try {
            if (Files.isRegularFile(pidFile)) {
                String text = Files.readString(pidFile).trim();
                if (text.matches("\\d+")) {
                    Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(text)).filter(ProcessHandle::isAlive)
                            .filter(this::isOurKaraf);
                    if (p.isPresent()) {
                        return p;
                    }
                }
            }
        } catch (IOException e) {
            // being written: look at the processes instead
        }
        return ProcessHandle.allProcesses().filter(this::isOurKaraf).findFirst();
    }

    private boolean isOurKaraf(ProcessHandle p) {
        String cmd = p.info().commandLine().orElse("");
        return cmd.contains("org.apache.karaf.main.Main") && cmd.contains("-Dkaraf.base=" + home);
    }

    /** Every live process whose command line names this test's unpack directory. */
    private Stream<ProcessHandle> ours() {
        String dir = base.toString();
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self && p.isAlive())
                .filter(p -> p.info().commandLine().orElse("").contains(dir));
    }

    /** SIGKILL to the Karaf JVM; waits (bounded) until it and its bin/karaf wrapper have exited. */
    void kill() throws Exception {
        ProcessHandle jvm = karaf;
        Optional<ProcessHandle> wrapper = jvm.parent()
                .filter(p -> p.info().commandLine().orElse("").contains(home.resolve("bin").toString()));
        jvm.destroyForcibly(); // SIGKILL on Unix: no shutdown hook runs, nothing is flushed
        jvm.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (wrapper.isPresent()) {
            wrapper.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS); // it exits with the JVM's 137
        }
        assertThat(jvm.isAlive()).isFalse();
    }

    // ------------------------------------------------------------------ the console

    record Result(int code, String output) {
    }

    /** Runs commands in one batch session; fails unless every command succeeded. */
    String console(String... commands) throws Exception {
        Result r = client(List.of(commands), 5);
        if (r.code() != 0) {
            throw new AssertionError("console commands " + List.of(commands) + " failed (exit " + r.code() + "):\n"
                    + r.output());
        }
        return r.output();
    }

    /** bin/client in batch mode, commands on stdin; bounded by {@link #COMMAND_TIMEOUT}. */
    Result client(List<String> commands, int attempts) throws Exception {
        Path out = base.resolve("client-" + (++clientRuns) + ".out");
        Process p = karafScript("client", "-u", USER, "-p", password, "-h", "127.0.0.1", "-a",
                Integer.toString(sshPort), "-r", Integer.toString(attempts), "-d", "1", "-b")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client ended before reading its input; its output says why
        }
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.onExit().get(10, TimeUnit.SECONDS);
            throw new AssertionError("bin/client did not finish " + commands + " within " + COMMAND_TIMEOUT);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    // ------------------------------------------------------------------ helpers

    interface Attempt<T> {
        T get() throws Exception;
    }

    /** Repeats {@code attempt} until {@code done} holds, at most {@code timeout}; returns the last value. */
    static <T> T poll(String what, Duration timeout, Attempt<T> attempt, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (true) {
            last = attempt.get();
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
            }
            Thread.sleep(POLL_PAUSE.toMillis()); // between two attempts of a bounded poll
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static java.io.File devNull() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** Sets {@code key = value} lines of a properties/cfg file: replaces the first uncommented one, or appends. */
    static void put(Path file, Map<String, String> values) throws IOException {
        List<String> lines = Files.exists(file)
                ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.ISO_8859_1))
                : new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String line = e.getKey() + " = " + e.getValue();
            boolean replaced = false;
            for (int i = 0; i < lines.size() && !replaced; i++) {
                String l = lines.get(i).trim();
                if (!l.startsWith("#") && !l.startsWith("!") && l.contains("=")
                        && l.substring(0, l.indexOf('=')).trim().equals(e.getKey())) {
                    lines.set(i, line);
                    replaced = true;
                }
            }
            if (!replaced) {
                lines.add(line);
            }
        }
        Files.write(file, lines, StandardCharsets.ISO_8859_1);
    }

    private static void unzip(Path zip, Path into) throws IOException {
        Path root = into.normalize();
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("zip entry outside the target directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> {
                try {
                    return p.getFileName() + " (" + Files.size(p) + " B)";
                } catch (java.nio.file.NoSuchFileException e) {
                    return p.getFileName() + " (gone: a checkpoint's temporary file, renamed meanwhile)";
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no " + log + ": " + e + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
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

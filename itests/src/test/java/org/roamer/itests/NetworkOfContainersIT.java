package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A network of containers, started the way the README tells a user: {@code ./run.sh network start 3} runs a
 * Location Server container and three USS containers, each its own Karaf process. The test then drives the
 * consoles with {@code ./run.sh network client} and checks that every console sees and commands the whole
 * network: registrations, moves, calls and messages across containers, a plug-in swapped on another container's
 * node, a strategy uninstalled in one container only (its peers negotiate around it), a USS container killed
 * with SIGKILL (its agents come back from their checkpoints when it starts again), and the Location Server's
 * container killed and restarted (the USS nodes re-announce their agents; no "unknown cluster", epochs go on).
 *
 * <p>Everything lives in {@code target/net-<random>/} with its own SSH and node ports; the network is always
 * stopped afterwards and any process left from that directory is killed. The directory is deleted after a
 * passing run (kept after a failure, or with {@code -Droamer.itest.keepRuntimeFolder=true}).
 */
class NetworkOfContainersIT {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(240);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Path script;
    private Path base;
    private int sshBase;
    private int portBase;
    private String password;
    private boolean passed;

    @BeforeEach
    void prepare() throws IOException {
        script = Path.of("..", "run.sh").toAbsolutePath().normalize();
        assertThat(script).as("run.sh at the root of the repository").isRegularFile();
        base = Path.of("target", "net-" + HexFormat.of().formatHex(bytes(6))).toAbsolutePath();
        Files.createDirectories(base);
        // run.sh: SSH and node ports at base + 0..22 (ls2, ls3 at 21, 22), ZooKeeper's at node base + 103..111
        sshBase = freeRange(23);
        do {
            portBase = freeRange(112);
        } while (Math.abs(portBase - sshBase) < 112);
        password = HexFormat.of().formatHex(bytes(12));
        log("network in %s; SSH %d.., nodes %d..", base, sshBase, portBase);
    }

    @Test
    void theConsolesOfSeparateContainersRunOneNetwork() throws Exception {
        String started = run("network", "start", "3");
        log("./run.sh network start 3:%n%s", started);
        assertThat(started).contains("Network of 4 containers");
        for (String uss : List.of("uss-c1", "uss-c2", "uss-c3")) {
            assertThat(row(started, uss)).as(uss + " listed by the LS container's console").contains("| c" + uss.charAt(5));
        }
        String status = run("network", "status");
        log("./run.sh network status:%n%s", status);
        assertThat(status).contains("4 of 4 containers running");

        // every console lists every node with its container
        String nodes = client("c2", "roamer:nodes");
        assertThat(row(nodes, "ls1")).contains("| ls1 ");
        assertThat(row(nodes, "rp-c3-2")).contains("| c3 ");
        assertThat(row(nodes, "call-c1")).contains("| c1 ");

        // a mobile registered in c1 from c1's console moves to c3 and back from c3's console, with its messages
        String reg = client("c1", "roamer:register m1 c1", "roamer:register m2 c3");
        log("registrations:%n%s", reg);
        assertThat(reg).contains("registered m1 in c1: agent on uss-c1").contains("registered m2 in c3: agent on uss-c3");
        int sent = 0;
        for (String to : List.of("c3", "c2", "c1")) {
            client("c2", "roamer:send m1 hello --count 20 --sender s1");
            sent += 20;
            String moved = client("c3", "roamer:move m1 " + to);
            log("roamer:move m1 %s (from c3's console):%n%s", to, moved);
            assertThat(moved).contains("migrated m1").contains("-> " + to);
        }
        String agent = client("ls1", "roamer:agent m1");
        log("roamer:agent m1 (from the LS container's console):%n%s", agent);
        assertThat(field(agent, "node")).startsWith("uss-c1");
        assertThat(field(agent, "epoch")).isEqualTo("4");
        assertThat(field(agent, "delivered")).isEqualTo(Integer.toString(sent));

        // a call placed from a console that has neither party
        String call = client("c2", "roamer:call m1 m2");
        log("roamer:call m1 m2 (from c2's console):%n%s", call);
        assertThat(call).contains("accepted").contains("paged       yes, found at rp-c3-");
        String agents = client("c3", "roamer:agents");
        log("roamer:agents (from c3's console):%n%s", agents);
        assertThat(row(agents, "m1")).contains("uss-c1").contains("in call");
        assertThat(row(agents, "m2")).contains("uss-c3").contains("in call");

        // plug-ins swapped on another container's node
        String swapped = client("c1", "roamer:strategy uss-c3 tern", "roamer:transport uss-c2 udp");
        log("swaps from c1's console:%n%s", swapped);
        assertThat(swapped).contains("uss-c3 now prefers tern").contains("uss-c2 now sends with udp");
        assertThat(row(client("c2", "roamer:nodes"), "uss-c3")).contains("| tern ");

        // a strategy missing in one container only: uss-c2's peers negotiate another one with it
        client("c2", "feature:uninstall roamer-strategy-naive");
        String strategies = client("c1", "roamer:strategies uss-c2");
        log("roamer:strategies uss-c2 after naive left container c2:%n%s", strategies);
        assertThat(strategies).doesNotContain("naive").contains("tern");
        String negotiated = client("c1", "roamer:move m2 c2");
        log("roamer:move m2 c2 (uss-c3 prefers tern, c2 has no naive):%n%s", negotiated);
        assertThat(negotiated).contains("migrated m2 c3 -> c2 with tern");
        String back = client("c3", "roamer:move m2 c3");
        assertThat(back).contains("migrated m2 c2 -> c3");

        // a USS container killed: its agents come back from their checkpoints when it starts again
        poll("a checkpoint of m2 on uss-c3", Duration.ofSeconds(30), () -> client("c3", "roamer:checkpoints uss-c3"),
                out -> !rows(out, "m2").isEmpty());
        String epochBefore = field(client("c1", "roamer:agent m2"), "epoch");
        log("%s", run("network", "kill", "c3"));
        String down = client("c1", "roamer:nodes");
        log("roamer:nodes with c3 down:%n%s", down);
        assertThat(row(down, "uss-c3")).contains("not answering");
        String restarted = run("network", "start", "3");
        log("./run.sh network start 3 after the kill:%n%s", restarted);
        String m2 = poll("m2 restored on uss-c3", Duration.ofSeconds(60), () -> client("c1", "roamer:agent m2"),
                out -> out.contains("uss-c3") && Long.parseLong(field(out, "epoch")) > Long.parseLong(epochBefore));
        log("roamer:agent m2 after c3 restarted:%n%s", m2);

        // the Location Server's container killed and restarted with its in-memory directory
        String epochM1 = field(client("c2", "roamer:agent m1"), "epoch");
        log("%s", run("network", "kill", "ls1"));
        log("%s", run("network", "start", "3"));
        String afterLs = poll("a move through the restarted Location Server", Duration.ofSeconds(60),
                () -> client(true, "c1", "roamer:move m1 c2"), out -> out.contains("migrated m1 c1 -> c2"));
        log("roamer:move m1 c2 after the LS restarted:%n%s", afterLs);
        String m1 = client("c3", "roamer:agent m1");
        assertThat(field(m1, "node")).startsWith("uss-c2");
        assertThat(Long.parseLong(field(m1, "epoch"))).isGreaterThan(Long.parseLong(epochM1));
        assertThat(client("ls1", "roamer:agents")).contains("m1").contains("m2");
        passed = true;
    }

    /**
     * The directory on ZooKeeper: three Location Server containers, each a member of the ensemble. Twenty mobiles
     * move round the clusters while the container of the Location Server every USS uses is killed with SIGKILL:
     * the USS nodes fail over to the next Location Server, the moves go on through it, and afterwards every mobile
     * has exactly one agent, where its last move put it, with every message delivered. The killed container
     * comes back and its Location Server answers from the directory.
     */
    @Test
    void aLocationServerContainerKilledWhileMobilesMoveOnTheZooKeeperDirectory() throws Exception {
        String started = run("network", "start", "3", "--directory", "zookeeper");
        log("./run.sh network start 3 --directory zookeeper:%n%s", started);
        assertThat(started).contains("Network of 6 containers").contains("zookeeper directory");
        for (String ls : List.of("ls1", "ls2", "ls3")) {
            assertThat(row(started, ls)).contains("location-server");
        }
        int mobiles = 20;
        List<String> reg = new ArrayList<>();
        List<String> send = new ArrayList<>();
        for (int i = 0; i < mobiles; i++) {
            reg.add("roamer:register m" + i + " c" + (1 + i % 3));
            send.add("roamer:send m" + i + " before --count 5");
        }
        client("c1", reg.toArray(String[]::new));
        client("c2", send.toArray(String[]::new));

        // three rounds of moves of every mobile; the LS container in use is killed during the second
        java.util.Map<String, String> at = new java.util.HashMap<>();
        long killedAt = 0;
        long firstMoveAfterKill = 0;
        for (int round = 0; round < 3; round++) {
            List<String> pending = new ArrayList<>();
            for (int i = 0; i < mobiles; i++) {
                String to = "c" + (1 + (i + round + 1) % 3);
                at.put("m" + i, to);
                pending.add("roamer:move m" + i + " " + to);
            }
            if (round == 1) {
                pending = new ArrayList<>(pending);
                moveAll("c3", pending.subList(0, 5));
                log("%s", run("network", "kill", "ls1"));
                killedAt = System.nanoTime();
                long firstDone = moveAll("c3", new ArrayList<>(pending.subList(5, pending.size())));
                firstMoveAfterKill = firstDone - killedAt;
            } else {
                moveAll("c3", pending);
            }
        }
        log("first move through another Location Server %d ms after ls1 was killed (from the console, bin/client"
                + " included)", firstMoveAfterKill / 1_000_000);

        String agents = client("c2", "roamer:agents");
        log("roamer:agents after the failover:%n%s", agents);
        for (int i = 0; i < mobiles; i++) {
            String m = "m" + i;
            assertThat(rows(agents, m)).as(m + " has one agent").hasSize(1);
            assertThat(row(agents, m)).as(m + " is where its last move put it").contains("uss-" + at.get(m) + " ");
        }
        send.replaceAll(c -> c.replace("before", "after"));
        client("c1", send.toArray(String[]::new));
        String after = client("c1", "roamer:agents");
        for (int i = 0; i < mobiles; i++) {
            String[] cells = row(after, "m" + i).split("\\|");
            assertThat(cells[cells.length - 1].trim()).as("m" + i + ": 10 messages delivered").isEqualTo("10");
        }

        // the killed container comes back; its Location Server answers from the directory
        log("%s", run("network", "start", "3"));
        String fromLs1 = poll("ls1 locating m7 from the directory", Duration.ofSeconds(60),
                () -> client(true, "ls1", "roamer:agent m7"), out -> out.contains("uss-" + at.get("m7")));
        log("roamer:agent m7 in the restarted ls1:%n%s", fromLs1);
        passed = true;
    }

    /**
     * Runs moves in batches from a console, retrying what an unanswered or refused batch left (a mobile found
     * already in its target cluster counts as moved); returns when the first move succeeded (System.nanoTime).
     */
    private long moveAll(String container, List<String> moves) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long first = 0;
        List<String> left = new ArrayList<>(moves);
        while (!left.isEmpty()) {
            List<String> batch = new ArrayList<>(left.subList(0, Math.min(5, left.size())));
            String out = client(true, container, batch.toArray(String[]::new));
            int done = 0;
            for (String move : batch) {
                String[] w = move.split(" ");
                if (out.contains("migrated " + w[1] + " ") || out.contains("'" + w[1] + "' is already in cluster " + w[2])) {
                    done++;
                } else {
                    break;
                }
            }
            if (done > 0 && first == 0) {
                first = System.nanoTime();
            }
            left.subList(0, done).clear();
            if (done < batch.size()) {
                assertThat(System.nanoTime()).as("moves left: " + left + "; last answer:\n" + out).isLessThan(deadline);
                Thread.sleep(200); // the network fails over meanwhile
            }
        }
        return first;
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (base != null) {
                try {
                    log("%s", run(true, "network", "stop"));
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
            }
        } finally {
            if (base != null && passed && !Boolean.getBoolean("roamer.itest.keepRuntimeFolder")) {
                deleteTree(base);
            } else if (base != null) {
                log("kept %s (logs in */data/log/karaf.log)", base);
            }
        }
    }

    // ------------------------------------------------------------------ run.sh

    private String client(String container, String... commands) throws Exception {
        return client(false, container, commands);
    }

    private String client(boolean mayFail, String container, String... commands) throws Exception {
        List<String> args = new ArrayList<>(List.of("network", "client", container));
        args.addAll(List.of(commands));
        return run(mayFail, args.toArray(String[]::new));
    }

    private String run(String... args) throws Exception {
        return run(false, args);
    }

    /** ./run.sh with this test's network home, ports and password; fails on a non-zero exit unless allowed. */
    private String run(boolean mayFail, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(base, "run-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(script.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("ROAMER_NETWORK_HOME", base.toString());
        pb.environment().put("ROAMER_NETWORK_SSH", Integer.toString(sshBase));
        pb.environment().put("ROAMER_NETWORK_PORT", Integer.toString(portBase));
        pb.environment().put("ROAMER_PASSWORD", password);
        Process p = pb.start();
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.onExit().get(10, TimeUnit.SECONDS);
            throw new AssertionError("./run.sh " + String.join(" ", args) + " did not finish within " + COMMAND_TIMEOUT);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        if (p.exitValue() != 0 && !mayFail) {
            throw new AssertionError("./run.sh " + String.join(" ", args) + " failed (exit " + p.exitValue() + "):\n"
                    + text);
        }
        return text;
    }

    /** Every live process whose command line names this test's directory. */
    private Stream<ProcessHandle> ours() {
        String dir = base.toString();
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self && p.isAlive())
                .filter(p -> p.info().commandLine().orElse("").contains(dir));
    }

    // ------------------------------------------------------------------ output parsing

    private static List<String> rows(String table, String key) {
        return table.lines().filter(l -> Stream.of(l.split("\\|")).map(String::trim).anyMatch(key::equals)).toList();
    }

    private static String row(String table, String key) {
        List<String> r = rows(table, key);
        if (r.size() != 1) {
            throw new AssertionError(r.size() + " rows for '" + key + "' in:\n" + table);
        }
        return r.get(0) + " ";
    }

    private static String field(String agent, String name) {
        return agent.lines().filter(l -> l.startsWith(name + " ")).map(l -> l.substring(name.length()).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no '" + name + "' in:\n" + agent));
    }

    // ------------------------------------------------------------------ helpers

    interface Attempt<T> {
        T get() throws Exception;
    }

    private static <T> T poll(String what, Duration timeout, Attempt<T> attempt, Predicate<T> done) throws Exception {
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
    private static int freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = 10_000 + RANDOM.nextInt(22_000);
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

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf("[NetworkOfContainersIT] " + format + "%n", args);
    }
}

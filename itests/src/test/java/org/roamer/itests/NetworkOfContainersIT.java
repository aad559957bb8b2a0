/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.roamer.itests.ScriptedNetwork.field;
import static org.roamer.itests.ScriptedNetwork.row;
import static org.roamer.itests.ScriptedNetwork.rows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
 * Everything lives in its own directory with its own ports ({@link ScriptedNetwork}).
 */
class NetworkOfContainersIT {
    private ScriptedNetwork net;

    @BeforeEach
    void prepare() throws Exception {
        net = new ScriptedNetwork("net");
    }

    @AfterEach
    void stop() throws Exception {
        if (net != null) {
            net.close();
        }
    }

    private String tryClientOut(String container, String... commands) throws Exception {
        return net.tryClient(container, commands).output();
    }

    @Test
    void theConsolesOfSeparateContainersRunOneNetwork() throws Exception {
        String started = net.run("network", "start", "3").output();
        net.log("./run.sh network start 3:%n%s", started);
        assertThat(started).contains("Network of 4 containers");
        for (String uss : List.of("uss-c1", "uss-c2", "uss-c3")) {
            assertThat(row(started, uss)).as(uss + " listed by the LS container's console")
                    .contains("| c" + uss.charAt(5));
        }
        // console secrets: the password is printed nowhere (it was given); each container keeps only its SHA-256
        // hash, and bin/client reads it from a file of the operator's alone (no command line carries it)
        assertThat(started).doesNotContain(net.password());
        for (String c : List.of("ls1", "c1", "c2", "c3")) {
            String users = java.nio.file.Files.readString(net.home(c).resolve("etc/users.properties"));
            assertThat(users).as(c + " users.properties").contains("roamer = {CRYPT}").doesNotContain(net.password());
            java.nio.file.Path clientUsers = net.home(c).resolve("client/etc/users.properties");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(clientUsers))).isEqualTo("rw-------");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(clientUsers.getParent()))).isEqualTo("rwx------");
        }
        String status = net.run("network", "status").output();
        net.log("./run.sh network status:%n%s", status);
        assertThat(status).contains("4 of 4 containers running");

        // every console lists every node with its container
        String nodes = net.client("c2", "roamer:nodes");
        assertThat(row(nodes, "ls1")).contains("| ls1 ");
        assertThat(row(nodes, "rp-c3-2")).contains("| c3 ");
        assertThat(row(nodes, "call-c1")).contains("| c1 ");

        // a mobile registered in c1 from c1's console moves to c3 and back from c3's console, with its messages
        String reg = net.client("c1", "roamer:register m1 c1", "roamer:register m2 c3");
        net.log("registrations:%n%s", reg);
        assertThat(reg).contains("registered m1 in c1: agent on uss-c1")
                .contains("registered m2 in c3: agent on uss-c3");
        // every node link is mutual TLS: a frame over a plaintext socket (here a TERMINATE_AGENT for m1 sent to
        // uss-c1's port, which destroyed the agent before) gets nothing through, and is counted
        String address = row(nodes, "uss-c1").split("\\|")[4].trim();
        try (java.net.Socket s = Wire.connect(org.roamer.api.NodeAddress.parse(address))) {
            s.getOutputStream().write(org.roamer.api.frame.FrameCodec.encode(Wire.json(
                    org.roamer.api.frame.MessageType.TERMINATE_AGENT, 1, 99, "m1", "{\"from\":\"127.0.0.1:1\"}")));
            assertThat(s.getInputStream().read()).as("the node closes the plaintext link").isEqualTo(-1);
        }
        String stats = net.client("c1", "roamer:stats");
        assertThat(row(stats, "transport.tls.handshakesFailed")).doesNotEndWith("|     0");
        assertThat(net.client("c2", "roamer:agent m1")).contains("uss-c1");

        // an authenticated node acting outside its role: a credential of the network's own CA, for cluster c9
        // (TERMINATE_AGENT and MIGRATE only from a Location Server, a TRANSFER only with the LS's ticket)
        javax.net.ssl.SSLContext rogue = RogueNode.credential(net.base.resolve("pki"), "rogue", "c9");
        String ls1 = row(nodes, "ls1").split("\\|")[4].trim();
        RogueNode.send(rogue, address,
                Wire.json(org.roamer.api.frame.MessageType.TERMINATE_AGENT, 2, 99, "m1",
                        "{\"from\":\"" + address + "\"}"),
                Wire.json(org.roamer.api.frame.MessageType.MIGRATE, 3, 50, "m1", "{\"source\":\"" + address
                        + "\",\"sourceNode\":\"uss-c1\",\"strategy\":\"naive\",\"from\":\"" + ls1 + "\"}"),
                // a theft: a TRANSFER of m1 naming the rogue as its target, with no ticket of the LS
                Wire.json(org.roamer.api.frame.MessageType.TRANSFER, 5, 51, "m1", "{\"target\":\"127.0.0.1:1\","
                        + "\"targetNode\":\"uss-c9\",\"targetCluster\":\"c9\",\"strategies\":[\"naive\"]}"));
        RogueNode.send(rogue, ls1, Wire.json(org.roamer.api.frame.MessageType.HELLO, 4, 0, "",
                "{\"node\":\"uss-evil\",\"role\":\"user-signaling-server\",\"cluster\":\"c1\",\"addr\":\"127.0.0.1:1\","
                        + "\"strategies\":[\"naive\"],\"transport\":\"tls\"}"));
        String refusedAtC1 = ScriptedNetwork.poll("the rogue's frames refused at uss-c1", Duration.ofSeconds(30),
                () -> net.client("c1", "roamer:stats"), out -> !rows(out, "frames.unauthorized.MIGRATE").isEmpty()
                        && !rows(out, "frames.unauthorized.TERMINATE_AGENT").isEmpty()
                        && !rows(out, "frames.unauthorized.TRANSFER").isEmpty());
        net.log("refused at c1:%n%s", String.join("\n", rows(refusedAtC1, "frames.unauthorized")));
        ScriptedNetwork.poll("the rogue's HELLO refused at ls1", Duration.ofSeconds(30),
                () -> net.client("ls1", "roamer:stats"), out -> !rows(out, "frames.unauthorized.HELLO").isEmpty());
        String m1After = net.client("c2", "roamer:agent m1");
        assertThat(field(m1After, "node")).as("m1 neither destroyed nor moved").startsWith("uss-c1");
        assertThat(field(m1After, "epoch")).isEqualTo("1");
        assertThat(row(net.client("c3", "roamer:nodes"), "uss-c1")).as("c1 still leads to its own USS")
                .contains(address);
        int sent = 0;
        for (String to : List.of("c3", "c2", "c1")) {
            net.client("c2", "roamer:send m1 hello --count 20 --sender s1");
            sent += 20;
            String moved = net.client("c3", "roamer:move m1 " + to);
            net.log("roamer:move m1 %s (from c3's console):%n%s", to, moved);
            assertThat(moved).contains("migrated m1").contains("-> " + to);
        }
        String agent = net.client("ls1", "roamer:agent m1");
        net.log("roamer:agent m1 (from the LS container's console):%n%s", agent);
        assertThat(field(agent, "node")).startsWith("uss-c1");
        assertThat(field(agent, "epoch")).isEqualTo("4");
        assertThat(field(agent, "delivered")).isEqualTo(Integer.toString(sent));

        // a call placed from a console that has neither party
        String call = net.client("c2", "roamer:call m1 m2");
        net.log("roamer:call m1 m2 (from c2's console):%n%s", call);
        assertThat(call).contains("accepted").contains("paged       yes, found at rp-c3-");
        String agents = net.client("c3", "roamer:agents");
        net.log("roamer:agents (from c3's console):%n%s", agents);
        assertThat(row(agents, "m1")).contains("uss-c1").contains("in call");
        assertThat(row(agents, "m2")).contains("uss-c3").contains("in call");

        // plug-ins swapped on another container's node
        String swapped = net.client("c1", "roamer:strategy uss-c3 tern", "roamer:transport uss-c2 tls");
        net.log("swaps from c1's console:%n%s", swapped);
        assertThat(swapped).contains("uss-c3 now prefers tern").contains("uss-c2 now sends with tls");
        // udp does not authenticate: in a network that takes authenticated links only, the swap is refused
        var toUdp = net.tryClient("c1", "roamer:transport uss-c2 udp");
        net.log("roamer:transport uss-c2 udp:%n%s", toUdp.output());
        assertThat(toUdp.code()).isNotZero();
        assertThat(toUdp.output()).contains("does not authenticate its links");
        assertThat(row(net.client("c2", "roamer:nodes"), "uss-c3")).contains("| tern/");

        // a strategy missing in one container only: uss-c2's peers negotiate another one with it
        net.client("c2", "feature:uninstall roamer-strategy-naive");
        String strategies = net.client("c1", "roamer:strategies uss-c2");
        net.log("roamer:strategies uss-c2 after naive left container c2:%n%s", strategies);
        assertThat(strategies).doesNotContain("naive").contains("tern");
        String negotiated = net.client("c1", "roamer:move m2 c2");
        net.log("roamer:move m2 c2 (uss-c3 prefers tern, c2 has no naive):%n%s", negotiated);
        assertThat(negotiated).contains("migrated m2 c3 -> c2 with tern");
        String back = net.client("c3", "roamer:move m2 c3");
        assertThat(back).contains("migrated m2 c2 -> c3");

        // a USS container killed: its agents come back from their checkpoints when it starts again
        ScriptedNetwork.poll("a checkpoint of m2 on uss-c3", Duration.ofSeconds(30),
                () -> net.client("c3", "roamer:checkpoints uss-c3"),
                out -> !rows(out, "m2").isEmpty());
        String epochBefore = field(net.client("c1", "roamer:agent m2"), "epoch");
        net.log("%s", net.run("network", "kill", "c3").output());
        String down = net.client("c1", "roamer:nodes");
        net.log("roamer:nodes with c3 down:%n%s", down);
        assertThat(row(down, "uss-c3")).contains("not answering");
        String restarted = net.run("network", "start", "3").output();
        net.log("./run.sh network start 3 after the kill:%n%s", restarted);
        String m2 = ScriptedNetwork.poll("m2 restored on uss-c3", Duration.ofSeconds(60),
                () -> net.client("c1", "roamer:agent m2"),
                out -> out.contains("uss-c3") && Long.parseLong(field(out, "epoch")) > Long.parseLong(epochBefore));
        net.log("roamer:agent m2 after c3 restarted:%n%s", m2);

        // the Location Server's container killed and restarted with its in-memory directory
        String epochM1 = field(net.client("c2", "roamer:agent m1"), "epoch");
        net.log("%s", net.run("network", "kill", "ls1").output());
        net.log("%s", net.run("network", "start", "3").output());
        String afterLs = ScriptedNetwork.poll("a move through the restarted Location Server", Duration.ofSeconds(60),
                () -> tryClientOut("c1", "roamer:move m1 c2"), out -> out.contains("migrated m1 c1 -> c2"));
        net.log("roamer:move m1 c2 after the LS restarted:%n%s", afterLs);
        String m1 = net.client("c3", "roamer:agent m1");
        assertThat(field(m1, "node")).startsWith("uss-c2");
        assertThat(Long.parseLong(field(m1, "epoch"))).isGreaterThan(Long.parseLong(epochM1));
        assertThat(net.client("ls1", "roamer:agents")).contains("m1").contains("m2");
        net.passed();
    }

    /**
     * A USS container killed with SIGKILL in the middle of a migration, on either side of the commit point (the
     * target's READY). Cross-cluster links get 600 ms of delay (the link-delay model), so each hop of a migration
     * is long enough to kill a container between two of them; the test follows each migration in the nodes' DEBUG
     * log and kills at the step it names.
     * <ul>
     * <li>Before the commit: the source has sent the agent's image, and its target's container is killed before the
     * image arrives. The source gets no READY and rolls back: the agent stays at the source, with its messages.
     * <li>After the commit: the target has sent READY, and the source's container is killed before READY arrives.
     * The target is a prepared participant: it keeps the agent and goes live without the source's BUFFERED. When
     * the source's container starts again it restores the agent from its older checkpoint; the Location Server
     * refuses that stale copy, so the mobile still has one agent, at the target.
     * </ul>
     */
    @Test
    void aUssContainerKilledInTheMiddleOfAMigration() throws Exception {
        net.run("network", "start", "3");
        for (String c : List.of("c1", "c2")) {
            net.client(c, "config:edit org.roamer.runtime", "config:property-set link.delay.default.ms 600",
                    "config:update", "log:set DEBUG org.roamer.core.internal.node.AgentCell");
        }
        net.client("c1", "roamer:register m1 c1", "roamer:register m2 c1", "roamer:send m1 before --count 5",
                "roamer:send m2 before --count 5");
        ScriptedNetwork.poll("checkpoints of m1 and m2 on uss-c1", Duration.ofSeconds(30),
                () -> net.client("c1", "roamer:checkpoints uss-c1"),
                out -> !rows(out, "m1").isEmpty() && !rows(out, "m2").isEmpty());

        // before the commit point: the target's container dies while the image is on its way to it
        var move1 = java.util.concurrent.CompletableFuture.supplyAsync(() -> attempt("c2", "roamer:move m1 c2"));
        String sent = awaitLog("c1", "of m1: image sent to uss-c2");
        net.log("%s%n%s", sent, net.run("network", "kill", "c2").output());
        net.log("the move, its console killed with c2: %s", move1.get(60, TimeUnit.SECONDS));
        String m1 = ScriptedNetwork.poll("m1 rolled back to uss-c1", Duration.ofSeconds(30),
                () -> tryClientOut("c1", "roamer:agent m1"),
                out -> out.contains("uss-c1") && !out.contains("migrating"));
        net.log("roamer:agent m1 after the rollback:%n%s", m1);
        net.run("network", "start", "3");
        assertThat(log("c2")).as("c2 was killed before it voted").doesNotContain("of m1: READY sent");
        String agents = net.client("c3", "roamer:agents");
        net.log("roamer:agents after c2 came back:%n%s", agents);
        assertThat(rows(agents, "m1")).as("m1 has one agent").hasSize(1);
        assertThat(row(agents, "m1")).contains("uss-c1 ");
        net.client("c3", "roamer:send m1 after --count 5");
        assertThat(field(net.client("c3", "roamer:agent m1"), "delivered")).isEqualTo("10");

        // after the commit point: the source's container dies while READY is on its way to it
        String epochBefore = field(net.client("c3", "roamer:agent m2"), "epoch");
        var move2 = java.util.concurrent.CompletableFuture.supplyAsync(() -> attempt("c2", "roamer:move m2 c2"));
        String ready = awaitLog("c2", "of m2: READY sent to uss-c1");
        net.log("%s%n%s", ready, net.run("network", "kill", "c1").output());
        String moved = move2.get(60, TimeUnit.SECONDS);
        net.log("roamer:move m2 c2, its source killed after READY:%n%s", moved);
        assertThat(moved).as("the prepared target finished the migration").contains("migrated m2 c1 -> c2");
        net.run("network", "start", "3");
        net.log("c1 after its restart: %s", awaitLog("c1", "could not restore m2 on start"));
        assertThat(awaitLog("c1", "could not restore m2 on start")).as("refused as stale").contains("is stale");
        agents = net.client("c3", "roamer:agents");
        net.log("roamer:agents after c1 came back:%n%s", agents);
        assertThat(rows(agents, "m2")).as("m2 has one agent").hasSize(1);
        assertThat(row(agents, "m2")).contains("uss-c2 ");
        assertThat(rows(agents, "m1")).as("m1 still has one agent").hasSize(1);
        String m2 = net.client("c3", "roamer:agent m2");
        assertThat(Long.parseLong(field(m2, "epoch"))).isGreaterThan(Long.parseLong(epochBefore));
        assertThat(field(m2, "delivered")).isEqualTo("5");
        net.client("c3", "roamer:send m2 after --count 5", "roamer:move m2 c3");
        m2 = net.client("c3", "roamer:agent m2");
        assertThat(field(m2, "node")).startsWith("uss-c3");
        assertThat(field(m2, "delivered")).isEqualTo("10");
        net.passed();
    }

    /** A console command whose failure (its container killed under it) is an answer. */
    private String attempt(String container, String command) {
        try {
            return tryClientOut(container, command);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private String log(String container) throws java.io.IOException {
        return java.nio.file.Files.readString(net.home(container).resolve("data/log/karaf.log"));
    }

    /** Waits (polling every 10 ms, at most 60 s) for a line of the container's log that contains {@code text}. */
    private String awaitLog(String container, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            java.util.Optional<String> line = log(container).lines().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no '" + text + "' in " + container + "'s log within 60 s");
    }

    /**
     * The directory on ZooKeeper: three Location Server containers, each a member of the ensemble. A hundred mobiles
     * move round the clusters while the container of the Location Server every USS uses is killed with SIGKILL:
     * the USS nodes fail over to the next Location Server, the moves go on through it, and afterwards every mobile
     * has exactly one agent, where its last move put it, with every message delivered. The killed container
     * comes back and its Location Server answers from the directory.
     */
    @Test
    void aLocationServerContainerKilledWhileMobilesMoveOnTheZooKeeperDirectory() throws Exception {
        String started = net.run("network", "start", "3", "--directory", "zookeeper").output();
        net.log("./run.sh network start 3 --directory zookeeper:%n%s", started);
        assertThat(started).contains("Network of 6 containers").contains("zookeeper directory");
        for (String ls : List.of("ls1", "ls2", "ls3")) {
            assertThat(row(started, ls)).contains("| LS ");
        }
        int mobiles = 100;
        List<String> reg = new ArrayList<>();
        List<String> send = new ArrayList<>();
        for (int i = 0; i < mobiles; i++) {
            reg.add("roamer:register m" + i + " c" + (1 + i % 3));
            send.add("roamer:send m" + i + " before --count 5");
        }
        net.client("c1", reg.toArray(String[]::new));
        net.client("c2", send.toArray(String[]::new));

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
                moveAll("c3", pending.subList(0, 25));
                net.log("%s", net.run("network", "kill", "ls1").output());
                killedAt = System.nanoTime();
                long firstDone = moveAll("c3", new ArrayList<>(pending.subList(25, pending.size())));
                firstMoveAfterKill = firstDone - killedAt;
            } else {
                moveAll("c3", pending);
            }
        }
        net.log("first move through another Location Server %d ms after ls1 was killed (from the console, bin/client"
                + " included)", firstMoveAfterKill / 1_000_000);

        String agents = net.client("c2", "roamer:agents");
        net.log("roamer:agents after the failover:%n%s", agents);
        for (int i = 0; i < mobiles; i++) {
            String m = "m" + i;
            assertThat(rows(agents, m)).as(m + " has one agent").hasSize(1);
            assertThat(row(agents, m)).as(m + " is where its last move put it").contains("uss-" + at.get(m) + " ");
        }
        send.replaceAll(c -> c.replace("before", "after"));
        net.client("c1", send.toArray(String[]::new));
        String after = net.client("c1", "roamer:agents");
        for (int i = 0; i < mobiles; i++) {
            String[] cells = row(after, "m" + i).split("\\|");
            assertThat(cells[cells.length - 1].trim()).as("m" + i + ": 10 messages delivered").isEqualTo("10");
        }

        // the killed container comes back; its Location Server answers from the directory
        net.log("%s", net.run("network", "start", "3").output());
        String fromLs1 = ScriptedNetwork.poll("ls1 locating m7 from the directory", Duration.ofSeconds(60),
                () -> tryClientOut("ls1", "roamer:agent m7"), out -> out.contains("uss-" + at.get("m7")));
        net.log("roamer:agent m7 in the restarted ls1:%n%s", fromLs1);
        net.passed();
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
            List<String> batch = new ArrayList<>(left.subList(0, Math.min(25, left.size())));
            String out = tryClientOut(container, batch.toArray(String[]::new));
            int done = 0;
            for (String move : batch) {
                String[] w = move.split(" ");
                if (out.contains("migrated " + w[1] + " ")
                        || out.contains("'" + w[1] + "' is already in cluster " + w[2])) {
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
}

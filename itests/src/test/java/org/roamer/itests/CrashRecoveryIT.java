/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Crash recovery for real: the assembled distribution runs as its own process ({@code bin/start}), agents
 * are checkpointed by the Condor checkpoint store every second, the Karaf JVM is killed with SIGKILL (no
 * shutdown hook, nothing flushed), and after {@code bin/start} again the agent comes back from its checkpoint
 * file through {@code roamer:restore} with a new epoch, its profile and its call, and migrates on.
 *
 * <p>A plain JUnit 5 test (no Pax Exam): each test runs the distribution in its own {@link KarafProcess}
 * ({@code target/crash-<random>/}) and drives it with {@code bin/client -b}.
 */
class CrashRecoveryIT {
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z");

    private KarafProcess k;

    @BeforeEach
    void unpack() throws IOException {
        k = new KarafProcess("crash");
    }

    @AfterEach
    void stopKaraf() throws Exception {
        k.close();
    }

    // ------------------------------------------------------------------ the test

    @Test
    void anAgentComesBackFromItsCheckpointAfterTheJvmIsKilled() throws Exception {
        Duration firstBoot = k.start();
        k.log("first boot: console answered %d ms after bin/start", firstBoot.toMillis());

        String setup = k.console("roamer:register --caps voice,video --apps xserver m1 c1", "roamer:register m2 c2",
                "roamer:call m2 m1");
        k.log("before the crash:%n%s", setup);
        Instant called = Instant.now();
        assertThat(setup).contains("m1").contains("m2");

        // a checkpoint of m1 taken after the call (the store writes one every second)
        String listed = KarafProcess.poll("a checkpoint of m1 on uss-c1 written after the call", CHECKPOINT_TIMEOUT,
                () -> k.console("roamer:checkpoints uss-c1"),
                out -> written(out, "m1").map(t -> t.isAfter(called)).orElse(false));
        k.log("roamer:checkpoints uss-c1 before the crash:%n%s", listed);
        Path recovery = k.home().resolve("data/roamer/uss-c1/recovery");
        k.log("checkpoint files in %s: %s", k.home().relativize(recovery), KarafProcess.files(recovery));

        long pid = k.pid();
        k.kill();
        k.log("killed the Karaf JVM (pid %d) with SIGKILL", pid);

        Duration secondBoot = k.start();
        k.log("second boot: console answered %d ms after bin/start", secondBoot.toMillis());

        String agents = k.console("roamer:agents");
        k.log("roamer:agents after the restart:%n%s", agents);
        assertThat(agents).contains("Mobile");
        assertThat(rows(agents, "m1")).as("nothing survived in memory").isEmpty();
        assertThat(rows(agents, "m2")).as("nothing survived in memory").isEmpty();

        k.log("roamer:checkpoints (every USS) after the restart:%n%s", k.console("roamer:checkpoints"));
        String checkpoints = k.console("roamer:checkpoints uss-c1");
        k.log("roamer:checkpoints uss-c1 after the restart:%n%s", checkpoints);
        assertThat(rows(checkpoints, "m1")).hasSize(1);
        assertThat(rows(checkpoints, "m1").get(0)).contains("uss-c1").contains("org.roamer.core");

        String restored = k.console("roamer:restore m1 uss-c1");
        k.log("roamer:restore m1 uss-c1:%n%s", restored);
        assertThat(restored).contains("restored m1 on uss-c1").contains("epoch 2").contains("1 call(s)");

        String agent = k.console("roamer:agent m1");
        k.log("roamer:agent m1:%n%s", agent);
        assertThat(field(agent, "node")).startsWith("uss-c1");
        assertThat(field(agent, "epoch")).isEqualTo("2");
        assertThat(field(agent, "caps").split(",")).contains("voice", "video");
        assertThat(field(agent, "apps").split(",")).containsExactly("xserver");
        assertThat(agent.lines().filter(l -> l.startsWith("call ")).toList()).hasSize(1);

        String moved = k.console("roamer:move m1 c2");
        k.log("roamer:move m1 c2:%n%s", moved);
        assertThat(moved).contains("migrated m1 c1 -> c2");
        String after = k.console("roamer:agent m1");
        k.log("roamer:agent m1 after the move:%n%s", after);
        assertThat(field(after, "node")).startsWith("uss-c2");
        assertThat(field(after, "caps").split(",")).contains("video");
        assertThat(field(after, "apps")).isEqualTo("xserver");
        assertThat(Long.parseLong(field(after, "epoch"))).isGreaterThan(2);
        // the agent left uss-c1: its checkpoint there goes, uss-c2 writes one of its own
        String moved1 = KarafProcess.poll("m1's checkpoint gone from uss-c1", CHECKPOINT_TIMEOUT,
                () -> k.console("roamer:checkpoints uss-c1"), out -> rows(out, "m1").isEmpty());
        String moved2 = KarafProcess.poll("a checkpoint of m1 on uss-c2", CHECKPOINT_TIMEOUT,
                () -> k.console("roamer:checkpoints uss-c2"), out -> !rows(out, "m1").isEmpty());
        k.log("roamer:checkpoints uss-c1 / uss-c2 after the move:%n%s%s", moved1, moved2);
        // m2 was never restored: its checkpoint on uss-c2 is removed by hand; m1's there protects a running agent
        String removed = k.console("roamer:checkpoints --remove m2 uss-c2");
        k.log("roamer:checkpoints --remove m2 uss-c2:%n%s", removed);
        assertThat(removed).contains("removed the checkpoint of m2 on uss-c2");
        assertThat(rows(k.console("roamer:checkpoints uss-c2"), "m2")).isEmpty();
        KarafProcess.Result kept = k.client(List.of("roamer:checkpoints --remove m1 uss-c2"), 5);
        k.log("roamer:checkpoints --remove m1 uss-c2 (exit %d):%n%s", kept.code(), kept.output());
        assertThat(kept.code()).isNotZero();
        assertThat(kept.output()).contains("runs on uss-c2");
        assertThat(rows(k.console("roamer:checkpoints uss-c2"), "m1")).hasSize(1);
        k.log("boot times observed: first %d ms, after the kill %d ms", firstBoot.toMillis(), secondBoot.toMillis());
        k.passed();
    }

    /**
     * A planned stop loses no agent (issue 10). With the distribution's own checkpoint settings (no periodic
     * checkpoints; restore on start), {@code bin/stop} writes every live agent as its USS stops, and {@code bin/start}
     * brings each back on its node with its calls, its count of delivered messages and one epoch more:
     * {@code roamer:agents} lists the same 100 agents. Messages sent after the restart are delivered once each on top
     * of those delivered before, a restored mobile is paged and called, and a restored call is hung up.
     */
    @Test
    void aPlannedStopAndStartBringEveryAgentBack() throws Exception {
        for (Path cfg : k.ussConfigs()) {
            KarafProcess.put(cfg, Map.of("checkpoint.interval.s", "0", "checkpoint.restore.on.start", "true"));
        }
        k.start();
        int agents = 100;
        List<String> setup = new ArrayList<>();
        for (int i = 1; i <= agents; i++) {
            setup.add("roamer:register m" + i + " c" + (1 + i % 3));
        }
        for (int i = 1; i <= 20; i += 2) {
            setup.add("roamer:call m" + (i + 1) + " m" + i); // ten calls: m1-m2, m3-m4, ... m19-m20
        }
        for (int i = 21; i <= 30; i++) {
            setup.add("roamer:send m" + i + " before --count 20");
        }
        setup.add("roamer:move m31 c1");
        k.console(setup.toArray(String[]::new));
        String before = KarafProcess.poll("every message delivered before the stop", Duration.ofSeconds(30),
                () -> k.console("roamer:agents --limit 1000"),
                out -> agentRows(out).entrySet().stream().filter(e -> e.getKey().matches("m(2[1-9]|30)"))
                        .allMatch(e -> e.getValue().get(5).equals("20")));
        k.log("roamer:agents before the stop:%n%s", before);
        Map<String, List<String>> was = agentRows(before);
        assertThat(was).hasSize(agents);
        assertThat(was.entrySet().stream().filter(e -> e.getValue().get(4).equals("1")).count())
                .as("mobiles in a call").isEqualTo(20);

        Duration stopped = k.stop();
        k.log("bin/stop: Karaf exited %d ms after it was called", stopped.toMillis());
        String shutdownLog = Files.readString(k.home().resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
        assertThat(shutdownLog.lines().filter(l -> l.contains("checkpointed for the next start")).toList())
                .as("each USS wrote its agents while stopping").hasSize(3);

        k.start();
        String after = KarafProcess.poll("all " + agents + " agents back", Duration.ofSeconds(60),
                () -> k.console("roamer:agents --limit 1000"), out -> agentRows(out).size() == agents);
        k.log("roamer:agents after the restart:%n%s", after);
        Map<String, List<String>> is = agentRows(after);
        for (Map.Entry<String, List<String>> e : was.entrySet()) {
            List<String> b = e.getValue();
            List<String> a = is.get(e.getKey());
            assertThat(a).as(e.getKey()).isNotNull();
            assertThat(a.get(0)).as(e.getKey() + "'s node").isEqualTo(b.get(0));
            assertThat(Long.parseLong(a.get(3))).as(e.getKey() + "'s epoch").isEqualTo(Long.parseLong(b.get(3)) + 1);
            assertThat(a.get(4)).as(e.getKey() + "'s calls").isEqualTo(b.get(4));
            assertThat(a.get(5)).as(e.getKey() + "'s delivered messages").isEqualTo(b.get(5));
        }
        List<String> more = new ArrayList<>();
        for (int i = 21; i <= 30; i++) {
            more.add("roamer:send m" + i + " after --count 15");
        }
        k.console(more.toArray(String[]::new));
        String sent = KarafProcess.poll("the messages sent after the restart", Duration.ofSeconds(30),
                () -> k.console("roamer:agents --limit 1000"),
                out -> agentRows(out).entrySet().stream().filter(e -> e.getKey().matches("m(2[1-9]|30)"))
                        .allMatch(e -> !e.getValue().get(5).equals("20")));
        Thread.sleep(1000); // a duplicate would arrive late: look again after a quiet second
        Map<String, List<String>> delivered = agentRows(k.console("roamer:agents --limit 1000"));
        for (int i = 21; i <= 30; i++) {
            assertThat(delivered.get("m" + i).get(5))
                    .as("m" + i + "'s messages: 20 before the stop, 15 after, once each"
                            + "\n" + sent)
                    .isEqualTo("35");
        }
        String called = k.console("roamer:call m40 m41");
        assertThat(called).as("a restored mobile is paged and called").contains("accepted").contains("paged       yes");
        String m1 = k.console("roamer:agent m1");
        String callId = m1.lines().filter(l -> l.startsWith("call ")).map(l -> l.substring(5).trim().split("\\s+")[0])
                .findFirst().orElseThrow(() -> new AssertionError("no call in:\n" + m1));
        k.log("roamer:hangup %s: %s", callId, k.console("roamer:hangup " + callId));
        KarafProcess.poll("m1 and m2 out of their restored call", Duration.ofSeconds(30),
                () -> agentRows(k.console("roamer:agents --limit 1000")),
                rows -> rows.get("m1").get(4).equals("0") && rows.get("m2").get(4).equals("0"));
        assertThat(k.console("roamer:move m31 c2")).contains("migrated m31 c1 -> c2");
        k.passed();
    }

    /** Mobile → [node, cluster, state, epoch, calls, delivered] from a roamer:agents table. */
    private static Map<String, List<String>> agentRows(String table) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : table.lines().toList()) {
            List<String> cells = Stream.of(line.split("\\|")).map(String::trim).toList();
            if (cells.size() == 7 && cells.get(0).matches("m\\d+")) {
                rows.put(cells.get(0), cells.subList(1, 7));
            }
        }
        return rows;
    }

    // ------------------------------------------------------------------ output parsing

    /** The table rows (lines) whose cells include {@code mobile} exactly. */
    private static List<String> rows(String table, String mobile) {
        return table.lines().filter(l -> Stream.of(l.split("\\|")).map(String::trim).anyMatch(mobile::equals))
                .toList();
    }

    /** When the listed checkpoint of {@code mobile} was written. */
    private static Optional<Instant> written(String table, String mobile) {
        for (String row : rows(table, mobile)) {
            Matcher m = INSTANT.matcher(row);
            if (m.find()) {
                return Optional.of(Instant.parse(m.group()));
            }
        }
        return Optional.empty();
    }

    /** A {@code name  value} line of roamer:agent. */
    private static String field(String agent, String name) {
        return agent.lines().filter(l -> l.startsWith(name + " ")).map(l -> l.substring(name.length()).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no '" + name + "' in:\n" + agent));
    }
}

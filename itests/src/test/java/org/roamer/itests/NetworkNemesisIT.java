/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.roamer.itests.ScriptedNetwork.rows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Jepsen-style run: movers and senders drive the network of containers through its consoles while a nemesis
 * kills containers with SIGKILL and starts them again on a random schedule; then the history is checked offline.
 *
 * <p>The history: every console command with its answer (movers' moves, senders' batches of 10 messages, each
 * batch under a sender name of its own), the nemesis' kills and restarts, and each USS container's delivery log
 * ({@code org.roamer.deliverylog}: one line per message an agent handled, with the agent's node and epoch,
 * written before the container can be killed). The checks:
 * <ul>
 * <li>every acknowledged message (its batch answered "sent 10") was delivered, exactly once;</li>
 * <li>no message was delivered twice, and each sender's messages to a mobile arrived in order;</li>
 * <li>at most one live agent per mobile at any time: one node per (mobile, epoch), and a mobile's epochs never
 * go back over time;</li>
 * <li>every acknowledged registration still has its agent at the end, exactly one.</li>
 * </ul>
 *
 * <p>{@code -Dsoak.minutes=N} sets the run's length (default 2, the CI run); {@code -Dsoak.targets=ls1,c1,c2,c3}
 * what the nemesis kills (default {@code ls1}: the Location Server's container; see docs/testing.md, "Jepsen-style run", for the USS
 * containers' known gap). The history and the logs are kept under {@code target/nemesis-<random>/} when a check
 * fails.
 */
class NetworkNemesisIT {
    private static final Pattern SENT = Pattern.compile("sent (\\d+) message\\(s\\)");
    private ScriptedNetwork net;
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() throws Exception {
        if (net != null) {
            Files.write(net.base.resolve("history.txt"), new ArrayList<>(history), StandardCharsets.UTF_8);
            net.close();
        }
    }

    private void event(String what) {
        history.add(System.currentTimeMillis() + " " + what.replace('\n', '|'));
    }

    @Test
    void acknowledgedMessagesArriveOnceAndInOrderAndNoMobileHasTwoAgents() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "2"));
        List<String> targets = List.of(System.getProperty("soak.targets", "ls1").split(","));
        long seed = Long.getLong("soak.seed", System.nanoTime());
        net = new ScriptedNetwork("nemesis");
        net.log("run of %.1f min, nemesis kills %s, seed %d", minutes, targets, seed);
        net.run("network", "start", "3");
        List<String> uss = List.of("c1", "c2", "c3");
        List<String> consoles = List.of("ls1", "c1", "c2", "c3");
        for (String c : uss) {
            Files.writeString(net.home(c).resolve("etc/org.roamer.deliverylog.cfg"), "max.mb = 64\n");
        }
        for (String c : uss) {
            Path log = net.home(c).resolve("data/roamer/deliveries.log");
            ScriptedNetwork.poll("the delivery log of " + c, Duration.ofSeconds(30), () -> Files.exists(log), b -> b);
        }
        int mobiles = 12;
        List<String> reg = new ArrayList<>();
        for (int i = 0; i < mobiles; i++) {
            reg.add("roamer:register m" + i + " c" + (1 + i % 3));
        }
        net.client("c1", reg.toArray(String[]::new));
        event("registered m0..m" + (mobiles - 1));

        long deadline = System.nanoTime() + (long) (minutes * 60e9);
        Map<String, Integer> acked = new LinkedHashMap<>(); // mobile/sender -> messages acknowledged
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<?>> work = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int mover = w;
            Random random = new Random(seed + mover);
            work.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    List<String> batch = new ArrayList<>();
                    for (int k = 0; k < 3; k++) {
                        int m = mover * (mobiles / 2) + random.nextInt(mobiles / 2);
                        batch.add("roamer:move m" + m + " c" + (1 + random.nextInt(3)));
                    }
                    String console = consoles.get(random.nextInt(consoles.size()));
                    ScriptedNetwork.Result r = net.tryClient(console, batch.toArray(String[]::new));
                    event("move@" + console + " " + batch + " -> " + r.code() + " " + r.output().trim());
                }
                return null;
            }));
        }
        for (int w = 0; w < 2; w++) {
            int sender = w;
            Random random = new Random(seed + 10 + sender);
            work.add(pool.submit(() -> {
                for (int n = 0; System.nanoTime() < deadline; n++) {
                    String m = "m" + random.nextInt(mobiles);
                    String label = "s" + sender + "-" + n;
                    String console = consoles.get(random.nextInt(consoles.size()));
                    ScriptedNetwork.Result r = net.tryClient(console, "roamer:send " + m + " x --count 10 --sender "
                            + label);
                    Matcher ok = SENT.matcher(r.output());
                    int count = r.code() == 0 && ok.find() ? Integer.parseInt(ok.group(1)) : 0;
                    synchronized (acked) {
                        acked.put(m + "/" + label, count);
                    }
                    event("send@" + console + " " + m + " " + label + " -> " + r.code() + " acked " + count);
                }
                return null;
            }));
        }
        Random chaos = new Random(seed + 100);
        work.add(pool.submit(() -> {
            int kills = 0;
            while (System.nanoTime() < deadline) {
                Thread.sleep(8_000 + chaos.nextInt(10_000));
                if (System.nanoTime() >= deadline) {
                    break;
                }
                String victim = targets.get(chaos.nextInt(targets.size()));
                event("nemesis kill " + victim);
                net.run("network", "kill", victim);
                Thread.sleep(2_000 + chaos.nextInt(5_000));
                net.run("network", "start", "3");
                event("nemesis restarted " + victim);
                kills++;
            }
            net.log("nemesis: %d kills", kills);
            return null;
        }));
        for (Future<?> f : work) {
            f.get(minutes > 0 ? (long) (minutes * 60 + 600) : 600, TimeUnit.SECONDS);
        }
        pool.shutdown();

        // quiet: every container up, then the final state
        net.run("network", "start", "3");
        Thread.sleep(5_000);
        String agents = net.client("c2", "roamer:agents");
        event("final agents " + agents);
        net.log("roamer:agents at the end:%n%s", agents);
        // the delivery logs are read after the containers stopped (nothing more can come)
        net.run("network", "stop");

        List<String> violations = new ArrayList<>();
        for (int i = 0; i < mobiles; i++) {
            int n = rows(agents, "m" + i).size();
            if (n != 1) {
                violations.add("m" + i + " has " + n + " agents at the end (registered at the start)");
            }
        }
        Map<String, List<long[]>> bySender = new HashMap<>(); // mobile/sender -> [time, seq]
        Map<String, String> nodeOfEpoch = new HashMap<>(); // mobile/epoch -> node
        Map<String, long[]> lastEpoch = new HashMap<>(); // mobile -> [time, epoch]
        List<String[]> lines = new ArrayList<>();
        for (String c : uss) {
            Path log = net.home(c).resolve("data/roamer/deliveries.log");
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length != 6 || !f[0].matches("\\d{13}") || !f[3].matches("\\d+") || !f[5].matches("\\d+")) {
                    violations.add(c + ": unreadable delivery log line '" + line + "'");
                    continue;
                }
                lines.add(f);
            }
        }
        lines.sort((x, y) -> Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]))); // stable: file order kept
        for (String[] f : lines) {
            long t = Long.parseLong(f[0]);
            String mobile = f[1];
            long epoch = Long.parseLong(f[3]);
            bySender.computeIfAbsent(mobile + "/" + f[4], k -> new ArrayList<>())
                    .add(new long[]{t, Long.parseLong(f[5])});
            String was = nodeOfEpoch.putIfAbsent(mobile + "/" + epoch, f[2]);
            if (was != null && !was.equals(f[2])) {
                violations.add(mobile + ": epoch " + epoch + " delivered on " + was + " and on " + f[2]);
            }
            long[] last = lastEpoch.get(mobile);
            if (last != null && epoch < last[1] && t > last[0]) {
                violations.add(mobile + ": epoch " + epoch + " delivered at " + t + " after epoch " + last[1] + " at "
                        + last[0]);
            }
            if (last == null || epoch >= last[1]) {
                lastEpoch.put(mobile, new long[]{t, epoch});
            }
        }
        int delivered = 0;
        for (Map.Entry<String, List<long[]>> e : bySender.entrySet()) {
            List<long[]> seqs = e.getValue();
            delivered += seqs.size();
            for (int i = 1; i < seqs.size(); i++) {
                if (seqs.get(i)[1] <= seqs.get(i - 1)[1]) {
                    violations
                            .add(e.getKey() + ": seq " + seqs.get(i)[1] + " delivered after seq " + seqs.get(i - 1)[1]);
                }
            }
        }
        int ackedMessages = 0;
        synchronized (acked) {
            for (Map.Entry<String, Integer> a : acked.entrySet()) {
                ackedMessages += a.getValue();
                List<long[]> got = bySender.getOrDefault(a.getKey(), List.of());
                for (int seq = 0; seq < a.getValue(); seq++) {
                    int s = seq;
                    long n = got.stream().filter(x -> x[1] == s).count();
                    if (n != 1) {
                        violations.add(a.getKey() + ": acknowledged message " + seq + " delivered " + n + " times");
                    }
                }
            }
        }
        long moves = history.stream().filter(h -> h.contains(" move@")).count();
        long movesOk = history.stream().filter(h -> h.contains(" move@")).mapToLong(h -> count(h, "migrated m")).sum();
        net.log("history: %d move batches (%d moves done), %d send batches, %d messages acknowledged, %d delivered,"
                + " %d kills; %d violations", moves, movesOk, acked.size(), ackedMessages, delivered,
                history.stream().filter(h -> h.contains("nemesis kill")).count(), violations.size());
        violations.stream().limit(40).forEach(v -> net.log("VIOLATION %s", v));
        assertThat(violations).as("history checks (kept in " + net.base + ")").isEmpty();
        assertThat(ackedMessages).as("the senders got messages through").isPositive();
        assertThat(movesOk).as("the movers got moves through").isPositive();
        net.passed();
    }

    private static long count(String s, String what) {
        long n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}

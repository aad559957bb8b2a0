/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.inject.Inject;

import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.ServiceRegistration;
import org.roamer.api.BenchResult;
import org.roamer.api.ClusterId;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerBench;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.TransportInfo;

/**
 * Transports on the distribution: every node listens on TCP and UDP on one port, {@code roamer:transport}
 * switches what nodes send with under load (nothing lost, duplicated or reordered), NAIVE, TERN-like and
 * Condor-like moves over UDP with 5 % loss and 2 % duplication injected, and {@code feature:uninstall} of
 * one transport falls back to the other and back again on reinstall.
 */
public class TransportIT extends RoamerTestSupport {
    static final List<String> NODES = List.of("ls1", "uss-c1", "uss-c2", "uss-c3");
    static final ClusterId[] CLUSTERS = {ClusterId.of("c1"), ClusterId.of("c2"), ClusterId.of("c3")};

    @Inject
    RoamerNetwork network;

    @Inject
    RoamerBench bench;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution(), ephemeralRoamerPorts(), ussProperty("stub.idle.timeout.ms", "500"));
    }

    @Test
    public void everyNodeListensOnBothAndSwitchesUnderLoadLosingNothing() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        for (String n : NODES) {
            assertThat(network.transports(NodeId.of(n))).extracting(TransportInfo::name).containsExactly("tcp", "udp");
            assertThat(network.transports(NodeId.of(n))).filteredOn(TransportInfo::sending)
                    .extracting(TransportInfo::name)
                    .containsExactly("tcp");
        }
        String listing = execute("roamer:transport");
        assertThat(listing).contains("udp").contains("retransmissions=");

        Map<String, List<Long>> delivered = new ConcurrentHashMap<>();
        ServiceRegistration<DeliveryListener> listener = bundleContext.registerService(DeliveryListener.class,
                (m, n, e, s, q) -> delivered.computeIfAbsent(m.value() + "/" + s, k -> new CopyOnWriteArrayList<>())
                        .add(q),
                null);
        List<MobileId> mobiles = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            MobileId m = MobileId.of("tr" + i);
            network.register(m, CLUSTERS[i % 3], Profile.defaults());
            mobiles.add(m);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        long[] sent = new long[mobiles.size()];
        List<String> failedMoves = new CopyOnWriteArrayList<>();
        try {
            Future<?> senders = pool.submit(() -> {
                while (running.get()) {
                    for (int i = 0; i < mobiles.size(); i++) {
                        network.send(mobiles.get(i), "t", sent[i]++, new byte[]{1});
                    }
                }
                return null;
            });
            Future<?> movers = pool.submit(() -> {
                for (int round = 0; running.get(); round++) {
                    for (int i = 0; i < mobiles.size(); i++) {
                        MoveResult r = network.move(mobiles.get(i), CLUSTERS[(i + round + 1) % 3]);
                        if (!r.migrated()) {
                            failedMoves.add(r.reason());
                        }
                    }
                }
                return null;
            });
            String[] transports = {"udp", "tcp"};
            for (int swap = 0; swap < 20; swap++) {
                String t = transports[swap % 2];
                String out = execute("roamer:transport --all " + t);
                assertThat(out).contains("uss-c3 now sends with " + t).contains("ls1 now sends with " + t);
                Thread.sleep(100); // traffic on the new transport before the next switch
            }
            running.set(false);
            senders.get();
            movers.get();
        } finally {
            running.set(false);
            pool.shutdownNow();
        }
        for (int i = 0; i < mobiles.size(); i++) {
            String key = mobiles.get(i).value() + "/t";
            long n = sent[i];
            await().atMost(Duration.ofSeconds(20)).until(() -> delivered.getOrDefault(key, List.of()).size() >= n);
        }
        Thread.sleep(500); // quiet period: a duplicate would arrive now
        for (int i = 0; i < mobiles.size(); i++) {
            List<Long> got = delivered.get(mobiles.get(i).value() + "/t");
            assertThat(got).as("messages of " + mobiles.get(i)).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, sent[i]).boxed().toList());
        }
        // a transport switch may roll a migration back (its frames arrive out of order), never lose one
        assertThat(failedMoves).allSatisfy(reason -> assertThat(reason).isNotBlank());
        assertThat(failedMoves.size()).as("rolled-back moves " + failedMoves).isLessThanOrEqualTo(20);
        long udpOut = network.transports(NodeId.of("uss-c1")).stream().filter(t -> t.name().equals("udp"))
                .mapToLong(TransportInfo::framesOut).sum();
        assertThat(udpOut).as("uss-c1 sent over UDP while it was switched to it").isPositive();
        listener.unregister();
    }

    @Test
    public void strategiesMoveOverUdpWithLossAndDuplicationAndUninstallFallsBackToTcp() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        // one configuration update for both (config:edit ... config:update): two quick property-sets in a row
        // can meet Karaf's file install reading its etc/ file while rewriting it
        execute("roamer:transport --all udp", "config:edit org.roamer.transport.udp",
                "config:property-set fault.loss.percent 5", "config:property-set fault.duplication.percent 2",
                "config:update");
        try {
            await().atMost(AWAIT_TIMEOUT).until(() -> detail("uss-c1", "faultsDropped") > 0 || benchOnce());
            for (String[] s : new String[][]{{"naive", "0", "200"}, {"tern", "73728", "50"},
                    {"condor", "1048576", "5"}}) {
                BenchResult r = bench.run(s[0], Integer.parseInt(s[2]), 1, Integer.parseInt(s[1]), line -> {
                });
                assertThat(r.failed()).as(s[0] + " over lossy UDP").isZero();
                assertThat(r.count()).isEqualTo(Long.parseLong(s[2]));
            }
            assertThat(detail("uss-c1", "faultsDropped") + detail("uss-c2", "faultsDropped")).isPositive();
            assertThat(detail("uss-c1", "retransmissions") + detail("uss-c2", "retransmissions")).isPositive();
        } finally {
            execute("config:edit org.roamer.transport.udp", "config:property-set fault.loss.percent 0",
                    "config:property-set fault.duplication.percent 0", "config:update");
        }

        // UDP goes: every node keeps running, listens on TCP only and sends with it
        MobileId m = MobileId.of("fallback");
        network.register(m, ClusterId.of("c1"), Profile.defaults());
        execute("feature:uninstall roamer-transport-udp");
        for (String n : NODES) {
            await().atMost(AWAIT_TIMEOUT).until(() -> names(n).equals(List.of("tcp")));
        }
        assertThat(network.transports(NodeId.of("uss-c1"))).singleElement()
                .satisfies(t -> assertThat(t.sending()).isTrue());
        assertThat(network.move(m, ClusterId.of("c2")).migrated()).isTrue();
        assertThat(network.agent(m).orElseThrow().node().value()).isEqualTo("uss-c2");
        // back: listened on again, and the nodes configured for UDP send with it again
        execute("feature:install -r roamer-transport-udp");
        for (String n : NODES) {
            await().atMost(AWAIT_TIMEOUT).until(() -> names(n).equals(List.of("tcp", "udp")));
        }
        assertThat(network.transports(NodeId.of("uss-c2"))).filteredOn(TransportInfo::sending)
                .extracting(TransportInfo::name).containsExactly("udp");
        assertThat(network.move(m, ClusterId.of("c3")).migrated()).isTrue();
        execute("roamer:transport --all tcp");
    }

    private boolean benchOnce() throws Exception {
        bench.run("naive", 20, 1, 0, line -> {
        });
        return false;
    }

    private long detail(String node, String name) throws Exception {
        return network.transports(NodeId.of(node)).stream().filter(t -> t.name().equals("udp"))
                .mapToLong(t -> t.details().getOrDefault(name, 0L)).sum();
    }

    private List<String> names(String node) throws Exception {
        return network.transports(NodeId.of(node)).stream().map(TransportInfo::name).toList();
    }
}

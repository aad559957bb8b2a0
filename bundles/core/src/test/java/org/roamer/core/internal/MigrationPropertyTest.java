/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.roamer.api.AgentInfo;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.Profile;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random interleavings of messages, migrations and failed migrations (restore failures injected at the
 * target): every message is delivered exactly once and in order per sender, and exactly one live agent
 * exists per mobile at the end, at the cluster of its last successful move.
 */
class MigrationPropertyTest {

    /** One step: a move to a cluster (0-2), failing or not. */
    record Step(int cluster, boolean fail) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Arbitraries.integers().between(0, 2).flatMap(c -> Arbitraries.of(true, false, false, false)
                .map(f -> new Step(c, f))).list().ofMinSize(1).ofMaxSize(12);
    }

    @Property
    void messagesSurviveAnyInterleavingOfMoves(@ForAll("steps") List<Step> steps,
            @ForAll @IntRange(min = 1, max = 400) int messages, @ForAll @IntRange(min = 1, max = 3) int senders)
            throws Exception {
        ProbeStrategies.Vars vars = new ProbeStrategies.Vars("vars");
        // A new move may wait for the previous move's drain (until its FLUSH marker returns); the stable-point
        // wait (3 s) leaves room for that on a loaded 2-core machine and stays below the LS's 5 s, so that the only
        // failures are the injected ones. A marker that never returns fails the property (flush.timeout, below).
        try (InVmNetwork net = new InVmNetwork(3, 50, 1000, 3000)) {
            net.core.bindStrategy(vars);
            MobileId m = MobileId.of("p1");
            net.network.register(m, ClusterId.of("c1"), Profile.defaults());
            ExecutorService pool = Executors.newFixedThreadPool(senders);
            String where = "c1";
            try {
                List<Future<?>> streams = new java.util.ArrayList<>();
                for (int s = 0; s < senders; s++) {
                    String sender = "s" + s;
                    streams.add(pool.submit(() -> {
                        for (int i = 0; i < messages; i++) {
                            net.network.send(m, sender, i, new byte[]{1});
                        }
                        return null;
                    }));
                }
                for (Step step : steps) {
                    String to = "c" + (step.cluster() + 1);
                    if (to.equals(where)) {
                        continue;
                    }
                    vars.failRestore = step.fail();
                    MoveResult r = net.network.move(m, ClusterId.of(to));
                    assertThat(r.migrated()).as(r.reason()).isEqualTo(!step.fail());
                    if (r.migrated()) {
                        where = to;
                    }
                }
                for (Future<?> f : streams) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            int expected = messages * senders;
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> net.deliveriesOf("p1").size() >= expected);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(
                        "delivered " + net.deliveriesOf("p1").size() + " of " + expected + "; counters "
                                + net.core.metrics().snapshot().counters(),
                        e);
            }
            List<InVmNetwork.Delivery> got = net.deliveriesOf("p1");
            assertThat(got).hasSize(expected);
            for (int s = 0; s < senders; s++) {
                String sender = "s" + s;
                List<Long> seqs = got.stream().filter(d -> d.sender().equals(sender)).map(InVmNetwork.Delivery::seq)
                        .toList();
                assertThat(seqs).hasSize(messages);
                for (int i = 0; i < messages; i++) {
                    assertThat(seqs.get(i)).isEqualTo(i);
                }
            }
            // every FLUSH marker came back to the node draining for it: none was given up after the time-out
            assertThat(net.core.metrics().get("flush.timeout")).as("flush.timeout; counters "
                    + net.core.metrics().snapshot().counters()).isZero();
            List<AgentInfo> agents = net.network.agents();
            assertThat(agents).hasSize(1);
            assertThat(agents.get(0).cluster().value()).isEqualTo(where);
        }
    }
}

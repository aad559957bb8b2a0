/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.roamer.api.BenchResult;

/** roamer:bench says why moves failed, and its progress counts migrations and failures apart (issue 10). */
class BenchFailureTest {

    @Test
    void failedMovesAreCountedApartAndTheirReasonIsPrinted() throws Exception {
        ProbeStrategies.Vars vars = new ProbeStrategies.Vars("vars");
        try (InVmNetwork net = new InVmNetwork(2, 200, 1000, 300)) {
            net.core.bindStrategy(vars);
            vars.failRestore = true;
            List<String> lines = new CopyOnWriteArrayList<>();
            BenchResult r = net.bench.run("vars", 10, 1, 0, lines::add);
            assertThat(r.failed()).isEqualTo(10);
            assertThat(r.count()).as("migrations that succeeded").isZero();
            assertThat(lines).as("the reason, printed once when first seen")
                    .filteredOn(l -> l.startsWith("  failed: ")).singleElement().asString()
                    .contains("restore failure injected by the test");
            assertThat(lines).contains("  10/10 moves: 0 migrated, 10 failed, " + rate(lines, "  10/10 moves"));
            assertThat(lines).anyMatch(l -> l.startsWith("failures by reason: 10 x ")
                    && l.contains("restore failure injected by the test"));

            vars.failRestore = false;
            lines.clear();
            BenchResult ok = net.bench.run("vars", 4, 1, 0, lines::add);
            assertThat(ok.failed()).isZero();
            assertThat(ok.count()).isEqualTo(4);
            assertThat(lines).noneMatch(l -> l.contains("failed: ") || l.startsWith("failures by reason"));
        }
    }

    /**
     * An image that declares more than one frame's payload (1 MiB here) is pre-created: the limit is the
     * migration's image limit, not a frame's ({@code roamer:bench --strategy tern --size 1m} failed every move with
     * "declared segment sizes 1048620+1 exceed 1048576").
     */
    @Test
    void aPreCreatedImageMayBeLargerThanOneFrame() throws Exception {
        try (InVmNetwork net = new InVmNetwork(2, 200, 5000, 300)) {
            net.core.bindStrategy(new ProbeStrategies.Image(256 * 1024));
            List<String> lines = new CopyOnWriteArrayList<>();
            BenchResult r = net.bench.run("image", 2, 1, 3 * 1024 * 1024, lines::add);
            assertThat(r.failed()).as(String.join("\n", lines)).isZero();
            assertThat(r.count()).isEqualTo(2);
            assertThat(r.bytesPerMigration()).isGreaterThan(3 * 1024 * 1024);
        }
    }

    /**
     * Ctrl-C at the console interrupts the command's thread: the benchmark stops moving, says so, and still powers
     * its mobiles off (before, the workers went on and the deregistrations failed on the interrupted thread).
     */
    @Test
    void anInterruptedBenchmarkStopsAndLeavesNoMobileBehind() throws Exception {
        try (InVmNetwork net = new InVmNetwork(2, 200, 1000, 300)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            List<String> lines = new CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    net.bench.run("vars", 10_000_000, 4, 0, lines::add);
                    outcome.set(new AssertionError("the benchmark ran to its end"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, "bench-runner");
            runner.start();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> net.core.metrics().get("migrations") >= 50);
            runner.interrupt();
            runner.join(30_000);
            assertThat(runner.isAlive()).as("the benchmark stopped").isFalse();
            assertThat(outcome.get()).isInstanceOf(org.roamer.api.RoamerException.class)
                    .hasMessage("benchmark interrupted");
            assertThat(net.network.agents()).as("the benchmark's mobiles powered off").isEmpty();
            assertThat(lines).noneMatch(l -> l.startsWith("could not deregister"));
        }
    }

    /** The rate printed at the end of a progress line (it varies), so that the rest can be compared exactly. */
    private static String rate(List<String> lines, String prefix) {
        String line = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
        return line.substring(line.lastIndexOf(", ") + 2);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.lang.management.ManagementFactory;
import java.util.Set;

import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;

/**
 * Harness (not a test): registers N idle mobiles in one cluster of an in-VM network and prints the heap
 * they take, per agent. Run:
 * {@code mvn -q -pl bundles/core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.roamer.core.internal.AgentMemoryBench -Dexec.args=100000}; with {@code "100000 --hold"} it
 * waits a minute at the end, for {@code jcmd <pid> GC.class_histogram}.
 */
public final class AgentMemoryBench {
    private AgentMemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (InVmNetwork net = new InVmNetwork(2, 2000, 2000, 2000)) {
            Profile[] profiles = {Profile.defaults(),
                    new Profile(true, Set.of("voice", "video"), Set.of("xserver"), null),
                    new Profile(false, Set.of("voice"), Set.of(), null)};
            long before = usedAfterGc();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                net.network.register(MobileId.of("m" + i), ClusterId.of("c1"), profiles[i % profiles.length]);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            long after = usedAfterGc();
            long agents = net.uss("c1").hostedAgents();
            System.out.printf("registered %d mobiles in %.2f s (%.0f/s, each a REGISTRATION -> LS -> CREATE_AGENT "
                    + "round trip on the in-VM transport)%n", agents, secs, n / secs);
            System.out.printf("heap: %.1f MB for %d agents = %d bytes per mobile (USS agent cell + its actor + LS "
                    + "entry + air-interface entry)%n", (after - before) / 1e6, agents, (after - before) / agents);
            System.out.printf("java %s, %d cpus, max heap %d MB%n", System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
            if (args.length > 1 && args[1].equals("--hold")) { // time for jcmd <pid> GC.class_histogram
                System.out.printf("holding for 60 s: pid %d%n", ProcessHandle.current().pid());
                Thread.sleep(60_000);
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

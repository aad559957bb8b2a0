/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.testkit.OpaqueAgent;

/**
 * Prints what one TERN migration allocates on the source (capture) and on the target (restore, including
 * the pre-created agent's segments, which the core allocates the same way), for the seed's 72 KiB image and
 * for 1 MiB. Figures only; nothing is asserted. Run from the module directory after {@code mvn test-compile}:
 * <pre>
 * mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) org.roamer.strategy.tern.internal.TernAllocationHarness
 * </pre>
 */
public final class TernAllocationHarness {
    private TernAllocationHarness() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out, 2_000, 200);
    }

    static void run(PrintStream out, int warmup, int iterations) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        out.printf("TERN allocation per migration (JDK %s, %d CPUs, %d iterations after %d warm-up)%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), iterations, warmup);
        out.printf("%-28s %7s %10s %12s %12s %10s %10s%n", "image", "chunks", "wire B", "capture B", "restore B",
                "capture us", "restore us");
        for (int[] size : new int[][]{{72 * 1024, 512, 16}, {1024 * 1024, 4096, 16}}) {
            AgentImage image = Fixtures.image(size[0], size[1], size[2], 1);
            for (TernStrategy strategy : List.of(new TernStrategy(),
                    new TernStrategy(new TernStrategy.Settings(4096, 16)))) {
                MigrationContext ctx = Fixtures.ctx(1 << 20, 64L << 20);
                List<byte[]> chunks = Fixtures.capture(strategy, image, ctx);
                for (int i = 0; i < warmup; i++) {
                    Fixtures.restore(strategy, Fixtures.target(), ctx, capture(strategy, image, ctx));
                }
                long captureBytes = 0;
                long restoreBytes = 0;
                long captureNanos = 0;
                long restoreNanos = 0;
                for (int i = 0; i < iterations; i++) {
                    long a0 = mx.getThreadAllocatedBytes(thread);
                    long t0 = System.nanoTime();
                    List<byte[]> captured = capture(strategy, image, ctx);
                    long t1 = System.nanoTime();
                    long a1 = mx.getThreadAllocatedBytes(thread);
                    Fixtures.restore(strategy, Fixtures.target(), ctx, captured);
                    long t2 = System.nanoTime();
                    long a2 = mx.getThreadAllocatedBytes(thread);
                    captureBytes += a1 - a0;
                    restoreBytes += a2 - a1;
                    captureNanos += t1 - t0;
                    restoreNanos += t2 - t1;
                }
                long wire = chunks.stream().mapToLong(c -> c.length).sum();
                String name = String.format("%d B, %d page(s)/chunk", image.size(),
                        strategy.settings().pagesPerChunk());
                out.printf("%-28s %7d %10d %12d %12d %10d %10d%n", name, chunks.size(), wire, captureBytes / iterations,
                        restoreBytes / iterations, captureNanos / iterations / 1000, restoreNanos / iterations / 1000);
            }
        }
    }

    /** Captures into a plain list: the kit's checking sink copies every chunk, which would count as TERN's. */
    private static List<byte[]> capture(TernStrategy strategy, AgentImage image, MigrationContext ctx)
            throws MigrationException {
        List<byte[]> chunks = new ArrayList<>();
        strategy.capture(OpaqueAgent.of(image), ctx, chunks::add);
        return chunks;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.testkit.OpaqueAgent;

/**
 * Prints what one Condor migration needs: bytes allocated on the source (capture: checkpoint written,
 * forced, read back into chunks) and on the target (restore: chunks written to its checkpoint, forced,
 * verified, parsed into the image), the disk it leaves, and the time it takes including the fsyncs — for the
 * seed's 72 KiB image and for 1 MiB. Figures only; nothing is asserted. Run from the module directory:
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) org.roamer.strategy.condor.internal.CondorAllocationHarness
 * </pre>
 */
public final class CondorAllocationHarness {
    private CondorAllocationHarness() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out, Path.of(args.length > 0 ? args[0] : "target/condor-harness"), 300, 100);
    }

    static void run(PrintStream out, Path work, int warmup, int iterations) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        CondorStrategy strategy = Fixtures.strategy();
        out.printf("Condor per migration (JDK %s, %d CPUs, %d iterations after %d warm-up, checkpoints in %s)%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), iterations, warmup,
                work.toAbsolutePath());
        out.printf("%-12s %6s %10s %12s %12s %12s %10s %10s%n", "image B", "chunks", "file B", "disk B", "capture B",
                "restore B", "capture us", "restore us");
        for (int[] size : new int[][]{{72 * 1024, 512, 16}, {1024 * 1024, 4096, 16}}) {
            AgentImage image = Fixtures.image(size[0], size[1], size[2], 1);
            MigrationContext ctx = Fixtures.ctx(work, 1 << 20, 64L << 20);
            for (int i = 0; i < warmup; i++) {
                Fixtures.restore(strategy, Fixtures.target(), ctx, capture(strategy, image, ctx));
            }
            long captureBytes = 0;
            long restoreBytes = 0;
            long captureNanos = 0;
            long restoreNanos = 0;
            int chunks = 0;
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
                chunks = captured.size();
            }
            Path dir = Checkpoints.defaultDirectory(work);
            long source = Files.size(dir.resolve(Checkpoints.fileName(ctx.mobile(), ctx.epoch(), ctx.migrationId(),
                    ctx.source())));
            long target = Files.size(dir.resolve(Checkpoints.fileName(ctx.mobile(), ctx.epoch(), ctx.migrationId(),
                    ctx.target())));
            out.printf("%-12d %6d %10d %12d %12d %12d %10d %10d%n", image.size(), chunks, source, source + target,
                    captureBytes / iterations, restoreBytes / iterations, captureNanos / iterations / 1000,
                    restoreNanos / iterations / 1000);
        }
    }

    /** Captures into a plain list: the kit's checking sink copies every chunk, which would count as Condor's. */
    private static List<byte[]> capture(CondorStrategy strategy, AgentImage image, MigrationContext ctx)
            throws MigrationException {
        List<byte[]> chunks = new ArrayList<>();
        strategy.capture(OpaqueAgent.of(image), ctx, chunks::add);
        return chunks;
    }
}

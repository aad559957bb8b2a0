/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.roamer.api.BenchResult;
import org.roamer.api.RoamerBench;

@Service
@Command(scope = "roamer", name = "bench", description = "Migrates agents back and forth between two USS nodes of the running network and prints latency percentiles and migrations/s")
public class BenchCommand extends RoamerAction {
    @Reference
    RoamerBench bench;

    @Option(name = "--strategy", description = "Strategy to migrate with (default naive)")
    @Completion(Completers.Strategies.class)
    String strategy = "naive";

    @Option(name = "--count", description = "Number of migrations, 1-10000000 (default 10000)")
    String countText = "10000";

    @Option(name = "--concurrency", description = "Mobiles moving at once, 1-1024 (default 1)")
    String concurrencyText = "1";

    @Option(name = "--size", description = "Application state per agent: bytes, or with a unit, e.g. 72k (KiB) or 1m "
            + "(MiB), at most 16m; default 0. NAIVE does not move it")
    String size = "0";

    @Option(name = "--sweep", description = "Migration time against the agent's state size (1K 4K 16K 64K 256K 1M) for "
            + "each strategy given with --strategies, the curve of Fig. 6 in patent EP 0762789; prints CSV lines "
            + "starting with SWEEP")
    boolean sweep;

    @Option(name = "--strategies", description = "Strategies for --sweep, comma separated (default naive,tern,condor)")
    @Completion(Completers.StrategyList.class)
    String strategies = "naive,tern,condor";

    @Override
    protected Object run() throws Exception {
        int count = Parse.number("--count", countText, 1, 10_000_000);
        int concurrency = Parse.number("--concurrency", concurrencyText, 1, 1024);
        if (sweep) {
            System.out.println("SWEEP strategy,state_bytes,moved_bytes,count,p50_us,p90_us,p99_us,per_s");
            for (String s : Parse.list(strategies)) {
                for (int bytes : new int[]{1024, 4096, 16384, 65536, 262144, 1000000}) {
                    BenchResult r = bench.run(s, count, concurrency, bytes, null);
                    System.out.printf("SWEEP %s,%d,%.0f,%d,%d,%d,%d,%.1f%n", s, bytes, r.bytesPerMigration(), r.count(),
                            r.latency().p50(), r.latency().p90(), r.latency().p99(), r.perSecond());
                }
            }
            return null;
        }
        BenchResult r = bench.run(strategy, count, concurrency, Parse.bytes(size), System.out::println);
        System.out.printf("strategy %s, %d migrations (%d failed), concurrency %d%n", r.strategy(), r.count(),
                r.failed(), r.concurrency());
        System.out.printf("MIGRATE->MIGRATE_DONE us: p50 %d  p90 %d  p99 %d  max %d%n", r.latency().p50(),
                r.latency().p90(), r.latency().p99(), r.latency().max());
        System.out.printf("%.0f migrations/s, %.1f state bytes per migration%n", r.perSecond(), r.bytesPerMigration());
        System.out.printf("BENCH {\"strategy\":\"%s\",\"count\":%d,\"failed\":%d,\"concurrency\":%d,\"p50_us\":%d,"
                + "\"p90_us\":%d,\"p99_us\":%d,\"max_us\":%d,\"per_s\":%.1f,\"bytes\":%.1f}%n", r.strategy(), r.count(),
                r.failed(), r.concurrency(), r.latency().p50(), r.latency().p90(), r.latency().p99(), r.latency().max(),
                r.perSecond(), r.bytesPerMigration());
        return null;
    }
}

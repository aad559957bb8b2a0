/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.directory.zookeeper.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.roamer.api.spi.directory.LocationDirectory;
import org.roamer.api.spi.directory.MobileRecord;

/**
 * Directory figures, re-runnable (skipped unless {@code -Droamer.bench=true}; bench/directory-engines.sh runs
 * it): a three-member ZooKeeper ensemble with mutual TLS in this JVM, as on one machine of the network. Location
 * updates (a compare-and-set write of one mobile's record, the version known) with many in flight and with one
 * at a time; the same for reads (answered by one member, no quorum: the floor of a client round trip over TLS);
 * and the in-memory directory as the floor of the code path. Then the heap the members need per record. Prints
 * numbers; asserts nothing.
 */
class DirectoryBench {
    static final int MOBILES = Integer.getInteger("roamer.bench.mobiles", 20_000);
    static final int UPDATES = Integer.getInteger("roamer.bench.updates", 50_000);
    static final int IN_FLIGHT = Integer.getInteger("roamer.bench.inflight", 256);
    static final int MEMORY_RECORDS = Integer.getInteger("roamer.bench.memory.records", 100_000);

    @Test
    void figures() throws Exception {
        assumeTrue(Boolean.getBoolean("roamer.bench"), "a benchmark: -Droamer.bench=true");
        Path tmp = Files.createTempDirectory("roamer-directory-bench");
        System.out.printf("machine: %d cores, %s, max heap %d MiB; ZooKeeper forceSync %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("zookeeper.forceSync", "yes"));
        TestPki pki = new TestPki(tmp.resolve("pki"), "bench-ca");
        int base = ZooKeeperDirectoryTest.freeRange(9);
        List<String> members = ZooKeeperDirectoryTest.members(base);
        List<ZooKeeperDirectory> ds = new ArrayList<>();
        try {
            for (int id = 1; id <= 3; id++) {
                ds.add(new ZooKeeperDirectory(new ZooKeeperDirectory.Settings("127.0.0.1:" + (base + 3 * id - 1), id,
                        members, tmp.resolve("zk" + id), pki.tls("ls" + id), 30_000, 30_000, 500)));
            }
            ZooKeeperDirectory zk = ds.get(0);
            org.roamer.core.internal.directory.MemoryDirectory memory = null;
            MobileRecord[] records = load(zk, MOBILES);
            run("zookeeper", "update", zk, records, UPDATES / 10, IN_FLIGHT, true); // warm-up
            run("zookeeper", "update", zk, records, UPDATES, IN_FLIGHT, true);
            run("zookeeper", "update", zk, records, UPDATES / 5, 16, true);
            run("zookeeper", "update", zk, records, UPDATES / 20, 1, true);
            run("zookeeper", "read", zk, records, UPDATES, IN_FLIGHT, false);
            run("zookeeper", "read", zk, records, UPDATES / 20, 1, false);
            LocationDirectory mem = new MemoryHolder().directory();
            MobileRecord[] memRecords = load(mem, MOBILES);
            run("memory", "update", mem, memRecords, UPDATES, IN_FLIGHT, true);

            // heap per record: three members in this JVM each hold every record (ZooKeeper replicates fully)
            long before = usedHeap();
            load(zk, MEMORY_RECORDS, "h");
            long after = usedHeap();
            double perRecordPerMember = (after - before) / 3.0 / MEMORY_RECORDS;
            System.out.printf("MEMORY %d records: heap +%d MiB for 3 members and the clients = %.0f B per record"
                    + " per member; 2.87 M mobiles -> %.2f GiB of heap per member (each holds all)%n", MEMORY_RECORDS,
                    (after - before) >> 20, perRecordPerMember, perRecordPerMember * 2_870_000 / (1L << 30));
        } finally {
            for (ZooKeeperDirectory d : ds) {
                d.close();
            }
        }
    }

    /** The in-memory directory of the core, the floor of the code path. */
    private static final class MemoryHolder {
        LocationDirectory directory() {
            return new org.roamer.core.internal.directory.MemoryDirectory();
        }
    }

    private static MobileRecord[] load(LocationDirectory d, int n) throws Exception {
        return load(d, n, "m");
    }

    private static MobileRecord[] load(LocationDirectory d, int n, String prefix) throws Exception {
        MobileRecord[] out = new MobileRecord[n];
        Semaphore window = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            window.acquire();
            all.add(d.put(record(prefix + i, 1, 0)).toCompletableFuture().whenComplete((r, e) -> {
                window.release();
                out[k] = r == null ? null : r.orElse(null);
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return out;
    }

    private static MobileRecord record(String mobile, long epoch, long version) {
        String c = "c" + (1 + (int) (epoch % 128));
        return new MobileRecord(mobile, c, c, "uss-" + c, "127.0.0.1:7201", epoch, epoch, null, 0, version);
    }

    /** {@code ops} updates (or reads) of random records, {@code inFlight} at a time; prints a BENCH line. */
    private static void run(String engine, String op, LocationDirectory d, MobileRecord[] records, int ops,
            int inFlight, boolean write) throws Exception {
        Histogram h = new ConcurrentHistogram(3);
        Semaphore window = new Semaphore(inFlight);
        AtomicLong conflicts = new AtomicLong();
        java.util.concurrent.ConcurrentHashMap<Integer, Boolean> busy = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        List<CompletableFuture<?>> all = new ArrayList<>(ops);
        long start = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            int k = random.nextInt(records.length);
            window.acquire();
            if (write && busy.putIfAbsent(k, true) != null) { // one update of a mobile at a time, as the LS does
                window.release();
                i--;
                continue;
            }
            long t0 = System.nanoTime();
            MobileRecord r = records[k];
            Function<Optional<MobileRecord>, Object> done = res -> {
                h.recordValue((System.nanoTime() - t0) / 1000);
                if (write) {
                    if (res.isPresent()) {
                        records[k] = res.get();
                    } else {
                        conflicts.incrementAndGet();
                    }
                    busy.remove(k);
                }
                window.release();
                return null;
            };
            CompletionStage<Optional<MobileRecord>> s = write
                    ? d.put(record(r.mobile(), r.epoch() + 1, r.version()))
                    : d.get(r.mobile());
            all.add(s.toCompletableFuture().thenApply(done));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("BENCH %-9s %-6s in-flight %3d: %7d ops in %6.2f s = %8.0f ops/s; latency p50 %6d us,"
                + " p99 %7d us, p99.9 %7d us, max %7d us; conflicts %d%n", engine, op, inFlight, ops, secs, ops / secs,
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                conflicts.get());
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

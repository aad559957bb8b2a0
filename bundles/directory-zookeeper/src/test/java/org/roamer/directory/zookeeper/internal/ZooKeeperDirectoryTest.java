/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.directory.zookeeper.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamer.api.spi.directory.DirectoryException;
import org.roamer.api.spi.directory.MobileRecord;

/**
 * The directory on a real three-member ZooKeeper ensemble in this JVM, every link mutual TLS: records written
 * by one Location Server's client are read by another's, every write is a compare-and-set on the record's
 * version (of two concurrent writers exactly one wins), a member left alone without its quorum refuses to
 * write, and clients without a certificate of the network's CA get nothing.
 */
class ZooKeeperDirectoryTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long WAIT_S = 30;

    @TempDir
    Path tmp;
    /** The network's CA and three members' stores: made once, keytool is slow. */
    @TempDir
    static Path pkiDir;
    private static TestPki pki;
    private static final List<Tls> TLS = new ArrayList<>();
    private List<String> members;

    @org.junit.jupiter.api.BeforeAll
    static void certificates() throws Exception {
        pki = new TestPki(pkiDir.resolve("pki"), "roamer-test-ca");
        for (int id = 1; id <= 3; id++) {
            TLS.add(pki.tls("ls" + id));
        }
    }
    private final List<ZooKeeperDirectory> directories = new ArrayList<>();

    @BeforeEach
    void ensemble() throws Exception {
        members = members(freeRange(9));
        for (int id = 1; id <= 3; id++) {
            directories.add(new ZooKeeperDirectory(new ZooKeeperDirectory.Settings("", id, members,
                    tmp.resolve("zk" + id), TLS.get(id - 1), 10_000, 5_000, 200).withConnect(members)));
        }
    }

    @AfterEach
    void close() {
        for (ZooKeeperDirectory d : directories) {
            d.close();
        }
    }

    private static MobileRecord at(String mobile, String node, long epoch, long version) {
        String cluster = node.substring(node.indexOf('-') + 1);
        return new MobileRecord(mobile, cluster, cluster, node, "127.0.0.1:7101", epoch, epoch, null, 0, version);
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void recordsAreSharedAndEveryWriteIsACompareAndSet() throws Exception {
        ZooKeeperDirectory a = directories.get(0);
        ZooKeeperDirectory b = directories.get(1);
        assertThat(await(a.get("m1"))).isEmpty();
        MobileRecord v1 = await(a.put(at("m1", "uss-c1", 1, 0))).orElseThrow();
        assertThat(v1.version()).isEqualTo(1);
        assertThat(await(a.put(at("m1", "uss-c1", 1, 0)))).as("a second first record").isEmpty();

        MobileRecord seen = await(b.get("m1")).orElseThrow();
        assertThat(seen).isEqualTo(v1);
        MobileRecord v2 = await(b.put(at("m1", "uss-c2", 2, seen.version()))).orElseThrow();
        assertThat(v2.version()).isEqualTo(2);
        assertThat(await(a.put(at("m1", "uss-c3", 2, v1.version())))).as("a write on a stale version").isEmpty();
        assertThat(await(directories.get(2).get("m1"))).contains(v2);

        // a tombstone keeps the highest epoch
        MobileRecord tomb = new MobileRecord("m1", null, null, null, null, 0, 2, null, 0, v2.version());
        assertThat(await(a.put(tomb)).orElseThrow().registered()).isFalse();
        assertThat(await(b.get("m1")).orElseThrow().maxEpoch()).isEqualTo(2);
        assertThat(a.size()).isEqualTo(1);
    }

    @Test
    void ofTwoConcurrentWritersExactlyOneWins() throws Exception {
        ZooKeeperDirectory a = directories.get(0);
        ZooKeeperDirectory b = directories.get(2);
        MobileRecord now = await(a.put(at("m2", "uss-c1", 1, 0))).orElseThrow();
        int winsA = 0;
        int winsB = 0;
        for (int round = 0; round < 40; round++) {
            long epoch = now.epoch() + 1;
            CompletableFuture<Optional<MobileRecord>> fa = a.put(at("m2", "uss-c1", epoch, now.version()))
                    .toCompletableFuture();
            CompletableFuture<Optional<MobileRecord>> fb = b.put(at("m2", "uss-c2", epoch, now.version()))
                    .toCompletableFuture();
            Optional<MobileRecord> ra = fa.get(WAIT_S, TimeUnit.SECONDS);
            Optional<MobileRecord> rb = fb.get(WAIT_S, TimeUnit.SECONDS);
            assertThat(ra.isPresent() ^ rb.isPresent()).as("round " + round + ": exactly one writer wins").isTrue();
            now = ra.orElseGet(rb::get);
            winsA += ra.isPresent() ? 1 : 0;
            winsB += rb.isPresent() ? 1 : 0;
            assertThat(await(directories.get(1).get("m2"))).contains(now);
        }
        assertThat(winsA + winsB).isEqualTo(40);
        assertThat(now.version()).isEqualTo(41);
    }

    @Test
    void aMemberWithoutItsQuorumRefusesToWrite() throws Exception {
        ZooKeeperDirectory alone = directories.get(0);
        MobileRecord v1 = await(alone.put(at("m3", "uss-c1", 1, 0))).orElseThrow();
        directories.remove(2).close();
        directories.remove(1).close();
        // member 1 and its client are left: no majority of 3, no write, and no answer taken for "absent"
        long start = System.nanoTime();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> alone.put(at("m3", "uss-c2", 2, v1.version())).toCompletableFuture().get(WAIT_S,
                        TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(DirectoryException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(WAIT_S));
        assertThatThrownBy(() -> alone.get("m3").toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DirectoryException.class);
    }

    @Test
    void clientsWithoutTheNetworksCertificateGetNothing() throws Exception {
        assertThat(await(directories.get(0).put(at("m4", "uss-c1", 1, 0)))).isPresent();
        String connect = String.join(",", members.stream().map(m -> EnsembleMember.Member.parse(m).client()).toList());
        // plain TCP to the TLS port
        ZooKeeperDirectory plain = new ZooKeeperDirectory(new ZooKeeperDirectory.Settings(connect, 0, List.of(),
                tmp.resolve("none"), null, 4_000, 3_000, 200));
        directories.add(plain);
        assertThatThrownBy(() -> plain.get("m4").toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DirectoryException.class);
        // TLS with a certificate of another CA
        TestPki other = new TestPki(tmp.resolve("other"), "intruder-ca");
        ZooKeeperDirectory intruder = new ZooKeeperDirectory(new ZooKeeperDirectory.Settings(connect, 0, List.of(),
                tmp.resolve("none"), other.tls("intruder"), 4_000, 3_000, 200));
        directories.add(intruder);
        assertThatThrownBy(() -> intruder.get("m4").toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DirectoryException.class);
        // while a client of the network reads it
        assertThat(await(directories.get(1).get("m4"))).isPresent();
    }

    @Test
    void aCorruptRecordIsAnErrorNotARecord() throws Exception {
        ZooKeeperDirectory a = directories.get(0);
        a.client().create().creatingParentsIfNeeded().forPath(ZooKeeperDirectory.MOBILES + "/m5",
                "{\"m\":\"m5\",\"c\":\"c1\",\"a\":\"c1\",\"n\":\"uss c1\",\"addr\":\"x\",\"e\":1,\"max\":1,\"until\":0}"
                        .getBytes(StandardCharsets.UTF_8));
        a.client().create().forPath(ZooKeeperDirectory.MOBILES + "/m6",
                "{\"m\":\"m1\",\"max\":3,\"e\":0,\"until\":0}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> a.get("m5").toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DirectoryException.class).hasMessageContaining("invalid");
        assertThatThrownBy(() -> a.get("m6").toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DirectoryException.class).hasMessageContaining("names m1");
    }

    /** Three members on loopback: member k has quorum, election and client ports at base + 3(k-1) .. + 2. */
    static List<String> members(int base) {
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            int p = base + 3 * (k - 1);
            out.add(k + "=127.0.0.1:" + p + ":" + (p + 1) + ";" + (p + 2));
        }
        return List.copyOf(out);
    }

    /** The first of {@code n} consecutive free ports below the ephemeral range. */
    static int freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = 10_000 + RANDOM.nextInt(22_000);
            boolean free = true;
            for (int p = first; p < first + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no free port range");
    }
}

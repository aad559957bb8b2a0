/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.directory.zookeeper.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.Stat;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.spi.directory.DirectoryException;
import org.roamer.api.spi.directory.LocationDirectory;
import org.roamer.api.spi.directory.MobileRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The location directory on a ZooKeeper ensemble: one znode per mobile under {@code /roamer/mobiles}, its data
 * the record, its data version the record's version, so every write is an atomic compare-and-set on one
 * mobile (ZooKeeper's conditional {@code setData}, or {@code create} for a first record). Writes need a quorum
 * of the ensemble: a minority side of a partition answers nothing, and the Location Server refuses the change
 * instead of making a second owner.
 *
 * <p>Every link (client to member, member to member) is mutual TLS with the network's CA when {@code tls}
 * is on (the default). With {@code member.id} set, this container also runs one member of the ensemble.
 * Operations are asynchronous (Curator background callbacks on ZooKeeper's event thread) and bounded by
 * {@code operation.timeout.ms} on a timer of this component.
 */
@Component(configurationPid = "org.roamer.directory.zookeeper", configurationPolicy = ConfigurationPolicy.REQUIRE, property = LocationDirectory.NAME
        + "=zookeeper")
@Designate(ocd = ZooKeeperDirectory.Config.class)
public final class ZooKeeperDirectory implements LocationDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperDirectory.class);
    static final String MOBILES = "/mobiles";

    @ObjectClassDefinition(name = "Roamer location directory on ZooKeeper")
    public @interface Config {
        @AttributeDefinition(description = "The ensemble's client addresses, host:port,host:port,...; empty: the"
                + " client ports of 'members'")
        String connect() default "";

        @AttributeDefinition(name = "Member id", description = "Run member N of the ensemble in this container"
                + " (1-255); 0: no member here, only a client")
        int member_id() default 0;

        @AttributeDefinition(description = "Every member of the ensemble, id=host:quorumPort:electionPort;clientPort,"
                + " separated by commas")
        String members() default "";

        @AttributeDefinition(description = "The member's data directory; empty: karaf.data/zookeeper")
        String data_dir() default "";

        @AttributeDefinition(description = "Mutual TLS on every link (off only for tests)")
        boolean tls() default true;

        @AttributeDefinition(description = "PKCS#12 key store with this node's key and certificate; empty:"
                + " karaf.etc/roamer-tls/node.p12")
        String tls_keystore() default "";

        @AttributeDefinition(description = "PKCS#12 trust store with the network's CA; empty:"
                + " karaf.etc/roamer-tls/trust.p12")
        String tls_truststore() default "";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of both stores")
        String tls_password() default "";

        @AttributeDefinition(description = "ZooKeeper session time-out (ms)")
        int session_timeout_ms() default 10_000;

        @AttributeDefinition(description = "An operation without an answer after this long fails (ms)")
        int operation_timeout_ms() default 5_000;

        @AttributeDefinition(description = "The member's tick (ms): heartbeats and time-outs are multiples of it")
        int tick_ms() default 500;
    }

    private final String connect;
    private final boolean tls;
    private final long operationTimeout;
    private final EnsembleMember member;
    private final CuratorFramework client;
    private final ScheduledThreadPoolExecutor timer;

    @Activate
    public ZooKeeperDirectory(Config c) throws IOException {
        this(settings(c));
    }

    /** What a configuration means, checked. */
    record Settings(String connect, int memberId, List<String> members, Path dataDir, Tls tls, int sessionTimeout,
            int operationTimeout, int tick) {
        /** These settings connecting to the client ports of {@code all} members. */
        Settings withConnect(List<String> all) {
            String c = String.join(",", all.stream().map(m -> EnsembleMember.Member.parse(m).client()).toList());
            return new Settings(c, memberId, members, dataDir, tls, sessionTimeout, operationTimeout, tick);
        }
    }

    static Settings settings(Config c) {
        List<String> members = Arrays.stream(c.members().split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList();
        String connect = c.connect().trim();
        if (connect.isEmpty()) {
            List<String> clients = new ArrayList<>();
            for (String m : members) {
                clients.add(EnsembleMember.Member.parse(m).client());
            }
            connect = String.join(",", clients);
        }
        if (connect.isEmpty()) {
            throw new IllegalArgumentException("neither 'connect' nor 'members' is set: the directory has no ensemble");
        }
        String etc = System.getProperty("karaf.etc", "etc");
        Tls tls = c.tls()
                ? new Tls(Path.of(c.tls_keystore().isBlank() ? etc + "/roamer-tls/node.p12" : c.tls_keystore()),
                        Path.of(c.tls_truststore().isBlank() ? etc + "/roamer-tls/trust.p12" : c.tls_truststore()),
                        c.tls_password())
                : null;
        Path data = Path.of(c.data_dir().isBlank()
                ? System.getProperty("karaf.data", "data") + "/zookeeper"
                : c.data_dir());
        return new Settings(connect, c.member_id(), members, data, tls, c.session_timeout_ms(),
                c.operation_timeout_ms(), c.tick_ms());
    }

    ZooKeeperDirectory(Settings s) throws IOException {
        this.connect = s.connect();
        this.tls = s.tls() != null;
        this.operationTimeout = s.operationTimeout();
        this.member = s.memberId() > 0
                ? new EnsembleMember(s.memberId(), s.members(), s.dataDir(), s.tls(), s.tick())
                : null;
        ZKClientConfig zk = new ZKClientConfig();
        if (s.tls() != null) {
            zk.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
            zk.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            zk.setProperty("zookeeper.ssl.keyStore.location", s.tls().keyStore().toString());
            zk.setProperty("zookeeper.ssl.keyStore.password", s.tls().password());
            zk.setProperty("zookeeper.ssl.keyStore.type", "PKCS12");
            zk.setProperty("zookeeper.ssl.trustStore.location", s.tls().trustStore().toString());
            zk.setProperty("zookeeper.ssl.trustStore.password", s.tls().password());
            zk.setProperty("zookeeper.ssl.trustStore.type", "PKCS12");
            zk.setProperty("zookeeper.ssl.protocol", "TLSv1.3");
        }
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "roamer-directory-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(ZooKeeperDirectory.class.getClassLoader()); // see EnsembleMember
        try {
            client = CuratorFrameworkFactory.builder().connectString(connect).namespace("roamer")
                    .sessionTimeoutMs(s.sessionTimeout()).connectionTimeoutMs(Math.min(s.sessionTimeout(), 5_000))
                    .retryPolicy(new RetryNTimes(3, 200)).zkClientConfig(zk).build();
            client.start();
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
        LOG.info("location directory on ZooKeeper at {} ({}{})", connect, tls ? "mutual TLS" : "plain links",
                member == null ? "" : ", member " + member.id() + " here");
    }

    @Deactivate
    public void close() {
        client.close();
        if (member != null) {
            member.close();
        }
        timer.shutdownNow();
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    private static String path(String mobile) {
        return MOBILES + "/" + mobile;
    }

    /**
     * Reads the newest record: a {@code sync} first makes the member this client talks to catch up with the leader,
     * so that a write another Location Server finished through another member is seen (a plain ZooKeeper read
     * may lag behind; ZooKeeperDirectoryTest read a record two versions old from a follower). One more round trip
     * to the leader per read.
     */
    @Override
    public CompletionStage<Optional<MobileRecord>> get(String mobile) {
        CompletableFuture<Optional<MobileRecord>> f = bounded("read of " + mobile);
        try {
            client.sync().inBackground((BackgroundCallback) (c, e) -> {
                if (e.getResultCode() != KeeperException.Code.OK.intValue()) {
                    f.completeExceptionally(failure("sync before the read of " + mobile, e));
                    return;
                }
                read(mobile, f);
            }).forPath(MOBILES);
        } catch (Exception e) {
            f.completeExceptionally(new DirectoryException("read of " + mobile + " not sent: " + e.getMessage(), e));
        }
        return f;
    }

    private void read(String mobile, CompletableFuture<Optional<MobileRecord>> f) {
        try {
            client.getData().inBackground((BackgroundCallback) (c, e) -> {
                int rc = e.getResultCode();
                if (rc == KeeperException.Code.OK.intValue()) {
                    complete(f,
                            () -> Optional.of(RecordCodec.decode(mobile, e.getData(), e.getStat().getVersion() + 1L)));
                } else if (rc == KeeperException.Code.NONODE.intValue()) {
                    f.complete(Optional.empty());
                } else {
                    f.completeExceptionally(failure("read of " + mobile, e));
                }
            }).forPath(path(mobile));
        } catch (Exception e) {
            f.completeExceptionally(new DirectoryException("read of " + mobile + " not sent: " + e.getMessage(), e));
        }
    }

    @Override
    public CompletionStage<Optional<MobileRecord>> put(MobileRecord next) {
        String what = "write of " + next.mobile();
        CompletableFuture<Optional<MobileRecord>> f = bounded(what);
        byte[] data = RecordCodec.encode(next);
        BackgroundCallback done = (c, e) -> {
            int rc = e.getResultCode();
            if (rc == KeeperException.Code.OK.intValue()) {
                Stat stat = e.getStat();
                f.complete(Optional.of(next.withVersion(stat == null ? 1 : stat.getVersion() + 1L)));
            } else if (rc == KeeperException.Code.NODEEXISTS.intValue()
                    || rc == KeeperException.Code.BADVERSION.intValue()
                    || rc == KeeperException.Code.NONODE.intValue()) {
                f.complete(Optional.empty()); // someone else wrote first
            } else {
                f.completeExceptionally(failure(what, e));
            }
        };
        try {
            if (next.version() == 0) {
                client.create().creatingParentsIfNeeded().inBackground(done).forPath(path(next.mobile()), data);
            } else if (next.version() > Integer.MAX_VALUE + 1L) {
                f.complete(Optional.empty()); // no znode has such a version
            } else {
                client.setData().withVersion((int) (next.version() - 1)).inBackground(done)
                        .forPath(path(next.mobile()), data);
            }
        } catch (Exception e) {
            f.completeExceptionally(new DirectoryException(what + " not sent: " + e.getMessage(), e));
        }
        return f;
    }

    /** A future failed by the timer after the operation time-out. */
    private <T> CompletableFuture<T> bounded(String what) {
        CompletableFuture<T> f = new CompletableFuture<>();
        java.util.concurrent.ScheduledFuture<?> t = timer.schedule(() -> f.completeExceptionally(new DirectoryException(
                what + ": no answer from the ZooKeeper ensemble at " + connect + " within " + operationTimeout
                        + " ms")),
                operationTimeout, TimeUnit.MILLISECONDS);
        f.whenComplete((v, e) -> t.cancel(false));
        return f;
    }

    private interface Reading<T> {
        T read();
    }

    private static <T> void complete(CompletableFuture<T> f, Reading<T> r) {
        try {
            f.complete(r.read());
        } catch (RuntimeException e) { // a record constructor's check, or a field missing (NullPointerException)
            f.completeExceptionally(new DirectoryException("invalid record in the directory: " + e.getMessage(), e));
        }
    }

    private static DirectoryException failure(String what, CuratorEvent e) {
        return new DirectoryException(what + " failed: " + KeeperException.Code.get(e.getResultCode()));
    }

    /** The Curator client (tests). */
    CuratorFramework client() {
        return client;
    }

    @Override
    public long size() {
        try {
            Stat s = client.checkExists().forPath(MOBILES);
            return s == null ? 0 : s.getNumChildren();
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    public String describe() {
        return "zookeeper at " + connect + " (" + (tls ? "mutual TLS" : "plain links")
                + (member == null ? "" : ", member " + member.id() + " here") + ", "
                + client.getZookeeperClient().isConnected() + " connected)";
    }
}

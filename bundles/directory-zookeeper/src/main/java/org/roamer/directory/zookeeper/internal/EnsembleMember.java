/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.directory.zookeeper.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the directory's ZooKeeper ensemble, run in this JVM on one thread of its own (ZooKeeper's
 * {@code runFromConfig} blocks until the member stops). Always a quorum member (never ZooKeeper's standalone
 * mode), with TLS on the client port and on the quorum links when {@link Tls} is given, no admin server and no
 * four-letter-word commands.
 */
final class EnsembleMember implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleMember.class);

    private final int id;
    private final QuorumPeerMain main = new QuorumPeerMain();
    private final Thread thread;
    private volatile Throwable failure;

    /**
     * @param id      this member's id (1-255)
     * @param members every member as {@code id=host:quorumPort:electionPort;clientPort}
     * @param dataDir where this member keeps its snapshots and transaction log
     * @param tls     TLS material, or {@code null} for plain links (tests only)
     */
    EnsembleMember(int id, List<String> members, Path dataDir, Tls tls, int tickMillis) throws IOException {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("member.id " + id + " is not in 1..255");
        }
        this.id = id;
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("myid"), Integer.toString(id));
        Properties p = new Properties();
        p.setProperty("tickTime", Integer.toString(tickMillis));
        p.setProperty("initLimit", "20");
        p.setProperty("syncLimit", "10");
        p.setProperty("dataDir", dataDir.toString());
        p.setProperty("standaloneEnabled", "false");
        p.setProperty("reconfigEnabled", "false");
        p.setProperty("admin.enableServer", "false");
        p.setProperty("4lw.commands.whitelist", "");
        p.setProperty("autopurge.snapRetainCount", "3");
        p.setProperty("autopurge.purgeInterval", "1");
        boolean mine = false;
        for (String m : members) {
            Member parsed = Member.parse(m);
            p.setProperty("server." + parsed.id(), parsed.host() + ":" + parsed.quorum() + ":" + parsed.election()
                    + (tls == null ? ";" + parsed.host() + ":" + parsed.clientPort() : ""));
            if (parsed.id() == id) {
                mine = true;
                if (tls != null) {
                    p.setProperty("secureClientPortAddress", parsed.host());
                    p.setProperty("secureClientPort", Integer.toString(parsed.clientPort()));
                }
            }
        }
        if (!mine) {
            throw new IllegalArgumentException("member.id " + id + " is not among the members " + members);
        }
        if (tls != null) {
            p.setProperty("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
            p.setProperty("sslQuorum", "true");
            p.setProperty("portUnification", "false");
            for (String prefix : List.of("ssl.", "ssl.quorum.")) {
                p.setProperty(prefix + "keyStore.location", tls.keyStore().toString());
                p.setProperty(prefix + "keyStore.password", tls.password());
                p.setProperty(prefix + "keyStore.type", "PKCS12");
                p.setProperty(prefix + "trustStore.location", tls.trustStore().toString());
                p.setProperty(prefix + "trustStore.password", tls.password());
                p.setProperty(prefix + "trustStore.type", "PKCS12");
                p.setProperty(prefix + "clientAuth", "need");
                p.setProperty(prefix + "protocol", "TLSv1.3");
            }
            p.setProperty("authProvider.x509", "org.apache.zookeeper.server.auth.X509AuthenticationProvider");
        }
        QuorumPeerConfig config = new QuorumPeerConfig();
        // ZooKeeper loads its providers through the context class loader: in OSGi that must be this bundle's
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(EnsembleMember.class.getClassLoader());
        try {
            config.parseProperties(p);
        } catch (QuorumPeerConfig.ConfigException e) {
            throw new IllegalArgumentException("invalid ensemble configuration: " + e.getMessage(), e);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
        thread = new Thread(() -> {
            try {
                main.runFromConfig(config);
            } catch (Throwable t) { // a member that cannot run says why; the directory then has no quorum here
                failure = t;
                LOG.error("directory member {} stopped: {}", id, t.toString(), t);
            }
        }, "roamer-zookeeper-member-" + id);
        thread.setContextClassLoader(EnsembleMember.class.getClassLoader());
        thread.setDaemon(true);
        thread.start();
        LOG.info("directory member {} starting ({} members, data in {}, {})", id, members.size(), dataDir,
                tls == null ? "plain links" : "mutual TLS");
    }

    int id() {
        return id;
    }

    /** Why the member stopped on its own, or {@code null}. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        main.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("directory member {} stopped", id);
    }

    /**
     * One member of the ensemble as configured: {@code id=host:quorumPort:electionPort;clientPort}.
     */
    record Member(int id, String host, int quorum, int election, int clientPort) {
        String client() {
            return host + ":" + clientPort;
        }

        static Member parse(String s) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("\\s*(\\d{1,3})\\s*=\\s*([A-Za-z0-9.\\-]+):(\\d{1,5}):(\\d{1,5});(\\d{1,5})\\s*")
                    .matcher(s);
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "member '" + s + "' is not id=host:quorumPort:electionPort;clientPort");
            }
            Member r = new Member(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)));
            for (int port : new int[]{r.quorum, r.election, r.clientPort}) {
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("member '" + s + "': port " + port + " out of range");
                }
            }
            if (r.id < 1 || r.id > 255) {
                throw new IllegalArgumentException("member '" + s + "': id " + r.id + " not in 1..255");
            }
            return r;
        }
    }
}

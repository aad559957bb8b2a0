/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.roamer.api.frame.Frame;
import org.roamer.api.spi.transport.Peer;
import org.roamer.core.internal.wire.Payloads.Ticket;

/**
 * Migration tickets on a network of authenticated links (docs/security.md). Every USS makes a random ticket key
 * when it starts and gives it to its Location Servers in its HELLO, over the authenticated link, so that only
 * they learn it. The LS that decides a migration seals a {@link Ticket} naming the mobile, the migration id, the
 * new epoch, the source and the target with two HMACs, under the source's key and under the target's; it travels
 * in MIGRATE to the target and in TRANSFER on to the source. A USS gives an agent away only for a TRANSFER whose
 * ticket is sealed under its own key, names it as the source and whose sender's credential serves the ticket's
 * target cluster; it rebuilds one only for a MIGRATE whose ticket names it as the target. Both then take the
 * migration's other frames (TRANSFER_DATA, READY, BUFFERED, MIGRATE_FAILED) only from the other end's credential.
 * Without this, any USS credential could ask for any agent with a TRANSFER naming itself.
 *
 * <p>Symmetric, not signed: an LS's EC signature cost about 0.4 ms to make and 0.8 ms to check on the project's
 * machine, on every migration's path; an HMAC costs about a microsecond (bench/tls.sh --tickets).
 *
 * <p>One per USS; thread-safe. The migrations it admitted are kept, bounded ({@value #REMEMBERED}), for the
 * frames that follow.
 */
final class MigrationTickets {
    /** Migrations remembered per node for their later frames; the oldest is forgotten first. */
    static final int REMEMBERED = 16_384;
    /** Bytes of a ticket key. */
    static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String node;
    private final String cluster;
    private final byte[] key;
    /** "mobile/migration id" → the cluster whose credential may send this migration's other frames. */
    private final Map<String, String> otherEnd = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** With a new random key of this node's. */
    MigrationTickets(String node, String cluster) {
        this(node, cluster, newKey());
    }

    MigrationTickets(String node, String cluster, byte[] key) {
        this.node = node;
        this.cluster = cluster;
        this.key = key.clone();
    }

    static byte[] newKey() {
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        return k;
    }

    /** This node's key, Base64, for its HELLO. */
    String keyForHello() {
        return Base64.getEncoder().encodeToString(key);
    }

    /** A key from a HELLO, or {@code null} when it is absent or not a key. */
    static byte[] keyOf(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            byte[] k = Base64.getDecoder().decode(base64);
            return k.length == KEY_BYTES ? k : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The LS's ticket for a migration it orders, sealed under the source's and the target's keys. */
    static Ticket issue(byte[] sourceKey, byte[] targetKey, String mobile, long migration, long epoch,
            String sourceNode, String sourceCluster, String targetNode, String targetCluster, String targetAddr) {
        Ticket t = new Ticket(mobile, migration, epoch, sourceNode, sourceCluster, targetNode, targetCluster,
                targetAddr, null, null);
        byte[] bytes = t.sealedBytes();
        Base64.Encoder b64 = Base64.getEncoder();
        return t.sealed(b64.encodeToString(mac(sourceKey, bytes)), b64.encodeToString(mac(targetKey, bytes)));
    }

    static byte[] mac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }

    /**
     * Why this node, the target, must not act on a MIGRATE with {@code ticket} from {@code peer}; {@code null}
     * when it may. From a Location Server's own credential the ticket is that LS's word already; relayed by
     * anyone else it must be sealed under this node's key. Admitted, the migration's later frames are taken from
     * the source's credential only.
     */
    String admitMigrate(Frame f, Ticket ticket, String sourceNode, Peer peer) {
        String wrong = fields(f, ticket);
        if (wrong == null && !peer.isLocationServer()) {
            wrong = sealedForMe(ticket, ticket.targetMac());
        }
        if (wrong == null && !node.equals(ticket.targetNode())) {
            wrong = "its ticket names " + ticket.targetNode() + " as the target, not this node";
        }
        if (wrong == null && !cluster.equals(ticket.targetCluster())) {
            wrong = "its ticket names cluster " + ticket.targetCluster() + " as the target's";
        }
        if (wrong == null && !ticket.sourceNode().equals(sourceNode)) {
            wrong = "its ticket names " + ticket.sourceNode() + " as the source, the MIGRATE " + sourceNode;
        }
        if (wrong == null) {
            remember(f, ticket.sourceCluster());
        }
        return wrong;
    }

    /**
     * Why this node, the source, must not give its agent away for a TRANSFER with {@code ticket} from
     * {@code peer}; {@code null} when it may. Admitted, the migration's later frames are taken from the target's
     * credential only.
     */
    String admitTransfer(Frame f, Ticket ticket, String targetNode, String targetCluster, String targetAddr,
            Peer peer) {
        String wrong = fields(f, ticket);
        if (wrong == null) {
            wrong = sealedForMe(ticket, ticket.sourceMac());
        }
        if (wrong == null && !node.equals(ticket.sourceNode())) {
            wrong = "its ticket names " + ticket.sourceNode() + " as the source, not this node";
        }
        if (wrong == null && !(ticket.targetNode().equals(targetNode) && ticket.targetCluster().equals(targetCluster)
                && ticket.targetAddr().equals(targetAddr))) {
            wrong = "its ticket names the target " + ticket.targetNode() + " of " + ticket.targetCluster() + " at "
                    + ticket.targetAddr() + ", the TRANSFER " + targetNode + " of " + targetCluster + " at "
                    + targetAddr;
        }
        if (wrong == null && !peer.servesCluster(ticket.targetCluster())) {
            wrong = "the credential of " + peer.name() + " does not serve the ticket's target cluster "
                    + ticket.targetCluster();
        }
        if (wrong == null) {
            remember(f, ticket.targetCluster());
        }
        return wrong;
    }

    /** Why {@code peer} may not send this frame of a migration; {@code null} when it is the other end's credential. */
    String admitFollowing(Frame f, Peer peer) {
        String other;
        synchronized (otherEnd) {
            other = otherEnd.get(key(f));
        }
        if (other == null) {
            return "no ticket of migration " + f.correlationId() + " of '" + f.mobile() + "' was admitted here";
        }
        return peer.servesCluster(other)
                ? null
                : "the credential of " + peer.name() + " does not serve cluster " + other + ", the other end of"
                        + " migration " + f.correlationId();
    }

    private String sealedForMe(Ticket t, String mac) {
        byte[] got;
        try {
            got = mac == null ? null : Base64.getDecoder().decode(mac);
        } catch (IllegalArgumentException e) {
            got = null;
        }
        return got != null && MessageDigest.isEqual(got, mac(key, t.sealedBytes()))
                ? null
                : "its ticket is not sealed by a Location Server for this node";
    }

    /** Why the ticket's fields do not fit the frame, or {@code null}. */
    private static String fields(Frame f, Ticket t) {
        if (t == null) {
            return "it carries no migration ticket";
        }
        if (t.mobile() == null || t.sourceNode() == null || t.sourceCluster() == null || t.targetNode() == null
                || t.targetCluster() == null || t.targetAddr() == null) {
            return "its ticket is incomplete";
        }
        if (!t.mobile().equals(f.mobile()) || t.migration() != f.correlationId() || t.epoch() != f.epoch()) {
            return "its ticket is for migration " + t.migration() + " of '" + t.mobile() + "' with epoch " + t.epoch();
        }
        return null;
    }

    private void remember(Frame f, String otherCluster) {
        synchronized (otherEnd) {
            otherEnd.put(key(f), otherCluster);
        }
    }

    private static String key(Frame f) {
        return f.mobile() + "/" + f.correlationId();
    }
}

package org.roamer.core.internal.node;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.roamer.api.frame.Frame;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.Peer;
import org.roamer.api.spi.transport.Signed;
import org.roamer.api.spi.transport.TransportException;
import org.roamer.core.internal.wire.Payloads.Ticket;

/**
 * Migration tickets on a network of authenticated links (docs/security.md). The Location Server that decides a
 * migration signs a {@link Ticket} naming the mobile, the migration id, the new epoch, the source and the target;
 * it travels in MIGRATE to the target and in TRANSFER on to the source. A USS gives an agent away only for a
 * TRANSFER whose ticket an LS signed, that names it as the source and whose sender's credential serves the
 * ticket's target cluster; it rebuilds one only for a MIGRATE whose ticket names it as the target. Both then take
 * the migration's other frames (TRANSFER_DATA, READY, BUFFERED, MIGRATE_FAILED) only from the other end's
 * credential. Without this, any USS credential could ask for any agent with a TRANSFER naming itself.
 *
 * <p>One per USS; thread-safe. The migrations it admitted are kept, bounded ({@value #REMEMBERED}), for the
 * frames that follow.
 */
final class MigrationTickets {
    /** Migrations remembered per node for their later frames; the oldest is forgotten first. */
    static final int REMEMBERED = 16_384;

    private final String node;
    private final String cluster;
    /** "mobile/migration id" → the cluster whose credential may send this migration's other frames. */
    private final Map<String, String> otherEnd = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    MigrationTickets(String node, String cluster) {
        this.node = node;
        this.cluster = cluster;
    }

    /** The LS's ticket for a migration it orders, signed with the credential of {@code endpoint}. */
    static Ticket issue(Endpoint endpoint, String mobile, long migration, long epoch, String sourceNode,
            String sourceCluster, String targetNode, String targetCluster, String targetAddr) throws TransportException {
        Ticket t = new Ticket(mobile, migration, epoch, sourceNode, sourceCluster, targetNode, targetCluster,
                targetAddr, null, null);
        Signed s = endpoint.sign(t.signedBytes());
        Base64.Encoder b64 = Base64.getEncoder();
        return t.signed(b64.encodeToString(s.signature()), b64.encodeToString(s.certificate()));
    }

    /**
     * Why this node, the target, must not act on a MIGRATE with {@code ticket}; {@code null} when it may. Admitted,
     * the migration's later frames are taken from the source's credential only.
     */
    String admitMigrate(Frame f, Ticket ticket, String sourceNode, Peer peer, Endpoint verifier) {
        // from a Location Server's own credential the ticket is that LS's word already: its signature is for the
        // source, to which the target relays it (checking it here too would add ~0.8 ms to every migration)
        String wrong = peer.isLocationServer() ? fields(f, ticket) : check(f, ticket, verifier);
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
    String admitTransfer(Frame f, Ticket ticket, String targetNode, String targetCluster, String targetAddr, Peer peer,
            Endpoint verifier) {
        String wrong = check(f, ticket, verifier);
        if (wrong == null && !node.equals(ticket.sourceNode())) {
            wrong = "its ticket names " + ticket.sourceNode() + " as the source, not this node";
        }
        if (wrong == null && !(ticket.targetNode().equals(targetNode) && ticket.targetCluster().equals(targetCluster)
                && ticket.targetAddr().equals(targetAddr))) {
            wrong = "its ticket names the target " + ticket.targetNode() + " of " + ticket.targetCluster() + " at "
                    + ticket.targetAddr() + ", the TRANSFER " + targetNode + " of " + targetCluster + " at " + targetAddr;
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
        return peer.servesCluster(other) ? null
                : "the credential of " + peer.name() + " does not serve cluster " + other + ", the other end of"
                        + " migration " + f.correlationId();
    }

    private static String check(Frame f, Ticket t, Endpoint verifier) {
        String wrong = fields(f, t);
        if (wrong != null) {
            return wrong;
        }
        if (verifier == null) {
            return "this node has no authenticating transport to check tickets with";
        }
        Peer signer;
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            signer = verifier.verify(t.signedBytes(), new Signed(b64.decode(t.signature()), b64.decode(t.certificate())));
        } catch (TransportException | IllegalArgumentException e) {
            return "its ticket's signature is refused: " + e.getMessage();
        }
        return signer.isLocationServer() ? null : "its ticket was signed by " + signer.name() + ", not a Location Server";
    }

    /** Why the ticket's fields do not fit the frame, or {@code null}. */
    private static String fields(Frame f, Ticket t) {
        if (t == null) {
            return "it carries no migration ticket";
        }
        if (t.signature() == null || t.certificate() == null || t.mobile() == null || t.sourceNode() == null
                || t.sourceCluster() == null || t.targetNode() == null || t.targetCluster() == null
                || t.targetAddr() == null) {
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

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.wire;

import java.util.List;
import java.util.Set;

import org.roamer.api.MobileId;
import org.roamer.api.Profile;

/** The JSON bodies of control messages; see docs/protocol.md. Field names are kept short on purpose. */
public final class Payloads {
    private Payloads() {
    }

    /** Profile on the wire. */
    public record ProfileDto(boolean mt, Set<String> caps, Set<String> apps, String fwd) {
        public static ProfileDto of(Profile p) {
            return new ProfileDto(p.mobTerm(), p.capabilities(), p.applications(),
                    p.forwardTo() == null ? null : p.forwardTo().value());
        }

        public Profile toProfile() {
            return new Profile(mt, caps, apps, fwd == null ? null : new MobileId(fwd));
        }
    }

    /**
     * Node announcement (node → LS) and its answer.
     *
     * @param routing         the routing policy the USS uses (absent from older nodes: migrate)
     * @param routingMigrates whether that policy migrates on every crossing (the LS then need not ask)
     * @param ticketKey       the USS's migration-ticket key, Base64 (32 bytes), sent only over authenticated links:
     *                        the LS seals the tickets of this node's migrations with it
     */
    public record Hello(String node, String role, String cluster, String addr, List<String> strategies,
            String transport, String routing, Boolean routingMigrates, String container, List<String> ls,
            String ticketKey) {
        public Hello(String node, String role, String cluster, String addr, List<String> strategies,
                String transport) {
            this(node, role, cluster, addr, strategies, transport, null, null, null, null, null);
        }
    }

    /**
     * ADMIN: an operator's command for another container ({@code op} with its arguments), answered to
     * {@code from}.
     */
    public record Admin(String from, String op, java.util.Map<String, String> args) {
    }

    /** The answer to ADMIN: the command's result as JSON, or why it failed. */
    public record AdminResult(boolean ok, String reason, com.google.gson.JsonElement result) {
    }

    /**
     * REGISTRATION: mobile entered {@code cluster} (profile only on power-on).
     *
     * @param restore an agent restored from its checkpoint of that epoch (crash recovery)
     * @param follow  sent by the USS an agent is anchored at, for its mobile: the routing policy decided on a
     *                recheck that the agent now follows the mobile into {@code cluster}
     * @param live    sent by a USS to a restarted LS: the agent runs there with this epoch
     * @param routing a move decided by this routing policy instead of the agent's node's own ({@code roamer:move
     *                --routing}); {@code null} for the node's own
     */
    public record Registration(String cluster, String from, ProfileDto profile, String strategy, Long restore,
            Boolean follow, Long live, String routing) {
        public Registration(String cluster, String from, ProfileDto profile, String strategy) {
            this(cluster, from, profile, strategy, null, null, null, null);
        }

        public Registration(String cluster, String from, ProfileDto profile, String strategy, Long restore) {
            this(cluster, from, profile, strategy, restore, null, null, null);
        }

        public Registration(String cluster, String from, ProfileDto profile, String strategy, Long restore,
                Boolean follow) {
            this(cluster, from, profile, strategy, restore, follow, null, null);
        }

        /** A move whose crossing the routing policy {@code routing} decides, not the agent's node's own. */
        public static Registration move(String cluster, String from, String strategy, String routing) {
            return new Registration(cluster, from, null, strategy, null, null, null, routing);
        }

        /** A USS tells a restarted LS that the agent runs there with epoch {@code live}, its mobile in {@code cluster}. */
        public static Registration live(String cluster, String from, long epoch) {
            return new Registration(cluster, from, null, null, null, null, epoch, null);
        }
    }

    /**
     * The LS's answer to HELLO.
     *
     * @param incarnation random per start of the LS: a USS that sees it change knows the LS restarted and lost
     *                    what it knew, and announces its agents again
     */
    public record HelloAck(boolean ok, Long incarnation) {
    }

    /** DEREGISTRATION / LOCATE / simple requests needing a reply address. */
    public record Request(String from) {
    }

    /** CREATE_AGENT (LS → USS); epoch in the header. */
    public record CreateAgent(ProfileDto profile, String radioPort, String from) {
    }

    /**
     * Generic reply (ACK / ERROR / LOCATION / registration results). Unused fields stay null.
     *
     * @param cluster      the mobile's cluster (LOCATION, registration results)
     * @param routing      the routing policy that decided a crossing
     * @param anchored     the agent stayed at {@code node} on purpose (anchored, or back home)
     * @param ports        radio ports told the anchor's address
     * @param links        signalling links set up for the crossing
     * @param agentCluster the cluster of the USS hosting the agent, when it differs from {@code cluster}
     */
    public record Reply(boolean ok, String reason, String node, String cluster, String addr, Long epoch,
            String strategy, Long bytes, Integer buffered, Integer drained, Long micros, String source,
            String routing, Boolean anchored, Integer ports, Integer links, String agentCluster) {
        public Reply(boolean ok, String reason, String node, String cluster, String addr, Long epoch,
                String strategy, Long bytes, Integer buffered, Integer drained, Long micros, String source) {
            this(ok, reason, node, cluster, addr, epoch, strategy, bytes, buffered, drained, micros, source, null, null,
                    null, null, null);
        }

        public static Reply success() {
            return new Reply(true, null, null, null, null, null, null, null, null, null, null, null);
        }

        public static Reply error(String reason) {
            return new Reply(false, reason, null, null, null, null, null, null, null, null, null, null);
        }

        public static Reply location(String node, String cluster, String addr, long epoch) {
            return new Reply(true, null, node, cluster, addr, epoch, null, null, null, null, null, null);
        }

        /** Where a mobile is and where its agent runs (LOCATE). */
        public static Reply location(String node, String cluster, String addr, long epoch, String agentCluster,
                String routing) {
            return new Reply(true, null, node, cluster, addr, epoch, null, null, null, null, null, null, routing, null,
                    null, null, agentCluster);
        }

        /** The anchor's answer to a crossing: what its routing policy decided and what was updated. */
        public static Reply routed(String routing, boolean anchored, int ports, int links) {
            return new Reply(true, null, null, null, null, null, null, null, null, null, null, null, routing, anchored,
                    ports, links, null);
        }

        public boolean isAnchored() {
            return Boolean.TRUE.equals(anchored);
        }
    }

    /**
     * MIGRATE (LS → target USS): correlation = migration id, epoch = the agent's new epoch.
     *
     * @param ticket the migration's ticket, signed by the LS; present when the LS has a credential
     */
    public record Migrate(String source, String sourceNode, String strategy, String from, Ticket ticket) {
        /** Without a ticket (a network of plaintext links). */
        public Migrate(String source, String sourceNode, String strategy, String from) {
            this(source, sourceNode, strategy, from, null);
        }
    }

    /**
     * A migration's ticket: the Location Server's word that this migration of this mobile, with this epoch, goes
     * from this source to this target. The target passes it on in its TRANSFER; the source gives the agent only
     * to the target it names, and both take the migration's other frames only from the other end's credential.
     *
     * @param sourceMac HMAC-SHA256 of {@link #sealedBytes()} under the source USS's ticket key, Base64
     * @param targetMac the same under the target USS's key
     */
    public record Ticket(String mobile, long migration, long epoch, String sourceNode, String sourceCluster,
            String targetNode, String targetCluster, String targetAddr, String sourceMac, String targetMac) {
        /** What the MACs cover: every field but the MACs, one per line. */
        public byte[] sealedBytes() {
            return String.join("\n", "roamer-ticket/2", mobile, Long.toString(migration), Long.toString(epoch),
                    sourceNode, sourceCluster, targetNode, targetCluster, targetAddr)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The same ticket, sealed for both ends. */
        public Ticket sealed(String sourceMac, String targetMac) {
            return new Ticket(mobile, migration, epoch, sourceNode, sourceCluster, targetNode, targetCluster,
                    targetAddr, sourceMac, targetMac);
        }
    }

    /**
     * TRANSFER request (target → source): the target's strategies in its order of preference.
     *
     * @param agentType the target's agent implementation; absent from older peers, in which case the source
     *                  does not know whether whole-image strategies can restore there
     * @param ticket    the Location Server's ticket of this migration, from its MIGRATE
     */
    public record Transfer(String target, String targetNode, String targetCluster, List<String> strategies,
            String strategy, org.roamer.api.spi.migration.AgentType agentType, Ticket ticket) {
        /** Without a ticket (a network of plaintext links). */
        public Transfer(String target, String targetNode, String targetCluster, List<String> strategies,
                String strategy, org.roamer.api.spi.migration.AgentType agentType) {
            this(target, targetNode, targetCluster, strategies, strategy, agentType, null);
        }
    }

    /** MIGRATE_DONE (target → LS) and, as a REPLY, the result to the registering party. */
    public record MigrateDone(String node, String cluster, String addr, String strategy, long bytes, int buffered,
            int drained) {
    }

    /** MIGRATE_FAILED, with the reason. */
    public record MigrateFailed(String reason) {
    }

    /** CALL_OFFER to the callee's agent. */
    public record CallOffer(String callId, String caller, String type, String from) {
    }

    /** CALL_DECISION from the callee's agent (and forwarded to the caller's agent). */
    public record CallDecision(String callId, boolean accepted, String reason, boolean paged, String radioPort,
            int air, String callee, String type) {
    }

    /** ORIGINATE from the mobile (over the air) to its agent. */
    public record Originate(String callId, String callee, String type, String from) {
    }

    /** CALL_RELEASE. */
    public record CallRelease(String callId) {
    }

    /** PAGE_RESPONSE from the radio port that found the terminal (empty port: not found). */
    public record PageResponse(String callId, String radioPort, int air) {
    }

    /**
     * LOCATION_UPDATE, anchored routing (a request; the answer is an ACK with a {@link Reply#routed} body or an
     * ERROR). Kinds: {@code crossing} (LS → the USS hosting the agent: the mobile is in {@code cluster}, whose
     * USS is {@code uss}); {@code ports} (that USS → the USS of {@code cluster}: its radio ports learn that the
     * agent is at {@code anchor}); {@code link} (a cluster's USS → the anchor: a signalling link is set up).
     *
     * @param routing for a crossing: the routing policy that decides it instead of the node's own, or {@code null}
     * @param from reply address
     */
    public record LocationUpdate(String kind, String from, String cluster, String uss, String ussNode,
            String anchor, String anchorNode, String routing) {
        public LocationUpdate(String kind, String from, String cluster, String uss, String ussNode, String anchor,
                String anchorNode) {
            this(kind, from, cluster, uss, ussNode, anchor, anchorNode, null);
        }

        public static final String CROSSING = "crossing";
        public static final String PORTS = "ports";
        public static final String LINK = "link";
    }

    /** PAGE from the USS hosting an anchored agent to the USS of its paging area; PAGE_RESPONSE goes to {@code from}. */
    public record Page(String callId, String from) {
    }

    /** REDIRECT: the agent lives at {@code addr} now. */
    public record Redirect(String addr, String node) {
    }

    /** BUSY: retry after the given time. */
    public record Busy(long retryAfterMs, String reason) {
    }
}

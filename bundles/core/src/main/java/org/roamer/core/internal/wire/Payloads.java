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

    /** Node announcement (node → LS) and its answer. */
    public record Hello(String node, String role, String cluster, String addr, List<String> strategies,
            String transport) {
    }

    /** REGISTRATION: mobile entered {@code cluster} (profile only on power-on). */
    public record Registration(String cluster, String from, ProfileDto profile, String strategy, Long restore) {
        public Registration(String cluster, String from, ProfileDto profile, String strategy) {
            this(cluster, from, profile, strategy, null);
        }
    }

    /** DEREGISTRATION / LOCATE / simple requests needing a reply address. */
    public record Request(String from) {
    }

    /** CREATE_AGENT (LS → USS); epoch in the header. */
    public record CreateAgent(ProfileDto profile, String radioPort, String from) {
    }

    /** Generic reply (ACK / ERROR / LOCATION / registration results). Unused fields stay null. */
    public record Reply(boolean ok, String reason, String node, String cluster, String addr, Long epoch,
            String strategy, Long bytes, Integer buffered, Integer drained, Long micros, String source) {
        public static Reply success() {
            return new Reply(true, null, null, null, null, null, null, null, null, null, null, null);
        }

        public static Reply error(String reason) {
            return new Reply(false, reason, null, null, null, null, null, null, null, null, null, null);
        }

        public static Reply location(String node, String cluster, String addr, long epoch) {
            return new Reply(true, null, node, cluster, addr, epoch, null, null, null, null, null, null);
        }
    }

    /** MIGRATE (LS → target USS): correlation = migration id, epoch = the agent's new epoch. */
    public record Migrate(String source, String sourceNode, String strategy, String from) {
    }

    /**
     * TRANSFER request (target → source): the target's strategies in its order of preference.
     *
     * @param agentType the target's agent implementation; absent from older peers, in which case the source
     *                  does not know whether whole-image strategies can restore there
     */
    public record Transfer(String target, String targetNode, String targetCluster, List<String> strategies,
            String strategy, org.roamer.api.spi.migration.AgentType agentType) {
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

    /** REDIRECT: the agent lives at {@code addr} now. */
    public record Redirect(String addr, String node) {
    }

    /** BUSY: retry after the given time. */
    public record Busy(long retryAfterMs, String reason) {
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.RoamerCore;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads.CallDecision;
import org.roamer.core.internal.wire.Payloads.CallOffer;
import org.roamer.core.internal.wire.Payloads.CallRelease;
import org.roamer.core.internal.wire.Payloads.Redirect;
import org.roamer.core.internal.wire.Payloads.Reply;
import org.roamer.core.internal.wire.Payloads.Request;

/**
 * The Call Server of a cluster: keeps the network state of calls. It takes the CALL_REQUEST of a caller's
 * agent, finds the callee's agent through the Location Server, offers it the call (CALL_OFFER) and hands the
 * decision back to the caller's agent. Its network traffic goes through its cluster's USS.
 */
@Component(configurationPid = "org.roamer.call", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
@Designate(ocd = CallServer.Config.class, factory = true)
public final class CallServer extends ClusterServer {
    /** Offer attempts (re-locating after a redirect or a missing agent). */
    static final int MAX_ATTEMPTS = 3;
    static final long OFFER_TIMEOUT_MS = 6000;

    @ObjectClassDefinition(name = "Roamer Call Server", description = "Keeps the network state of calls in a cluster")
    public @interface Config {
        @AttributeDefinition(name = "Node id")
        String node_id();

        @AttributeDefinition(description = "The cluster it serves")
        String cluster();
    }

    /** A call known to this Call Server. */
    public record CallRecord(String callId, MobileId caller, String callee, CallType type, List<String> services,
            long startedNanos) {
    }

    private final ConcurrentHashMap<String, CallRecord> calls = new ConcurrentHashMap<>();

    @Activate
    public CallServer(@Reference RoamerCore core, Config c) {
        this(core, NodeId.of(c.node_id()), ClusterId.of(c.cluster()));
    }

    public CallServer(RoamerCore core, NodeId id, ClusterId cluster) {
        super(core, id, cluster);
        core.directory().add(this);
    }

    @Override
    void leave(Directory directory) {
        directory.remove(this);
    }

    public int callCount() {
        return calls.size();
    }

    public CallRecord call(String callId) {
        return calls.get(callId);
    }

    /** A caller's agent asks for a call (CALL_REQUEST). Asynchronous; the decision goes to the caller's agent. */
    void callRequest(UserSignalingServer uss, MobileId caller, String callId, String callee, CallType type,
            List<String> services) {
        core.metrics().inc("calls.requested");
        CallRecord rec = new CallRecord(callId, caller, callee, type, List.copyOf(services), System.nanoTime());
        calls.put(callId, rec);
        locate(uss, callee).whenComplete((addr, e) -> {
            if (e != null) {
                decide(uss, rec, false, e.getMessage(), false, null, 0);
            } else {
                offer(uss, rec, addr, 1);
            }
        });
    }

    /** Asks the LS where a mobile's agent is; completes with its USS address or fails with a reason. */
    static CompletableFuture<String> locate(UserSignalingServer uss, String mobile) {
        CompletableFuture<String> out = new CompletableFuture<>();
        NodeAddress ls = uss.locationServer();
        if (ls == null) {
            out.completeExceptionally(new IllegalStateException("no Location Server known"));
            return out;
        }
        Frame f = Frame.of(MessageType.LOCATE, uss.nextCorrelation(), mobile,
                Json.encode(new Request(uss.address().toString())));
        uss.request(ls, f, 5000).whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(new IllegalStateException("Location Server did not answer"));
                return;
            }
            try {
                Reply reply = Json.decode(r.payload(), Reply.class);
                if (reply.ok() && reply.addr() != null) {
                    out.complete(reply.addr());
                } else {
                    out.completeExceptionally(new IllegalStateException(reply.reason()));
                }
            } catch (FrameException x) {
                out.completeExceptionally(new IllegalStateException(x.getMessage()));
            }
        });
        return out;
    }

    private void offer(UserSignalingServer uss, CallRecord rec, String addr, int attempt) {
        Frame f = Frame.of(MessageType.CALL_OFFER, uss.nextCorrelation(), rec.callee(), Json.encode(
                new CallOffer(rec.callId(), rec.caller().value(), rec.type().name(), uss.address().toString())));
        uss.request(NodeAddress.parse(addr), f, OFFER_TIMEOUT_MS).whenComplete((r, e) -> {
            if (e != null) {
                decide(uss, rec, false, "no answer from the callee's agent", false, null, 0);
                return;
            }
            try {
                switch (r.type()) {
                    case CALL_DECISION -> {
                        CallDecision d = Json.decode(r.payload(), CallDecision.class);
                        decide(uss, rec, d.accepted(), d.reason(), d.paged(), d.radioPort(), d.air());
                    }
                    case REDIRECT -> {
                        if (attempt < MAX_ATTEMPTS) {
                            offer(uss, rec, Json.decode(r.payload(), Redirect.class).addr(), attempt + 1);
                        } else {
                            decide(uss, rec, false, "callee's agent could not be reached", false, null, 0);
                        }
                    }
                    case ERROR -> {
                        if (attempt < MAX_ATTEMPTS) {
                            locate(uss, rec.callee()).whenComplete((a, x) -> {
                                if (x != null) {
                                    decide(uss, rec, false, x.getMessage(), false, null, 0);
                                } else {
                                    offer(uss, rec, a, attempt + 1);
                                }
                            });
                        } else {
                            decide(uss, rec, false, Json.decode(r.payload(), Reply.class).reason(), false, null, 0);
                        }
                    }
                    case BUSY -> decide(uss, rec, false, "callee's agent is busy migrating", false, null, 0);
                    default -> decide(uss, rec, false, "unexpected answer " + r.type(), false, null, 0);
                }
            } catch (FrameException x) {
                decide(uss, rec, false, "invalid answer: " + x.getMessage(), false, null, 0);
            }
        });
    }

    private void decide(UserSignalingServer uss, CallRecord rec, boolean accepted, String reason, boolean paged,
            String port, int air) {
        if (accepted) {
            core.metrics().inc("calls.accepted");
        } else {
            calls.remove(rec.callId());
            core.metrics().inc("calls.rejected");
        }
        core.metrics().latency("call.setup", System.nanoTime() - rec.startedNanos());
        uss.dispatch(new Frame(MessageType.CALL_DECISION, 0, 0, 0, 0, rec.caller().value(), Json.encode(
                new CallDecision(rec.callId(), accepted, reason, paged, port, air, rec.callee(), rec.type().name()))));
    }

    /** Releases a call: CALL_RELEASE to every party's agent. */
    public boolean release(String callId) {
        CallRecord rec = calls.get(callId);
        if (rec == null || !releaseAt(callId, List.of(rec.caller().value(), rec.callee()))) {
            return false;
        }
        calls.remove(callId, rec);
        return true;
    }

    /**
     * Sends CALL_RELEASE for a call to these parties' agents, wherever they run: also for a call this server has no
     * record of (restored agents list the calls they were in; the record died with the restart).
     *
     * @return false when this server's cluster has no USS to send from
     */
    public boolean releaseAt(String callId, List<String> parties) {
        UserSignalingServer uss = core.directory().uss(cluster().value());
        if (uss == null) {
            return false;
        }
        core.metrics().inc("calls.released");
        byte[] body = Json.encode(new CallRelease(callId));
        for (String party : parties) {
            locate(uss, party).thenAccept(addr -> uss.trySend(addr,
                    Frame.of(MessageType.CALL_RELEASE, uss.nextCorrelation(), party, body)));
        }
        return true;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.SignalingNode;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;
import org.roamer.core.internal.wire.Payloads.Busy;
import org.roamer.core.internal.wire.Payloads.CallDecision;
import org.roamer.core.internal.wire.Payloads.Redirect;
import org.roamer.core.internal.wire.Payloads.Reply;

/**
 * The mobile's side of the air interface, simulated for the console ({@link NetworkService}): a mobile powers on,
 * crosses into a cluster, powers off and places calls at a radio port of a cluster of this container, and is sent
 * messages; each request travels as a real frame through that cluster's USS — REGISTRATION and DEREGISTRATION to the
 * Location Server, ORIGINATE and AGENT_MESSAGE to the mobile's agent, following REDIRECTs, re-locating after a missing
 * agent and retrying after BUSY. A cluster of another container is that container's to simulate: the console sends
 * the command there. Thread-safe.
 */
final class MobileSide {
    private static final int MAX_SEND_ATTEMPTS = 100;
    /** The route lane of call set-up (ORIGINATE to the caller's agent); message senders use their own name. */
    private static final String CALLS = "\0calls";

    private final RoamerCore core;
    private final NetworkService console;
    private final AtomicLong callIds = new AtomicLong(ThreadLocalRandom.current().nextInt(1 << 20) * 1000L);
    /**
     * Where each sender (lane) of this container last reached each mobile's agent: mobile, then lane, then
     * address. Changed only by the lane's own answers (REDIRECT, a missing agent, an acknowledgement). One
     * route per sender, not per mobile: every hop is FIFO, so a sender's messages stay in order only if its
     * path changes by following the chain its earlier messages took. A route another sender has just learnt
     * may skip a forwarder where this sender's last message still waits (see SenderRouteOrderTest).
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> routes = new ConcurrentHashMap<>();

    /** @param console the console this simulates for: it locates mobiles and names the node it sends from */
    MobileSide(RoamerCore core, NetworkService console) {
        this.core = core;
        this.console = console;
    }

    // ------------------------------------------------------------------ mobility

    /**
     * The mobile powers on at a radio port of {@code cluster}, whose USS {@code uss} runs here: REGISTRATION to the
     * Location Server, which has a USS create the agent.
     *
     * @return the Location Server's answer
     */
    Reply powerOn(UserSignalingServer uss, MobileId mobile, ClusterId cluster, Profile profile) throws RoamerException {
        RadioPort port = radioPort(cluster);
        checkForwardTarget(mobile, profile);
        Reply r = NetworkService.await(registration(uss, mobile, new Payloads.Registration(cluster.value(),
                uss.address().toString(), Payloads.ProfileDto.of(profile), null)), "registration of " + mobile);
        if (!r.ok()) {
            throw new RoamerException(r.reason());
        }
        core.air().place(uss.sharedId(mobile).value(), port.id().value()); // the agent cell's copy of the id
        core.metrics().add("air.messages", 2); // REGISTRATION up, confirmation down
        return r;
    }

    /** The mobile powers off in its cluster, whose USS {@code uss} runs here: DEREGISTRATION to the Location Server. */
    void powerOff(SignalingNode uss, MobileId mobile) throws RoamerException {
        Frame f = Frame.of(MessageType.DEREGISTRATION, uss.nextCorrelation(), mobile.value(),
                Json.encode(new Payloads.Request(uss.address().toString())));
        Reply r = NetworkService.await(uss.request(console.lsAddress(), f, NetworkService.TIMEOUT_MS),
                "deregistration of " + mobile);
        if (!r.ok()) {
            throw new RoamerException(r.reason());
        }
        core.directory().radioPorts().forEach(p -> p.forget(mobile.value()));
        core.metrics().add("air.messages", 1);
    }

    /**
     * The mobile crosses into cluster {@code to}, whose USS {@code uss} runs here, and registers at one of its radio
     * ports. One REGISTRATION round trip: the LS answers when the migration is done or has failed, with the cluster
     * the agent left.
     */
    MoveResult move(UserSignalingServer uss, MobileId mobile, ClusterId to, String strategy, String routing)
            throws RoamerException {
        RadioPort port = radioPort(to);
        if (strategy != null && core.strategy(strategy) == null) {
            throw new RoamerException("strategy '" + strategy + "' is not installed; installed: "
                    + core.strategyNames(List.of()));
        }
        String wasAt = core.air().portOf(mobile.value());
        core.air().place(mobile.value(), port.id().value());
        Reply r;
        try {
            r = NetworkService.await(registration(uss, mobile, Payloads.Registration.move(to.value(),
                    uss.address().toString(), strategy, routing)), "move of " + mobile);
        } catch (RoamerException e) {
            restorePlace(mobile, wasAt);
            throw e;
        }
        if (!r.ok() && r.source() == null) {
            restorePlace(mobile, wasAt);
            throw new RoamerException(r.reason());
        }
        if (r.ok() && r.strategy() == null && !r.isAnchored()) {
            throw new RoamerException("mobile '" + mobile + "' is already in cluster " + to);
        }
        core.metrics().add("air.messages", 2);
        return new MoveResult(mobile, ClusterId.of(r.source()), to, r.ok() && !r.isAnchored(), r.strategy(),
                r.bytes() == null ? 0 : r.bytes(), r.buffered() == null ? 0 : r.buffered(),
                r.drained() == null ? 0 : r.drained(), r.epoch() == null ? 0 : r.epoch(),
                r.micros() == null ? 0 : r.micros(), r.ok() ? "ok" : r.reason(), r.routing(), r.ok() && r.isAnchored(),
                r.node() == null ? null : NodeId.of(r.node()), r.ports() == null ? 0 : r.ports(),
                r.links() == null ? 0 : r.links());
    }

    private void restorePlace(MobileId mobile, String port) {
        if (port == null) {
            core.air().remove(mobile.value());
        } else {
            core.air().place(mobile.value(), port);
        }
    }

    private Future<Frame> registration(UserSignalingServer uss, MobileId mobile, Payloads.Registration reg)
            throws RoamerException {
        Frame f = Frame.of(MessageType.REGISTRATION, uss.nextCorrelation(), mobile.value(), Json.encode(reg));
        return uss.request(NetworkService.locationServer(uss), f, NetworkService.TIMEOUT_MS);
    }

    /** Calls are forwarded only to another mobile the network knows. */
    private void checkForwardTarget(MobileId mobile, Profile profile) throws RoamerException {
        MobileId to = profile.forwardTo();
        if (to == null) {
            return;
        }
        if (to.equals(mobile)) {
            throw new RoamerException("calls of " + mobile + " cannot be forwarded to itself");
        }
        try {
            console.locate(to);
        } catch (RoamerException e) {
            throw new RoamerException("calls of " + mobile + " cannot be forwarded to " + to + ": " + e.getMessage());
        }
    }

    private RadioPort radioPort(ClusterId cluster) throws RoamerException {
        List<RadioPort> ports = core.directory().radioPorts(cluster.value());
        if (ports.isEmpty()) {
            throw new RoamerException("cluster '" + cluster + "' has no radio port");
        }
        // spread mobiles over the cluster's ports
        return ports.get(ThreadLocalRandom.current().nextInt(ports.size()));
    }

    // ------------------------------------------------------------------ calls

    /** The mobile {@code caller}, in range of a radio port here or not, places a call: ORIGINATE to its agent. */
    CallResult call(MobileId caller, MobileId callee, CallType type) throws RoamerException {
        // the request enters the network at the caller's radio port, which knows where its agent is: in the
        // port's cluster, or anchored elsewhere (the route the port learnt)
        SignalingNode uss = console.sender();
        String first = null;
        String portId = core.air().portOf(caller.value());
        for (RadioPort p : portId == null ? List.<RadioPort>of() : core.directory().radioPorts()) {
            if (p.id().value().equals(portId)) {
                RadioPort.Route route = p.route(caller.value());
                UserSignalingServer local = core.directory().uss(p.cluster().value());
                if (local != null) {
                    uss = local;
                    first = route != null ? route.address() : local.address().toString();
                }
            }
        }
        String callId = "call-" + callIds.incrementAndGet();
        long start = System.nanoTime();
        core.metrics().add("air.messages", 1); // ORIGINATE, the short request over the air
        Frame f = Frame.of(MessageType.ORIGINATE, 0, caller.value(), Json.encode(
                new Payloads.Originate(callId, callee.value(), type.name(), uss.address().toString())));
        Frame r = requestAgent(uss, caller, CALLS, f, first);
        try {
            CallDecision d = Json.decode(r.payload(), CallDecision.class);
            core.metrics().inc("calls");
            return new CallResult(callId, d.accepted(), d.reason(), d.paged(), d.radioPort(), d.air(),
                    (System.nanoTime() - start) / 1000);
        } catch (FrameException e) {
            throw new RoamerException("invalid call decision: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ messages

    /** See {@link org.roamer.api.RoamerNetwork#send}. */
    void send(MobileId mobile, String sender, long seq, byte[] body) throws RoamerException {
        SignalingNode uss = console.sender();
        Frame f = new Frame(MessageType.AGENT_MESSAGE, 0, 0, 0, seq, mobile.value(),
                AgentMessages.encodeMessage(uss.address().toString(), sender, body));
        requestAgent(uss, mobile, sender, f);
    }

    /**
     * Sends a request to a mobile's agent and waits for its answer, following REDIRECTs, re-locating after
     * a missing agent and retrying after BUSY (the stub's back-pressure) with the delay it asks for.
     */
    private Frame requestAgent(SignalingNode uss, MobileId mobile, String lane, Frame request)
            throws RoamerException {
        return requestAgent(uss, mobile, lane, request, null);
    }

    /**
     * As above, trying {@code first} (where the mobile's radio port sends it) before what this lane knows.
     * Only call set-up uses it: its lane carries no ordered stream of messages.
     */
    private Frame requestAgent(SignalingNode uss, MobileId mobile, String lane, Frame request, String first)
            throws RoamerException {
        String addr = first != null ? first : route(mobile, lane);
        if (addr == null) {
            addr = console.locate(mobile).addr();
        }
        int relocations = 0;
        for (int attempt = 0; attempt < MAX_SEND_ATTEMPTS; attempt++) {
            Frame f = new Frame(request.type(), request.flags(), uss.nextCorrelation(), request.epoch(), request.seq(),
                    request.mobile(), request.payload());
            Frame r = NetworkService.awaitFrame(uss.request(NodeAddress.parse(addr), f, NetworkService.TIMEOUT_MS),
                    request.type() + " to " + mobile);
            try {
                switch (r.type()) {
                    case REDIRECT -> {
                        addr = Json.decode(r.payload(), Redirect.class).addr();
                        route(mobile, lane, addr);
                    }
                    case ERROR -> {
                        if (++relocations > 3) {
                            throw new RoamerException(Json.decode(r.payload(), Reply.class).reason());
                        }
                        addr = console.locate(mobile).addr();
                        route(mobile, lane, addr);
                    }
                    case BUSY -> {
                        core.metrics().inc("send.busy");
                        Busy b = Json.decode(r.payload(), Busy.class);
                        Thread.sleep(Math.min(100, Math.max(1, b.retryAfterMs())));
                    }
                    default -> {
                        route(mobile, lane, addr);
                        return r;
                    }
                }
            } catch (FrameException e) {
                throw new RoamerException("invalid answer from the network: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RoamerException("interrupted");
            }
        }
        throw new RoamerException("agent of " + mobile + " stayed busy after " + MAX_SEND_ATTEMPTS + " attempts");
    }

    /** Where {@code lane} (a sender, or {@link #CALLS}) last reached the agent of {@code mobile}; null: unknown. */
    String route(MobileId mobile, String lane) {
        ConcurrentHashMap<String, String> lanes = routes.get(mobile.value());
        return lanes == null ? null : lanes.get(lane);
    }

    /** Remembers where {@code lane} reached the agent of {@code mobile}. */
    void route(MobileId mobile, String lane, String addr) {
        routes.computeIfAbsent(mobile.value(), k -> new ConcurrentHashMap<>(4)).put(lane, addr);
    }

    /** Forgets where senders reached the agent of {@code mobile}: it powered off, or was restored somewhere. */
    void forgetRoutes(MobileId mobile) {
        routes.remove(mobile.value());
    }
}

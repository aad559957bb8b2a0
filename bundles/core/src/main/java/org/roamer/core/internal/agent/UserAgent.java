/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.roamer.api.ActiveCall;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads.CallDecision;
import org.roamer.core.internal.wire.Payloads.CallOffer;
import org.roamer.core.internal.wire.Payloads.CallRelease;
import org.roamer.core.internal.wire.Payloads.Originate;
import org.roamer.core.internal.wire.Payloads.PageResponse;

/**
 * The user agent (the seed's "user process"): acts in the network for one mobile with its profile.
 * Handles one frame at a time on its owner's thread; never blocks. Not thread-safe by design.
 */
public final class UserAgent {
    /** Page time-out for an offered call. */
    public static final long PAGE_TIMEOUT_MS = 2000;
    /** Most simultaneous calls. */
    public static final int MAX_CALLS = 4;
    /** The application state of an agent that has none: shared (empty, so nothing can change it). */
    private static final byte[] NO_STATE = new byte[0];
    /** Services an originated call type maps to (the seed: the agent maps the short request to services). */
    static final Map<CallType, List<String>> SERVICES = Map.of(
            CallType.VOICE, List.of("bearer-64k"),
            CallType.DATA, List.of("bearer-packet"),
            CallType.VIDEO, List.of("bearer-384k", "codec-h261"),
            CallType.FAX, List.of("bearer-64k", "t30"));

    private final MobileId mobile;
    private Profile profile;
    /** The shared empty list while the agent has no call (most are idle), else its own list. */
    private List<ActiveCall> calls = List.of();
    private String radioPort;
    private long delivered;
    private long handled;
    private Conversation conversation;
    private long timerToken;
    private long timerDeadline;
    /**
     * State of the applications the agent runs for its mobile (e.g. session data), opaque to the network.
     * Whole-image strategies move it; the NAIVE variables leave it out (the agent does not select it).
     */
    private byte[] applicationState = NO_STATE;

    public UserAgent(MobileId mobile, Profile profile, String radioPort) {
        this.mobile = mobile;
        this.profile = profile;
        this.radioPort = radioPort;
    }

    /** Rebuilds an agent from NAIVE migration variables. */
    public static UserAgent fromVariables(MigrationVariables v) {
        UserAgent a = new UserAgent(v.mobile(), v.profile(), v.radioPort());
        a.calls = callList(v.calls());
        a.delivered = v.delivered();
        return a;
    }

    public MobileId mobile() {
        return mobile;
    }

    public Profile profile() {
        return profile;
    }

    public List<ActiveCall> calls() {
        return List.copyOf(calls);
    }

    public String radioPort() {
        return radioPort;
    }

    public byte[] applicationState() {
        return applicationState;
    }

    /** Replaces the application state (benchmarks of state size, Fig. 6 of the seed). */
    public void applicationState(byte[] state) {
        applicationState = state.clone();
    }

    public long delivered() {
        return delivered;
    }

    long handled() {
        return handled;
    }

    Conversation conversation() {
        return conversation;
    }

    /** Deadline (epoch millis) of the armed conversation timer, or 0. */
    long timerDeadline() {
        return timerDeadline;
    }

    /** No negotiation in progress. */
    public boolean atStablePoint() {
        return conversation == null;
    }

    public AgentStatus status() {
        return conversation != null
                ? AgentStatus.NEGOTIATING
                : calls.isEmpty() ? AgentStatus.IDLE : AgentStatus.IN_CALL;
    }

    /** The variables this agent selects for a NAIVE migration; fewer when idle. */
    public MigrationVariables variables() {
        if (conversation != null) {
            throw new IllegalStateException("agent " + mobile + " is negotiating call " + conversation.callId());
        }
        return new MigrationVariables(mobile, profile, calls, radioPort, delivered);
    }

    private static List<ActiveCall> callList(List<ActiveCall> from) {
        return from.isEmpty() ? List.of() : new ArrayList<>(from);
    }

    private void addCall(ActiveCall call) {
        if (calls.isEmpty()) {
            calls = new ArrayList<>(2);
        }
        calls.add(call);
    }

    // --- restore support (image codec) ---
    void restoreState(List<ActiveCall> restoredCalls, long deliveredCount, long handledCount) {
        calls = callList(restoredCalls);
        delivered = deliveredCount;
        handled = handledCount;
    }

    void restoreConversation(Conversation c) {
        conversation = c;
    }

    /** Re-arms the conversation timer after a whole-state restore. */
    public void resumeTimers(AgentContext ctx, long remainingMillis) {
        if (conversation != null && remainingMillis >= 0) {
            arm(ctx, remainingMillis);
        }
    }

    /** Handles one frame addressed to this agent. */
    public void handle(Frame f, AgentContext ctx) throws FrameException {
        handled++;
        switch (f.type()) {
            case AGENT_MESSAGE -> {
                AgentMessages.Message m = AgentMessages.decodeMessage(f.payload());
                delivered++;
                ctx.delivered(m.sender(), f.seq());
            }
            case CALL_OFFER -> onOffer(f, Json.decode(f.payload(), CallOffer.class), ctx);
            case PAGE_RESPONSE -> onPageResponse(Json.decode(f.payload(), PageResponse.class), ctx);
            case ORIGINATE -> onOriginate(f, Json.decode(f.payload(), Originate.class), ctx);
            case CALL_DECISION -> onDecision(f, Json.decode(f.payload(), CallDecision.class), ctx);
            case CALL_RELEASE -> {
                String id = Json.decode(f.payload(), CallRelease.class).callId();
                if (!calls.isEmpty() && calls.removeIf(c -> c.callId().equals(id))) {
                    if (calls.isEmpty()) {
                        calls = List.of();
                    }
                    ctx.release(id);
                    ctx.air(1); // release notice to the terminal
                }
            }
            default -> throw new FrameException("a user agent does not handle " + f.type());
        }
    }

    /** The conversation timer fired. */
    public void onTimer(long token, AgentContext ctx) {
        if (token != timerToken || conversation == null) {
            return;
        }
        Conversation c = conversation;
        end();
        if (c.callee()) {
            decide(c, false, "no page response", false, null, 0, ctx);
        } else {
            decide(c, false, "no call decision", false, null, 0, ctx);
        }
    }

    private void onOffer(Frame f, CallOffer offer, AgentContext ctx) throws FrameException {
        CallType type = parseType(offer.type());
        Conversation c = new Conversation(offer.callId(), true, offer.caller(), type, offer.from(), f.correlationId());
        String refusal = null;
        if (conversation != null) {
            refusal = "busy: negotiating " + conversation.callId();
        } else if (!profile.mobTerm()) {
            refusal = profile.forwardTo() != null
                    ? "mob-term off; forwarding to " + profile.forwardTo()
                    : "mob-term off";
        } else if (!profile.supports(type)) {
            refusal = "incompatible: " + type.name().toLowerCase() + " needs capability " + type.requiredCapability()
                    + (type.requiredApplication() == null ? "" : " and application " + type.requiredApplication());
        } else if (calls.size() >= MAX_CALLS) {
            refusal = "busy: " + calls.size() + " calls";
        }
        if (refusal != null) {
            // the air-interface saving: a rejected call pages nobody
            decide(c, false, refusal, false, null, 0, ctx);
            return;
        }
        conversation = c;
        arm(ctx, PAGE_TIMEOUT_MS);
        ctx.page(c.callId());
    }

    private void onPageResponse(PageResponse r, AgentContext ctx) {
        Conversation c = conversation;
        if (c == null || !c.callee() || !c.callId().equals(r.callId())) {
            return; // late response to a finished negotiation
        }
        end();
        if (r.radioPort() == null || r.radioPort().isEmpty()) {
            decide(c, false, "terminal not found", true, null, r.air(), ctx);
            return;
        }
        radioPort = r.radioPort();
        ctx.connect(c.callId(), c.type(), radioPort);
        addCall(new ActiveCall(c.callId(), c.type(), List.of(new MobileId(c.peer())), false, radioPort));
        ctx.air(1); // call setup to the terminal
        decide(c, true, "accepted", true, radioPort, r.air() + 1, ctx);
    }

    private void onOriginate(Frame f, Originate o, AgentContext ctx) throws FrameException {
        CallType type = parseType(o.type());
        Conversation c = new Conversation(o.callId(), false, o.callee(), type, o.from(), f.correlationId());
        if (conversation != null) {
            decide(c, false, "busy: negotiating " + conversation.callId(), false, null, 2, ctx);
            return;
        }
        if (!profile.supports(type)) {
            decide(c, false, "own terminal cannot place a " + type.name().toLowerCase() + " call", false, null, 2, ctx);
            return;
        }
        if (calls.size() >= MAX_CALLS) {
            decide(c, false, "busy: " + calls.size() + " calls", false, null, 2, ctx);
            return;
        }
        conversation = c;
        arm(ctx, 2 * PAGE_TIMEOUT_MS + 1000);
        ctx.callRequest(c.callId(), c.peer(), type, SERVICES.get(type));
    }

    private void onDecision(Frame f, CallDecision d, AgentContext ctx) {
        Conversation c = conversation;
        if (c == null || c.callee() || !c.callId().equals(d.callId())) {
            return;
        }
        end();
        if (d.accepted() && calls.size() < MAX_CALLS) {
            addCall(new ActiveCall(c.callId(), c.type(), List.of(new MobileId(c.peer())), true, radioPort));
            ctx.air(1); // "connected" to the calling terminal
        }
        ctx.reply(c.replyTo(), new Frame(MessageType.CALL_DECISION, Frame.REPLY, c.corr(), 0, 0, mobile.value(),
                Json.encode(new CallDecision(d.callId(), d.accepted(), d.reason(), d.paged(), d.radioPort(),
                        d.air() + 2, d.callee(), d.type())))); // + ORIGINATE up, connected/refused down
    }

    private void decide(Conversation c, boolean accepted, String reason, boolean paged, String port, int air,
            AgentContext ctx) {
        ctx.reply(c.replyTo(), new Frame(MessageType.CALL_DECISION, Frame.REPLY, c.corr(), 0, 0, mobile.value(),
                Json.encode(new CallDecision(c.callId(), accepted, reason, paged, port, air, mobile.value(),
                        c.type().name()))));
    }

    private void arm(AgentContext ctx, long delay) {
        timerToken++;
        timerDeadline = System.currentTimeMillis() + delay;
        ctx.startTimer(delay, timerToken);
    }

    private void end() {
        conversation = null;
        timerToken++;
        timerDeadline = 0;
    }

    private static CallType parseType(String s) throws FrameException {
        try {
            return CallType.parse(s);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new FrameException("invalid call type " + s);
        }
    }
}

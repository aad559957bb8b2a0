/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.agent;

import org.roamer.api.CallType;
import org.roamer.api.frame.Frame;

/** What a user agent can do to the world; provided by the USS that hosts it. Called on the agent's thread. */
public interface AgentContext {
    /** Pages the terminal in the agent's cluster; a PAGE_RESPONSE frame for the agent follows. */
    void page(String callId);

    /** Has the Connection Server set up the path of an accepted call. */
    void connect(String callId, CallType type, String radioPort);

    /** Has the Connection Server release a call's path. */
    void release(String callId);

    /** Sends the agent's CALL_REQUEST, with the services it mapped the call type to, to its Call Server. */
    void callRequest(String callId, String callee, CallType type, java.util.List<String> services);

    /** Sends a frame to a node address (a reply to whoever asked). */
    void reply(String address, Frame frame);

    /** Counts messages over the air interface. */
    void air(int messages);

    /** Tells delivery listeners an application message was handled. */
    void delivered(String sender, long seq);

    /** Arms the conversation timer; a timer firing is handled by {@link UserAgent#onTimer(long)}. */
    void startTimer(long delayMillis, long token);
}

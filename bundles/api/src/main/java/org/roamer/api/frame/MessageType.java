/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

/**
 * Message types of the Roamer protocol with their wire codes. Codes are stable across versions; a new
 * type gets a new code.
 */
public enum MessageType {
    /** Node announcement: id, role, cluster, address, installed strategies. */
    HELLO(1, false),
    /** Mobile powered on / entered a cluster (to the Location Server). */
    REGISTRATION(2, false),
    /** Mobile powered off. */
    DEREGISTRATION(3, false),
    /** LS → USS: create the user agent with the profile. */
    CREATE_AGENT(4, false),
    /** LS → USS: terminate the user agent. */
    TERMINATE_AGENT(5, false),
    /** A call offered to the callee's agent. */
    CALL_OFFER(6, false),
    /** The callee agent's answer to a call offer. */
    CALL_DECISION(7, false),
    /** Page a terminal over the air (USS → radio ports). */
    PAGE(8, false),
    /** A radio port's answer to a page. */
    PAGE_RESPONSE(9, false),
    /** Short call request from the mobile to its agent. */
    ORIGINATE(10, false),
    /** Agent → Call Server: set up a call. */
    CALL_REQUEST(11, false),
    /** Release a call. */
    CALL_RELEASE(12, false),
    /** LS → target USS: migrate the agent here. */
    MIGRATE(13, false),
    /** Target → source USS: send me the agent (advertises the target's strategies). */
    TRANSFER(14, false),
    /** Source → target: one chunk of strategy-specific agent state. */
    TRANSFER_DATA(15, true),
    /** Target → source: the agent is rebuilt; commit and drain the stub. */
    READY(16, false),
    /** Source → target: the messages the stub buffered, in order. */
    BUFFERED(17, true),
    /** Target USS → LS: the agent runs here now. */
    MIGRATE_DONE(18, false),
    /** A migration failed; the agent stays at the source. */
    MIGRATE_FAILED(19, false),
    /** Anchored routing: tell radio ports / agent the new location or paging area. */
    LOCATION_UPDATE(20, false),
    /** An application message for a user agent. */
    AGENT_MESSAGE(21, true),
    /** The agent is not here any more: resend to the address in the payload. */
    REDIRECT(22, false),
    /** The stub's buffer is full: retry later. */
    BUSY(23, false),
    /** Generic positive reply to a request (by correlation id). */
    ACK(24, false),
    /** Generic negative reply to a request, with a reason. */
    ERROR(25, false),
    /** Where is the agent of this mobile? (to the LS) */
    LOCATE(26, false),
    /** The LS's answer to LOCATE. */
    LOCATION(27, false),
    /**
     * A marker a node sends down the forwarding chain it was part of when an agent arrives there; stubs
     * forward it like a message, so its return proves every message forwarded before it has arrived.
     */
    FLUSH(28, false),
    /**
     * An operator's console command for the nodes of another container (list its nodes and agents, register,
     * move, swap a plug-in); answered with ACK or ERROR. Refused unless the receiving node allows remote
     * administration.
     */
    ADMIN(29, true);

    private static final MessageType[] BY_CODE = new MessageType[64];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean data;

    MessageType(int code, boolean data) {
        this.code = code;
        this.data = data;
    }

    /** The wire code, 1–63. */
    public int code() {
        return code;
    }

    /** Whether the payload may be as large as the data limit (state pages, drained messages). */
    public boolean isData() {
        return data;
    }

    /** The type of a wire code, or {@code null} when the code is unknown. */
    public static MessageType ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}

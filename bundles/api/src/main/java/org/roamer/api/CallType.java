/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.Locale;

/**
 * The call types a mobile can send or receive, with what a terminal needs to take part: a terminal
 * capability and, for some types, a running application (the seed's "Xserver running" / "video card"
 * compatibility checks).
 */
public enum CallType {
    /** Plain voice. Needs the {@code voice} capability. */
    VOICE("voice", null),
    /** Packet data session. Needs the {@code data} capability. */
    DATA("data", null),
    /** Video call. Needs the {@code video} capability and the {@code xserver} application running. */
    VIDEO("video", "xserver"),
    /** Fax. Needs the {@code fax} capability. */
    FAX("fax", null);

    private final String capability;
    private final String application;

    CallType(String capability, String application) {
        this.capability = capability;
        this.application = application;
    }

    /** The terminal capability this call type needs. */
    public String requiredCapability() {
        return capability;
    }

    /** The application that must be running for this call type, or {@code null}. */
    public String requiredApplication() {
        return application;
    }

    /** Case-insensitive parse with a clear error listing the valid names. */
    public static CallType parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unknown call type '" + text + "': use voice, data, video or fax");
        }
    }
}

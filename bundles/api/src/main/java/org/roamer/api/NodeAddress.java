/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Network address of a node's listener: host and port. Port 0 asks the transport for an ephemeral port.
 *
 * @param host a host name or literal IP address
 * @param port 0–65535
 */
public record NodeAddress(String host, int port) {
    /** @throws IllegalArgumentException on an empty host or a port out of range */
    public NodeAddress {
        if (host == null || host.isBlank() || host.length() > 255) {
            throw new IllegalArgumentException("invalid host '" + host + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("invalid port " + port + ": must be 0-65535");
        }
    }

    /** Parses {@code host:port} (an IPv6 literal in brackets: {@code [::1]:7100}). */
    public static NodeAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("address is missing");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("invalid address '" + text + "': expected host:port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new NodeAddress(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port in address '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The physical world of the simulation: which radio port each powered-on mobile is in range of. Paging
 * asks it; {@code register} and {@code move} change it. Thread-safe.
 */
public final class AirInterface {
    private final ConcurrentHashMap<String, String> portOfMobile = new ConcurrentHashMap<>();

    public void place(String mobile, String radioPort) {
        portOfMobile.put(mobile, radioPort);
    }

    public void remove(String mobile) {
        portOfMobile.remove(mobile);
    }

    /** Radio port the mobile is in range of, or {@code null}. */
    public String portOf(String mobile) {
        return portOfMobile.get(mobile);
    }
}

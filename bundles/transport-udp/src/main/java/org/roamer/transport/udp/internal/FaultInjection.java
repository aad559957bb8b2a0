/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Faults the endpoint injects into its own outgoing datagrams, for tests and experiments on one machine
 * (no netem here): each datagram is dropped with probability {@code loss}, else sent twice with probability
 * {@code duplication}. Off by default; every injected fault is counted.
 *
 * @param loss        probability 0-0.5 that a datagram is not sent
 * @param duplication probability 0-0.5 that a datagram is sent twice
 */
record FaultInjection(double loss, double duplication) {
    static final FaultInjection NONE = new FaultInjection(0, 0);

    /** @throws IllegalArgumentException a probability outside 0-0.5 */
    FaultInjection {
        if (!(loss >= 0 && loss <= 0.5) || !(duplication >= 0 && duplication <= 0.5)) {
            throw new IllegalArgumentException("fault.loss.percent and fault.duplication.percent must be 0-50, are "
                    + loss * 100 + " and " + duplication * 100);
        }
    }

    static FaultInjection ofPercent(double lossPercent, double duplicationPercent) {
        return lossPercent == 0 && duplicationPercent == 0
                ? NONE
                : new FaultInjection(lossPercent / 100, duplicationPercent / 100);
    }

    boolean active() {
        return loss > 0 || duplication > 0;
    }

    /** How many copies of the next datagram to send: 0 (lost), 1 or 2 (duplicated). */
    int copies() {
        double r = ThreadLocalRandom.current().nextDouble();
        return r < loss ? 0 : r < loss + duplication ? 2 : 1;
    }
}

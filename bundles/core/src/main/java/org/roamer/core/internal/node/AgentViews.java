/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.roamer.api.AgentInfo;
import org.roamer.api.MobileId;

/**
 * The agents of one {@link UserSignalingServer} as the console (and benchmarks, tests) see them: snapshots, each
 * taken on its agent's own actor, and the few things asked of a live agent from outside. Owned by its node;
 * thread-safe (a caller waits for the actors' answers, at most as long as it says).
 */
public final class AgentViews {
    private final UserSignalingServer uss;

    AgentViews(UserSignalingServer uss) {
        this.uss = uss;
    }

    /** Snapshots of the agents hosted here, taken on each agent's own thread. */
    public List<AgentInfo> agents(long timeoutMillis) {
        List<CompletableFuture<AgentInfo>> futures = new ArrayList<>(uss.cellCount());
        for (AgentCell c : uss.cells()) {
            CompletableFuture<AgentInfo> f = new CompletableFuture<>();
            c.actor.execute(() -> f.complete(c.info()));
            futures.add(f);
        }
        List<AgentInfo> out = new ArrayList<>(futures.size());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (CompletableFuture<AgentInfo> f : futures) {
            try {
                AgentInfo i = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (i != null) {
                    out.add(i);
                }
            } catch (Exception e) {
                uss.core().metrics().inc("errors.snapshot");
            }
        }
        return out;
    }

    /** Tasks queued on the actor of a mobile's cell here and not finished, -1 when there is no cell (tests). */
    public int cellBacklog(MobileId mobile) {
        AgentCell cell = uss.cell(mobile);
        return cell == null ? -1 : cell.actor.backlog();
    }

    /** Gives a live agent here an application state (benchmarks); false when it does not live here. */
    public boolean applicationState(MobileId mobile, byte[] state) {
        AgentCell c = uss.cell(mobile);
        if (c == null) {
            return false;
        }
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        c.actor.execute(() -> f.complete(c.applicationState(state)));
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    /** The agent of one mobile if it lives here. */
    public AgentInfo agent(MobileId mobile, long timeoutMillis) {
        AgentCell c = uss.cell(mobile);
        if (c == null) {
            return null;
        }
        CompletableFuture<AgentInfo> f = new CompletableFuture<>();
        c.actor.execute(() -> f.complete(c.info()));
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import java.nio.file.Path;
import java.util.List;

import org.roamer.api.ClusterId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.frame.FrameLimits;

/**
 * Validated settings of one User Signaling Server.
 *
 * @param id                 node id
 * @param cluster            its cluster
 * @param listen             listen address
 * @param locationServer     LS address, or {@code null} for the LS in this container
 * @param preferredStrategy  strategy to use when the peer has it
 * @param strategyOrder      fallback order
 * @param stubMaxMessages    stub capacity, messages
 * @param stubMaxBytes       stub capacity, bytes
 * @param stubIdleMillis     a forwarding stub turns into a tombstone after this long without traffic
 * @param tombstoneMillis    a tombstone redirects late messages for this long
 * @param migrationTimeoutMillis source waits this long for READY before it rolls back
 * @param stablePointTimeoutMillis longest wait for a stable point (strategies without asynchronous initiation)
 * @param limits             frame limits
 * @param workDirectory      node-local directory for strategies
 * @param checkpointStore    name of the checkpoint store used for crash recovery
 * @param checkpointSeconds  write a checkpoint of every live agent this often; 0 = never
 * @param restoreOnStart     bring agents back from their checkpoints when the node starts
 * @param restoredCallCheckMillis this long after an agent was restored, each of its calls whose peer the Location
 *                           Server does not know any more is released (the peer is gone)
 */
public record UssSettings(NodeId id, ClusterId cluster, NodeAddress listen, NodeAddress locationServer,
        String preferredStrategy, List<String> strategyOrder, int stubMaxMessages, int stubMaxBytes,
        long stubIdleMillis, long tombstoneMillis, long migrationTimeoutMillis, long stablePointTimeoutMillis,
        FrameLimits limits, Path workDirectory, String checkpointStore, long checkpointSeconds,
        boolean restoreOnStart, long restoredCallCheckMillis) {

    /** Default of {@code restored.call.check.ms}: time for the peers of a restored call to be restored too. */
    public static final long DEFAULT_RESTORED_CALL_CHECK_MS = 10_000;

    /** @throws IllegalArgumentException on a value out of range, with the attribute named */
    public UssSettings {
        positive("stub.max.messages", stubMaxMessages);
        positive("stub.max.bytes", stubMaxBytes);
        if (stubMaxBytes > limits.maxDataPayload() - 4096) {
            throw new IllegalArgumentException("stub.max.bytes " + stubMaxBytes
                    + " must leave room in one BUFFERED frame (max.frame.bytes " + limits.maxDataPayload() + ")");
        }
        positive("stub.idle.timeout.ms", stubIdleMillis);
        positive("tombstone.ttl.ms", tombstoneMillis);
        positive("migration.timeout.ms", migrationTimeoutMillis);
        positive("stable.point.timeout.ms", stablePointTimeoutMillis);
        strategyOrder = List.copyOf(strategyOrder);
        if (checkpointSeconds < 0) {
            throw new IllegalArgumentException("checkpoint.interval.s must not be negative, is " + checkpointSeconds);
        }
        positive("restored.call.check.ms", restoredCallCheckMillis);
    }

    /** Settings with the default check of restored calls. */
    public UssSettings(NodeId id, ClusterId cluster, NodeAddress listen, NodeAddress locationServer,
            String preferredStrategy, List<String> strategyOrder, int stubMaxMessages, int stubMaxBytes,
            long stubIdleMillis, long tombstoneMillis, long migrationTimeoutMillis, long stablePointTimeoutMillis,
            FrameLimits limits, Path workDirectory, String checkpointStore, long checkpointSeconds,
            boolean restoreOnStart) {
        this(id, cluster, listen, locationServer, preferredStrategy, strategyOrder, stubMaxMessages, stubMaxBytes,
                stubIdleMillis, tombstoneMillis, migrationTimeoutMillis, stablePointTimeoutMillis, limits,
                workDirectory,
                checkpointStore, checkpointSeconds, restoreOnStart, DEFAULT_RESTORED_CALL_CHECK_MS);
    }

    /** Settings without checkpointing. */
    public UssSettings(NodeId id, ClusterId cluster, NodeAddress listen, NodeAddress locationServer,
            String preferredStrategy, List<String> strategyOrder, int stubMaxMessages, int stubMaxBytes,
            long stubIdleMillis, long tombstoneMillis, long migrationTimeoutMillis, long stablePointTimeoutMillis,
            FrameLimits limits, Path workDirectory) {
        this(id, cluster, listen, locationServer, preferredStrategy, strategyOrder, stubMaxMessages, stubMaxBytes,
                stubIdleMillis, tombstoneMillis, migrationTimeoutMillis, stablePointTimeoutMillis, limits,
                workDirectory,
                "condor", 0, false);
    }

    /** The same settings with another preferred strategy. */
    public UssSettings withPreferredStrategy(String name) {
        return new UssSettings(id, cluster, listen, locationServer, name, strategyOrder, stubMaxMessages, stubMaxBytes,
                stubIdleMillis, tombstoneMillis, migrationTimeoutMillis, stablePointTimeoutMillis, limits,
                workDirectory,
                checkpointStore, checkpointSeconds, restoreOnStart, restoredCallCheckMillis);
    }

    /** The same settings with another stub and tombstone life: {@code stub.max.messages}, {@code tombstone.ttl.ms}. */
    public UssSettings withStub(int maxMessages, long tombstoneTtlMillis) {
        return new UssSettings(id, cluster, listen, locationServer, preferredStrategy, strategyOrder, maxMessages,
                stubMaxBytes, stubIdleMillis, tombstoneTtlMillis, migrationTimeoutMillis, stablePointTimeoutMillis,
                limits, workDirectory, checkpointStore, checkpointSeconds, restoreOnStart, restoredCallCheckMillis);
    }

    /** Where checkpoints for crash recovery are kept. */
    public Path checkpointDirectory() {
        return workDirectory.resolve("recovery");
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, is " + v);
        }
    }
}

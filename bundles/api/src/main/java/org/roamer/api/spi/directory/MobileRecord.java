/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.directory;

import java.util.Objects;

import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;

/**
 * What the directory knows of one mobile. Values are checked on construction, so a record read from another
 * process or a file is valid or is not a record.
 *
 * @param mobile       the mobile's id
 * @param cluster      the cluster the mobile is in (its paging area); {@code null} when deregistered
 * @param agentCluster the cluster of the USS hosting its agent; {@code null} when deregistered
 * @param node         that USS's node id; {@code null} when deregistered (the record keeps the epoch only)
 * @param addr         that USS's address; {@code null} when deregistered
 * @param epoch        the live agent's epoch (fencing token), 0 when deregistered
 * @param maxEpoch     the highest epoch ever handed out for the mobile: epochs never go backwards, not across
 *                     deregistrations either
 * @param owner        the Location Server that has a change of this mobile in progress (a migration, a
 *                     creation), or {@code null}; other Location Servers answer "busy" until it ends or
 *                     {@code ownerUntil} passes
 * @param ownerUntil   when {@code owner}'s claim lapses (epoch milliseconds), 0 without an owner
 * @param version      the directory's version of the stored record (its compare-and-set token); 0 for a
 *                     record not stored yet. Writers pass it back; the directory sets it.
 */
public record MobileRecord(String mobile, String cluster, String agentCluster, String node, String addr, long epoch,
        long maxEpoch, String owner, long ownerUntil, long version) {
    public MobileRecord {
        MobileId.of(mobile);
        if (node != null) {
            NodeId.of(node);
            ClusterId.of(Objects.requireNonNull(cluster, "cluster"));
            ClusterId.of(Objects.requireNonNull(agentCluster, "agentCluster"));
            NodeAddress.parse(Objects.requireNonNull(addr, "addr"));
            if (epoch < 1 || epoch > maxEpoch) {
                throw new IllegalArgumentException("epoch " + epoch + " not in 1.." + maxEpoch);
            }
        } else if (cluster != null || agentCluster != null || addr != null || epoch != 0) {
            throw new IllegalArgumentException("a deregistered record keeps only its maximum epoch");
        }
        if (maxEpoch < 0 || version < 0 || ownerUntil < 0) {
            throw new IllegalArgumentException("negative epoch, version or time");
        }
        if (owner != null) {
            NodeId.of(owner);
        }
    }

    /** Whether the mobile is registered (has a live agent somewhere). */
    public boolean registered() {
        return node != null;
    }

    /** Whether a Location Server other than {@code ls} has a change of this mobile in progress at {@code now}. */
    public boolean claimedByOther(String ls, long now) {
        return owner != null && !owner.equals(ls) && ownerUntil > now;
    }

    /** This record with another version (directories set it when they store a record). */
    public MobileRecord withVersion(long v) {
        return new MobileRecord(mobile, cluster, agentCluster, node, addr, epoch, maxEpoch, owner, ownerUntil, v);
    }
}

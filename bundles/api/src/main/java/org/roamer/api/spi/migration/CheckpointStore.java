/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

import java.nio.file.Path;
import java.util.List;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;

/**
 * Durable checkpoints of agents, for crash recovery (the Condor-like embodiment: "the new user process
 * created is a checkpoint file and can be reviewed later in the case of a machine or network crash").
 * Register as an OSGi service with {@value #NAME_PROPERTY} set to {@link #name()}. The USS core writes a
 * checkpoint of every live agent periodically (if configured), deletes it when the agent leaves (at the
 * migration's commit point, whatever strategy carried it) or is terminated — also after periodic checkpoints
 * were turned off, as long as the node's directory may hold any — and restores agents from it after a restart. Thread-safe; each call is for one node's
 * directory, and the core never calls it twice at once for the same mobile.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface CheckpointStore {
    /** Service property carrying the store's name. */
    String NAME_PROPERTY = "roamer.checkpoints";

    /** Unique name, e.g. {@code condor}. */
    String name();

    /**
     * Durably writes the agent's whole state (replacing this mobile's older checkpoints in the directory)
     * before returning. Called on the agent's owner thread with the agent stopped between two messages.
     *
     * @param agent     the agent; valid only during this call
     * @param epoch     the agent's current epoch
     * @param node      the node writing it
     * @param directory the node's checkpoint directory
     * @throws MigrationException when it cannot be written
     */
    void save(MigratingAgent agent, long epoch, NodeId node, Path directory) throws MigrationException;

    /**
     * The latest checkpoint of every mobile in a directory; unreadable or corrupt files are skipped (and may
     * be reported by the implementation's log).
     */
    List<CheckpointInfo> list(Path directory) throws MigrationException;

    /**
     * Reads and verifies (checksum before parsing) the latest checkpoint of a mobile.
     *
     * @throws MigrationException when there is none, or it is corrupt
     */
    Checkpoint load(Path directory, MobileId mobile) throws MigrationException;

    /** Removes every checkpoint of a mobile from the directory. Never throws. */
    void delete(Path directory, MobileId mobile);

    /**
     * What {@link #list} reports of a checkpoint.
     *
     * @param mobile  the mobile
     * @param epoch   the agent's epoch when it was written
     * @param written when it was written, epoch milliseconds
     * @param bytes   file size
     * @param type    agent type of the image
     * @param node    node that wrote it
     */
    record CheckpointInfo(MobileId mobile, long epoch, long written, long bytes, AgentType type, NodeId node) {
    }

    /**
     * A verified checkpoint.
     *
     * @param info  its description
     * @param image the agent's whole state
     */
    record Checkpoint(CheckpointInfo info, AgentImage image) {
    }
}

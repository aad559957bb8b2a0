/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationException;

/** A checkpoint store in memory that outlives the networks of a test (a "disk" that survives a crash). */
final class MemoryCheckpointStore implements CheckpointStore {
    final ConcurrentHashMap<String, Checkpoint> byKey = new ConcurrentHashMap<>();
    /** Calls of {@link #delete}, found or not. */
    final java.util.concurrent.atomic.AtomicInteger deletes = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String name() {
        return "condor";
    }

    private static String key(Path dir, MobileId m) {
        return dir + "|" + m.value();
    }

    @Override
    public void save(MigratingAgent agent, long epoch, NodeId node, Path directory) {
        AgentImage image = agent.image();
        byKey.put(key(directory, agent.mobile()), new Checkpoint(new CheckpointInfo(agent.mobile(), epoch,
                System.currentTimeMillis(), image.size(), image.type(), node), image));
    }

    @Override
    public List<CheckpointInfo> list(Path directory) {
        List<CheckpointInfo> out = new ArrayList<>();
        byKey.forEach((k, v) -> {
            if (k.startsWith(directory + "|")) {
                out.add(v.info());
            }
        });
        return out;
    }

    @Override
    public Checkpoint load(Path directory, MobileId mobile) throws MigrationException {
        Checkpoint c = byKey.get(key(directory, mobile));
        if (c == null) {
            throw new MigrationException("no checkpoint of " + mobile);
        }
        return c;
    }

    @Override
    public void delete(Path directory, MobileId mobile) {
        deletes.incrementAndGet();
        byKey.remove(key(directory, mobile));
    }
}

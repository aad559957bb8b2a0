/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.directory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.roamer.api.spi.directory.LocationDirectory;
import org.roamer.api.spi.directory.MobileRecord;

/**
 * The embedded default: the directory in this container's memory, shared by the Location Servers of this
 * container only, and lost when it stops (the USS nodes then re-announce their agents to the restarted
 * Location Server). Every operation completes at once, on the caller's thread.
 */
@Component(property = LocationDirectory.NAME + "=memory")
public final class MemoryDirectory implements LocationDirectory {
    private final ConcurrentHashMap<String, MobileRecord> records = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public CompletionStage<Optional<MobileRecord>> get(String mobile) {
        return CompletableFuture.completedFuture(Optional.ofNullable(records.get(mobile)));
    }

    @Override
    public CompletionStage<Optional<MobileRecord>> put(MobileRecord next) {
        MobileRecord[] stored = new MobileRecord[1];
        records.compute(next.mobile(), (k, now) -> {
            long version = now == null ? 0 : now.version();
            if (version != next.version()) {
                return now;
            }
            stored[0] = next.withVersion(version + 1);
            return stored[0];
        });
        return CompletableFuture.completedFuture(Optional.ofNullable(stored[0]));
    }

    @Override
    public long size() {
        return records.size();
    }

    @Override
    public String describe() {
        return "memory (this container only, " + records.size() + " records)";
    }
}

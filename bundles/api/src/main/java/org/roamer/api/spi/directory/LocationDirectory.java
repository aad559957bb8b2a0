/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.directory;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The Location Servers' shared record of every mobile, changed only by compare-and-set on each record's
 * version: two Location Servers changing one mobile at once cannot both succeed. Implementations are
 * thread-safe and never block the caller: every operation completes its stage later (or at once), possibly
 * on another thread. A stage fails with {@link DirectoryException} when the directory cannot answer (no
 * quorum, not connected), which callers report and never take for "absent"; after a time-out a change may
 * have been applied all the same, so callers read the record again before they retry.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface LocationDirectory {
    /** Service property naming the implementation, e.g. {@code memory} or {@code zookeeper}. */
    String NAME = "roamer.directory";

    /** The implementation's name (the value of {@link #NAME}). */
    String name();

    /** The stored record of a mobile (its version set), or empty when none was ever stored. */
    CompletionStage<Optional<MobileRecord>> get(String mobile);

    /**
     * Stores {@code next} if the stored record's version is {@code next.version()} (0: nothing stored yet).
     *
     * @return the stored record with its new version, or empty when the stored version differed (someone
     *         else changed the record first: read it again)
     */
    CompletionStage<Optional<MobileRecord>> put(MobileRecord next);

    /** How many records are stored (registered or not); may be an estimate for a distributed directory. */
    long size();

    /** A line for operators: the implementation, its members and its state. */
    String describe();
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.function.Consumer;

/**
 * The migration benchmark on the running network ({@code roamer:bench}): moves mobiles back and forth between two
 * clusters through {@link RoamerNetwork} and measures MIGRATE→MIGRATE_DONE. Provided by the core bundle as an OSGi
 * service beside {@link RoamerNetwork}; thread-safe (runs may overlap, each with mobiles of its own).
 *
 * @since 2.0
 */
@org.osgi.annotation.versioning.ProviderType
public interface RoamerBench {
    /**
     * Migrates {@code count} agents' worth of moves back and forth between two clusters of the running
     * network and measures MIGRATE→MIGRATE_DONE.
     *
     * @param strategy    strategy to use (both USS nodes must have it)
     * @param count       number of migrations
     * @param concurrency mobiles moving at once
     * @param stateBytes  application state each benchmark agent carries (0: none), to measure migration
     *                    time against state size (Fig. 6 of the seed); strategies that move the whole image
     *                    move it, NAIVE does not
     * @param progress    receives a line now and then; may be {@code null}
     */
    BenchResult run(String strategy, int count, int concurrency, int stateBytes, Consumer<String> progress)
            throws RoamerException;
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

import org.roamer.api.AgentStatus;
import org.roamer.api.MobileId;

/**
 * The stopped source agent as a strategy may read it during {@link MigrationStrategy#capture}. Provided by
 * the core; valid only during that call, on the agent's owner thread.
 */
@org.osgi.annotation.versioning.ProviderType
public interface MigratingAgent {
    /** The agent's mobile. */
    MobileId mobile();

    /** What the agent was doing when it was stopped. */
    AgentStatus status();

    /** Whether no negotiation is in progress. */
    boolean atStablePoint();

    /**
     * The variables the agent itself chose as pertinent to migration (NAIVE); only valid at a stable point.
     *
     * @throws IllegalStateException when not at a stable point
     */
    MigrationVariables variables();

    /** The agent's whole state, captured by the runtime without the agent's help (TERN-like, Condor-like). */
    AgentImage image();
}

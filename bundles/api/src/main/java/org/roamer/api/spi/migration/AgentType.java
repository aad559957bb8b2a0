/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/**
 * What the seed calls the executable: the agent implementation a whole-state image belongs to. TERN-like
 * and Condor-like images can only be restored by a node whose agent type is equal.
 *
 * @param bundle     symbolic name of the bundle holding the agent implementation
 * @param version    that bundle's version
 * @param layoutHash hash of the image layout (fields and their order)
 */
public record AgentType(String bundle, String version, long layoutHash) {
}

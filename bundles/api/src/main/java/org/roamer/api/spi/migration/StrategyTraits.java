/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.spi.migration;

/**
 * The traits of Table 2 of EP 0762789, declared by a strategy and checked by the conformance kit.
 *
 * @param independentOfAgentLogic works without the agent's help (captures the whole state)
 * @param heterogeneous           works between different agent versions / platforms
 * @param asynchronousInitiation  may cut at any message boundary, also mid-negotiation; when false the
 *                                core waits for a stable point
 * @param optimizesData           moves only what the agent selects
 * @param description             one line for {@code roamer:strategies}
 */
public record StrategyTraits(boolean independentOfAgentLogic, boolean heterogeneous, boolean asynchronousInitiation,
        boolean optimizesData, String description) {
}

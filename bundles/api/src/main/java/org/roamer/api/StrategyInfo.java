/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * A migration strategy installed on a USS node, with its Table-2 traits.
 *
 * @param name                    strategy name
 * @param independentOfAgentLogic captures the whole state without the agent's help
 * @param heterogeneous           works between different agent versions
 * @param asynchronousInitiation  may cut at any message boundary
 * @param optimizesData           moves only what the agent selects
 * @param description             one line
 * @param preferred               whether it is the node's preferred strategy
 * @param rank                    its place in the node's order of preference, 1 = first
 */
public record StrategyInfo(String name, boolean independentOfAgentLogic, boolean heterogeneous,
        boolean asynchronousInitiation, boolean optimizesData, String description, boolean preferred, int rank) {
}

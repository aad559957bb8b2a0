/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The seed's Table 1 as a traffic simulation on a private network built of this container's own classes and
 * plug-ins (NAIVE and the routing policies installed here): one user agent per terminal, a fluid-flow mobility
 * model, Poisson calls; the routing policies side by side. The running network is not touched.
 *
 * @since 1.4
 */
public interface Simulator {
    /**
     * Runs the simulation.
     *
     * @param options  by name as {@code bench/simulate.sh} takes them ({@code --terminals} → {@code 20k}, {@code
     *                 --routing} → {@code all}, ...); absent ones take their defaults
     * @param progress a line per simulated minute and per routing policy, as they come
     * @return the report: the parameters, the table of the policies side by side, call set-up by distance
     * @throws RoamerException a bad option (one sentence naming it and what is allowed), a plug-in that is not
     *                         installed, an interrupted or failed run
     */
    List<String> simulate(Map<String, String> options, Consumer<String> progress) throws RoamerException;
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * A routing policy as {@code roamer:routing} shows it for one USS.
 *
 * @param name        the policy's name
 * @param description what it does, with its parameters
 * @param active      whether the node uses it now
 */
public record RoutingInfo(String name, String description, boolean active) {
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.support.CommandException;
import org.roamer.api.RoamerException;

/**
 * Base of the {@code roamer:*} commands. An operator's mistake or a refused request (a bad value, an unknown mobile,
 * a move the network refused: {@link RoamerException}, {@link IllegalArgumentException}) is one plain line on the
 * console, {@code Error executing command: <reason>}, without colour codes, and only a DEBUG entry in the log: Karaf
 * logs any other exception at ERROR with its stack trace, which stays for real faults. The batch client
 * ({@code bin/client -b}) exits non-zero either way.
 */
abstract class RoamerAction implements Action {

    @Override
    public final Object execute() throws Exception {
        try {
            return run();
        } catch (RoamerException | IllegalArgumentException e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new CommandException("Error executing command: " + reason, reason, e);
        }
    }

    /** The command itself. */
    protected abstract Object run() throws Exception;
}

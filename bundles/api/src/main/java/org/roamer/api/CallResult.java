/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/**
 * Outcome of a call attempt.
 *
 * @param callId       call identifier (also set for a rejected call)
 * @param accepted     whether the callee's agent accepted
 * @param reason       why the agent decided so, e.g. {@code accepted}, {@code mob-term off}, {@code incompatible: video}
 * @param paged        whether the callee's terminal was paged (never for a rejected call)
 * @param radioPort    the radio port that answered the page, or {@code null}
 * @param airMessages  air-interface messages used (page, page response, call setup to the terminal, ...)
 * @param setupMicros  time from the call request to the decision (accepted: path set up), microseconds
 */
public record CallResult(String callId, boolean accepted, String reason, boolean paged, String radioPort,
        int airMessages, long setupMicros) {
}

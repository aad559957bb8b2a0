/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.List;

import org.roamer.api.frame.Frame;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.api.spi.transport.Peer;

/** A frame handler that keeps every frame reaching it, e.g. a rogue endpoint's, to check what it got. */
record FrameInbox(List<Frame> frames) implements FrameHandler {
    @Override
    public void onFrame(Frame frame) {
        frames.add(frame);
    }

    @Override
    public void onFrame(Frame frame, Peer peer) {
        frames.add(frame);
    }

    @Override
    public void onBadFrame(String peer, String reason) {
    }
}

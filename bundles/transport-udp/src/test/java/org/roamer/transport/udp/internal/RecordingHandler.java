/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import org.roamer.api.frame.Frame;
import org.roamer.api.spi.transport.FrameHandler;

/** Records what an endpoint delivers, in delivery order; optionally reacts to each frame. */
final class RecordingHandler implements FrameHandler {
    final ConcurrentLinkedQueue<Frame> frames = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> badFrames = new ConcurrentLinkedQueue<>();
    private final Consumer<Frame> reaction;

    RecordingHandler() {
        this(f -> {
        });
    }

    RecordingHandler(Consumer<Frame> reaction) {
        this.reaction = reaction;
    }

    @Override
    public void onFrame(Frame frame) {
        frames.add(frame);
        reaction.accept(frame);
    }

    @Override
    public void onBadFrame(String peer, String reason) {
        badFrames.add(peer + ": " + reason);
    }

    List<Frame> frames() {
        return List.copyOf(frames);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The frame decoder on arbitrary bytes: a frame or a {@link FrameException}, never anything else; a decoded
 * frame re-encodes to exactly the bytes it came from. A plain {@code mvn test} replays the seeds in
 * {@code FrameCodecFuzzTestInputs/} (shared) and {@code FrameCodecFuzzTestInputs/<method>/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=FrameCodecFuzzTest} fuzzes.
 */
class FrameCodecFuzzTest {
    /** Small limits so that inputs can reach them. */
    private static final FrameLimits LIMITS = new FrameLimits(64, 256);

    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        Frame frame;
        try {
            frame = FrameCodec.decode(input, LIMITS);
        } catch (FrameException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(frame.payload().length).isLessThanOrEqualTo(LIMITS.limitFor(frame.type()));
        assertThat(FrameCodec.encode(frame)).isEqualTo(input);
    }

    /** A reader thread's loop: header, then body, frame after frame, until the bytes run out or one is bad. */
    @FuzzTest(maxDuration = "60s")
    void decodeStream(byte[] input) {
        ByteBuffer in = ByteBuffer.wrap(input);
        while (in.hasRemaining()) {
            int start = in.position();
            Frame frame;
            try {
                FrameHeader header = FrameCodec.decodeHeader(in, LIMITS);
                frame = FrameCodec.decodeBody(header, in);
            } catch (FrameException refused) {
                assertThat(refused.getMessage()).isNotBlank();
                return;
            }
            assertThat(FrameCodec.encode(frame)).isEqualTo(Arrays.copyOfRange(input, start, in.position()));
        }
    }
}

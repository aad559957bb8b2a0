/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.wire.AgentMessages;

class BufferedAssemblyTest {
    static final FrameLimits LIMITS = FrameLimits.DEFAULT;

    /** The stub's messages, encoded as the source does, cut into {@code parts} chunks with seq 0.. and LAST. */
    static List<Frame> chunks(List<Frame> messages, int parts) {
        byte[] all = AgentMessages.encodeBuffered(messages);
        List<Frame> out = new ArrayList<>();
        int step = (all.length + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            byte[] part = Arrays.copyOfRange(all, Math.min(all.length, i * step), Math.min(all.length, (i + 1) * step));
            out.add(new Frame(MessageType.BUFFERED, i == parts - 1 ? Frame.LAST : 0, 7, 2, i, "m1", part));
        }
        return out;
    }

    static List<Frame> messages(int n) {
        List<Frame> m = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            m.add(new Frame(MessageType.AGENT_MESSAGE, 0, 100 + i, 1, i, "m1", new byte[]{(byte) i, 1, 2, 3}));
        }
        return m;
    }

    @Test
    void chunksInOrderGiveBackTheMessagesOnTheLastOne() throws Exception {
        List<Frame> msgs = messages(5);
        List<Frame> parts = chunks(msgs, 3);
        BufferedAssembly a = new BufferedAssembly(LIMITS);
        assertThat(a.add(parts.get(0))).isNull();
        assertThat(a.next()).isEqualTo(1);
        assertThat(a.add(parts.get(1))).isNull();
        assertThat(a.gap()).isFalse();
        assertThat(a.add(parts.get(2))).isEqualTo(msgs);
        assertThat(a.next()).as("ready for another round").isZero();
    }

    @Test
    void aGapIsIgnoredUntilTheRetryStartsAgainFromChunkZero() throws Exception {
        List<Frame> msgs = messages(6);
        List<Frame> parts = chunks(msgs, 3);
        BufferedAssembly a = new BufferedAssembly(LIMITS);
        assertThat(a.add(parts.get(0))).isNull();
        assertThat(a.add(parts.get(2))).as("chunk 1 was lost").isNull();
        assertThat(a.gap()).isTrue();
        assertThat(a.next()).isEqualTo(1);
        // the retry sends every chunk again
        assertThat(a.add(parts.get(0))).isNull();
        assertThat(a.gap()).isFalse();
        assertThat(a.add(parts.get(1))).isNull();
        assertThat(a.add(parts.get(2))).isEqualTo(msgs);
    }

    @Test
    void aRepeatedChunkZeroStartsAgainInsteadOfDoublingTheBytes() throws Exception {
        List<Frame> msgs = messages(4);
        List<Frame> parts = chunks(msgs, 2);
        BufferedAssembly a = new BufferedAssembly(LIMITS);
        a.add(parts.get(0));
        a.add(parts.get(0));
        assertThat(a.add(parts.get(1))).isEqualTo(msgs);
    }

    @Test
    void oneWholeChunkWithoutLastFromAnEarlierReleaseIsAccepted() throws Exception {
        List<Frame> msgs = messages(3);
        Frame whole = chunks(msgs, 1).get(0);
        Frame old = new Frame(MessageType.BUFFERED, 0, whole.correlationId(), whole.epoch(), 0, "m1", whole.payload());
        BufferedAssembly a = new BufferedAssembly(LIMITS);
        assertThat(a.add(old)).isEqualTo(msgs);
        assertThat(a.next()).isZero();
    }

    @Test
    void anEmptyBufferArrivesAsNoMessages() throws Exception {
        BufferedAssembly a = new BufferedAssembly(LIMITS);
        assertThat(a.add(chunks(List.of(), 1).get(0))).isEmpty();
    }

    @Test
    void moreThanTheBoundIsRefusedAndTheAssemblyStartsAgain() throws Exception {
        FrameLimits small = new FrameLimits(512, 1024);
        BufferedAssembly a = new BufferedAssembly(small);
        long max = (long) BufferedAssembly.MAX_PAYLOADS * 1024;
        byte[] chunk = new byte[1024];
        for (int i = 0; i < BufferedAssembly.MAX_PAYLOADS; i++) {
            assertThat(a.add(new Frame(MessageType.BUFFERED, 0, 7, 2, i, "m1", chunk))).isNull();
        }
        assertThat(a.next()).isEqualTo(BufferedAssembly.MAX_PAYLOADS);
        assertThatThrownBy(() -> a.add(new Frame(MessageType.BUFFERED, 0, 7, 2, BufferedAssembly.MAX_PAYLOADS, "m1",
                new byte[1]))).isInstanceOf(FrameException.class).hasMessageContaining(String.valueOf(max));
        assertThat(a.next()).isZero();
        List<Frame> msgs = messages(2);
        assertThat(a.add(chunks(msgs, 1).get(0))).isEqualTo(msgs);
    }

    @Test
    void aLastChunkThatDoesNotDecodeIsRefused() {
        BufferedAssembly a = new BufferedAssembly(LIMITS);
        assertThatThrownBy(() -> a.add(new Frame(MessageType.BUFFERED, Frame.LAST, 7, 2, 0, "m1", new byte[]{0, 0, 0,
                9}))).isInstanceOf(FrameException.class);
    }
}

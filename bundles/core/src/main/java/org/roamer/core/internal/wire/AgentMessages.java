/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;

/**
 * Binary bodies: an application message ({@code [u8 sender length][sender][body]}) and the stub's drained
 * buffer ({@code [u32 count]} then {@code [u32 length][frame]} per message). Every length is checked.
 */
public final class AgentMessages {
    private AgentMessages() {
    }

    /** A decoded application message: where to acknowledge it, who sent it, and its body. */
    public record Message(String replyTo, String sender, byte[] body) {
    }

    /** {@code [u8 n][replyTo][u8 m][sender][body]}. */
    public static byte[] encodeMessage(String replyTo, String sender, byte[] body) {
        byte[] r = replyTo.getBytes(StandardCharsets.UTF_8);
        byte[] s = sender.getBytes(StandardCharsets.UTF_8);
        if (r.length > 255 || s.length > 255) {
            throw new IllegalArgumentException("reply address or sender label longer than 255 bytes");
        }
        return ByteBuffer.allocate(2 + r.length + s.length + body.length).put((byte) r.length).put(r)
                .put((byte) s.length).put(s).put(body).array();
    }

    public static Message decodeMessage(byte[] payload) throws FrameException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        String replyTo = shortString(in, "reply address");
        String sender = shortString(in, "sender");
        byte[] body = new byte[in.remaining()];
        in.get(body);
        return new Message(replyTo, sender, body);
    }

    private static String shortString(ByteBuffer in, String what) throws FrameException {
        if (!in.hasRemaining()) {
            throw new FrameException("AGENT_MESSAGE truncated before " + what);
        }
        int n = in.get() & 0xFF;
        if (n > in.remaining()) {
            throw new FrameException("AGENT_MESSAGE " + what + " length " + n + " exceeds payload");
        }
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public static byte[] encodeBuffered(List<Frame> frames) {
        int size = 4;
        for (Frame f : frames) {
            size += 4 + f.wireSize();
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(frames.size());
        for (Frame f : frames) {
            out.putInt(f.wireSize());
            FrameCodec.encode(f, out);
        }
        return out.array();
    }

    public static List<Frame> decodeBuffered(byte[] payload, FrameLimits limits) throws FrameException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        if (in.remaining() < 4) {
            throw new FrameException("truncated BUFFERED payload");
        }
        int count = in.getInt();
        // each entry needs at least a length and a header
        if (count < 0 || (long) count * (4 + FrameCodec.HEADER_SIZE) > in.remaining()) {
            throw new FrameException("BUFFERED count " + count + " does not fit in " + payload.length + " bytes");
        }
        List<Frame> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (in.remaining() < 4) {
                throw new FrameException("truncated BUFFERED entry " + i);
            }
            int len = in.getInt();
            if (len < FrameCodec.HEADER_SIZE || len > in.remaining()) {
                throw new FrameException("BUFFERED entry " + i + " length " + len + " invalid");
            }
            byte[] one = new byte[len];
            in.get(one);
            frames.add(FrameCodec.decode(one, limits));
        }
        if (in.hasRemaining()) {
            throw new FrameException("trailing bytes after BUFFERED entries");
        }
        return frames;
    }
}

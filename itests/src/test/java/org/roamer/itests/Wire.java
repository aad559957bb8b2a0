/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameHeader;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;

/** A raw protocol peer for tests: writes frames or garbage to a node's port and reads frames back. */
final class Wire {
    private Wire() {
    }

    static Socket connect(NodeAddress to) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(to.host(), to.port()), 2000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    static void send(NodeAddress to, Frame frame) throws IOException {
        try (Socket s = connect(to)) {
            OutputStream out = s.getOutputStream();
            out.write(FrameCodec.encode(frame));
            out.flush();
        }
    }

    static Frame json(MessageType type, long corr, long epoch, String mobile, String json) {
        return new Frame(type, 0, corr, epoch, 0, mobile, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads one frame from a stream, with the default limits. */
    static Frame read(DataInputStream in) throws IOException, FrameException {
        byte[] header = new byte[FrameCodec.HEADER_SIZE];
        in.readFully(header);
        FrameHeader h = FrameCodec.decodeHeader(ByteBuffer.wrap(header), FrameLimits.DEFAULT);
        byte[] body = new byte[h.bodyLength()];
        in.readFully(body);
        return FrameCodec.decodeBody(h, ByteBuffer.wrap(body));
    }
}

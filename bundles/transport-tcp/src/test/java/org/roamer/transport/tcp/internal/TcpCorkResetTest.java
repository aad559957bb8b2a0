/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;

/**
 * A frame the I/O thread sends on a link whose peer has reset the connection, in the select round in which the
 * reset is noticed: the frame was accepted (corked) before the failure showed, so the sender cannot retry; the
 * endpoint carries it to a new link and it arrives, as it did when the sender's own write failed and send()
 * reconnected (found in review: corking had dropped it).
 */
class TcpCorkResetTest {
    private static Frame frame(long corr, long seq, String payload) {
        return new Frame(MessageType.AGENT_MESSAGE, 0, corr, 7, seq, "m-" + corr,
                payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFrameSentByTheIoThreadOnALinkResetInTheSameRoundIsResentOnANewLink() throws Exception {
        TcpTransport t = new TcpTransport(TcpSettings.DEFAULTS);
        try (ServerSocket c = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            NodeAddress cAddr = new NodeAddress("127.0.0.1", c.getLocalPort());
            CountDownLatch sleeping = new CountDownLatch(1);
            AtomicReference<Throwable> sendFailed = new AtomicReference<>();
            AtomicReference<Endpoint> self = new AtomicReference<>();
            Endpoint b = t.bind(new NodeAddress("127.0.0.1", 0), FrameLimits.DEFAULT, new RecordingHandler(f -> {
                try {
                    if (f.seq() == 1) { // keeps the I/O thread busy while the next events pile up
                        sleeping.countDown();
                        Thread.sleep(300);
                    } else if (f.seq() == 2) { // a reply or forward computed on the I/O thread
                        self.get().send(cAddr, frame(99, 0, "to-c"));
                    }
                } catch (Exception e) {
                    sendFailed.set(e);
                }
            }));
            self.set(b);
            Endpoint a = t.bind(new NodeAddress("127.0.0.1", 0), FrameLimits.DEFAULT, new RecordingHandler());

            b.send(cAddr, frame(1, 0, "hello")); // B's link to C
            Socket s1 = c.accept();
            a.send(b.localAddress(), frame(5, 1, "slow"));
            assertThat(sleeping.await(5, TimeUnit.SECONDS)).isTrue();
            a.send(b.localAddress(), frame(5, 2, "trigger")); // ready before the reset below
            Thread.sleep(50);
            s1.setSoLinger(true, 0);
            s1.close(); // RST: B notices it in the same round in which it handles the trigger

            c.setSoTimeout(3000);
            try (Socket s2 = c.accept()) { // old code: the failed write made send() reconnect
                DataInputStream in = new DataInputStream(s2.getInputStream());
                byte[] header = new byte[36];
                in.readFully(header);
                assertThat(header[3]).isEqualTo((byte) MessageType.AGENT_MESSAGE.code());
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("send() returned normally (" + sendFailed.get() + ") but the frame to C was "
                        + "never delivered: dropped with the reset link instead of resent on a new one");
            }
        } finally {
            t.deactivate();
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.FrameHandler;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

/**
 * A scripted USS for cluster {@code cluster}: announces itself to the LS, acknowledges CREATE_AGENT and
 * keeps every other frame for the test to answer (or not).
 */
final class FakeUss implements FrameHandler, AutoCloseable {
    final Endpoint endpoint;
    final LinkedBlockingQueue<Frame> received = new LinkedBlockingQueue<>();

    FakeUss(InVmNetwork net, String cluster) throws Exception {
        endpoint = net.transport.bind(new NodeAddress("invm", 0), FrameLimits.DEFAULT, this);
        endpoint.send(net.ls.address(), Frame.of(MessageType.HELLO, 1, "", Json.encode(new Payloads.Hello(
                "fake-" + cluster, "uss", cluster, endpoint.localAddress().toString(), List.of(), "invm"))));
    }

    @Override
    public void onFrame(Frame f) {
        try {
            if (f.type() == MessageType.CREATE_AGENT) {
                String from = Json.decode(f.payload(), Payloads.CreateAgent.class).from();
                endpoint.send(NodeAddress.parse(from), new Frame(MessageType.ACK, Frame.REPLY, f.correlationId(),
                        f.epoch(), 0, f.mobile(), Json.encode(Payloads.Reply.success())));
            } else {
                received.add(f);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Powers a mobile on in the fake's cluster (REGISTRATION with a profile, as a radio port would). */
    void register(InVmNetwork net, String mobile, String cluster) throws Exception {
        endpoint.send(net.ls.address(), Frame.of(MessageType.REGISTRATION, 2, mobile, Json.encode(
                new Payloads.Registration(cluster, endpoint.localAddress().toString(),
                        Payloads.ProfileDto.of(org.roamer.api.Profile.defaults()), null))));
        // the LS also acknowledged this fake's HELLO (correlation 1): wait for the registration's answer
        while (true) {
            Frame ack = take(this, MessageType.ACK);
            if (ack.correlationId() == 2) {
                return;
            }
        }
    }

    /** Answers a CALL_OFFER it kept. */
    void decide(Frame offer, boolean accepted) throws Exception {
        Payloads.CallOffer o = Json.decode(offer.payload(), Payloads.CallOffer.class);
        endpoint.send(NodeAddress.parse(o.from()), new Frame(MessageType.CALL_DECISION, Frame.REPLY,
                offer.correlationId(), 0, 0, offer.mobile(), Json.encode(new Payloads.CallDecision(o.callId(),
                        accepted, accepted ? "accepted" : "declined", accepted, accepted ? "rp-x" : null, 2,
                        offer.mobile(), o.type()))));
    }

    @Override
    public void onBadFrame(String peer, String reason) {
    }

    @Override
    public void close() {
        endpoint.close();
    }

    static Frame take(FakeUss f, MessageType type) throws InterruptedException, FrameException {
        while (true) {
            Frame x = f.received.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            if (x == null) {
                throw new IllegalStateException("no " + type + " arrived");
            }
            if (x.type() == type) {
                return x;
            }
        }
    }
}

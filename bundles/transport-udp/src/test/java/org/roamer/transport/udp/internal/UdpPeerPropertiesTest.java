/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.transport.udp.internal.LossyNetwork.Node;
import org.roamer.transport.udp.internal.LossyNetwork.Rules;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Over any schedule of loss (up to 20 %), duplication, delay and the reordering it causes, in both directions
 * at once: every frame arrives exactly once and in order, or the sender reports the session failed and what
 * arrived is still an in-order subsequence without duplicates; the bytes either side holds stay bounded.
 */
class UdpPeerPropertiesTest {
    private static final long MS = 1_000_000L;

    @Provide
    Arbitrary<List<Integer>> payloadSizes() {
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 200)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(201, 5_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(5_001, 60_000)));
        return size.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 200)
    void everyFrameArrivesOnceInOrderOrTheFailureIsReported(
            @ForAll @DoubleRange(min = 0, max = 0.2) double loss,
            @ForAll @DoubleRange(min = 0, max = 0.2) double duplication,
            @ForAll @IntRange(min = 0, max = 20) int maxDelayMs,
            @ForAll("payloadSizes") List<Integer> aToB,
            @ForAll("payloadSizes") List<Integer> bToA,
            @ForAll @IntRange(min = 1, max = 256) int window,
            @ForAll boolean tailLossProbe,
            @ForAll @IntRange(min = 1, max = 5_000) int tlpMinMicros,
            @ForAll @IntRange(min = 1, max = 4) int tlpMaxProbes,
            @ForAll long seed) {
        // a small probe floor with the delay jitter makes many probes spurious: they must change nothing
        UdpSettings settings = UdpSettings.DEFAULTS.withSendWindow(window).withTailLossProbe(tailLossProbe,
                tlpMinMicros).withTlpMaxProbes(tlpMaxProbes);
        Rules rules = new Rules(loss, duplication, 10_000, 10_000 + maxDelayMs * MS);
        LossyNetwork net = new LossyNetwork(settings, FrameLimits.DEFAULT, rules, seed);
        List<Frame> fromA = frames(aToB, seed);
        List<Frame> fromB = frames(bToA, ~seed);
        long bound = settings.sendBufferBytes() + UdpPeerTest.bound(settings, FrameLimits.DEFAULT);
        long[] peak = {0};
        // half the frames up front, the rest while the first ones are under way
        int[] offered = {0, 0};
        offer(net.a, fromA, offered, 0, fromA.size() / 2 + 1);
        offer(net.b, fromB, offered, 1, fromB.size() / 2 + 1);
        Runnable invariant = () -> {
            long held = Math.max(net.a.peer.bufferedBytes(), net.b.peer.bufferedBytes());
            peak[0] = Math.max(peak[0], held);
            assertThat(held).as(net::describe).isLessThanOrEqualTo(bound);
            if (net.datagramsSent % 7 == 0) {
                offer(net.a, fromA, offered, 0, fromA.size());
                offer(net.b, fromB, offered, 1, fromB.size());
            }
        };
        net.runUntil(() -> finished(net.a, net.b, fromA, offered[0]) && finished(net.b, net.a, fromB, offered[1]),
                300_000 * MS, invariant);
        offer(net.a, fromA, offered, 0, fromA.size());
        offer(net.b, fromB, offered, 1, fromB.size());
        boolean done = net.runUntil(() -> finished(net.a, net.b, fromA, fromA.size())
                && finished(net.b, net.a, fromB, fromB.size()), 300_000 * MS, invariant);
        assertThat(done).as(net::describe).isTrue();
        check(net.a, net.b.received, fromA);
        check(net.b, net.a.received, fromB);
    }

    private static void offer(Node node, List<Frame> frames, int[] offered, int i, int upTo) {
        while (offered[i] < upTo) {
            assertThat(node.send(frames.get(offered[i]))).isTrue(); // 16 MiB of buffer: never full here
            offered[i]++;
        }
    }

    /** The sender's frames all arrived, or the sender gave up (failure reported) and holds nothing any more. */
    private static boolean finished(Node sender, Node receiver, List<Frame> sent, int offered) {
        if (!sender.failures.isEmpty()) {
            return sender.peer.idle() || sender.peer.sendHeldBytes() == 0;
        }
        return receiver.received.size() == offered && sender.peer.sendHeldBytes() == 0;
    }

    private static void check(Node sender, List<Frame> received, List<Frame> sent) {
        if (sender.failures.isEmpty()) {
            assertThat(received).containsExactlyElementsOf(sent);
            assertThat(sender.framesDropped).isZero();
            return;
        }
        // the session failed: what arrived is in order, without duplicates, and the rest was reported dropped
        int next = 0;
        for (Frame f : received) {
            int at = sent.subList(next, sent.size()).indexOf(f);
            assertThat(at).as("frame %s out of order or duplicated", f).isGreaterThanOrEqualTo(0);
            next += at + 1;
        }
        assertThat(sender.framesDropped).isPositive();
    }

    private static List<Frame> frames(List<Integer> sizes, long seed) {
        Random random = new Random(seed);
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            byte[] payload = new byte[sizes.get(i)];
            random.nextBytes(payload);
            MessageType type = payload.length > FrameLimits.DEFAULT.maxControlPayload()
                    ? MessageType.TRANSFER_DATA
                    : MessageType.AGENT_MESSAGE;
            frames.add(new Frame(type, 0, seed, 1, i, "m" + i, payload));
        }
        return frames;
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.udp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Predicate;

import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameLimits;

/**
 * Two {@link UdpPeer}s, A and B, joined by an in-Java channel that loses, duplicates, delays and therefore
 * reorders datagrams, on a virtual clock. Every datagram goes through {@link DatagramCodec} both ways. Fully
 * deterministic for a given seed: tests drive it with {@link #runUntil} and inspect what each side got.
 */
final class LossyNetwork {
    /** Fault rules of the channel; delays are uniform in [minDelay, maxDelay]. */
    record Rules(double loss, double duplication, long minDelayNanos, long maxDelayNanos) {
        static final Rules PERFECT = new Rules(0, 0, 50_000, 50_000);
    }

    /** One side: its session with the other side and what it received. */
    final class Node implements UdpPeer.Output {
        final String name;
        UdpPeer peer;
        long incarnation;
        final UdpCounters counters = new UdpCounters();
        final List<Frame> received = new ArrayList<>();
        final List<String> badFrames = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        int framesDropped;
        Node other;
        /** Datagrams this node sent, as bytes (for replay tests). */
        final List<byte[]> sentLog = new ArrayList<>();

        Node(String name, long incarnation) {
            this.name = name;
            restart(incarnation);
        }

        /** A new incarnation of this node: all session state is gone. */
        void restart(long newIncarnation) {
            this.incarnation = newIncarnation;
            this.peer = new UdpPeer(newIncarnation, settings, limits, counters, this);
        }

        boolean send(Frame frame) {
            return peer.offer(FrameCodec.encode(frame), now);
        }

        @Override
        public void datagram(Datagram d) {
            byte[] bytes = DatagramCodec.encode(d);
            if (bytes.length > DatagramCodec.MAX_DATAGRAM) {
                throw new AssertionError("datagram of " + bytes.length + " bytes");
            }
            if (logging) {
                sentLog.add(bytes);
            }
            datagramsSent++;
            if (dropIf.test(d) || random.nextDouble() < rules.loss()) {
                return;
            }
            schedule(other, bytes);
            if (random.nextDouble() < rules.duplication()) {
                schedule(other, bytes);
            }
        }

        @Override
        public void frame(Frame frame) {
            received.add(frame);
        }

        @Override
        public void badFrame(String reason) {
            badFrames.add(reason);
        }

        @Override
        public void failed(String reason, int framesDropped) {
            failures.add(reason);
            this.framesDropped += framesDropped;
        }
    }

    private record InFlight(long at, long order, Node to, byte[] bytes) {
    }

    final UdpSettings settings;
    final FrameLimits limits;
    final Random random;
    Rules rules;
    Predicate<Datagram> dropIf = d -> false;
    boolean logging;
    long now = 1_000_000_000L;
    long datagramsSent;
    private long order;
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    final Node a;
    final Node b;

    LossyNetwork(UdpSettings settings, FrameLimits limits, Rules rules, long seed) {
        this.settings = settings;
        this.limits = limits;
        this.rules = rules;
        this.random = new Random(seed);
        this.a = new Node("A", 0xA000_0000_0000_0001L + seed);
        this.b = new Node("B", 0xB000_0000_0000_0001L + seed);
        a.other = b;
        b.other = a;
    }

    private void schedule(Node to, byte[] bytes) {
        long delay = rules.minDelayNanos()
                + (rules.maxDelayNanos() > rules.minDelayNanos()
                        ? (long) (random.nextDouble() * (rules.maxDelayNanos() - rules.minDelayNanos()))
                        : 0);
        inFlight.add(new InFlight(now + delay, order++, to, bytes));
    }

    /** Puts raw bytes on the wire to {@code to}, as if they came from its peer's address. */
    void inject(Node to, byte[] bytes) {
        inFlight.add(new InFlight(now, order++, to, bytes));
    }

    /** Datagrams on the wire now. */
    int onTheWire() {
        return inFlight.size();
    }

    /**
     * Advances the clock event by event (deliveries and session timers) until {@code done} holds, nothing is
     * left to do, or {@code maxNanos} of virtual time passed; checks {@code invariant} after every event.
     *
     * @return true when {@code done} held
     */
    boolean runUntil(java.util.function.BooleanSupplier done, long maxNanos, Runnable invariant) {
        long end = now + maxNanos;
        while (!done.getAsBoolean()) {
            long next = Math.min(a.peer.nextDeadline(), b.peer.nextDeadline());
            InFlight head = inFlight.peek();
            if (head != null && head.at <= next) {
                if (head.at > end) {
                    now = end;
                    return false;
                }
                inFlight.poll();
                now = Math.max(now, head.at);
                Datagram d;
                try {
                    d = DatagramCodec.decode(head.bytes);
                } catch (DatagramException e) {
                    head.to.counters.badFrames.increment();
                    continue;
                }
                head.to.peer.onDatagram(d, now);
                if (inFlight.isEmpty() || inFlight.peek().at > now) {
                    head.to.peer.flushAcks(); // the endpoint acks once per receive batch
                }
            } else if (next != Long.MAX_VALUE) {
                if (next > end) {
                    now = end;
                    return false;
                }
                now = Math.max(now, next);
                a.peer.onTimer(now);
                b.peer.onTimer(now);
            } else {
                return done.getAsBoolean();
            }
            invariant.run();
        }
        return true;
    }

    boolean runUntil(java.util.function.BooleanSupplier done, long maxNanos) {
        return runUntil(done, maxNanos, () -> {
        });
    }

    /** Lets every datagram on the wire arrive and every timer fire for {@code nanos} of virtual time. */
    void runFor(long nanos) {
        long end = now + nanos;
        runUntil(() -> false, nanos);
        now = Math.max(now, end);
    }

    /** The state of both sides, for assertion messages. */
    String describe() {
        return "at " + now + " ns: A " + a.counters.details(a.peer.srtt(), a.peer.rto(), a.peer.bufferedBytes())
                + " failures " + a.failures + "; B " + b.counters.details(b.peer.srtt(), b.peer.rto(),
                        b.peer.bufferedBytes())
                + " failures " + b.failures + "; on the wire " + inFlight.size();
    }
}

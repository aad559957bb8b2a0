/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.roamer.api.LatencySummary;
import org.roamer.api.RoamerStats;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;

/** Counters, per-message-type traffic and latency histograms of this container. Thread-safe. */
public final class Metrics {
    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final LongAdder[] framesByType = new LongAdder[64];
    private final LongAdder[] bytesByType = new LongAdder[64];
    private final ConcurrentHashMap<String, ConcurrentHistogram> latencies = new ConcurrentHashMap<>();

    public Metrics() {
        for (int i = 0; i < framesByType.length; i++) {
            framesByType[i] = new LongAdder();
            bytesByType[i] = new LongAdder();
        }
    }

    /** Adds {@code n} to a named counter. */
    public void add(String counter, long n) {
        counters.computeIfAbsent(counter, k -> new LongAdder()).add(n);
    }

    /** Adds one to a named counter. */
    public void inc(String counter) {
        add(counter, 1);
    }

    /** Current value of a counter. */
    public long get(String counter) {
        LongAdder a = counters.get(counter);
        return a == null ? 0 : a.sum();
    }

    /** Records a frame sent. */
    public void sent(Frame frame) {
        int code = frame.type().code();
        framesByType[code].increment();
        bytesByType[code].add(frame.wireSize());
    }

    /** Records a latency in nanoseconds under a name; kept in microseconds. */
    public void latency(String name, long nanos) {
        latencies.computeIfAbsent(name, k -> new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3))
                .recordValue(Math.min(Math.max(0, nanos / 1000), TimeUnit.SECONDS.toMicros(60)));
    }

    /** Percentiles of a histogram, microseconds. */
    public static LatencySummary summary(Histogram h) {
        return new LatencySummary(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getMaxValue());
    }

    /** A snapshot of everything. */
    public RoamerStats snapshot() {
        Map<String, Long> c = new TreeMap<>();
        counters.forEach((k, v) -> c.put(k, v.sum()));
        Map<String, Long> frames = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        for (MessageType t : MessageType.values()) {
            long n = framesByType[t.code()].sum();
            if (n > 0) {
                frames.put(t.name(), n);
                bytes.put(t.name(), bytesByType[t.code()].sum());
            }
        }
        Map<String, LatencySummary> l = new TreeMap<>();
        latencies.forEach((k, v) -> l.put(k, summary(v.copy())));
        return new RoamerStats(c, frames, bytes, l);
    }
}

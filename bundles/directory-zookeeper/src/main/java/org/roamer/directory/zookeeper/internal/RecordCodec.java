/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.directory.zookeeper.internal;

import java.nio.charset.StandardCharsets;

import org.roamer.api.spi.directory.MobileRecord;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;

/**
 * A mobile's record as a znode's data: compact JSON without the version (that is the znode's). What is read
 * back is checked by {@link MobileRecord}'s constructor, and must name the znode's own mobile.
 */
final class RecordCodec {
    /** Largest record accepted from the ensemble. */
    static final int MAX_BYTES = 4096;
    private static final Gson GSON = new GsonBuilder().setStrictness(Strictness.STRICT).disableHtmlEscaping().create();

    /** The stored form: the record less its version. */
    private record Stored(String m, String c, String a, String n, String addr, long e, long max, String o, long until) {
    }

    private RecordCodec() {
    }

    static byte[] encode(MobileRecord r) {
        return GSON.toJson(new Stored(r.mobile(), r.cluster(), r.agentCluster(), r.node(), r.addr(), r.epoch(),
                r.maxEpoch(), r.owner(), r.ownerUntil())).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param version the directory version of the record (the znode's data version + 1)
     * @throws IllegalArgumentException when the data is not a valid record of {@code mobile}
     */
    static MobileRecord decode(String mobile, byte[] data, long version) {
        if (data == null || data.length == 0 || data.length > MAX_BYTES) {
            throw new IllegalArgumentException("record of " + mobile + ": " + (data == null ? 0 : data.length)
                    + " bytes, expected 1.." + MAX_BYTES);
        }
        Stored s;
        try {
            s = GSON.fromJson(new String(data, StandardCharsets.UTF_8), Stored.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("record of " + mobile + " is not valid JSON: " + e.getMessage(), e);
        }
        if (s == null || !mobile.equals(s.m())) {
            throw new IllegalArgumentException(
                    "record stored under " + mobile + " names " + (s == null ? null : s.m()));
        }
        return new MobileRecord(s.m(), s.c(), s.a(), s.n(), s.addr(), s.e(), s.max(), s.o(), s.until(), version);
    }
}

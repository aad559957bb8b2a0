/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.wire;

import java.nio.charset.StandardCharsets;

import org.roamer.api.frame.FrameException;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;

/**
 * JSON encoding of control payloads: compact, strict on input, unknown fields ignored. Sizes are bounded
 * by the frame limits before this is reached; payload records nest at most one level (TRANSFER's agent
 * type), and Gson skips unknown fields iteratively, so deep nesting in them costs memory bounded by the
 * frame, never stack.
 */
public final class Json {
    private static final Gson GSON = new GsonBuilder().setStrictness(Strictness.STRICT).disableHtmlEscaping()
            .create();

    private Json() {
    }

    public static byte[] encode(Object payload) {
        return GSON.toJson(payload).getBytes(StandardCharsets.UTF_8);
    }

    /** A value as a JSON tree (results of remote console commands). */
    public static com.google.gson.JsonElement tree(Object value) {
        return GSON.toJsonTree(value);
    }

    /**
     * Reads a JSON tree as {@code type}; record constructors validate what they hold.
     *
     * @throws FrameException when it does not have the expected shape or a value is invalid
     */
    public static <T> T fromTree(com.google.gson.JsonElement tree, java.lang.reflect.Type type) throws FrameException {
        try {
            return GSON.fromJson(tree, type);
        } catch (RuntimeException e) { // Gson wraps a record constructor's IllegalArgumentException
            throw new FrameException("invalid " + type.getTypeName() + ": " + e.getMessage());
        }
    }

    /**
     * Parses a control payload.
     *
     * @throws FrameException when it is not valid JSON of the expected shape
     */
    public static <T> T decode(byte[] payload, Class<T> type) throws FrameException {
        try {
            T value = GSON.fromJson(new String(payload, StandardCharsets.UTF_8), type);
            if (value == null) {
                throw new FrameException("empty " + type.getSimpleName() + " payload");
            }
            return value;
        } catch (RuntimeException e) { // JsonParseException, or a record constructor's check wrapped by Gson
            throw new FrameException("invalid " + type.getSimpleName() + " payload: " + e.getMessage());
        }
    }
}

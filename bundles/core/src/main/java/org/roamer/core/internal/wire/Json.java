package org.roamer.core.internal.wire;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import java.nio.charset.StandardCharsets;
import org.roamer.api.frame.FrameException;

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
        } catch (JsonParseException | IllegalArgumentException | IllegalStateException e) {
            throw new FrameException("invalid " + type.getSimpleName() + " payload: " + e.getMessage());
        }
    }
}

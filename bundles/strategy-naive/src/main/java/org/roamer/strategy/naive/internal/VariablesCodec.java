/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

/**
 * The NAIVE wire format: {@link MigrationVariables} as compact, schema-versioned JSON (UTF-8), sealed with a
 * checksum that also covers the migration the chunk was captured for. A chunk is the UTF-8 JSON followed by the
 * CRC32C ({@link CRC32C}) of the migration id and epoch (8 bytes each, big-endian) and those JSON bytes, 4 bytes
 * big-endian:
 *
 * <pre>
 * chunk = UTF-8 JSON | CRC32C(migration id u64 | epoch u64 | JSON), big-endian u32
 * </pre>
 *
 * The checksum is verified before anything else is read, so a byte changed in transit or on a node is refused
 * instead of decoding to valid but different variables, and so is a chunk replayed into another migration (another
 * migration id or epoch) of the same mobile: the migration costs no byte on the wire, both ends know it from their
 * {@code MigrationContext}. The JSON:
 *
 * <pre>
 * {"v":1,                      schema major version (required)
 *  "m":"alice",                mobile id (required)
 *  "t":false,                  MOB_TERM; absent = true
 *  "c":["data","voice"],       capabilities; absent = none
 *  "a":["xserver"],            applications running; absent = none
 *  "f":"bob",                  call forwarding target; absent = none
 *  "r":"rp-2",                 last radio port; absent = unknown
 *  "d":42,                     application messages delivered; absent = 0
 *  "k":[{"i":"c-17",           active calls; absent = none. Call id (required)
 *        "y":"voice",          call type (required)
 *        "p":["bob"],          peers; absent = none
 *        "o":true,             originating; absent = false
 *        "r":"rp-2"}]}         radio port of the call; absent = unknown
 * </pre>
 *
 * Fields at their default are omitted, so an idle agent moves only a few dozen bytes. A reader tolerates
 * (ignores) fields it does not know, so a sender may add fields without raising {@code v}; an incompatible
 * change raises {@code v}, and a reader refuses a version newer than {@link #SCHEMA_VERSION}. A JSON
 * {@code null} counts as an absent field. The checksum framing is not part of the schema: it does not change
 * {@code v}. Decoding is strict JSON (no comments, unquoted names, trailing data, duplicate names, invalid
 * UTF-8), limited to {@link #MAX_BYTES} bytes per chunk and {@link #MAX_DEPTH} levels of nesting, and every
 * value is checked by the api records before it is used.
 *
 * <p>Stateless and thread-safe.
 */
final class VariablesCodec {
    /** The schema major version this codec writes and the newest it reads. */
    static final int SCHEMA_VERSION = 1;
    /** Largest chunk (JSON and checksum) accepted (and produced). */
    static final int MAX_BYTES = 16 * 1024;
    /** Bytes of the CRC32C that ends every chunk. */
    static final int CHECKSUM_BYTES = 4;
    /** Deepest nesting of arrays and objects accepted, unknown fields included. */
    static final int MAX_DEPTH = 16;
    /** Longest radio port name accepted. */
    static final int MAX_RADIO_PORT = 128;

    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,18})");

    private VariablesCodec() {
    }

    /**
     * Encodes the variables into one chunk of a migration: their JSON, then the CRC32C of the migration and the JSON.
     *
     * @throws MigrationException when the encoding exceeds {@link #MAX_BYTES} or a radio port name could not
     *                            be decoded at the target (empty, too long, control characters, broken UTF-16)
     */
    static byte[] encode(MigrationVariables vars, long migrationId, long epoch) throws MigrationException {
        checkRadioPort(vars, vars.radioPort());
        for (ActiveCall call : vars.calls()) {
            checkRadioPort(vars, call.radioPort());
        }
        StringWriter text = new StringWriter(64);
        try (JsonWriter w = new JsonWriter(text)) {
            w.setStrictness(Strictness.STRICT);
            w.setHtmlSafe(false);
            w.beginObject();
            w.name("v").value(SCHEMA_VERSION);
            w.name("m").value(vars.mobile().value());
            Profile p = vars.profile();
            if (!p.mobTerm()) {
                w.name("t").value(false);
            }
            writeWords(w, "c", p.capabilities());
            writeWords(w, "a", p.applications());
            if (p.forwardTo() != null) {
                w.name("f").value(p.forwardTo().value());
            }
            if (vars.radioPort() != null) {
                w.name("r").value(vars.radioPort());
            }
            if (vars.delivered() != 0) {
                w.name("d").value(vars.delivered());
            }
            if (!vars.calls().isEmpty()) {
                w.name("k").beginArray();
                for (ActiveCall call : vars.calls()) {
                    writeCall(w, call);
                }
                w.endArray();
            }
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to a StringWriter", e);
        }
        byte[] json = text.toString().getBytes(StandardCharsets.UTF_8);
        if (json.length + CHECKSUM_BYTES > MAX_BYTES) {
            throw new MigrationException("migration variables of " + vars.mobile() + " take "
                    + (json.length + CHECKSUM_BYTES) + " bytes, more than the NAIVE limit of " + MAX_BYTES);
        }
        return seal(json, migrationId, epoch);
    }

    /** The chunk carrying {@code json} in a migration: a copy of it followed by the CRC32C, big-endian. */
    static byte[] seal(byte[] json, long migrationId, long epoch) {
        return ByteBuffer.allocate(json.length + CHECKSUM_BYTES).put(json)
                .putInt(crc32c(migrationId, epoch, json, json.length)).array();
    }

    /** CRC32C of the migration id and epoch (big-endian) and then the first {@code length} bytes. */
    private static int crc32c(long migrationId, long epoch, byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(16).putLong(migrationId).putLong(epoch).flip());
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** CRC32C of the first {@code length} bytes alone, as NAIVE sealed its chunks before they named a migration. */
    private static int crc32cUnbound(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static void checkRadioPort(MigrationVariables vars, String radioPort) throws MigrationException {
        String problem = radioPortProblem(radioPort);
        if (problem != null) {
            throw new MigrationException("cannot move the migration variables of " + vars.mobile() + ": " + problem);
        }
    }

    private static void writeCall(JsonWriter w, ActiveCall call) throws IOException {
        w.beginObject();
        w.name("i").value(call.callId());
        w.name("y").value(call.type().name().toLowerCase(Locale.ROOT));
        if (!call.peers().isEmpty()) {
            w.name("p").beginArray();
            for (MobileId peer : call.peers()) {
                w.value(peer.value());
            }
            w.endArray();
        }
        if (call.originating()) {
            w.name("o").value(true);
        }
        if (call.radioPort() != null) {
            w.name("r").value(call.radioPort());
        }
        w.endObject();
    }

    private static void writeWords(JsonWriter w, String name, Set<String> words) throws IOException {
        if (!words.isEmpty()) {
            w.name(name).beginArray();
            for (String s : words) {
                w.value(s);
            }
            w.endArray();
        }
    }

    /**
     * Decodes and validates variables.
     *
     * @param bytes       a chunk as {@link #encode} makes it (JSON, then the CRC32C), untrusted
     * @param expected    the mobile the migration is about; the variables must name it
     * @param migrationId the migration's id; the chunk must have been captured for it
     * @param epoch       the migration's epoch; likewise
     * @throws MigrationException on a checksum mismatch (also: captured for another migration), or anything but
     *                            well-formed variables of {@code expected} in a schema version this codec reads; the
     *                            message says what is wrong
     */
    static MigrationVariables decode(byte[] bytes, MobileId expected, long migrationId, long epoch)
            throws MigrationException {
        if (bytes == null || bytes.length == 0) {
            throw new MigrationException("empty NAIVE migration variables");
        }
        if (bytes.length > MAX_BYTES) {
            throw new MigrationException("NAIVE migration variables of " + bytes.length + " bytes exceed the limit of "
                    + MAX_BYTES);
        }
        if (bytes.length <= CHECKSUM_BYTES) {
            throw new MigrationException("NAIVE chunk of " + bytes.length + " bytes is too short: JSON and a "
                    + CHECKSUM_BYTES + "-byte CRC32C expected");
        }
        int jsonLength = bytes.length - CHECKSUM_BYTES;
        int carried = ByteBuffer.wrap(bytes, jsonLength, CHECKSUM_BYTES).getInt();
        int computed = crc32c(migrationId, epoch, bytes, jsonLength);
        if (carried != computed) {
            if (carried == crc32cUnbound(bytes, jsonLength)) {
                throw new MigrationException("checksum mismatch in NAIVE migration variables: the chunk's CRC32C covers"
                        + " its JSON alone, not the migration it was captured for (a source whose"
                        + " org.roamer.strategy.naive predates migration-bound chunks: upgrade it)");
            }
            throw new MigrationException(String.format(Locale.ROOT, "checksum mismatch in NAIVE migration variables:"
                    + " the chunk carries CRC32C %08x, its %d bytes of JSON in migration %s (epoch %d) give %08x"
                    + " (damaged on the way, or captured for another migration)", carried, jsonLength,
                    Long.toUnsignedString(migrationId), epoch, computed));
        }
        JsonObject root = parse(utf8(bytes, jsonLength));
        long version = version(root);
        if (version > SCHEMA_VERSION) {
            throw new MigrationException("NAIVE migration variables use schema v" + version
                    + ", newer than v" + SCHEMA_VERSION + " this node reads: upgrade org.roamer.strategy.naive here");
        }
        MobileId mobile = mobileId(requiredString(root, "m", "mobile"), "mobile");
        if (!mobile.equals(expected)) {
            throw new MigrationException("NAIVE migration variables are for mobile " + mobile
                    + ", but the migration is for " + expected);
        }
        Profile profile;
        try {
            profile = new Profile(optionalBoolean(root, "t", true), words(root, "c", "capabilities"),
                    words(root, "a", "applications"), optionalMobile(root, "f", "call forwarding target"));
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid profile in NAIVE migration variables: " + e.getMessage(), e);
        }
        String radioPort = radioPort(root, "r");
        long delivered = optionalLong(root, "d", "delivered count", 0);
        if (delivered < 0) {
            throw new MigrationException("negative delivered count " + delivered + " in NAIVE migration variables");
        }
        List<ActiveCall> calls = calls(root);
        return new MigrationVariables(mobile, profile, calls, radioPort, delivered);
    }

    private static String utf8(byte[] bytes, int length) throws MigrationException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MigrationException("NAIVE migration variables are not valid UTF-8", e);
        }
    }

    private static JsonObject parse(String text) throws MigrationException {
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.STRICT);
        r.setNestingLimit(MAX_DEPTH);
        try {
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw new MigrationException("NAIVE migration variables must be a JSON object");
            }
            JsonObject root = read(r).getAsJsonObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new MigrationException("trailing data after the NAIVE migration variables");
            }
            return root;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // MalformedJsonException (an IOException) for syntax errors and the nesting limit;
            // IllegalStateException / NumberFormatException for tokens of an unexpected kind
            throw new MigrationException(
                    "NAIVE migration variables are not valid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    /** Reads one value into a tree; duplicate names are refused. Recursion is bounded by the nesting limit. */
    private static JsonElement read(JsonReader r) throws IOException, MigrationException {
        JsonToken token = r.peek();
        switch (token) {
            case BEGIN_OBJECT -> {
                JsonObject o = new JsonObject();
                r.beginObject();
                while (r.hasNext()) {
                    String name = r.nextName();
                    if (o.has(name)) {
                        throw new MigrationException("duplicate field '" + abbreviate(name)
                                + "' in NAIVE migration variables");
                    }
                    o.add(name, read(r));
                }
                r.endObject();
                return o;
            }
            case BEGIN_ARRAY -> {
                JsonArray a = new JsonArray();
                r.beginArray();
                while (r.hasNext()) {
                    a.add(read(r));
                }
                r.endArray();
                return a;
            }
            case STRING -> {
                return new JsonPrimitive(r.nextString());
            }
            case NUMBER -> {
                return new JsonPrimitive(new BigDecimal(r.nextString()));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(r.nextBoolean());
            }
            case NULL -> {
                r.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw new MigrationException("unexpected " + token + " in NAIVE migration variables");
        }
    }

    private static long version(JsonObject root) throws MigrationException {
        JsonElement e = root.get("v");
        if (e == null || e.isJsonNull()) {
            throw new MigrationException("NAIVE migration variables lack the schema version 'v'");
        }
        long v = integer(e, "schema version 'v'");
        if (v < 1) {
            throw new MigrationException("invalid NAIVE schema version " + v);
        }
        return v;
    }

    private static long integer(JsonElement e, String what) throws MigrationException {
        if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber())) {
            throw new MigrationException(what + " must be an integer, was " + kind(e));
        }
        String literal = e.getAsJsonPrimitive().getAsBigDecimal().toString();
        if (!INTEGER.matcher(literal).matches()) {
            throw new MigrationException(what + " must be an integer, was " + abbreviate(literal));
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException x) {
            throw new MigrationException(what + " out of range: " + literal, x);
        }
    }

    private static String requiredString(JsonObject o, String name, String what) throws MigrationException {
        String s = optionalString(o, name, what);
        if (s == null) {
            throw new MigrationException("NAIVE migration variables lack the " + what + " '" + name + "'");
        }
        return s;
    }

    private static String optionalString(JsonObject o, String name, String what) throws MigrationException {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
            throw new MigrationException(what + " '" + name + "' must be a string, was " + kind(e));
        }
        return e.getAsString();
    }

    private static boolean optionalBoolean(JsonObject o, String name, boolean absent) throws MigrationException {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean())) {
            throw new MigrationException("field '" + name + "' must be true or false, was " + kind(e));
        }
        return e.getAsBoolean();
    }

    private static long optionalLong(JsonObject o, String name, String what, long absent) throws MigrationException {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? absent : integer(e, what + " '" + name + "'");
    }

    private static MobileId mobileId(String value, String what) throws MigrationException {
        try {
            return new MobileId(value);
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid " + what + " in NAIVE migration variables: " + e.getMessage(), e);
        }
    }

    private static MobileId optionalMobile(JsonObject o, String name, String what) throws MigrationException {
        String s = optionalString(o, name, what);
        return s == null ? null : mobileId(s, what);
    }

    private static String radioPort(JsonObject o, String name) throws MigrationException {
        String s = optionalString(o, name, "radio port");
        String problem = radioPortProblem(s);
        if (problem != null) {
            throw new MigrationException(problem + " in NAIVE migration variables");
        }
        return s;
    }

    /** Why a radio port name cannot be moved, or {@code null} when it can (or is absent). */
    private static String radioPortProblem(String s) {
        if (s == null) {
            return null;
        }
        if (s.isEmpty() || s.length() > MAX_RADIO_PORT) {
            return "radio port name must have 1-" + MAX_RADIO_PORT + " characters, has " + s.length();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                return "radio port name contains a control character";
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "radio port name contains an unpaired surrogate";
            }
        }
        return null;
    }

    private static JsonArray optionalArray(JsonObject o, String name, String what, int maxEntries)
            throws MigrationException {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return new JsonArray();
        }
        if (!e.isJsonArray()) {
            throw new MigrationException(what + " '" + name + "' must be an array, was " + kind(e));
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() > maxEntries) {
            throw new MigrationException("too many " + what + ": " + a.size() + " > " + maxEntries);
        }
        return a;
    }

    private static Set<String> words(JsonObject o, String name, String what) throws MigrationException {
        Set<String> out = new LinkedHashSet<>();
        for (JsonElement e : optionalArray(o, name, what, Profile.MAX_ENTRIES)) {
            if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
                throw new MigrationException(what + " must be strings, found " + kind(e));
            }
            out.add(e.getAsString());
        }
        return out;
    }

    private static List<ActiveCall> calls(JsonObject root) throws MigrationException {
        JsonArray array = optionalArray(root, "k", "calls", Integer.MAX_VALUE);
        List<ActiveCall> calls = new ArrayList<>(array.size());
        for (JsonElement e : array) {
            if (!e.isJsonObject()) {
                throw new MigrationException("each call in 'k' must be an object, found " + kind(e));
            }
            JsonObject c = e.getAsJsonObject();
            String id = requiredString(c, "i", "call id");
            String typeName = requiredString(c, "y", "call type");
            CallType type = callType(typeName);
            List<MobileId> peers = new ArrayList<>();
            for (JsonElement p : optionalArray(c, "p", "call peers", 8)) {
                if (!(p.isJsonPrimitive() && p.getAsJsonPrimitive().isString())) {
                    throw new MigrationException("call peers must be strings, found " + kind(p));
                }
                peers.add(mobileId(p.getAsString(), "call peer"));
            }
            try {
                calls.add(new ActiveCall(id, type, peers, optionalBoolean(c, "o", false), radioPort(c, "r")));
            } catch (IllegalArgumentException x) {
                throw new MigrationException("invalid call in NAIVE migration variables: " + x.getMessage(), x);
            }
        }
        return calls;
    }

    private static CallType callType(String name) throws MigrationException {
        for (CallType t : CallType.values()) {
            if (t.name().toLowerCase(Locale.ROOT).equals(name)) {
                return t;
            }
        }
        throw new MigrationException("unknown call type '" + abbreviate(name) + "' in NAIVE migration variables");
    }

    private static String kind(JsonElement e) {
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isBoolean() ? "a boolean" : p.isNumber() ? "a number" : "a string";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

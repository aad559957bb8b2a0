/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.image;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

/**
 * The runtime's explicit binary layout of a user agent's whole state, as whole-state strategies (TERN-like,
 * Condor-like) move it without the agent's help: the three segments of an {@link AgentImage}. The USS core
 * captures and restores its agents with it, and the strategy conformance kit writes and reads its fake agents
 * with it, so both refuse exactly the same images. Big-endian {@code DataOutput}, strings as {@code writeUTF},
 * flags as one byte 0 or 1:
 *
 * <pre>
 * data      mobile, profile (mobTerm, capabilities[], applications[], forwardTo?),
 *           calls[] (id, type ordinal byte, peers[], originating, radioPort?), radioPort?, long delivered,
 *           int applicationStateLength, applicationState bytes
 * stack     conversation? (callId, callee, peer, type ordinal byte, replyTo?, long correlation)
 * registers long timerRemainingMillis (-1: none), long handled (mailbox position)
 * </pre>
 *
 * where {@code x[]} is a short count and the entries, and {@code x?} a flag and, when it is 1, the value. Any change
 * to the layout changes {@link #LAYOUT_HASH}, so that nodes with another layout refuse the image by its
 * {@link AgentType}.
 *
 * <p>{@link #decode} trusts nothing: the type must equal the restoring node's, the image must be of the migrating
 * mobile, every count is checked before anything is allocated, and a truncated segment, trailing bytes, a flag
 * byte other than 0 or 1, a duplicate entry in a profile set, a negative delivered or handled count, a timer below
 * -1 or a value the api records refuse are all {@link MigrationException}s with the reason — never another
 * exception. Stateless and thread-safe.
 */
public final class AgentImageLayout {
    /** The layout, field by field; {@link #LAYOUT_HASH} is its FNV-1a hash. */
    public static final String LAYOUT = "data:mobile,profile(mt,caps[],apps[],fwd?),calls[](id,type,peers[],orig,port?),"
            + "port?,delivered,appState[];stack:conv?(id,callee,peer,type,replyTo,corr);registers:timerRemaining,"
            + "handled;v2";
    /** Hash of {@link #LAYOUT}: the {@link AgentType#layoutHash()} of images in this layout. */
    public static final long LAYOUT_HASH = fnv(LAYOUT);
    /** Most active calls an image may hold (a runtime may allow fewer: the USS core's agent holds 4). */
    public static final int MAX_CALLS = 64;
    /** Most peers a call may have (as {@link ActiveCall} allows). */
    public static final int MAX_PEERS = 8;

    private AgentImageLayout() {
    }

    /**
     * The negotiation an agent is in the middle of: what the seed calls its "stack".
     *
     * @param callId      the call being negotiated
     * @param callee      whether the call was offered to the agent (otherwise its mobile originated it)
     * @param peer        the other party
     * @param type        the call type
     * @param replyTo     where the answer goes, or {@code null}
     * @param correlation the correlation id of the pending request
     */
    public record Conversation(String callId, boolean callee, String peer, CallType type, String replyTo,
            long correlation) {
        /** @throws NullPointerException on a missing id, peer or type */
        public Conversation {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * An agent's whole state as the layout holds it. The application state is not copied: callers must not
     * modify it.
     *
     * @param variables            mobile, profile, calls, radio port, delivered count
     * @param applicationState     state of the applications the agent runs, opaque to the network
     * @param conversation         the negotiation in progress, or {@code null} at a stable point
     * @param timerRemainingMillis time left on the negotiation timer, -1 when none runs
     * @param handled              messages handled so far: the mailbox position
     */
    public record State(MigrationVariables variables, byte[] applicationState, Conversation conversation,
            long timerRemainingMillis, long handled) {
        /**
         * @throws NullPointerException     on missing variables or application state
         * @throws IllegalArgumentException on a negative delivered or handled count, a timer below -1, or more
         *                                  than {@link #MAX_CALLS} calls
         */
        public State {
            Objects.requireNonNull(variables, "variables");
            Objects.requireNonNull(applicationState, "applicationState");
            if (variables.delivered() < 0 || handled < 0 || timerRemainingMillis < -1) {
                throw new IllegalArgumentException("negative count or timer: delivered " + variables.delivered()
                        + ", handled " + handled + ", timer " + timerRemainingMillis);
            }
            if (variables.calls().size() > MAX_CALLS) {
                throw new IllegalArgumentException(variables.calls().size() + " calls (max " + MAX_CALLS + ")");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && variables.equals(s.variables)
                    && Arrays.equals(applicationState, s.applicationState)
                    && Objects.equals(conversation, s.conversation) && timerRemainingMillis == s.timerRemainingMillis
                    && handled == s.handled;
        }

        @Override
        public int hashCode() {
            return Objects.hash(variables, Arrays.hashCode(applicationState), conversation, timerRemainingMillis,
                    handled);
        }

        @Override
        public String toString() {
            return "State[variables=" + variables + ", applicationState=" + applicationState.length
                    + " bytes, conversation=" + conversation + ", timerRemainingMillis=" + timerRemainingMillis
                    + ", handled=" + handled + "]";
        }
    }

    /** The agent type of images in this layout written by {@code bundle} at {@code version}. */
    public static AgentType type(String bundle, String version) {
        return new AgentType(bundle, version, LAYOUT_HASH);
    }

    /**
     * Writes a state as an image of the given type.
     *
     * @throws IllegalArgumentException when a string is longer than {@code writeUTF} can write (64 KiB of
     *                                  modified UTF-8)
     */
    public static AgentImage encode(State state, AgentType type) {
        try {
            MigrationVariables v = state.variables();
            byte[] app = state.applicationState();
            ByteArrayOutputStream data = new ByteArrayOutputStream(128 + app.length);
            DataOutputStream d = new DataOutputStream(data);
            d.writeUTF(v.mobile().value());
            Profile p = v.profile();
            d.writeBoolean(p.mobTerm());
            writeSet(d, p.capabilities());
            writeSet(d, p.applications());
            writeOpt(d, p.forwardTo() == null ? null : p.forwardTo().value());
            d.writeShort(v.calls().size());
            for (ActiveCall c : v.calls()) {
                d.writeUTF(c.callId());
                d.writeByte(c.type().ordinal());
                d.writeShort(c.peers().size());
                for (MobileId m : c.peers()) {
                    d.writeUTF(m.value());
                }
                d.writeBoolean(c.originating());
                writeOpt(d, c.radioPort());
            }
            writeOpt(d, v.radioPort());
            d.writeLong(v.delivered());
            d.writeInt(app.length);
            d.write(app);

            ByteArrayOutputStream stack = new ByteArrayOutputStream(64);
            DataOutputStream s = new DataOutputStream(stack);
            Conversation c = state.conversation();
            s.writeBoolean(c != null);
            if (c != null) {
                s.writeUTF(c.callId());
                s.writeBoolean(c.callee());
                s.writeUTF(c.peer());
                s.writeByte(c.type().ordinal());
                writeOpt(s, c.replyTo());
                s.writeLong(c.correlation());
            }

            ByteArrayOutputStream regs = new ByteArrayOutputStream(16);
            DataOutputStream r = new DataOutputStream(regs);
            r.writeLong(state.timerRemainingMillis());
            r.writeLong(state.handled());
            return new AgentImage(type, data.toByteArray(), stack.toByteArray(), regs.toByteArray());
        } catch (UTFDataFormatException e) {
            throw new IllegalArgumentException("a string of the agent is too long for the image layout", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: in-memory streams", e);
        }
    }

    /**
     * Reads an image back, as a node does before it rebuilds an agent from it.
     *
     * @param image    the image, untrusted
     * @param local    the agent type of the restoring node; the image's type must equal it
     * @param expected the migrating mobile; the image must be of it
     * @throws MigrationException on an incomplete image, a foreign type, another mobile, or a garbled or truncated
     *                            segment; the message says what is wrong
     */
    public static State decode(AgentImage image, AgentType local, MobileId expected) throws MigrationException {
        checkRestorable(image, local);
        try {
            DataInputStream d = in(image.data());
            MobileId mobile = new MobileId(d.readUTF());
            if (!mobile.equals(expected)) {
                throw new MigrationException("image is of mobile " + mobile + ", expected " + expected);
            }
            boolean mt = readFlag(d);
            Set<String> caps = readSet(d, "capabilities");
            Set<String> apps = readSet(d, "applications");
            String fwd = readOpt(d);
            Profile profile = new Profile(mt, caps, apps, fwd == null ? null : new MobileId(fwd));
            int n = count(d.readShort(), MAX_CALLS, "calls");
            List<ActiveCall> calls = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = d.readUTF();
                CallType type = callType(d.readByte());
                int np = count(d.readShort(), MAX_PEERS, "peers");
                List<MobileId> peers = new ArrayList<>(np);
                for (int j = 0; j < np; j++) {
                    peers.add(new MobileId(d.readUTF()));
                }
                calls.add(new ActiveCall(id, type, peers, readFlag(d), readOpt(d)));
            }
            String port = readOpt(d);
            long delivered = d.readLong();
            if (delivered < 0) {
                throw new MigrationException("invalid agent image: negative delivered count " + delivered);
            }
            int appLength = d.readInt();
            if (appLength < 0 || appLength > d.available()) {
                throw new MigrationException("invalid agent image: application state of " + appLength + " bytes, "
                        + d.available() + " left in the data segment");
            }
            byte[] app = d.readNBytes(appLength);
            end(d, "data");

            DataInputStream s = in(image.stack());
            Conversation conv = null;
            if (readFlag(s)) {
                conv = new Conversation(s.readUTF(), readFlag(s), s.readUTF(), callType(s.readByte()), readOpt(s),
                        s.readLong());
            }
            end(s, "stack");

            DataInputStream r = in(image.registers());
            long timer = r.readLong();
            long handled = r.readLong();
            end(r, "registers");
            if (timer < -1 || handled < 0) {
                throw new MigrationException("invalid agent image: registers " + timer + ", " + handled);
            }
            return new State(new MigrationVariables(mobile, profile, calls, port, delivered), app, conv, timer,
                    handled);
        } catch (UTFDataFormatException e) {
            throw new MigrationException("invalid agent image: a string is not valid modified UTF-8");
        } catch (IOException e) {
            throw new MigrationException("truncated agent image: " + e);
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid agent image: " + e.getMessage());
        }
    }

    /**
     * What a node checks before it looks inside an image: all three segments are present and the type equals its
     * own. The part of {@link #decode} that holds for an image in any layout.
     *
     * @throws MigrationException on a missing segment or a foreign type
     */
    public static void checkRestorable(AgentImage image, AgentType local) throws MigrationException {
        if (image == null || image.type() == null || image.data() == null || image.stack() == null
                || image.registers() == null) {
            throw new MigrationException("incomplete agent image: " + image);
        }
        if (!image.type().equals(local)) {
            throw new MigrationException("image of agent type " + describe(image.type())
                    + " cannot be restored by this node's " + describe(local));
        }
    }

    /** {@code bundle version (layout hash)}, as refusals name a type. */
    public static String describe(AgentType t) {
        return t == null ? "null" : t.bundle() + " " + t.version() + String.format(" (layout %016x)", t.layoutHash());
    }

    private static DataInputStream in(byte[] b) {
        return new DataInputStream(new ByteArrayInputStream(b));
    }

    private static void end(DataInputStream in, String segment) throws IOException, MigrationException {
        if (in.available() != 0) {
            throw new MigrationException("invalid agent image: trailing bytes in the " + segment + " segment");
        }
    }

    private static boolean readFlag(DataInputStream in) throws IOException, MigrationException {
        int b = in.readUnsignedByte();
        if (b > 1) {
            throw new MigrationException("invalid agent image: flag byte " + b);
        }
        return b == 1;
    }

    private static int count(int n, int max, String what) throws MigrationException {
        if (n < 0 || n > max) {
            throw new MigrationException("invalid agent image: " + n + " " + what + " (max " + max + ")");
        }
        return n;
    }

    private static CallType callType(int ordinal) throws MigrationException {
        CallType[] all = CallType.values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new MigrationException("invalid agent image: call type " + ordinal);
        }
        return all[ordinal];
    }

    private static void writeSet(DataOutputStream d, Set<String> set) throws IOException {
        d.writeShort(set.size());
        for (String s : set) {
            d.writeUTF(s);
        }
    }

    /** A profile set: at most {@link Profile#MAX_ENTRIES} entries, each once. */
    private static Set<String> readSet(DataInputStream d, String what) throws IOException, MigrationException {
        int n = count(d.readShort(), Profile.MAX_ENTRIES, what);
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            String s = d.readUTF();
            if (!out.add(s)) {
                throw new MigrationException("invalid agent image: duplicate entry '" + printable(s) + "' in "
                        + what);
            }
        }
        return out;
    }

    private static void writeOpt(DataOutputStream d, String s) throws IOException {
        d.writeBoolean(s != null);
        if (s != null) {
            d.writeUTF(s);
        }
    }

    private static String readOpt(DataInputStream d) throws IOException, MigrationException {
        return readFlag(d) ? d.readUTF() : null;
    }

    /** Text from an untrusted image, made safe for a log line. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 40 ? b.append("...").toString() : b.toString();
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}

package org.roamer.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * The kit's binary layout of a {@link FakeAgent}'s whole state, the counterpart of the core's own agent image
 * codec. Strategies must treat it as opaque bytes; the kit decodes it in {@link FakeRestoreTarget} the way the
 * core decodes its images, so a garbled or truncated segment is refused there too. Big-endian
 * {@code DataOutput}, strings as {@code writeUTF}:
 *
 * <pre>
 * data      int magic 'RKD1', mobile, profile (mobTerm, capabilities[], applications[], forwardTo?),
 *           calls[] (id, type ordinal, peers[], originating, radioPort?), radioPort?, long delivered,
 *           int paddingLength, padding bytes
 * stack     boolean negotiating [, callId, incoming, peer, type ordinal, long correlation]
 * registers long timerRemainingMillis (-1 none), long handled
 * </pre>
 *
 * Every count is checked before anything is allocated. Stateless and thread-safe.
 */
public final class FakeAgentLayout {
    /** The layout, field by field; {@link #LAYOUT_HASH} is its FNV-1a hash. */
    public static final String LAYOUT = "data:magic,mobile,profile(mt,caps[],apps[],fwd?),calls[](id,type,peers[],"
            + "orig,port?),port?,delivered,padding[];stack:neg?(id,incoming,peer,type,corr);"
            + "registers:timerRemaining,handled;testkit-v1";
    /** Hash of {@link #LAYOUT}, part of {@link #TYPE}. */
    public static final long LAYOUT_HASH = fnv(LAYOUT);
    /** The agent type every {@link FakeAgent} has, and every {@link FakeRestoreTarget} runs by default. */
    public static final AgentType TYPE = new AgentType("org.roamer.testkit.agent", "1.0.0", LAYOUT_HASH);
    /** Most active calls an image may hold. */
    public static final int MAX_CALLS = 64;

    private static final int MAGIC = 0x524B4431; // "RKD1"

    private FakeAgentLayout() {
    }

    /** Writes a state as an image of the given type. */
    public static AgentImage encode(FakeAgentState state, AgentType type) {
        try {
            ByteArrayOutputStream data = new ByteArrayOutputStream(128 + state.paddingLength());
            DataOutputStream d = new DataOutputStream(data);
            MigrationVariables v = state.variables();
            d.writeInt(MAGIC);
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
            d.writeInt(state.paddingLength());
            d.write(state.padding());

            ByteArrayOutputStream stack = new ByteArrayOutputStream(64);
            DataOutputStream s = new DataOutputStream(stack);
            Negotiation n = state.negotiation();
            s.writeBoolean(n != null);
            if (n != null) {
                s.writeUTF(n.callId());
                s.writeBoolean(n.incoming());
                s.writeUTF(n.peer().value());
                s.writeByte(n.type().ordinal());
                s.writeLong(n.correlation());
            }

            ByteArrayOutputStream regs = new ByteArrayOutputStream(16);
            DataOutputStream r = new DataOutputStream(regs);
            r.writeLong(state.timerRemainingMillis());
            r.writeLong(state.handled());
            return new AgentImage(type, data.toByteArray(), stack.toByteArray(), regs.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: in-memory streams", e);
        }
    }

    /**
     * Reads an image back, as the core does before it rebuilds an agent.
     *
     * @param image    the image, untrusted
     * @param local    the agent type of the restoring node; the image's type must equal it
     * @param expected the migrating mobile; the image must be of it
     * @throws MigrationException on a foreign type, another mobile, or a garbled or truncated segment
     */
    public static FakeAgentState decode(AgentImage image, AgentType local, MobileId expected)
            throws MigrationException {
        checkRestorable(image, local);
        try {
            DataInputStream d = in(image.data());
            if (d.readInt() != MAGIC) {
                throw new MigrationException("data segment does not start with the layout's magic");
            }
            MobileId mobile = new MobileId(d.readUTF());
            if (!mobile.equals(expected)) {
                throw new MigrationException("image is of mobile " + mobile + ", expected " + expected);
            }
            boolean mt = d.readBoolean();
            Set<String> caps = readSet(d);
            Set<String> apps = readSet(d);
            String fwd = readOpt(d);
            Profile profile = new Profile(mt, caps, apps, fwd == null ? null : new MobileId(fwd));
            int n = count(d.readShort(), MAX_CALLS, "calls");
            List<ActiveCall> calls = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = d.readUTF();
                CallType type = callType(d.readByte());
                int np = count(d.readShort(), 8, "peers");
                List<MobileId> peers = new ArrayList<>(np);
                for (int j = 0; j < np; j++) {
                    peers.add(new MobileId(d.readUTF()));
                }
                calls.add(new ActiveCall(id, type, peers, d.readBoolean(), readOpt(d)));
            }
            String port = readOpt(d);
            long delivered = d.readLong();
            if (delivered < 0) {
                throw new MigrationException("invalid agent image: negative delivered count " + delivered);
            }
            int padLength = d.readInt();
            if (padLength < 0 || padLength > d.available()) {
                throw new MigrationException("invalid agent image: padding of " + padLength + " bytes, "
                        + d.available() + " left in the data segment");
            }
            byte[] padding = d.readNBytes(padLength);
            end(d, "data");

            DataInputStream s = in(image.stack());
            Negotiation neg = null;
            if (readFlag(s)) {
                neg = new Negotiation(s.readUTF(), readFlag(s), new MobileId(s.readUTF()), callType(s.readByte()),
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
            MigrationVariables vars = new MigrationVariables(mobile, profile, calls, port, delivered);
            return new FakeAgentState(vars, padding, neg, timer, handled);
        } catch (IOException e) {
            throw new MigrationException("truncated agent image: " + e);
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid agent image: " + e.getMessage());
        }
    }

    /**
     * What the core checks before it looks inside an image: all three segments are present and the type equals
     * this node's. The part of {@link #decode} that holds for any layout.
     */
    static void checkRestorable(AgentImage image, AgentType local) throws MigrationException {
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

    private static Set<String> readSet(DataInputStream d) throws IOException, MigrationException {
        int n = count(d.readShort(), Profile.MAX_ENTRIES, "set entries");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            if (!out.add(d.readUTF())) {
                throw new MigrationException("invalid agent image: duplicate set entry");
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

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}

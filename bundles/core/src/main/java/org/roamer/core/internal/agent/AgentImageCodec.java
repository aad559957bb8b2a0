package org.roamer.core.internal.agent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;

/**
 * The runtime's explicit binary layout of a user agent's whole state, used by whole-state strategies
 * (TERN-like, Condor-like) without the agent's help. Three segments:
 * <ul>
 * <li>data: mobile, profile, calls, radio port, delivered count;</li>
 * <li>stack: the conversation in progress (flag byte, then its fields);</li>
 * <li>registers: remaining conversation timer (ms, -1 none) and frames handled (mailbox position).</li>
 * </ul>
 * Strings are {@code DataOutput.writeUTF}; counts are checked against limits while reading. Any change
 * to this layout changes {@link #LAYOUT_HASH}, so nodes with a different layout refuse the image.
 */
public final class AgentImageCodec {
    static final String LAYOUT = "data:mobile,profile(mt,caps[],apps[],fwd?),calls[](id,type,peers[],orig,port?),port?,"
            + "delivered,appState[];stack:conv?(id,callee,peer,type,replyTo,corr);registers:timerRemaining,handled;v2";
    /** Hash of the layout description. */
    public static final long LAYOUT_HASH = fnv(LAYOUT);

    private AgentImageCodec() {
    }

    /** The agent type of images this runtime writes, for the given bundle identity. */
    public static AgentType type(String bundle, String version) {
        return new AgentType(bundle, version, LAYOUT_HASH);
    }

    public static AgentImage capture(UserAgent a, AgentType type) {
        try {
            ByteArrayOutputStream data = new ByteArrayOutputStream(128);
            DataOutputStream d = new DataOutputStream(data);
            d.writeUTF(a.mobile().value());
            Profile p = a.profile();
            d.writeBoolean(p.mobTerm());
            writeSet(d, p.capabilities());
            writeSet(d, p.applications());
            writeOpt(d, p.forwardTo() == null ? null : p.forwardTo().value());
            List<ActiveCall> calls = a.calls();
            d.writeShort(calls.size());
            for (ActiveCall c : calls) {
                d.writeUTF(c.callId());
                d.writeByte(c.type().ordinal());
                d.writeShort(c.peers().size());
                for (MobileId m : c.peers()) {
                    d.writeUTF(m.value());
                }
                d.writeBoolean(c.originating());
                writeOpt(d, c.radioPort());
            }
            writeOpt(d, a.radioPort());
            d.writeLong(a.delivered());
            byte[] app = a.applicationState();
            d.writeInt(app.length);
            d.write(app);

            ByteArrayOutputStream stack = new ByteArrayOutputStream(64);
            DataOutputStream s = new DataOutputStream(stack);
            Conversation c = a.conversation();
            s.writeBoolean(c != null);
            if (c != null) {
                s.writeUTF(c.callId());
                s.writeBoolean(c.callee());
                s.writeUTF(c.peer());
                s.writeByte(c.type().ordinal());
                writeOpt(s, c.replyTo());
                s.writeLong(c.corr());
            }

            ByteArrayOutputStream regs = new ByteArrayOutputStream(16);
            DataOutputStream r = new DataOutputStream(regs);
            long deadline = a.timerDeadline();
            r.writeLong(deadline == 0 ? -1 : Math.max(0, deadline - System.currentTimeMillis()));
            r.writeLong(a.handled());
            return new AgentImage(type, data.toByteArray(), stack.toByteArray(), regs.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with in-memory streams
        }
    }

    /** A restored agent and the time left on its conversation timer (-1: none). */
    public record Restored(UserAgent agent, long timerRemainingMillis) {
    }

    /**
     * Rebuilds an agent from an image, checking the type and every count.
     *
     * @throws MigrationException on a foreign type or a garbled or truncated segment
     */
    public static Restored restore(AgentImage image, AgentType local, MobileId expected) throws MigrationException {
        if (!image.type().equals(local)) {
            throw new MigrationException("image of agent type " + describe(image.type())
                    + " cannot be restored by this node's " + describe(local));
        }
        try {
            DataInputStream d = in(image.data());
            MobileId mobile = new MobileId(d.readUTF());
            if (!mobile.equals(expected)) {
                throw new MigrationException("image is of mobile " + mobile + ", expected " + expected);
            }
            boolean mt = d.readBoolean();
            Set<String> caps = readSet(d);
            Set<String> apps = readSet(d);
            String fwd = readOpt(d);
            Profile profile = new Profile(mt, caps, apps, fwd == null ? null : new MobileId(fwd));
            int n = count(d.readShort(), UserAgent.MAX_CALLS, "calls");
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
            int appLength = d.readInt();
            if (appLength < 0 || appLength > d.available()) {
                throw new MigrationException("invalid agent image: application state of " + appLength
                        + " bytes, " + d.available() + " left in the data segment");
            }
            byte[] app = new byte[appLength];
            d.readFully(app);
            end(d, "data");

            DataInputStream s = in(image.stack());
            Conversation conv = null;
            if (s.readBoolean()) {
                conv = new Conversation(s.readUTF(), s.readBoolean(), s.readUTF(), callType(s.readByte()), readOpt(s),
                        s.readLong());
            }
            end(s, "stack");

            DataInputStream r = in(image.registers());
            long timer = r.readLong();
            long handled = r.readLong();
            end(r, "registers");

            UserAgent a = new UserAgent(mobile, profile, port);
            a.restoreState(calls, delivered, handled);
            a.applicationState(app);
            a.restoreConversation(conv);
            return new Restored(a, conv == null ? -1 : timer);
        } catch (IOException e) {
            throw new MigrationException("truncated agent image: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid agent image: " + e.getMessage());
        }
    }

    private static String describe(AgentType t) {
        return t.bundle() + " " + t.version() + String.format(" (layout %016x)", t.layoutHash());
    }

    private static DataInputStream in(byte[] b) {
        return new DataInputStream(new ByteArrayInputStream(b));
    }

    private static void end(DataInputStream in, String segment) throws IOException, MigrationException {
        if (in.available() != 0) {
            throw new MigrationException("trailing bytes in " + segment + " segment");
        }
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
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(d.readUTF());
        }
        return out;
    }

    private static void writeOpt(DataOutputStream d, String s) throws IOException {
        d.writeBoolean(s != null);
        if (s != null) {
            d.writeUTF(s);
        }
    }

    private static String readOpt(DataInputStream d) throws IOException {
        return d.readBoolean() ? d.readUTF() : null;
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

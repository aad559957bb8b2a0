/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;

/**
 * A scripted USS of a cluster of its own, speaking the wire protocol over real TCP: it announces itself to
 * the Location Server, acknowledges CREATE_AGENT, and keeps every other frame for the test to answer (or
 * not) — a remote party whose answer to a call offer can be held back.
 *
 * <p>It can also take part in migrations as another node would, step by step, so a test can play a USS that
 * runs another version of the agent: as a target ({@link #moveHere}, {@link #transfer}, then {@link #commit}
 * or {@link #refuse}) and as a source ({@link #awaitTransfer}, {@link #sendImage}, {@link #handOver}). While it
 * hosts an agent it holds the agent's messages (acknowledging those sent to it directly) and hands them over in
 * BUFFERED; once the agent has left it redirects senders and forwards stub-forwarded frames, like a real stub.
 * Frames it sends to one address go over one connection, in order, as the transport does.
 */
final class FakeUssPeer implements AutoCloseable {
    private static final Pattern FROM = Pattern.compile("\"from\":\"([^\"]+)\"");
    private static final Pattern CALL_ID = Pattern.compile("\"callId\":\"([^\"]+)\"");
    private static final long WAIT_SECONDS = 20;

    final ServerSocket server;
    final String address;
    final String node;
    final String cluster;
    final LinkedBlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    /** Frames a wait passed over, in arrival order, for later waits; used by the test thread only. */
    private final List<Frame> stash = new ArrayList<>();
    private final AtomicLong correlations = new AtomicLong(100);
    private final Map<String, Socket> links = new HashMap<>();
    private final ConcurrentHashMap<String, Hosted> hosted = new ConcurrentHashMap<>();
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-uss-reader");
        t.setDaemon(true);
        return t;
    });

    /** An agent this fake hosts, or hosted until it handed it over. */
    static final class Hosted {
        /** The agent's messages that reached this node while it lived here, in order. */
        final List<Frame> held = new CopyOnWriteArrayList<>();
        volatile long epoch;
        volatile String movedTo;
        volatile String movedToNode;
    }

    FakeUssPeer(NodeAddress locationServer, String cluster) throws IOException {
        this(locationServer, cluster, List.of());
    }

    /** A fake USS of {@code cluster} that announces these strategies in its HELLO. */
    FakeUssPeer(NodeAddress locationServer, String cluster, List<String> strategies) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        address = "127.0.0.1:" + server.getLocalPort();
        node = "fake-" + cluster;
        this.cluster = cluster;
        readers.execute(this::accept);
        Wire.send(locationServer, Wire.json(MessageType.HELLO, 1, 0, "", "{\"node\":\"" + node
                + "\",\"role\":\"uss\",\"cluster\":\"" + cluster + "\",\"addr\":\"" + address
                + "\",\"strategies\":" + jsonList(strategies) + ",\"transport\":\"tcp\"}"));
        try {
            reply(1); // the LS knows this fake as its cluster's USS before anything is registered there
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the HELLO's ACK", e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                readers.execute(() -> read(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                Frame f = Wire.read(in);
                Hosted h = hosted.get(f.mobile());
                if (f.type() == MessageType.CREATE_AGENT) {
                    reply(f, MessageType.ACK, "{\"ok\":true}");
                } else if (f.type() == MessageType.AGENT_MESSAGE && h != null && !f.has(Frame.REPLY)) {
                    onAgentMessage(f, h);
                } else {
                    received.add(f);
                }
            }
        } catch (Exception e) {
            // peer closed the link
        }
    }

    /** As a USS does for an agent it hosts (hold and acknowledge) or hosted (redirect, or forward). */
    private void onAgentMessage(Frame f, Hosted h) throws IOException {
        String replyTo = replyTo(f);
        String movedTo;
        synchronized (h) {
            movedTo = h.movedTo;
            if (movedTo == null) {
                h.held.add(f);
            }
        }
        if (movedTo == null) {
            if (!f.has(Frame.FORWARDED)) {
                send(replyTo, new Frame(MessageType.ACK, Frame.REPLY, f.correlationId(), h.epoch, f.seq(), f.mobile(),
                        new byte[0]));
            }
        } else if (f.has(Frame.FORWARDED)) {
            send(movedTo, f); // acknowledged upstream already
        } else {
            send(replyTo, new Frame(MessageType.REDIRECT, Frame.REPLY, f.correlationId(), f.epoch(), f.seq(),
                    f.mobile(), ("{\"addr\":\"" + movedTo + "\",\"node\":\"" + h.movedToNode + "\"}")
                            .getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** The reply address of an AGENT_MESSAGE: {@code [u8 n][replyTo]...}. */
    private static String replyTo(Frame f) {
        byte[] p = f.payload();
        return new String(p, 1, p[0] & 0xff, StandardCharsets.UTF_8);
    }

    /** Sends a frame to an address over this fake's connection to it (opened on first use; in order). */
    synchronized void send(String to, Frame f) throws IOException {
        Socket s = links.get(to);
        if (s == null || s.isClosed()) {
            s = Wire.connect(NodeAddress.parse(to));
            links.put(to, s);
        }
        try {
            OutputStream o = s.getOutputStream();
            o.write(FrameCodec.encode(f));
            o.flush();
        } catch (IOException e) {
            links.remove(to);
            s.close();
            throw e;
        }
    }

    /** Answers a request to the address in its {@code from} field. */
    void reply(Frame request, MessageType type, String json) throws IOException {
        Matcher m = FROM.matcher(new String(request.payload(), StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new IllegalStateException("no reply address in " + request);
        }
        try (Socket out = Wire.connect(NodeAddress.parse(m.group(1)))) {
            OutputStream o = out.getOutputStream();
            o.write(FrameCodec.encode(new Frame(type, Frame.REPLY, request.correlationId(), request.epoch(), 0,
                    request.mobile(), json.getBytes(StandardCharsets.UTF_8))));
            o.flush();
        }
    }

    /** Powers a mobile on in this fake cluster, as one of its radio ports would. */
    void register(NodeAddress locationServer, String mobile, String cluster) throws Exception {
        long corr = correlations.incrementAndGet();
        Wire.send(locationServer, Wire.json(MessageType.REGISTRATION, corr, 0, mobile, "{\"cluster\":\"" + cluster
                + "\",\"from\":\"" + address
                + "\",\"profile\":{\"mt\":true,\"caps\":[\"voice\",\"data\"],\"apps\":[]}}"));
        Frame answer = reply(corr);
        if (answer.type() != MessageType.ACK) {
            throw new IllegalStateException("registration of " + mobile + " refused: "
                    + new String(answer.payload(), StandardCharsets.UTF_8));
        }
    }

    /** The reply to this fake's request with that correlation id (the LS also answers its HELLO). */
    Frame reply(long correlation) throws InterruptedException {
        return next(f -> f.has(Frame.REPLY) && f.correlationId() == correlation, "reply to request " + correlation);
    }

    Frame take(MessageType type) throws InterruptedException {
        return next(f -> f.type() == type, type.toString());
    }

    /**
     * The first frame, in arrival order, that matches; frames passed over stay for later waits.
     *
     * @throws IllegalStateException when none arrives within 20 s
     */
    Frame next(Predicate<Frame> wanted, String what) throws InterruptedException {
        for (Iterator<Frame> it = stash.iterator(); it.hasNext();) {
            Frame f = it.next();
            if (wanted.test(f)) {
                it.remove();
                return f;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            Frame f = received.poll(100, TimeUnit.MILLISECONDS);
            if (f == null) {
                continue;
            }
            if (wanted.test(f)) {
                return f;
            }
            stash.add(f);
        }
        throw new IllegalStateException("no " + what + " arrived at the fake USS; it got meanwhile: " + stash);
    }

    /** Accepts a call offer it held back. */
    void accept(Frame offer) throws IOException {
        Matcher id = CALL_ID.matcher(new String(offer.payload(), StandardCharsets.UTF_8));
        if (!id.find()) {
            throw new IllegalStateException("no call id in " + offer);
        }
        reply(offer, MessageType.CALL_DECISION, "{\"callId\":\"" + id.group(1) + "\",\"accepted\":true,"
                + "\"reason\":\"accepted\",\"paged\":true,\"radioPort\":\"rp-far\",\"air\":2,\"callee\":\""
                + offer.mobile() + "\",\"type\":\"VOICE\"}");
    }

    // ------------------------------------------------------------------ hosting agents

    /** From now on this fake hosts the agent of {@code mobile} (created here, or arrived) with that epoch. */
    Hosted host(String mobile, long epoch) {
        Hosted h = hosted.computeIfAbsent(mobile, k -> new Hosted());
        synchronized (h) {
            h.epoch = epoch;
            h.movedTo = null;
        }
        return h;
    }

    /** The agent of {@code mobile} as this fake hosts it; {@code null} if it never did. */
    Hosted hosted(String mobile) {
        return hosted.get(mobile);
    }

    // ------------------------------------------------------------------ migration: this fake as the target

    /** A MIGRATE from the LS: the agent is to come here. */
    record Incoming(long registration, long id, long epoch, String mobile, String source, String sourceNode,
            String ls) {
    }

    /** What a source sent: the strategy named in the first chunk, and the chunks without that name. */
    record Image(String strategy, List<byte[]> chunks) {
        long bytes() {
            return chunks.stream().mapToLong(c -> c.length).sum();
        }
    }

    /** The mobile registers in this fake's cluster (REGISTRATION without a profile); returns the LS's MIGRATE. */
    Incoming moveHere(NodeAddress locationServer, String mobile) throws Exception {
        long corr = correlations.incrementAndGet();
        Wire.send(locationServer, Wire.json(MessageType.REGISTRATION, corr, 0, mobile, "{\"cluster\":\"" + cluster
                + "\",\"from\":\"" + address + "\"}"));
        Frame m = next(f -> f.type() == MessageType.MIGRATE && f.mobile().equals(mobile), "MIGRATE of " + mobile);
        Map<String, Object> json = TinyJson.object(m.payload());
        return new Incoming(corr, m.correlationId(), m.epoch(), mobile, (String) json.get("source"),
                (String) json.get("sourceNode"), (String) json.get("from"));
    }

    /** TRANSFER to the source, listing {@code strategies}; returns every TRANSFER_DATA chunk up to the LAST. */
    Image transfer(Incoming in, List<String> strategies, String requested) throws Exception {
        return transfer(in, strategies, requested, null, null, 0);
    }

    /**
     * {@link #transfer(Incoming, List, String)} from a node that says which agent implementation it runs
     * ({@code agentBundle} null: says nothing, like the plain variant).
     */
    Image transfer(Incoming in, List<String> strategies, String requested, String agentBundle, String agentVersion,
            long layoutHash) throws Exception {
        String agentType = agentBundle == null
                ? ""
                : ",\"agentType\":{\"bundle\":" + TinyJson.quote(agentBundle)
                        + ",\"version\":" + TinyJson.quote(agentVersion) + ",\"layoutHash\":" + layoutHash + "}";
        send(in.source(), new Frame(MessageType.TRANSFER, 0, in.id(), in.epoch(), 0, in.mobile(), ("{\"target\":\""
                + address + "\",\"targetNode\":\"" + node + "\",\"targetCluster\":\"" + cluster + "\",\"strategies\":"
                + jsonList(strategies) + (requested == null ? "" : ",\"strategy\":\"" + requested + "\"") + agentType
                + "}").getBytes(StandardCharsets.UTF_8)));
        List<byte[]> chunks = new ArrayList<>();
        String strategy = null;
        while (true) {
            Frame d = next(f -> f.correlationId() == in.id() && (f.type() == MessageType.TRANSFER_DATA
                    || f.type() == MessageType.MIGRATE_FAILED), "TRANSFER_DATA of migration " + in.id());
            if (d.type() == MessageType.MIGRATE_FAILED) {
                throw new IllegalStateException("the source refused the TRANSFER: "
                        + new String(d.payload(), StandardCharsets.UTF_8));
            }
            if (d.seq() != chunks.size()) {
                throw new IllegalStateException("chunk " + d.seq() + " arrived, expected " + chunks.size());
            }
            byte[] p = d.payload();
            if (d.seq() == 0) {
                int n = p[0] & 0xff;
                strategy = new String(p, 1, n, StandardCharsets.US_ASCII);
                p = java.util.Arrays.copyOfRange(p, 1 + n, p.length);
            }
            chunks.add(p);
            if (d.has(Frame.LAST)) {
                return new Image(strategy, chunks);
            }
        }
    }

    /**
     * Takes the agent: READY to the source, its stub's messages (BUFFERED) become held here, MIGRATE_DONE to the
     * LS. Returns the LS's answer to the registration.
     */
    Frame commit(Incoming in, Image image) throws Exception {
        Hosted h = host(in.mobile(), in.epoch()); // before READY: what the source forwards after it is held
        send(in.source(), new Frame(MessageType.READY, 0, in.id(), in.epoch(), 0, in.mobile(), new byte[0]));
        Frame b = next(f -> f.type() == MessageType.BUFFERED && f.correlationId() == in.id(),
                "BUFFERED of migration " + in.id());
        List<Frame> drained = buffered(b.payload());
        h.held.addAll(0, drained); // the stub's messages come before anything it forwarded since
        send(in.ls(), new Frame(MessageType.MIGRATE_DONE, 0, in.id(), in.epoch(), 0, in.mobile(), ("{\"node\":\""
                + node + "\",\"cluster\":\"" + cluster + "\",\"addr\":\"" + address + "\",\"strategy\":\""
                + image.strategy() + "\",\"bytes\":" + image.bytes() + ",\"buffered\":" + drained.size()
                + ",\"drained\":" + drained.size() + "}").getBytes(StandardCharsets.UTF_8)));
        return reply(in.registration());
    }

    /** Refuses the agent as a target does: MIGRATE_FAILED to the source and the LS. Returns the LS's answer. */
    Frame refuse(Incoming in, String reason) throws Exception {
        Frame failed = new Frame(MessageType.MIGRATE_FAILED, 0, in.id(), in.epoch(), 0, in.mobile(),
                ("{\"reason\":" + TinyJson.quote(reason) + "}").getBytes(StandardCharsets.UTF_8));
        send(in.source(), failed);
        send(in.ls(), failed);
        return reply(in.registration());
    }

    // ------------------------------------------------------------------ migration: this fake as the source

    /** A TRANSFER from a target USS: it asks for an agent this fake hosts. */
    record Transfer(long id, long epoch, String mobile, String target, String targetNode, List<Object> strategies) {
    }

    Transfer awaitTransfer(String mobile) throws InterruptedException {
        Frame t = next(f -> f.type() == MessageType.TRANSFER && f.mobile().equals(mobile), "TRANSFER of " + mobile);
        Map<String, Object> json = TinyJson.object(t.payload());
        @SuppressWarnings("unchecked")
        List<Object> strategies = (List<Object>) json.get("strategies");
        return new Transfer(t.correlationId(), t.epoch(), mobile, (String) json.get("target"),
                (String) json.get("targetNode"), strategies);
    }

    /**
     * Sends an image as a source does (TRANSFER_DATA*, the first chunk naming the strategy, LAST on the last)
     * and returns the target's verdict: READY, or MIGRATE_FAILED with its reason.
     */
    Frame sendImage(Transfer t, String strategy, List<byte[]> chunks) throws Exception {
        for (int i = 0; i < chunks.size(); i++) {
            byte[] p = chunks.get(i);
            if (i == 0) {
                byte[] name = strategy.getBytes(StandardCharsets.US_ASCII);
                p = ByteBuffer.allocate(1 + name.length + p.length).put((byte) name.length).put(name).put(p).array();
            }
            send(t.target(), new Frame(MessageType.TRANSFER_DATA, i == chunks.size() - 1 ? Frame.LAST : 0, t.id(),
                    t.epoch(), i, t.mobile(), p));
        }
        return next(f -> f.correlationId() == t.id() && f.mobile().equals(t.mobile())
                && (f.type() == MessageType.READY || f.type() == MessageType.MIGRATE_FAILED),
                "READY or MIGRATE_FAILED of migration " + t.id());
    }

    /** After READY (the commit point): the held messages go to the target in BUFFERED; the agent has left. */
    List<Frame> handOver(Transfer t) throws IOException {
        Hosted h = hosted.get(t.mobile());
        List<Frame> drained;
        synchronized (h) { // from now on messages follow the agent; none is left behind in between
            drained = List.copyOf(h.held);
            h.held.clear();
            h.movedToNode = t.targetNode();
            h.movedTo = t.target();
        }
        int size = 4;
        for (Frame f : drained) {
            size += 4 + f.wireSize();
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(drained.size());
        for (Frame f : drained) {
            b.putInt(f.wireSize()).put(FrameCodec.encode(f));
        }
        send(t.target(), new Frame(MessageType.BUFFERED, 0, t.id(), t.epoch(), 0, t.mobile(), b.array()));
        return drained;
    }

    static List<Frame> buffered(byte[] payload) throws FrameException {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int n = b.getInt();
        List<Frame> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] one = new byte[b.getInt()];
            b.get(one);
            out.add(FrameCodec.decode(one, FrameLimits.DEFAULT));
        }
        return out;
    }

    /** The reason of a MIGRATE_FAILED or of an LS answer; for a frame without one (READY), its type. */
    static String reason(Frame f) {
        if (f.payload().length == 0) {
            return f.type().toString();
        }
        Object r = TinyJson.object(f.payload()).get("reason");
        return r == null ? null : r.toString();
    }

    private static String jsonList(List<String> values) {
        return values.stream().map(TinyJson::quote).collect(Collectors.joining(",", "[", "]"));
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            for (Socket s : links.values()) {
                s.close();
            }
            links.clear();
        }
        server.close();
        readers.shutdownNow();
    }
}

package org.roamer.itests;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;
import org.roamer.api.frame.MessageType;

/**
 * A scripted USS of a cluster of its own, speaking the wire protocol over real TCP: it announces itself to
 * the Location Server, acknowledges CREATE_AGENT, and keeps every other frame for the test to answer (or
 * not) — a remote party whose answer to a call offer can be held back.
 */
final class FakeUssPeer implements AutoCloseable {
    private static final Pattern FROM = Pattern.compile("\"from\":\"([^\"]+)\"");
    private static final Pattern CALL_ID = Pattern.compile("\"callId\":\"([^\"]+)\"");

    final ServerSocket server;
    final String address;
    final LinkedBlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-uss-reader");
        t.setDaemon(true);
        return t;
    });

    FakeUssPeer(NodeAddress locationServer, String cluster) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        address = "127.0.0.1:" + server.getLocalPort();
        readers.execute(this::accept);
        Wire.send(locationServer, Wire.json(MessageType.HELLO, 1, 0, "", "{\"node\":\"fake-" + cluster
                + "\",\"role\":\"uss\",\"cluster\":\"" + cluster + "\",\"addr\":\"" + address
                + "\",\"strategies\":[],\"transport\":\"tcp\"}"));
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
                if (f.type() == MessageType.CREATE_AGENT) {
                    reply(f, MessageType.ACK, "{\"ok\":true}");
                } else {
                    received.add(f);
                }
            }
        } catch (Exception e) {
            // peer closed the link
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
        Wire.send(locationServer, Wire.json(MessageType.REGISTRATION, 2, 0, mobile, "{\"cluster\":\"" + cluster
                + "\",\"from\":\"" + address + "\",\"profile\":{\"mt\":true,\"caps\":[\"voice\",\"data\"],\"apps\":[]}}"));
        Frame answer = reply(2);
        if (answer.type() != MessageType.ACK) {
            throw new IllegalStateException("registration of " + mobile + " refused: "
                    + new String(answer.payload(), StandardCharsets.UTF_8));
        }
    }

    /** The reply to this fake's request with that correlation id (the LS also answers its HELLO). */
    Frame reply(long correlation) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Frame f = received.poll(1, TimeUnit.SECONDS);
            if (f != null && f.has(Frame.REPLY) && f.correlationId() == correlation) {
                return f;
            }
        }
        throw new IllegalStateException("no reply to request " + correlation + " arrived at the fake USS");
    }

    Frame take(MessageType type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Frame f = received.poll(1, TimeUnit.SECONDS);
            if (f != null && f.type() == type) {
                return f;
            }
        }
        throw new IllegalStateException("no " + type + " arrived at the fake USS");
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

    @Override
    public void close() throws IOException {
        server.close();
        readers.shutdownNow();
    }
}

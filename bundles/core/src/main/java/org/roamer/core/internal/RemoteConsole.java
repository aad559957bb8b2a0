/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.roamer.api.NodeAddress;
import org.roamer.api.RoamerException;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameException;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.node.SignalingNode;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads.Admin;
import org.roamer.core.internal.wire.Payloads.AdminResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonElement;
import com.google.gson.reflect.TypeToken;

/**
 * The console across containers: ADMIN frames carry an operator's command ({@code op} and its arguments) from
 * this container's console to a node of another container, whose console service runs it on its own nodes and
 * answers with the result as JSON.
 *
 * <p>The client side asks the Location Server's container for the network (every USS it knows from HELLO, with
 * its container) and sends each command to a node of the container that owns what the command names. The server
 * side runs commands on a bounded pool of its own ({@value #SERVERS} threads, {@value #QUEUE} waiting; more are
 * refused with "busy"), never on a transport thread or the agents' workers; a command it runs never forwards
 * again (no loops between containers whose views disagree).
 */
final class RemoteConsole {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteConsole.class);
    /** Time-out of one remote command: a move or a configuration change takes up to about 12 s there. */
    static final long TIMEOUT_MS = 30_000;
    /**
     * Time-out of a command that only reads (lists, looks up): answered at once by a container that is there; a
     * node that does not speak ADMIN (another implementation, an older version) must not hold a console for long.
     */
    static final long READ_TIMEOUT_MS = 5_000;
    private static final java.util.Set<String> READS = java.util.Set.of("network", "nodes", "agents", "agent", "route",
            "strategies", "routing", "transports", "checkpoints");
    static final int SERVERS = 2;
    static final int QUEUE = 32;
    /** Largest result answered: the data limit of a frame, less room for the envelope. */
    static final int MAX_RESULT = FrameLimits.DEFAULT.maxDataPayload() - 1024;
    private static final int MAX_ARGS = 16;
    private static final int MAX_ARG_CHARS = 4096;

    /** What a command does on the serving side: the result as JSON, or a {@link RoamerException}. */
    interface Command {
        Object run(Map<String, String> args) throws RoamerException;
    }

    /**
     * The network as the Location Server's container sees it.
     *
     * @param container the LS's container
     * @param ls        the Location Servers there, by node id: their addresses
     * @param uss       every USS that said HELLO
     */
    record Network(String container, Map<String, String> ls, List<LocationServer.UssRecord> uss) {
    }

    /** Key prefix of a Location Server of the network known by its address only. */
    static final String UNNAMED = "?@";

    private final RoamerCore core;
    private final Map<String, Command> commands;
    private final ThreadPoolExecutor servers;
    /** Set while this thread runs a command for another container: it must not forward again. */
    private static final ThreadLocal<Boolean> SERVING = ThreadLocal.withInitial(() -> false);

    RemoteConsole(RoamerCore core, Map<String, Command> commands) {
        this.core = core;
        this.commands = Map.copyOf(commands);
        this.servers = new ThreadPoolExecutor(SERVERS, SERVERS, 30, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "roamer-admin");
                    t.setDaemon(true);
                    return t;
                });
        this.servers.allowCoreThreadTimeOut(true);
    }

    void close() {
        servers.shutdownNow();
    }

    /** Whether the current thread serves another container's command (and so must not forward). */
    static boolean serving() {
        return SERVING.get();
    }

    // ------------------------------------------------------------------ client side

    /**
     * Runs {@code op} on the container of the node at {@code to}, sent from {@code from}.
     *
     * @throws RoamerException the remote command failed (its reason), or no answer, or a bad answer
     */
    JsonElement call(SignalingNode from, String to, String op, Map<String, String> args) throws RoamerException {
        if (serving()) {
            throw new RoamerException("'" + op + "' names something that is not in container " + core.containerName()
                    + " (the consoles' views of the network differ; try again)");
        }
        NodeAddress addr;
        try {
            addr = NodeAddress.parse(to);
        } catch (IllegalArgumentException e) {
            throw new RoamerException("bad node address '" + to + "': " + e.getMessage());
        }
        Frame f = Frame.of(MessageType.ADMIN, from.nextCorrelation(), "",
                Json.encode(new Admin(from.address().toString(), op, args)));
        Frame answer;
        long timeout = READS.contains(op) ? READ_TIMEOUT_MS : TIMEOUT_MS;
        try {
            answer = from.request(addr, f, timeout).get(timeout + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException("interrupted while waiting for " + to);
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            throw new RoamerException("'" + op + "' at " + to + " failed: " + (c instanceof TimeoutException
                    ? "no answer within " + timeout + " ms"
                    : c.getMessage()), c);
        }
        AdminResult r;
        try {
            r = Json.decode(answer.payload(), AdminResult.class);
        } catch (FrameException e) {
            throw new RoamerException("invalid answer to '" + op + "' from " + to + ": " + e.getMessage());
        }
        if (!r.ok()) {
            throw new RoamerException(r.reason() == null ? "'" + op + "' failed at " + to : r.reason());
        }
        return r.result();
    }

    /** {@link #call} with the result read as {@code type}. */
    <T> T call(SignalingNode from, String to, String op, Map<String, String> args, Type type) throws RoamerException {
        JsonElement e = call(from, to, op, args);
        try {
            T value = Json.fromTree(e, type);
            if (value == null) {
                throw new RoamerException("empty answer to '" + op + "' from " + to);
            }
            return value;
        } catch (FrameException ex) {
            throw new RoamerException("invalid answer to '" + op + "' from " + to + ": " + ex.getMessage());
        }
    }

    static final Type NETWORK = TypeToken.get(Network.class).getType();

    /**
     * The network, from the Location Server's container: this one's own LS when it runs one, else by ADMIN to
     * the LS at {@code ls}.
     */
    Network network(SignalingNode from, NodeAddress ls) throws RoamerException {
        List<LocationServer> local = core.directory().locationServers();
        if (!local.isEmpty()) {
            return localNetwork();
        }
        if (ls == null) {
            throw new RoamerException("no Location Server configured or running");
        }
        Network n = call(from, ls.toString(), "network", Map.of(), NETWORK);
        if (n.uss() == null || n.ls() == null) {
            throw new RoamerException("incomplete network view from the Location Server at " + ls);
        }
        return n;
    }

    /** The network as this container's Location Servers know it. */
    Network localNetwork() {
        Map<String, String> ls = new LinkedHashMap<>();
        Map<String, LocationServer.UssRecord> uss = new LinkedHashMap<>();
        java.util.Set<String> known = new java.util.HashSet<>();
        for (LocationServer l : core.directory().locationServers()) {
            ls.put(l.id().value(), String.valueOf(l.address()));
            known.add(String.valueOf(l.address()));
            l.clusters().values().forEach(u -> uss.putIfAbsent(u.node(), u));
        }
        // the other Location Servers the USS nodes use, known by address only
        for (LocationServer.UssRecord u : uss.values()) {
            for (String a : u.ls() == null ? List.<String>of() : u.ls()) {
                if (known.add(a)) {
                    ls.put(UNNAMED + a, a);
                }
            }
        }
        return new Network(core.containerName(), ls, new ArrayList<>(uss.values()));
    }

    /**
     * One address per other container: where to ask for its nodes and agents. Keyed by container name; a USS
     * without one, or with this container's name (two containers left at Karaf's default name), by address.
     */
    Map<String, String> otherContainers(Network n) {
        java.util.Set<String> localAddrs = new java.util.HashSet<>();
        for (UserSignalingServer u : core.directory().ussNodes()) {
            localAddrs.add(String.valueOf(u.address()));
        }
        for (LocationServer l : core.directory().locationServers()) {
            localAddrs.add(String.valueOf(l.address()));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> l : n.ls().entrySet()) {
            if (!localAddrs.contains(l.getValue())) {
                out.putIfAbsent(l.getKey().startsWith(UNNAMED) ? "@" + l.getValue() : key(n.container(), l.getValue()),
                        l.getValue());
            }
        }
        for (LocationServer.UssRecord u : n.uss()) {
            if (!localAddrs.contains(u.addr())) {
                out.putIfAbsent(key(u.container(), u.addr()), u.addr());
            }
        }
        return out;
    }

    private String key(String container, String addr) {
        return container == null || container.equals(core.containerName()) ? "@" + addr : container;
    }

    // ------------------------------------------------------------------ server side

    /** Serves an ADMIN frame that arrived at {@code node}: runs the command on the pool, answers its sender. */
    void serve(SignalingNode node, Frame request) {
        Admin a;
        try {
            a = Json.decode(request.payload(), Admin.class);
            NodeAddress.parse(Objects.requireNonNull(a.from(), "no reply address"));
            Objects.requireNonNull(a.op(), "no command");
            Map<String, String> args = a.args() == null ? Map.of() : a.args();
            if (args.size() > MAX_ARGS) {
                throw new IllegalArgumentException(args.size() + " arguments, at most " + MAX_ARGS);
            }
            for (Map.Entry<String, String> e : args.entrySet()) {
                if (e.getKey() == null || e.getValue() == null || e.getValue().length() > MAX_ARG_CHARS) {
                    throw new IllegalArgumentException("argument '" + e.getKey() + "' missing or longer than "
                            + MAX_ARG_CHARS + " characters");
                }
            }
            a = new Admin(a.from(), a.op(), args);
        } catch (FrameException | RuntimeException e) {
            node.onBadFrame("ADMIN", e.getMessage());
            return;
        }
        Admin admin = a;
        Command c = commands.get(admin.op());
        if (c == null) {
            answer(node, request, admin, new AdminResult(false, "unknown command '" + admin.op() + "' in container "
                    + core.containerName() + "; known: " + new java.util.TreeSet<>(commands.keySet()), null));
            return;
        }
        core.metrics().inc("admin.served");
        try {
            servers.execute(() -> answer(node, request, admin, run(c, admin)));
        } catch (RejectedExecutionException e) {
            answer(node, request, admin, new AdminResult(false, "container " + core.containerName()
                    + " is busy with other consoles' commands; try again", null));
        }
    }

    private AdminResult run(Command c, Admin a) {
        SERVING.set(true);
        try {
            JsonElement result = Json.tree(c.run(a.args()));
            if (Json.encode(result).length > MAX_RESULT) {
                return new AdminResult(false, "the answer to '" + a.op() + "' is larger than " + MAX_RESULT
                        + " bytes; run it in container " + core.containerName() + "'s own console", null);
            }
            return new AdminResult(true, null, result);
        } catch (RoamerException e) {
            return new AdminResult(false, e.getMessage(), null);
        } catch (RuntimeException e) {
            LOG.warn("remote command '{}' failed", a.op(), e);
            return new AdminResult(false, "'" + a.op() + "' failed in container " + core.containerName() + ": " + e,
                    null);
        } finally {
            SERVING.set(false);
        }
    }

    /**
     * Answers with an ADMIN frame flagged REPLY: a data frame, so a result up to {@link #MAX_RESULT} fits (an ACK
     * is a control frame, limited to 64 KiB: a listing of a few hundred agents did not arrive).
     */
    private static void answer(SignalingNode node, Frame request, Admin a, AdminResult r) {
        node.trySend(a.from(), new Frame(MessageType.ADMIN, Frame.REPLY, request.correlationId(), 0, 0, "",
                Json.encode(r)));
    }
}

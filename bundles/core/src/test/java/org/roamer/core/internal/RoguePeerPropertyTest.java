/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.roamer.api.AgentInfo;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Endpoint;
import org.roamer.api.spi.transport.Peer;
import org.roamer.core.internal.InVmTransport.Fate;
import org.roamer.core.internal.wire.AgentMessages;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Issue 8: a rogue that holds a real credential of the network (the USS of cluster c9) sends random sequences of
 * forged, replayed and reordered frames to the nodes while a mobile moves and a sender writes to it. Whatever it
 * sends: the agent is where the legitimate moves put it, with the epoch they gave it, exactly once; every message
 * of the sender is delivered once and in order; no frame of the agent's state ever reaches the rogue.
 *
 * <p>Not sent: a REGISTRATION claiming the mobile entered c9. A USS may report the mobiles in its own cluster (the
 * seed trusts the radio ports), so the LS would rightly order a migration there; docs/security.md lists it.
 */
class RoguePeerPropertyTest {
    private static final Peer ROGUE = new Peer("c9", Set.of(Peer.USER_SIGNALING_SERVER), Set.of("c9"));
    private static final MobileId M1 = MobileId.of("m1");

    /** What the rogue does at one step. */
    enum Attack {
        TRANSFER_NO_TICKET, TRANSFER_REPLAYED_TICKET, TRANSFER_SELF_SIGNED, REPLAY_MIGRATE, READY, BUFFERED, TRANSFER_DATA, MIGRATE_FAILED, TERMINATE, CREATE_AGENT, HELLO_FOR_C1, DEREGISTRATION, FORWARDED_MESSAGE, GARBAGE_PAYLOAD
    }

    /** One step: a rogue frame to node {@code at} (0: the LS, 1..3: uss-cK), then, maybe, a legitimate move. */
    record Step(Attack attack, int at, long number, int moveTo) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.of(Attack.class), Arbitraries.integers().between(0, 3),
                Arbitraries.longs().between(-2, 1L << 62), Arbitraries.integers().between(0, 3)).as(Step::new)
                .list().ofMinSize(5).ofMaxSize(30);
    }

    @Property
    void aRogueNodeChangesNothing(@ForAll("steps") List<Step> steps) throws Exception {
        try (InVmNetwork net = new InVmNetwork(3, 60_000, 1000, 1000)) {
            net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
            List<Frame> stolen = new CopyOnWriteArrayList<>();
            Endpoint rogue = net.transport.bind(new NodeAddress("invm", 0), FrameLimits.DEFAULT,
                    new FrameInbox(stolen));
            try {
                Map<NodeAddress, Peer> credentials = new ConcurrentHashMap<>();
                credentials.put(net.ls.address(), new Peer("ls", Set.of(Peer.LOCATION_SERVER), Set.of()));
                for (String c : List.of("c1", "c2", "c3")) {
                    credentials.put(net.uss(c).address(), new Peer(c, Set.of(Peer.USER_SIGNALING_SERVER), Set.of(c)));
                }
                credentials.put(rogue.localAddress(), ROGUE);
                net.transport.authenticate(credentials::get);
                net.core.linksAuthenticated(true);
                for (String c : List.of("c1", "c2", "c3")) {
                    net.uss(c).announce(); // again, over authenticated links: with its ticket key
                }
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> net.uss.stream().allMatch(
                        org.roamer.core.internal.node.UserSignalingServer::registered));
                List<Frame> seen = new CopyOnWriteArrayList<>(); // legitimate migration frames, for replays
                net.transport.fate((from, to, f) -> {
                    if (!from.equals(rogue.localAddress()) && (f.type() == MessageType.MIGRATE
                            || f.type() == MessageType.TRANSFER || f.type() == MessageType.READY)) {
                        seen.add(f);
                    }
                    return Fate.DELIVER;
                });
                net.network.register(M1, ClusterId.of("c1"), Profile.defaults());
                String at = "c1";
                long epoch = 1;
                int sent = 0;
                for (Step step : steps) {
                    NodeAddress to = step.at() == 0 ? net.ls.address() : net.uss("c" + step.at()).address();
                    Frame forged = forge(step, net, rogue, seen);
                    rogue.send(to, forged);
                    Statistics.collect(step.attack());
                    net.network.send(M1, "s", sent++, new byte[]{1});
                    String target = "c" + Math.max(1, step.moveTo());
                    if (step.moveTo() > 0 && !target.equals(at)) {
                        MoveResult r = net.network.move(M1, ClusterId.of(target));
                        assertThat(r.migrated()).as("a legitimate move %s -> %s amid the rogue's frames: %s", at,
                                target, r.reason()).isTrue();
                        at = target;
                        epoch++;
                    }
                }
                int total = sent;
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> net.deliveriesOf("m1").stream()
                        .filter(d -> d.sender().equals("s")).count() >= total);
                Thread.sleep(200); // a duplicate would come after the last expected delivery
                List<Long> seqs = net.deliveriesOf("m1").stream().filter(d -> d.sender().equals("s"))
                        .map(InVmNetwork.Delivery::seq).toList();
                List<Long> expected = new ArrayList<>();
                for (long i = 0; i < total; i++) {
                    expected.add(i);
                }
                assertThat(seqs).as("the sender's messages, once each and in order").isEqualTo(expected);
                List<AgentInfo> agents = net.network.agents();
                assertThat(agents).as("one agent").hasSize(1);
                assertThat(agents.get(0).node().value()).as("where the legitimate moves put it").isEqualTo("uss-" + at);
                assertThat(agents.get(0).epoch()).as("the epoch the legitimate moves gave it").isEqualTo(epoch);
                assertThat(net.network.route(M1).agentNode().value()).as("the LS's record").isEqualTo("uss-" + at);
                assertThat(stolen).as("frames of the agent's state that reached the rogue")
                        .noneMatch(f -> f.type() == MessageType.TRANSFER_DATA || f.type() == MessageType.BUFFERED
                                || f.type() == MessageType.MIGRATE);
                assertThat(net.ls.clusters().get("c1").node()).as("c1 leads to its own USS").isEqualTo("uss-c1");
            } finally {
                rogue.close();
            }
        }
    }

    /** The rogue's frame for one step; replays take the latest legitimate frame of the kind. */
    private static Frame forge(Step s, InVmNetwork net, Endpoint rogue, List<Frame> seen) throws Exception {
        String me = rogue.localAddress().toString();
        long n = s.number();
        Frame lastMigrate = last(seen, MessageType.MIGRATE);
        Frame lastTransfer = last(seen, MessageType.TRANSFER);
        return switch (s.attack()) {
            case TRANSFER_NO_TICKET -> new Frame(MessageType.TRANSFER, 0, n, Math.abs(n % 1000) + 2, 0, "m1",
                    Json.encode(new Payloads.Transfer(me, "uss-c9", "c9", List.of("vars"), "vars", null)));
            case TRANSFER_REPLAYED_TICKET -> {
                Payloads.Ticket t = lastTransfer == null
                        ? null
                        : Json.decode(lastTransfer.payload(), Payloads.Transfer.class).ticket();
                long id = t == null ? n : t.migration();
                long ep = t == null ? 5 : t.epoch() + (n & 1);
                yield new Frame(MessageType.TRANSFER, 0, id, ep, 0, "m1",
                        Json.encode(new Payloads.Transfer(me, "uss-c9", "c9", List.of("vars"), "vars", null, t)));
            }
            case TRANSFER_SELF_SIGNED -> {
                Payloads.Ticket own = new Payloads.Ticket("m1", n, 7, "uss-c1", "c1", "uss-c9", "c9", me, null, null);
                byte[] rogueKey = java.nio.ByteBuffer.allocate(32).putLong(n).array(); // a key of its own
                String seal = java.util.Base64.getEncoder().encodeToString(
                        org.roamer.core.internal.node.TicketsForTests.mac(rogueKey, own.sealedBytes()));
                yield new Frame(MessageType.TRANSFER, 0, n, 7, 0, "m1", Json.encode(new Payloads.Transfer(me, "uss-c9",
                        "c9", List.of("vars"), "vars", null, own.sealed(seal, seal))));
            }
            case REPLAY_MIGRATE -> lastMigrate != null
                    ? lastMigrate
                    : new Frame(MessageType.MIGRATE, 0, n, 9, 0, "m1", Json.encode(new Payloads.Migrate(me, "uss-c9",
                            null, me)));
            case READY -> new Frame(MessageType.READY, 0, lastTransfer == null ? n : lastTransfer.correlationId(),
                    lastTransfer == null ? 3 : lastTransfer.epoch(), 0, "m1", new byte[0]);
            case BUFFERED -> new Frame(MessageType.BUFFERED, Frame.LAST, lastTransfer == null
                    ? n
                    : lastTransfer.correlationId(), 4, 0, "m1", new byte[]{1, 2, 3});
            case TRANSFER_DATA -> new Frame(MessageType.TRANSFER_DATA, Frame.LAST, lastTransfer == null
                    ? n
                    : lastTransfer.correlationId(), 4, 0, "m1", new byte[]{9, 9});
            case MIGRATE_FAILED -> new Frame(MessageType.MIGRATE_FAILED, 0, lastTransfer == null
                    ? n
                    : lastTransfer.correlationId(), 4, 0, "m1", Json.encode(new Payloads.MigrateFailed("forged")));
            case TERMINATE -> new Frame(MessageType.TERMINATE_AGENT, 0, n, 99, 0, "m1",
                    Json.encode(new Payloads.Request(me)));
            case CREATE_AGENT -> new Frame(MessageType.CREATE_AGENT, 0, n, 99, 0, "m1",
                    Json.encode(new Payloads.CreateAgent(null, null, me)));
            case HELLO_FOR_C1 -> Frame.of(MessageType.HELLO, 1, "", Json.encode(new Payloads.Hello("uss-evil",
                    "user-signaling-server", "c1", me, List.of("vars"), "invm")));
            case DEREGISTRATION -> new Frame(MessageType.DEREGISTRATION, 0, n, 0, 0, "m1",
                    Json.encode(new Payloads.Request(me)));
            case FORWARDED_MESSAGE -> new Frame(MessageType.AGENT_MESSAGE, Frame.FORWARDED, n, 0, Math.abs(n % 5), "m1",
                    AgentMessages.encodeMessage(me, "rogue", new byte[]{7}));
            case GARBAGE_PAYLOAD -> new Frame(MessageType.values()[Math.floorMod(n, MessageType.values().length)],
                    0, n, n, 0, "m1", Long.toString(n).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        };
    }

    private static Frame last(List<Frame> seen, MessageType type) {
        Frame out = null;
        for (Frame f : seen) {
            if (f.type() == type) {
                out = f;
            }
        }
        return out;
    }
}

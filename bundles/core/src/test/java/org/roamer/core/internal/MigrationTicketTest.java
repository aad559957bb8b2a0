/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.Profile;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;
import org.roamer.api.spi.transport.Peer;
import org.roamer.core.internal.InVmTransport.Fate;
import org.roamer.core.internal.wire.Json;
import org.roamer.core.internal.wire.Payloads;

/**
 * Migration tickets on a network of authenticated links (issue 8): the Location Server signs each migration's
 * ticket (sealed under the source's and the target's keys, which they gave it in their HELLOs); the source gives
 * its agent only for a TRANSFER carrying it from the target it names; the migration's
 * other frames come only from the other end's credential. The attacks are those of a node holding a real USS
 * credential of the network (cluster c9) acting outside its role: each is refused, counted, and changes nothing;
 * the legitimate migrations around them go through (so each refusal is the ticket check's doing).
 */
class MigrationTicketTest {
    private static final MobileId M1 = MobileId.of("m1");
    private static final Peer ROGUE = new Peer("c9", Set.of(Peer.USER_SIGNALING_SERVER), Set.of("c9"));
    private InVmNetwork net;
    /** MIGRATE and TRANSFER frames seen on the wire. */
    private final List<Frame> seen = new CopyOnWriteArrayList<>();
    /** The rogue's endpoint, and what reached it (an agent's state, if a theft worked). */
    private org.roamer.api.spi.transport.Endpoint rogue;
    private final List<Frame> stolen = new CopyOnWriteArrayList<>();
    private String rogueAddr;

    @BeforeEach
    void network() throws Exception {
        net = new InVmNetwork(3, 60_000, 1000, 1000);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        Map<NodeAddress, Peer> credentials = new ConcurrentHashMap<>();
        credentials.put(net.ls.address(), new Peer("ls-container", Set.of(Peer.LOCATION_SERVER), Set.of()));
        for (String c : List.of("c1", "c2", "c3")) {
            credentials.put(net.uss(c).address(), new Peer(c, Set.of(Peer.USER_SIGNALING_SERVER), Set.of(c)));
        }
        rogue = net.transport.bind(new NodeAddress("invm", 0), org.roamer.api.frame.FrameLimits.DEFAULT,
                new FrameInbox(stolen));
        rogueAddr = rogue.localAddress().toString();
        credentials.put(rogue.localAddress(), ROGUE); // the rogue holds a real USS credential of the network
        net.transport.authenticate(credentials::get);
        net.core.linksAuthenticated(true);
        // the nodes announce themselves again, now over authenticated links: with their ticket keys
        for (String c : List.of("c1", "c2", "c3")) {
            net.uss(c).announce();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> net.uss.stream().allMatch(
                org.roamer.core.internal.node.UserSignalingServer::registered));
        net.transport.fate((from, to, f) -> {
            if (f.type() == MessageType.MIGRATE || f.type() == MessageType.TRANSFER) {
                seen.add(f);
            }
            return Fate.DELIVER;
        });
        net.network.register(M1, ClusterId.of("c1"), Profile.defaults());
    }

    @AfterEach
    void close() {
        rogue.close();
        net.close();
    }

    private Payloads.Transfer transferSeen() throws Exception {
        Frame t = seen.stream().filter(f -> f.type() == MessageType.TRANSFER).reduce((a, b) -> b).orElseThrow();
        return Json.decode(t.payload(), Payloads.Transfer.class);
    }

    private void assertM1StaysAt(String node, long epoch) throws Exception {
        Thread.sleep(300); // the cell's actor would have run a frame let through by now
        assertThat(stolen).as("frames that reached the rogue").isEmpty();
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo(node);
        assertThat(net.network.agent(M1).orElseThrow().epoch()).isEqualTo(epoch);
    }

    @Test
    void migrationsCarryTheLocationServersTicketAndGoThrough() throws Exception {
        MoveResult r = net.network.move(M1, ClusterId.of("c2"));
        assertThat(r.migrated()).as(r.reason()).isTrue();
        Payloads.Ticket ticket = transferSeen().ticket();
        assertThat(ticket).as("the TRANSFER carries the LS's ticket").isNotNull();
        assertThat(ticket.mobile()).isEqualTo("m1");
        assertThat(ticket.epoch()).isEqualTo(2);
        assertThat(ticket.sourceNode()).isEqualTo("uss-c1");
        assertThat(ticket.targetNode()).isEqualTo("uss-c2");
        assertThat(ticket.targetCluster()).isEqualTo("c2");
        assertThat(net.network.move(M1, ClusterId.of("c3")).migrated()).isTrue();
        assertThat(net.network.move(M1, ClusterId.of("c1")).migrated()).isTrue();
        net.network.send(M1, "s", 0, new byte[]{1});
        await().atMost(Duration.ofSeconds(5)).until(() -> net.deliveriesOf("m1").size() == 1);
        assertThat(net.core.metrics().get("frames.unauthorized")).isZero();
    }

    @Test
    void aTransferWithoutATicketGetsNoAgent() throws Exception {
        Frame steal = new Frame(MessageType.TRANSFER, 0, 4242, 50, 0, "m1", Json.encode(new Payloads.Transfer(
                rogueAddr, "uss-c9", "c9", List.of("vars"), "vars", null)));
        net.uss("c1").onFrame(steal, ROGUE);
        assertM1StaysAt("uss-c1", 1);
        assertThat(net.core.metrics().get("frames.unauthorized.TRANSFER")).isEqualTo(1);
    }

    @Test
    void aTicketOfAnotherTargetOrASelfSealedOneGetsNoAgent() throws Exception {
        assertThat(net.network.move(M1, ClusterId.of("c2")).migrated()).isTrue();
        assertThat(net.network.move(M1, ClusterId.of("c1")).migrated()).isTrue(); // m1 at c1, epoch 3
        Payloads.Transfer legit = transferSeen(); // c1's TRANSFER to c2: its ticket names c1 as the target
        Payloads.Ticket ticket = legit.ticket();

        // 1. the real ticket replayed, with the rogue as the target: names another target
        Frame replayed = new Frame(MessageType.TRANSFER, 0, ticket.migration(), ticket.epoch(), 0, "m1",
                Json.encode(new Payloads.Transfer(rogueAddr, "uss-c9", "c9", List.of("vars"), "vars", null, ticket)));
        net.uss("c2").onFrame(replayed, ROGUE);
        // 2. the same ticket with a later epoch and the rogue as target: its seals no longer fit
        Payloads.Ticket later = new Payloads.Ticket("m1", 99, 50, "uss-c1", "c1", "uss-c9", "c9", rogueAddr,
                ticket.sourceMac(), ticket.targetMac());
        net.uss("c1").onFrame(new Frame(MessageType.TRANSFER, 0, 99, 50, 0, "m1", Json.encode(new Payloads.Transfer(
                rogueAddr, "uss-c9", "c9", List.of("vars"), "vars", null, later))), ROGUE);
        // 3. a ticket the rogue sealed itself, under a key of its own (it cannot know c1's)
        byte[] rogueKey = new byte[32];
        new java.security.SecureRandom().nextBytes(rogueKey);
        Payloads.Ticket own = new Payloads.Ticket("m1", 100, 51, "uss-c1", "c1", "uss-c9", "c9", rogueAddr, null,
                null);
        String seal = java.util.Base64.getEncoder().encodeToString(
                org.roamer.core.internal.node.TicketsForTests.mac(rogueKey, own.sealedBytes()));
        Payloads.Ticket selfSigned = own.sealed(seal, seal);
        net.uss("c1").onFrame(new Frame(MessageType.TRANSFER, 0, 100, 51, 0, "m1", Json.encode(new Payloads.Transfer(
                rogueAddr, "uss-c9", "c9", List.of("vars"), "vars", null, selfSigned))), ROGUE);

        assertM1StaysAt("uss-c1", 3);
        assertThat(net.core.metrics().get("frames.unauthorized.TRANSFER")).isEqualTo(3);
        // and the network goes on moving m1
        assertThat(net.network.move(M1, ClusterId.of("c3")).migrated()).isTrue();
    }

    @Test
    void aMigrateWhoseTicketNamesAnotherTargetIsRefused() throws Exception {
        assertThat(net.network.move(M1, ClusterId.of("c2")).migrated()).isTrue();
        Frame migrate = seen.stream().filter(f -> f.type() == MessageType.MIGRATE).findFirst().orElseThrow();
        // the LS's own MIGRATE for c2, replayed to c3 (from a Location Server's credential even)
        net.uss("c3").onFrame(migrate, new Peer("ls-container", Set.of(Peer.LOCATION_SERVER), Set.of()));
        Thread.sleep(300);
        assertThat(net.core.metrics().get("frames.unauthorized.MIGRATE")).isEqualTo(1);
        assertThat(net.network.agent(M1).orElseThrow().node().value()).isEqualTo("uss-c2");
    }

    @Test
    void theMigrationsOtherFramesComeOnlyFromTheOtherEnd() throws Exception {
        assertThat(net.network.move(M1, ClusterId.of("c2")).migrated()).isTrue();
        Frame transfer = seen.stream().filter(f -> f.type() == MessageType.TRANSFER).findFirst().orElseThrow();
        // a READY for that migration at its source c1, from the rogue instead of c2
        Frame ready = new Frame(MessageType.READY, 0, transfer.correlationId(), transfer.epoch(), 0, "m1", new byte[0]);
        net.uss("c1").onFrame(ready, ROGUE);
        // and for a migration c1 never admitted
        net.uss("c1").onFrame(new Frame(MessageType.READY, 0, 7777, 9, 0, "m1", new byte[0]),
                new Peer("c2", Set.of(Peer.USER_SIGNALING_SERVER), Set.of("c2")));
        assertThat(net.core.metrics().get("frames.unauthorized.READY")).isEqualTo(2);
    }
}

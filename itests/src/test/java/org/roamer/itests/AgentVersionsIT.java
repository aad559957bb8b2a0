/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.roamer.api.ActiveCall;
import org.roamer.api.AgentInfo;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeRole;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;

/**
 * Table 2's "heterogeneous" trait between two nodes that run different versions of the user agent: the
 * distribution's USS nodes and a {@link FakeUssPeer} that plays a USS of another agent version over the real
 * wire protocol. The image a whole-state strategy moves carries its agent type (bundle, version, layout hash:
 * TERN in its arguments chunk, Condor in the checkpoint header); NAIVE's variables carry only a schema version.
 *
 * <p>The peer takes real images out of the distribution and decodes them; it then offers the distribution
 * images labelled as another agent version or layout (every checksum recomputed, nothing else changed), so
 * the distribution's own strategies decide: NAIVE takes a newer agent's variables with fields it does not know;
 * TERN-like and Condor-like refuse with a reason naming the mismatch, and the agent stays with its source, with
 * every message sent to it meanwhile.
 */
public class AgentVersionsIT extends RoamerTestSupport {
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");
    /** The mobile the test profiles forward calls to (registered before each test). */
    static final MobileId VOICEMAIL = MobileId.of("voicemail");
    static final Profile PROFILE = new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"),
            VOICEMAIL);

    @Inject
    RoamerNetwork network;

    record Delivery(String mobile, String node, long epoch, String sender, long seq) {
    }

    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    ServiceRegistration<DeliveryListener> listener;
    FakeUssPeer far;
    NodeAddress ls;
    /** This container's agent implementation: the core bundle. */
    Bundle core;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution(), ephemeralRoamerPorts(),
                // stubs become tombstones quickly, so later sends are redirected to wherever the agent went
                ussProperty("stub.idle.timeout.ms", "300"),
                // room for the scripted peer on a loaded machine
                ussProperty("migration.timeout.ms", "5000"));
    }

    @Before
    public void start() throws Exception {
        listener = bundleContext.registerService(DeliveryListener.class,
                (m, n, e, s, q) -> deliveries.add(new Delivery(m.value(), n.value(), e, s, q)), null);
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS)
                && network.nodes().stream().filter(n -> n.role() == NodeRole.USER_SIGNALING_SERVER)
                        .map(n -> n.node().value()).toList().containsAll(DEFAULT_USS));
        ls = network.nodes().stream().filter(n -> n.role() == NodeRole.LOCATION_SERVER).findFirst().orElseThrow()
                .address();
        far = new FakeUssPeer(ls, "cx", List.of("naive", "tern", "condor"));
        if (network.agent(VOICEMAIL).isEmpty()) {
            network.register(VOICEMAIL, C3, Profile.defaults()); // calls are forwarded only to a mobile
        }
        core = bundleContext.getServiceReference(RoamerNetwork.class).getBundle();
    }

    @After
    public void stop() throws Exception {
        listener.unregister();
        far.close();
    }

    // ------------------------------------------------------------------ NAIVE

    /**
     * A real NAIVE capture leaves the distribution for a node of another agent version, which decodes every
     * variable from the documented schema; that node, newer, sends the agent back with fields of its own; the
     * distribution takes them, and the agent is what it was, with the message sent to it while it was away.
     */
    @Test
    public void naiveStateArrivesIntactAtAPeerOfAnotherVersionAndComesBackWithFieldsThisVersionDoesNotKnow()
            throws Exception {
        MobileId m = MobileId.of("nround");
        AgentInfo before = withState(m, "nroundPeer");
        ActiveCall call = before.calls().get(0);

        FakeUssPeer.Incoming in = far.moveHere(ls, m.value());
        assertThat(in.sourceNode()).isEqualTo("uss-c1");
        FakeUssPeer.Image image = far.transfer(in, List.of("naive"), null);
        assertThat(image.strategy()).isEqualTo("naive");
        assertThat(image.chunks()).hasSize(1);
        byte[] chunk = image.chunks().get(0);
        Map<String, Object> v = PeerImages.naive(chunk, in.id(), in.epoch());
        assertThat(v).as(PeerImages.naiveText(chunk)).containsOnlyKeys("v", "m", "c", "a", "f", "r", "d", "k");
        assertThat(v.get("v")).isEqualTo(1L);
        assertThat(v.get("m")).isEqualTo("nround");
        assertThat(v.get("c")).isEqualTo(List.of("data", "video", "voice"));
        assertThat(v.get("a")).isEqualTo(List.of("xserver"));
        assertThat(v.get("f")).isEqualTo("voicemail");
        assertThat(v.get("r")).isEqualTo(call.radioPort());
        assertThat(v.get("d")).isEqualTo(3L);
        assertThat(v.get("k")).isEqualTo(List.of(callJson(call)));
        Frame answer = far.commit(in, image);
        assertThat(answer.type()).as(FakeUssPeer.reason(answer)).isEqualTo(MessageType.ACK);
        assertThat(TinyJson.object(answer.payload())).containsEntry("strategy", "naive").containsEntry("node",
                "fake-cx");
        assertThat(network.agent(m)).isEmpty();

        network.send(m, "away", 0, new byte[]{1});
        await().atMost(Duration.ofSeconds(10)).until(() -> far.hosted("nround").held.size() == 1);

        // the newer node adds variables of its own, at the top level and in the call: the schema stays v1
        String newer = PeerImages.naiveText(chunk)
                .replace("{\"v\":1,", "{\"v\":1,\"agent\":\"org.roamer.core/2.0.0\",\"x\":{\"qos\":\"gold\","
                        + "\"hops\":[\"c1\",\"cx\"],\"since\":17},")
                .replace("{\"i\":", "{\"codec\":\"amr-wb\",\"hd\":true,\"i\":");
        assertThat(TinyJson.object(newer.getBytes(StandardCharsets.UTF_8))).containsKeys("agent", "x");
        Attempt back = moveFromFar(m, "naive", t -> List.of(PeerImages.naive(newer, t.id(), t.epoch())));
        assertThat(back.verdict().type()).as(FakeUssPeer.reason(back.verdict())).isEqualTo(MessageType.READY);
        assertThat(back.result().migrated()).as(back.result().reason()).isTrue();
        assertThat(back.result().strategy()).isEqualTo("naive");
        assertThat(back.result().from()).isEqualTo(ClusterId.of("cx"));

        AgentInfo after = network.agent(m).orElseThrow();
        assertThat(after.node().value()).isEqualTo("uss-c2");
        assertThat(after.epoch()).isEqualTo(back.result().epoch());
        assertThat(after.profile()).isEqualTo(before.profile());
        assertThat(after.calls()).isEqualTo(before.calls());
        assertThat(after.status()).isEqualTo(AgentStatus.IN_CALL);
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("nround", "away").size() == 1);
        assertThat(delivery("nround", "away", 0)).isEqualTo(new Delivery("nround", "uss-c2", after.epoch(), "away", 0));
        assertWorks(m, after, 4, call.callId());
    }

    /**
     * A newer agent version's variables: a schema major version this node cannot read is refused with a reason
     * that says so, and the agent stays at the peer; the same variables in schema v1, with fields this version
     * does not know, are taken, and the agent serves calls and messages here afterwards.
     */
    @Test
    public void naiveRefusesASchemaItCannotReadAndTakesANewerAgentsVariablesWithUnknownFields() throws Exception {
        MobileId m = MobileId.of("nnewer");
        far.register(ls, m.value(), "cx");
        far.host(m.value(), 1);
        String v1 = "{\"v\":1,\"m\":\"nnewer\",\"c\":[\"data\",\"voice\"],\"a\":[\"xserver\"],\"f\":\"voicemail\","
                + "\"r\":\"rp-cx-1\",\"d\":7,\"k\":[{\"i\":\"call-cx-1\",\"y\":\"data\",\"p\":[\"nfar\"],\"o\":true,"
                + "\"r\":\"rp-cx-1\",\"qos\":{\"class\":\"gold\",\"kbps\":384}}],"
                + "\"presence\":\"busy\",\"sessions\":[{\"app\":\"xserver\",\"state\":\"open\"}]}";

        Attempt refused = moveFromFar(m, "naive",
                t -> List.of(PeerImages.naive(v1.replace("{\"v\":1,", "{\"v\":2,"), t.id(), t.epoch())));
        assertThat(refused.verdict().type()).isEqualTo(MessageType.MIGRATE_FAILED);
        assertThat(FakeUssPeer.reason(refused.verdict())).contains("schema v2", "newer than v1");
        assertRefusedAndStillAtThePeer(m, refused);

        network.send(m, "refused", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> far.hosted("nnewer").held.size() == 1);

        Attempt taken = moveFromFar(m, "naive", t -> List.of(PeerImages.naive(v1, t.id(), t.epoch())));
        assertThat(taken.verdict().type()).as(FakeUssPeer.reason(taken.verdict())).isEqualTo(MessageType.READY);
        assertThat(taken.result().migrated()).as(taken.result().reason()).isTrue();
        AgentInfo a = network.agent(m).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c2");
        assertThat(a.profile()).isEqualTo(new Profile(true, Set.of("data", "voice"), Set.of("xserver"),
                MobileId.of("voicemail")));
        assertThat(a.calls()).containsExactly(new ActiveCall("call-cx-1", CallType.DATA, List.of(MobileId.of("nfar")),
                true, "rp-cx-1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("nnewer", "refused").size() == 1);
        assertThat(delivery("nnewer", "refused", 0).node()).isEqualTo("uss-c2");
        await().atMost(Duration.ofSeconds(10)).until(() -> network.agent(m).orElseThrow().delivered() == 8);

        // it works here: messages, and a call to it is paged in c2 and accepted
        network.send(m, "after", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("nnewer", "after").size() == 1);
        MobileId caller = MobileId.of("nnewerCaller");
        network.register(caller, C3, Profile.defaults());
        CallResult c = network.call(caller, m, CallType.VOICE);
        assertThat(c.accepted()).as(c.reason()).isTrue();
        assertThat(c.radioPort()).startsWith("rp-c2-");
        assertThat(network.agent(m).orElseThrow().calls()).extracting(ActiveCall::callId)
                .containsExactly("call-cx-1", c.callId());
    }

    // ------------------------------------------------------------------ TERN-like and Condor-like

    /**
     * The peer takes the agent's real TERN image out of the distribution. Offered back labelled as another agent
     * version, then as another layout, the distribution's TERN restore refuses at the arguments chunk with a
     * reason naming the mismatch; the agent stays at the peer with the messages sent meanwhile. The genuine image
     * is taken, and every one of those messages is delivered here.
     */
    @Test
    public void ternRefusesAnImageOfAnotherAgentVersionOrLayoutAndTheAgentStaysAtItsSource() throws Exception {
        MobileId m = MobileId.of("tvers");
        AgentInfo before = withState(m, "tversPeer");
        FakeUssPeer.Incoming in = far.moveHere(ls, m.value());
        FakeUssPeer.Image image = far.transfer(in, List.of("tern"), "tern");
        assertThat(image.strategy()).isEqualTo("tern");
        List<Integer> kinds = PeerImages.ternKinds(image.chunks());
        assertThat(kinds).startsWith(1, 2).endsWith(5).contains(3);
        PeerImages.TernArgs args = PeerImages.ternArgs(image.chunks().get(0));
        // the agent type travels in the arguments chunk: this container's core bundle and its image layout
        assertThat(args.format()).isEqualTo(2);
        assertThat(args.migrationId()).isEqualTo(in.id());
        assertThat(args.epoch()).isEqualTo(in.epoch());
        assertThat(args.mobile()).isEqualTo("tvers");
        assertThat(args.bundle()).isEqualTo(core.getSymbolicName());
        assertThat(args.version()).isEqualTo(core.getVersion().toString());
        assertThat(args.layoutHash()).isNotZero();
        assertThat(far.commit(in, image).type()).isEqualTo(MessageType.ACK);

        String otherVersion = "9.9.9";
        Attempt version = moveFromFar(m, "tern", t -> PeerImages.withTernArgs(image.chunks(),
                args.withMigration(t.id(), t.epoch()).withVersion(otherVersion)));
        assertThat(version.verdict().type()).isEqualTo(MessageType.MIGRATE_FAILED);
        assertThat(FakeUssPeer.reason(version.verdict())).contains("tern restore failed",
                "version '" + otherVersion + "'", "this node runs version " + args.version(),
                "same agent bundle version");
        assertRefusedAndStillAtThePeer(m, version);
        sendWhileAtThePeer(m, 0);

        long otherLayout = args.layoutHash() ^ 0x5a5a5a5aL;
        Attempt layout = moveFromFar(m, "tern", t -> PeerImages.withTernArgs(image.chunks(),
                args.withMigration(t.id(), t.epoch()).withLayoutHash(otherLayout)));
        assertThat(layout.verdict().type()).isEqualTo(MessageType.MIGRATE_FAILED);
        assertThat(FakeUssPeer.reason(layout.verdict())).contains("tern restore failed",
                String.format("layout hash %016x", otherLayout), String.format("has %016x", args.layoutHash()),
                "layout differs");
        assertRefusedAndStillAtThePeer(m, layout);
        sendWhileAtThePeer(m, 1);

        Attempt genuine = moveFromFar(m, "tern", t -> PeerImages.withTernArgs(image.chunks(),
                args.withMigration(t.id(), t.epoch())));
        assertArrivedWithItsMessages(m, before, genuine, "tern");
    }

    /** As {@link #ternRefusesAnImageOfAnotherAgentVersionOrLayoutAndTheAgentStaysAtItsSource} with Condor's file. */
    @Test
    public void condorRefusesACheckpointOfAnotherAgentVersionOrLayoutAndTheAgentStaysAtItsSource() throws Exception {
        MobileId m = MobileId.of("cvers");
        AgentInfo before = withState(m, "cversPeer");
        FakeUssPeer.Incoming in = far.moveHere(ls, m.value());
        FakeUssPeer.Image image = far.transfer(in, List.of("condor"), "condor");
        assertThat(image.strategy()).isEqualTo("condor");
        PeerImages.Checkpoint cp = PeerImages.checkpoint(PeerImages.join(image.chunks()));
        // the agent type travels in the checkpoint header
        assertThat(cp.format()).isEqualTo(1);
        assertThat(cp.migrationId()).isEqualTo(in.id());
        assertThat(cp.epoch()).isEqualTo(in.epoch());
        assertThat(cp.mobile()).isEqualTo("cvers");
        assertThat(cp.node()).isEqualTo("uss-c1");
        assertThat(cp.bundle()).isEqualTo(core.getSymbolicName());
        assertThat(cp.version()).isEqualTo(core.getVersion().toString());
        assertThat(cp.layoutHash()).isNotZero();
        assertThat(far.commit(in, image).type()).isEqualTo(MessageType.ACK);

        long otherLayout = cp.layoutHash() ^ 0x5a5a5a5aL;
        Attempt layout = moveFromFar(m, "condor", t -> condorChunks(cp.forMigration(t.id(), t.epoch(), far.node)
                .withLayoutHash(otherLayout)));
        assertThat(layout.verdict().type()).isEqualTo(MessageType.MIGRATE_FAILED);
        assertThat(FakeUssPeer.reason(layout.verdict())).contains("condor restore failed",
                String.format("layout hash %016x", otherLayout), String.format("has %016x", cp.layoutHash()),
                "layout differs");
        assertRefusedAndStillAtThePeer(m, layout);
        sendWhileAtThePeer(m, 0);

        String otherVersion = "0.0.1.old";
        Attempt version = moveFromFar(m, "condor", t -> condorChunks(cp.forMigration(t.id(), t.epoch(), far.node)
                .withVersion(otherVersion)));
        assertThat(version.verdict().type()).isEqualTo(MessageType.MIGRATE_FAILED);
        assertThat(FakeUssPeer.reason(version.verdict())).contains("condor restore failed",
                "version '" + otherVersion + "'", "this node runs version " + cp.version(),
                "same agent bundle version");
        assertRefusedAndStillAtThePeer(m, version);
        sendWhileAtThePeer(m, 1);

        Attempt genuine = moveFromFar(m, "condor", t -> condorChunks(cp.forMigration(t.id(), t.epoch(), far.node)));
        assertArrivedWithItsMessages(m, before, genuine, "condor");
    }

    /**
     * The other direction: the distribution's agent goes to a node of another agent version, which refuses the
     * TERN image with a reason. The source rolls back: the agent is live there again, with every message its
     * stub took during the attempt delivered in order, and the next message too.
     */
    @Test
    public void aTargetRefusingTheImageLeavesTheAgentLiveAtTheDistributionWithItsMessages() throws Exception {
        MobileId m = MobileId.of("rvers");
        AgentInfo before = withState(m, "rversPeer");
        long rolledBack = network.stats().counters().getOrDefault("migrations.rolledback", 0L);
        FakeUssPeer.Incoming in = far.moveHere(ls, m.value());
        FakeUssPeer.Image image = far.transfer(in, List.of("tern"), "tern");
        PeerImages.TernArgs args = PeerImages.ternArgs(image.chunks().get(0));
        for (int i = 0; i < 5; i++) {
            network.send(m, "during", i, new byte[]{(byte) i}); // the stub takes them
        }
        assertThat(seqs("rvers", "during")).isEmpty();
        assertThat(network.agent(m).orElseThrow().status()).isEqualTo(AgentStatus.MIGRATING);

        String why = "TERN image is of " + args.bundle() + " version '" + args.version()
                + "', this node runs version 2.0.0: TERN moves raw pages and needs the same agent bundle version on"
                + " both nodes (use NAIVE across versions)";
        Frame answer = far.refuse(in, why);
        assertThat(answer.type()).isEqualTo(MessageType.ERROR);
        assertThat(FakeUssPeer.reason(answer)).contains("version '" + args.version() + "'", "2.0.0");

        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("rvers", "during").size() == 5);
        assertThat(seqs("rvers", "during")).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(deliveries).filteredOn(d -> d.mobile().equals("rvers") && d.sender().equals("during"))
                .allSatisfy(d -> assertThat(d.node() + "@" + d.epoch()).isEqualTo("uss-c1@" + before.epoch()));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> network.stats().counters().getOrDefault("migrations.rolledback", 0L) > rolledBack);
        AgentInfo a = network.agent(m).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c1");
        assertThat(a.epoch()).isEqualTo(before.epoch());
        assertThat(a.status()).isEqualTo(AgentStatus.IN_CALL);
        assertThat(a.profile()).isEqualTo(before.profile());
        assertThat(a.calls()).isEqualTo(before.calls());
        assertThat(a.delivered()).isEqualTo(8);
        network.send(m, "after", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("rvers", "after").size() == 1);
        assertThat(delivery("rvers", "after", 0).node()).isEqualTo("uss-c1");

        // and it still moves, to a node of its own version
        MoveResult moved = network.move(m, C2);
        assertThat(moved.migrated()).as(moved.reason()).isTrue();
        assertThat(network.agent(m).orElseThrow().calls()).isEqualTo(before.calls());
    }

    /**
     * A target that says it runs another agent version gets NAIVE even though the source prefers TERN, and an
     * explicit request for TERN is refused before anything is captured; a target of the same version gets
     * TERN. (TRANSFER carries the target's agent type; a target that does not say is not filtered.)
     */
    @Test
    public void negotiationPicksAHeterogeneousStrategyForATargetOfAnotherAgentVersion() throws Exception {
        MobileId m = MobileId.of("hvers");
        AgentInfo before = withState(m, "hversPeer");
        execute("roamer:strategy uss-c1 tern");
        try {
            // what this container's agent type is, as a TERN image of it says
            FakeUssPeer.Incoming probe = far.moveHere(ls, m.value());
            FakeUssPeer.Image tern = far.transfer(probe, List.of("tern", "naive"), null);
            assertThat(tern.strategy()).isEqualTo("tern");
            PeerImages.TernArgs self = PeerImages.ternArgs(tern.chunks().get(0));
            far.refuse(probe, "probe only");
            awaitLiveAtC1(m, before);

            // the same agent type said out loud: TERN, as preferred
            FakeUssPeer.Incoming same = far.moveHere(ls, m.value());
            assertThat(far.transfer(same, List.of("tern", "naive"), null, self.bundle(), self.version(),
                    self.layoutHash()).strategy()).isEqualTo("tern");
            far.refuse(same, "checked");
            awaitLiveAtC1(m, before);

            // another version: NAIVE, although TERN is preferred and the target has it
            FakeUssPeer.Incoming other = far.moveHere(ls, m.value());
            FakeUssPeer.Image naive = far.transfer(other, List.of("tern", "condor", "naive"), null, self.bundle(),
                    "9.9.9", self.layoutHash());
            assertThat(naive.strategy()).isEqualTo("naive");
            assertThat(PeerImages.naive(naive.chunks().get(0), other.id(), other.epoch()).get("m")).isEqualTo("hvers");
            far.refuse(other, "checked");
            awaitLiveAtC1(m, before);

            // another layout, TERN asked for by name: refused at once, with the reason
            FakeUssPeer.Incoming asked = far.moveHere(ls, m.value());
            assertThatThrownBy(() -> far.transfer(asked, List.of("tern", "naive"), "tern", self.bundle(),
                    self.version(), self.layoutHash() + 1))
                    .hasMessageContaining("strategy 'tern' cannot be used")
                    .hasMessageContaining("only heterogeneous strategies qualify")
                    .hasMessageContaining(Long.toHexString(self.layoutHash() + 1));
            awaitLiveAtC1(m, before);
        } finally {
            execute("roamer:strategy uss-c1 naive");
        }
        network.send(m, "after", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs("hvers", "after").size() == 1);
        assertThat(delivery("hvers", "after", 0).node()).isEqualTo("uss-c1");
    }

    /** The agent is live at uss-c1 again, with the epoch and calls it had. */
    void awaitLiveAtC1(MobileId m, AgentInfo before) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> network.agent(m).orElseThrow().status() != AgentStatus.MIGRATING);
        AgentInfo a = network.agent(m).orElseThrow();
        assertThat(a.node().value()).isEqualTo("uss-c1");
        assertThat(a.epoch()).isEqualTo(before.epoch());
        assertThat(a.calls()).isEqualTo(before.calls());
    }

    // ------------------------------------------------------------------ helpers

    /** The outcome of one move of an agent the fake hosts to c2: the LS's result and the target's verdict. */
    record Attempt(MoveResult result, FakeUssPeer.Transfer transfer, Frame verdict) {
    }

    /**
     * Moves the mobile from the fake to c2 ({@code network.move}) while the fake, as the source, answers c2's
     * TRANSFER with the chunks {@code image} makes for that migration; on READY it hands the agent over.
     */
    Attempt moveFromFar(MobileId m, String strategy, Function<FakeUssPeer.Transfer, List<byte[]>> image)
            throws Exception {
        CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
            try {
                return network.move(m, C2);
            } catch (RoamerException e) {
                throw new IllegalStateException(e);
            }
        });
        FakeUssPeer.Transfer t = far.awaitTransfer(m.value());
        assertThat(t.targetNode()).isEqualTo("uss-c2");
        assertThat(t.strategies()).contains(strategy);
        Frame verdict = far.sendImage(t, strategy, image.apply(t));
        if (verdict.type() == MessageType.READY) {
            far.handOver(t);
        }
        return new Attempt(move.get(30, TimeUnit.SECONDS), t, verdict);
    }

    /** The move failed with the target's reason, no copy of the agent is left at c2, the peer still has it. */
    void assertRefusedAndStillAtThePeer(MobileId m, Attempt a) {
        assertThat(a.result().migrated()).isFalse();
        assertThat(a.result().from()).isEqualTo(ClusterId.of("cx"));
        assertThat(a.result().reason()).isEqualTo(FakeUssPeer.reason(a.verdict()));
        assertThat(network.agent(m)).isEmpty();
        assertThat(network.agents()).extracting(AgentInfo::mobile).doesNotContain(m);
        assertThat(far.hosted(m.value()).movedTo).isNull();
    }

    /** A message sent to the agent while it lives at the peer (after a refused move): the peer holds it. */
    void sendWhileAtThePeer(MobileId m, long seq) throws Exception {
        int held = far.hosted(m.value()).held.size();
        network.send(m, "meanwhile", seq, new byte[]{(byte) seq});
        await().atMost(Duration.ofSeconds(10)).until(() -> far.hosted(m.value()).held.size() == held + 1);
        assertThat(seqs(m.value(), "meanwhile")).isEmpty();
    }

    /** The genuine image was taken: the agent is at c2 as it was, and the messages held for it were delivered. */
    void assertArrivedWithItsMessages(MobileId m, AgentInfo before, Attempt a, String strategy) throws Exception {
        assertThat(a.verdict().type()).as(FakeUssPeer.reason(a.verdict())).isEqualTo(MessageType.READY);
        assertThat(a.result().migrated()).as(a.result().reason()).isTrue();
        assertThat(a.result().strategy()).isEqualTo(strategy);
        AgentInfo after = network.agent(m).orElseThrow();
        assertThat(after.node().value()).isEqualTo("uss-c2");
        assertThat(after.epoch()).isEqualTo(a.result().epoch());
        assertThat(after.profile()).isEqualTo(before.profile());
        assertThat(after.calls()).isEqualTo(before.calls());
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs(m.value(), "meanwhile").size() == 2);
        assertThat(seqs(m.value(), "meanwhile")).containsExactly(0L, 1L);
        assertThat(deliveries).filteredOn(d -> d.mobile().equals(m.value()) && d.sender().equals("meanwhile"))
                .allSatisfy(d -> assertThat(d.node() + "@" + d.epoch()).isEqualTo("uss-c2@" + after.epoch()));
        assertWorks(m, after, 5, before.calls().get(0).callId());
    }

    /** The agent serves messages at its node, and its call can still be released. */
    void assertWorks(MobileId m, AgentInfo at, long delivered, String callId) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> network.agent(m).orElseThrow().delivered() == delivered);
        network.send(m, "after", 0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs(m.value(), "after").size() == 1);
        assertThat(delivery(m.value(), "after", 0).node()).isEqualTo(at.node().value());
        network.hangup(callId);
        await().atMost(Duration.ofSeconds(10)).until(() -> network.agent(m).orElseThrow().calls().isEmpty());
        assertThat(network.agent(m).orElseThrow().node()).isEqualTo(at.node());
    }

    /**
     * A mobile in c1 with state worth moving: a profile, a call its partner in c2 placed to it (paged, so it has
     * a radio port), and three messages delivered.
     */
    AgentInfo withState(MobileId m, String partner) throws Exception {
        network.register(m, C1, PROFILE);
        MobileId p = MobileId.of(partner);
        network.register(p, C2, Profile.defaults());
        CallResult call = network.call(p, m, CallType.VOICE);
        assertThat(call.accepted()).as(call.reason()).isTrue();
        for (int i = 0; i < 3; i++) {
            network.send(m, "before", i, new byte[]{(byte) i});
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs(m.value(), "before").size() == 3);
        AgentInfo a = network.agent(m).orElseThrow();
        assertThat(a.calls()).extracting(ActiveCall::callId).containsExactly(call.callId());
        assertThat(a.calls().get(0).radioPort()).startsWith("rp-c1-");
        assertThat(a.delivered()).isEqualTo(3);
        return a;
    }

    /** An active call as NAIVE writes it (fields at their default omitted). */
    static Map<String, Object> callJson(ActiveCall c) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("i", c.callId());
        k.put("y", c.type().name().toLowerCase());
        if (!c.peers().isEmpty()) {
            k.put("p", c.peers().stream().map(MobileId::value).toList());
        }
        if (c.originating()) {
            k.put("o", true);
        }
        if (c.radioPort() != null) {
            k.put("r", c.radioPort());
        }
        return k;
    }

    static List<byte[]> condorChunks(PeerImages.Checkpoint cp) {
        return PeerImages.chunks(PeerImages.checkpoint(cp), 65_536);
    }

    List<Long> seqs(String mobile, String sender) {
        return deliveries.stream().filter(d -> d.mobile().equals(mobile) && d.sender().equals(sender))
                .map(Delivery::seq).toList();
    }

    Delivery delivery(String mobile, String sender, long seq) {
        return deliveries.stream().filter(d -> d.mobile().equals(mobile) && d.sender().equals(sender) && d.seq() == seq)
                .findFirst().orElseThrow();
    }
}

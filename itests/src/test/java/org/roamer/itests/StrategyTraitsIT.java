package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.roamer.api.AgentInfo;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.NodeRole;
import org.roamer.api.Profile;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;

/**
 * Table 2 with the real strategy bundles: TERN-like and Condor-like cut an agent in the middle of a call
 * negotiation and the negotiation finishes at the target; NAIVE waits for a stable point.
 */
public class StrategyTraitsIT extends RoamerTestSupport {
    @Inject
    RoamerNetwork network;

    FakeUssPeer far;
    NodeAddress ls;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        List<Option> o = new ArrayList<>(List.of(roamerDistribution(), ephemeralRoamerPorts()));
        for (String uss : USS_CFGS) {
            o.add(editConfigurationFilePut(uss, "stable.point.timeout.ms", "500"));
        }
        return options(o.toArray(new Option[0]));
    }

    @Before
    public void farAway() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().size() == 3);
        ls = network.nodes().stream().filter(n -> n.role() == NodeRole.LOCATION_SERVER).findFirst().orElseThrow()
                .address();
        far = new FakeUssPeer(ls, "cx");
    }

    @After
    public void close() throws Exception {
        far.close();
    }

    /** {@code caller} in c1 calls a mobile of the fake cluster, which holds its answer back. */
    CompletableFuture<CallResult> negotiating(MobileId caller, String callee) throws Exception {
        network.register(caller, ClusterId.of("c1"), Profile.defaults());
        far.register(ls, callee, "cx");
        CompletableFuture<CallResult> call = CompletableFuture.supplyAsync(() -> {
            try {
                return network.call(caller, MobileId.of(callee), CallType.VOICE);
            } catch (RoamerException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20))
                .until(() -> network.agent(caller).map(a -> a.status() == AgentStatus.NEGOTIATING).orElse(false));
        return call;
    }

    void cutsMidNegotiation(String strategy, String caller, String callee) throws Exception {
        network.preferStrategy(NodeId.of("uss-c1"), strategy);
        CompletableFuture<CallResult> call = negotiating(MobileId.of(caller), callee);
        Frame offer = far.take(MessageType.CALL_OFFER);
        MoveResult moved = network.move(MobileId.of(caller), ClusterId.of("c2"));
        assertThat(moved.migrated()).as(moved.reason()).isTrue();
        assertThat(moved.strategy()).isEqualTo(strategy);
        AgentInfo there = network.agent(MobileId.of(caller)).orElseThrow();
        assertThat(there.node().value()).isEqualTo("uss-c2");
        assertThat(there.status()).isEqualTo(AgentStatus.NEGOTIATING); // the conversation moved with it
        far.accept(offer); // answered to c1's Call Server; reaches the agent through the stub at c1
        CallResult result = call.get();
        assertThat(result.accepted()).isTrue();
        AgentInfo after = network.agent(MobileId.of(caller)).orElseThrow();
        assertThat(after.node().value()).isEqualTo("uss-c2");
        assertThat(after.status()).isEqualTo(AgentStatus.IN_CALL);
        assertThat(after.calls()).extracting(c -> c.callId()).containsExactly(result.callId());
    }

    @Test
    public void ternCutsMidNegotiationAndTheNegotiationFinishesAtTheTarget() throws Exception {
        cutsMidNegotiation("tern", "tcaller", "tfar");
    }

    @Test
    public void condorCutsMidNegotiationAndTheNegotiationFinishesAtTheTarget() throws Exception {
        cutsMidNegotiation("condor", "ccaller", "cfar");
    }

    @Test
    public void naiveWaitsForAStablePoint() throws Exception {
        network.preferStrategy(NodeId.of("uss-c1"), "naive");
        MobileId caller = MobileId.of("ncaller");
        CompletableFuture<CallResult> call = negotiating(caller, "nfar");
        Frame offer = far.take(MessageType.CALL_OFFER);
        MoveResult refused = network.move(caller, ClusterId.of("c2"));
        assertThat(refused.migrated()).isFalse();
        assertThat(refused.reason()).contains("no stable point");
        assertThat(network.agent(caller).orElseThrow().node().value()).isEqualTo("uss-c1");
        far.accept(offer);
        assertThat(call.get().accepted()).isTrue();
        MoveResult moved = network.move(caller, ClusterId.of("c2"));
        assertThat(moved.migrated()).as(moved.reason()).isTrue();
        assertThat(moved.strategy()).isEqualTo("naive");
        assertThat(network.agent(caller).orElseThrow().calls()).hasSize(1);
    }
}

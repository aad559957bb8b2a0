/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.AgentStatus;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.StrategyInfo;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;

/** Table 2 in practice: who may cut mid-negotiation, and switching the preferred strategy at run time. */
class StrategyTraitsTest {
    static final MobileId CALLER = MobileId.of("m1");
    static final MobileId CALLEE = MobileId.of("far");

    InVmNetwork net;
    FakeUss far;

    @BeforeEach
    void start() throws Exception {
        net = new InVmNetwork(2, 200, 1000, 300);
        net.core.bindStrategy(new ProbeStrategies.Vars("vars"));
        net.core.bindStrategy(new ProbeStrategies.Image());
        far = new FakeUss(net, "cx");
        await().atMost(Duration.ofSeconds(5)).until(() -> net.ls.clusters().containsKey("cx"));
        net.network.register(CALLER, ClusterId.of("c1"), Profile.defaults());
        far.register(net, CALLEE.value(), "cx");
    }

    @AfterEach
    void stop() {
        far.close();
        net.close();
    }

    /** The caller's agent negotiates a call whose answer the fake USS holds back. */
    CompletableFuture<CallResult> negotiating() throws Exception {
        CompletableFuture<CallResult> call = CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.call(CALLER, CALLEE, CallType.VOICE);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5))
                .until(() -> net.network.agent(CALLER).orElseThrow().status() == AgentStatus.NEGOTIATING);
        return call;
    }

    @Test
    void variablesStrategyWaitsForAStablePointAndGivesUpWithAReason() throws Exception {
        CompletableFuture<CallResult> call = negotiating();
        Frame offer = FakeUss.take(far, MessageType.CALL_OFFER);
        MoveResult r = net.network.move(CALLER, ClusterId.of("c2"), "vars");
        assertThat(r.migrated()).isFalse();
        assertThat(r.reason()).contains("no stable point");
        assertThat(net.network.agent(CALLER).orElseThrow().node().value()).isEqualTo("uss-c1");
        far.decide(offer, true);
        assertThat(call.get().accepted()).isTrue();
        // at the stable point the move goes through, with the call in the variables
        MoveResult again = net.network.move(CALLER, ClusterId.of("c2"), "vars");
        assertThat(again.migrated()).as(again.reason()).isTrue();
        assertThat(net.network.agent(CALLER).orElseThrow().calls()).hasSize(1);
    }

    @Test
    void variablesStrategyMigratesOnceTheNegotiationEndsWithinTheWait() throws Exception {
        CompletableFuture<CallResult> call = negotiating();
        Frame offer = FakeUss.take(far, MessageType.CALL_OFFER);
        CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
            try {
                return net.network.move(CALLER, ClusterId.of("c2"), "vars");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> net.core.metrics().get("migrate.waited.stable") == 1);
        far.decide(offer, true);
        assertThat(move.get().migrated()).as(move.get().reason()).isTrue();
        assertThat(call.get().accepted()).isTrue();
        assertThat(net.network.agent(CALLER).orElseThrow().calls()).hasSize(1);
    }

    @Test
    void imageStrategyCutsMidNegotiationAndTheNegotiationFinishesAtTheTarget() throws Exception {
        CompletableFuture<CallResult> call = negotiating();
        Frame offer = FakeUss.take(far, MessageType.CALL_OFFER);
        MoveResult r = net.network.move(CALLER, ClusterId.of("c2"), "image");
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(net.network.agent(CALLER).orElseThrow().node().value()).isEqualTo("uss-c2");
        assertThat(net.network.agent(CALLER).orElseThrow().status()).isEqualTo(AgentStatus.NEGOTIATING);
        far.decide(offer, true); // the answer goes to c1's Call Server, then through the stub to c2
        CallResult result = call.get();
        assertThat(result.accepted()).isTrue();
        var agent = net.network.agent(CALLER).orElseThrow();
        assertThat(agent.node().value()).isEqualTo("uss-c2");
        assertThat(agent.status()).isEqualTo(AgentStatus.IN_CALL);
        assertThat(agent.calls()).extracting(c -> c.callId()).containsExactly(result.callId());
    }

    @Test
    void preferredStrategyIsSwitchedAtRunTimeWithoutRestartingTheNode() throws Exception {
        var uss = net.uss("c1");
        assertThat(net.network.strategies(NodeId.of("uss-c1"))).extracting(StrategyInfo::name)
                .containsExactly("vars", "image");
        net.network.preferStrategy(NodeId.of("uss-c1"), "image");
        assertThat(net.uss("c1")).isSameAs(uss);
        assertThat(net.network.strategies(NodeId.of("uss-c1")).get(0)).extracting(StrategyInfo::name,
                StrategyInfo::preferred).containsExactly("image", true);
        MoveResult r = net.network.move(CALLER, ClusterId.of("c2"));
        assertThat(r.strategy()).isEqualTo("image"); // the source's preference wins when the target has it
        assertThat(net.network.agent(CALLER).orElseThrow().profile()).isEqualTo(Profile.defaults());
    }

    @Test
    void aCallerCanWaitForTheNextConfigurationChangeToBeApplied() throws Exception {
        var uss = net.uss("c1");
        long seen = uss.appliedCount();
        assertThat(uss.awaitApplied(seen, 20)).as("nothing applied yet").isFalse();
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> uss.apply(
                uss.settings().withPreferredStrategy("image")), CompletableFuture.delayedExecutor(50,
                        java.util.concurrent.TimeUnit.MILLISECONDS));
        assertThat(uss.awaitApplied(seen, 10_000)).isTrue();
        later.get();
        assertThat(uss.appliedCount()).isEqualTo(seen + 1);
        assertThat(uss.settings().preferredStrategy()).isEqualTo("image");
    }
}

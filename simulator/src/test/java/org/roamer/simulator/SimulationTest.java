/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.core.internal.sim.Simulation;
import org.roamer.core.internal.sim.Table1;
import org.roamer.routing.anchored.internal.AnchoredRouting;
import org.roamer.routing.threshold.internal.ThresholdRouting;
import org.roamer.strategy.naive.internal.NaiveStrategy;

/**
 * A small full-stack run: 16 clusters, 20,000 terminals with a real agent each, 2 simulated minutes, for each
 * routing policy. Conservation: every crossing is a migration or an anchored update, every call ends, no agent is
 * lost or duplicated (and with migrate each agent is where its terminal is), and the frames the nodes counted add
 * up to what the run did.
 */
class SimulationTest {
    @TempDir
    Path work;

    static final List<MigrationStrategy> STRATEGIES = List.of(new NaiveStrategy());
    static final List<RoutingPolicy> POLICIES = List.of(new AnchoredRouting(), new ThresholdRouting(30, 3));

    @Test
    void everyCrossingIsAMoveEveryCallEndsAndNoAgentIsLost() throws Exception {
        for (String routing : List.of("migrate", "anchored")) {
            // faster terminals than Table 1's, so that 2 minutes hold a few hundred crossings
            Table1 p = new Table1(20_000, 16, 390, 60, 2.0, Table1.Reading.EDGE, 6, 30, routing, 2, 1000, 5);
            List<String> progress = new CopyOnWriteArrayList<>();
            Simulation.Result r;
            try (Simulation sim = new Simulation(p, work.resolve(routing), STRATEGIES, POLICIES)) {
                r = sim.run(progress::add);
            }
            assertThat(progress).anyMatch(l -> l.startsWith("minute 2/2:"));
            assertThat(r.crossings()).as(routing).isGreaterThan(300);
            assertThat(r.moveFailures()).as(routing + ": failed moves").isZero();
            assertThat(r.migrations() + r.anchoredUpdates()).isEqualTo(r.crossings());
            if (routing.equals("migrate")) {
                assertThat(r.migrations()).isEqualTo(r.crossings());
                assertThat(r.frames("MIGRATE_DONE")).as("one MIGRATE_DONE per migration").isEqualTo(r.migrations());
                assertThat(r.frames("MIGRATE")).isEqualTo(r.migrations());
                assertThat(r.counters().get("migrations")).isEqualTo(r.migrations());
            } else {
                assertThat(r.anchoredUpdates()).as("anchored: the agents stay").isGreaterThan(0);
                assertThat(r.frames("MIGRATE")).isEqualTo(r.migrations());
            }
            assertThat(r.frames("REGISTRATION")).as("one REGISTRATION per crossing").isEqualTo(r.crossings());
            assertThat(r.callsPlaced()).isGreaterThan(50);
            assertThat(r.callsAccepted() + r.callsRejected()).isEqualTo(r.callsPlaced());
            assertThat(r.callsFailed()).isZero();
            assertThat(r.callsEnded()).as("every accepted call hung up").isEqualTo(r.callsAccepted());
            assertThat(r.counters().get("calls.requested")).isEqualTo(r.callsPlaced());
            assertThat(r.agents()).as("one agent per terminal").isEqualTo(20_000);
            assertThat(r.agentsMisplaced()).isZero();
        }
    }

    /**
     * The validation run: the same small simulation over TCP (every node on a loopback socket) counts the same
     * crossings, calls and frames per type as on the in-VM transport: the in-VM runs measure the protocol, not an
     * artefact of the transport.
     */
    @Test
    void overTcpTheCountsAreThoseOfTheInVmTransport() throws Exception {
        Table1 p = new Table1(2_000, 4, 390, 60, 1.0, Table1.Reading.EDGE, 6, 30, "migrate", 1, 1000, 13);
        Simulation.Result inVm;
        Simulation.Result tcp;
        try (Simulation sim = new Simulation(p, work.resolve("invm"), STRATEGIES, POLICIES)) {
            inVm = sim.run(l -> {
            });
        }
        try (Simulation sim = new Simulation(p, work.resolve("tcp"), STRATEGIES, POLICIES, 0, 0, Table1Main.tcp(),
                new org.roamer.api.NodeAddress("127.0.0.1", 0))) {
            tcp = sim.run(l -> {
            });
        }
        assertThat(tcp.crossings()).isEqualTo(inVm.crossings()).isGreaterThan(50);
        assertThat(tcp.migrations()).isEqualTo(inVm.migrations());
        assertThat(tcp.moveFailures()).isZero();
        assertThat(tcp.callsAccepted()).isEqualTo(inVm.callsAccepted()).isEqualTo(tcp.callsPlaced());
        assertThat(tcp.agents()).isEqualTo(2_000);
        assertThat(tcp.agentsMisplaced()).isZero();
        for (String type : List.of("REGISTRATION", "MIGRATE", "MIGRATE_DONE", "TRANSFER", "READY", "CALL_OFFER",
                "PAGE")) {
            assertThat(tcp.frames(type)).as(type).isEqualTo(inVm.frames(type));
        }
    }

    @Test
    void theSameSeedGivesTheSameCounts() throws Exception {
        Table1 p = new Table1(2_000, 4, 390, 60, 1.0, Table1.Reading.EDGE, 6, 30, "migrate", 1, 1000, 9);
        Simulation.Result a;
        Simulation.Result b;
        try (Simulation sim = new Simulation(p, work.resolve("a"), STRATEGIES, POLICIES)) {
            a = sim.run(l -> {
            });
        }
        try (Simulation sim = new Simulation(p, work.resolve("b"), STRATEGIES, POLICIES)) {
            b = sim.run(l -> {
            });
        }
        assertThat(b.crossings()).isEqualTo(a.crossings());
        assertThat(b.migrations()).isEqualTo(a.migrations());
        assertThat(b.callsPlaced()).isEqualTo(a.callsPlaced());
        assertThat(b.callsAccepted()).isEqualTo(a.callsAccepted());
        assertThat(b.framesByType().get("MIGRATE")).isEqualTo(a.framesByType().get("MIGRATE"));
    }
}

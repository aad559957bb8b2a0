/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.osgitests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.roamer.api.AgentStatus;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * A strategy service that goes away in the middle of a migration, in a real framework: the core's dynamic
 * reference drops it while an agent is being captured with it; the migration rolls back with a reason naming the
 * strategy, the agent stays live at its source, and the next move negotiates a strategy still installed.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
public class StrategyGoneMidMigrationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @InjectBundleContext
    BundleContext context;
    @InjectService(timeout = 20_000)
    ConfigurationAdmin cm;
    @InjectService(timeout = 20_000)
    RoamerNetwork network;
    @InjectService(timeout = 20_000, filter = "(" + MigrationStrategy.NAME_PROPERTY + "=naive)")
    MigrationStrategy naive;

    private Nodes nodes;
    private final ExecutorService mover = Executors.newSingleThreadExecutor();

    @BeforeEach
    void network() throws Exception {
        nodes = new Nodes(cm);
        nodes.locationServer("ls1");
    }

    @AfterEach
    void close() throws Exception {
        mover.shutdownNow();
        nodes.close();
        await().atMost(WAIT).until(() -> network.nodes().isEmpty());
    }

    @Test
    public void theMigrationRollsBackAndTheAgentStaysLiveAtItsSource() throws Exception {
        Held held = new Held(naive);
        Dictionary<String, Object> props = new Hashtable<>(Map.of(MigrationStrategy.NAME_PROPERTY, "held"));
        ServiceRegistration<MigrationStrategy> registration = context.registerService(MigrationStrategy.class, held,
                props);
        for (String c : List.of("c1", "c2")) {
            java.util.Map<String, Object> p = new java.util.HashMap<>(Nodes.ussProperties(c, "held"));
            p.put("strategy.order", "held,naive");
            nodes.factory("org.roamer.uss", c, p);
            nodes.radioPort(c);
        }
        await().atMost(WAIT).until(() -> network.clusters().containsAll(List.of(ClusterId.of("c1"), ClusterId.of("c2")))
                && network.strategies(NodeId.of("uss-c2")).stream().anyMatch(s -> s.name().equals("held")));
        network.register(MobileId.of("m1"), ClusterId.of("c1"), Profile.defaults());

        CompletableFuture<MoveResult> move = CompletableFuture.supplyAsync(() -> {
            try {
                return network.move(MobileId.of("m1"), ClusterId.of("c2"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, mover);
        assertThat(held.capturing.await(20, TimeUnit.SECONDS)).as("the move captures with 'held'").isTrue();
        registration.unregister(); // the plug-in's bundle stops, or its feature is uninstalled
        held.release.countDown();

        MoveResult r = move.get(30, TimeUnit.SECONDS);
        assertThat(r.migrated()).as("migrated without its strategy: " + r).isFalse();
        assertThat(r.reason()).contains("held");
        var agent = network.agent(MobileId.of("m1")).orElseThrow();
        assertThat(agent.node()).isEqualTo(NodeId.of("uss-c1"));
        assertThat(agent.status()).isNotEqualTo(AgentStatus.MIGRATING);

        MoveResult again = network.move(MobileId.of("m1"), ClusterId.of("c2"));
        assertThat(again.migrated()).as(again.reason()).isTrue();
        assertThat(again.strategy()).isEqualTo("naive");
        assertThat(network.agent(MobileId.of("m1")).orElseThrow().node()).isEqualTo(NodeId.of("uss-c2"));
    }

    /** NAIVE under another name, whose capture waits until the test lets it go on. */
    static final class Held implements MigrationStrategy {
        final CountDownLatch capturing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final MigrationStrategy naive;

        Held(MigrationStrategy naive) {
            this.naive = naive;
        }

        @Override
        public String name() {
            return "held";
        }

        @Override
        public StrategyTraits traits() {
            return naive.traits();
        }

        @Override
        public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
            capturing.countDown();
            try {
                if (!release.await(20, TimeUnit.SECONDS)) {
                    throw new MigrationException("held: never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigrationException("held: interrupted");
            }
            naive.capture(agent, ctx, out);
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            return naive.beginRestore(target, ctx);
        }
    }
}

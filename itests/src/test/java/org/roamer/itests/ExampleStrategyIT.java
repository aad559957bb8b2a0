/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;

import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.ServiceRegistration;
import org.roamer.api.ClusterId;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.StrategyInfo;

/**
 * The third-party example strategy ({@code examples/strategy-naive-deflate}, built by this reactor as a
 * project of its own) does what its README tells a user: installed into the running distribution from its
 * jar, it appears on every USS, is selected with {@code roamer:strategy} and moves agents; uninstalled, the
 * nodes fall back to their other strategies.
 */
public class ExampleStrategyIT extends RoamerTestSupport {
    static final String JAR_PROPERTY = "roamer.example.strategy.jar";
    static final String NAME = "naive-deflate";

    @Inject
    RoamerNetwork network;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        File jar = new File(
                System.getProperty(JAR_PROPERTY, "target/distribution/com.example.roamer.strategy.naivedeflate.jar"));
        if (!jar.isFile()) {
            throw new IllegalStateException("example strategy not found at " + jar.getAbsolutePath()
                    + ": mvn -B verify from the repository root builds it");
        }
        return options(roamerDistribution(), ephemeralRoamerPorts(),
                systemProperty(JAR_PROPERTY).value(jar.getAbsolutePath()));
    }

    @Test
    public void theExampleIsInstalledSelectedUsedAndUninstalledOnALiveNetwork() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        List<String> delivered = new CopyOnWriteArrayList<>();
        ServiceRegistration<DeliveryListener> listener = bundleContext.registerService(DeliveryListener.class,
                (m, n, e, s, q) -> delivered.add(m.value() + "@" + n.value() + "#" + q), null);
        MobileId m = MobileId.of("ex1");
        network.register(m, ClusterId.of("c1"), Profile.defaults());
        try {
            String installed = execute("bundle:install -s file:" + System.getProperty(JAR_PROPERTY));
            assertThat(installed).contains("Bundle ID");
            for (String uss : List.of("uss-c1", "uss-c2", "uss-c3")) {
                await().atMost(AWAIT_TIMEOUT).until(() -> names(uss).contains(NAME));
            }
            StrategyInfo info = network.strategies(NodeId.of("uss-c1")).stream()
                    .filter(s -> s.name().equals(NAME)).findFirst().orElseThrow();
            assertThat(info.heterogeneous()).isTrue();
            assertThat(info.asynchronousInitiation()).isFalse();

            execute("roamer:strategy uss-c1 " + NAME, "roamer:strategy uss-c2 " + NAME);
            for (int i = 0; i < 3; i++) {
                network.send(m, "s", i, new byte[]{(byte) i});
            }
            MoveResult there = network.move(m, ClusterId.of("c2"));
            assertThat(there.migrated()).as(there.reason()).isTrue();
            assertThat(there.strategy()).isEqualTo(NAME);
            MoveResult back = network.move(m, ClusterId.of("c1"));
            assertThat(back.strategy()).isEqualTo(NAME);
            network.send(m, "s", 3, new byte[]{3});
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 4);
            assertThat(delivered).as("three sent before the moves, one after coming back: all at c1, in order")
                    .containsExactly("ex1@uss-c1#0", "ex1@uss-c1#1", "ex1@uss-c1#2", "ex1@uss-c1#3");
            assertThat(network.agent(m).orElseThrow().epoch()).isEqualTo(3);

            // gone again: still preferred in the configuration, but the nodes fall back to what they have
            execute("bundle:uninstall com.example.roamer.strategy.naivedeflate");
            await().atMost(AWAIT_TIMEOUT).until(() -> !names("uss-c1").contains(NAME));
            MoveResult fallback = network.move(m, ClusterId.of("c2"));
            assertThat(fallback.migrated()).as(fallback.reason()).isTrue();
            assertThat(fallback.strategy()).isEqualTo("naive");
        } finally {
            execute("roamer:strategy uss-c1 naive", "roamer:strategy uss-c2 naive");
            network.deregister(m);
            listener.unregister();
        }
    }

    private List<String> names(String uss) throws Exception {
        return network.strategies(NodeId.of(uss)).stream().map(StrategyInfo::name).toList();
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.osgitests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.roamer.api.AgentInfo;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.NodeInfo;
import org.roamer.api.Profile;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.StrategyInfo;

/**
 * The core's node components in a real framework (Felix, SCR, Config Admin), driven by factory configurations the
 * way Karaf's file install drives them from {@code etc/}: a configuration creates a node, a change reaches the
 * running component through {@code @Modified} (the same component configuration, not a new one), a deletion
 * removes the node.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
public class NodeComponentsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String USS_COMPONENT = "org.roamer.core.internal.node.UserSignalingServer";

    @InjectBundleContext
    BundleContext context;
    @InjectService(timeout = 20_000)
    ConfigurationAdmin cm;
    @InjectService(timeout = 20_000)
    ServiceComponentRuntime scr;
    @InjectService(timeout = 20_000)
    RoamerNetwork network;

    private Nodes nodes;

    @BeforeEach
    void network() throws Exception {
        nodes = new Nodes(cm);
        nodes.locationServer("ls1");
        await().atMost(WAIT).until(() -> node("ls1").isPresent());
    }

    @AfterEach
    void deleteConfigurations() throws Exception {
        nodes.close();
        await().atMost(WAIT).until(() -> network.nodes().isEmpty());
    }

    @Test
    public void aUssComesWithItsConfigurationTakesChangesInPlaceAndGoesWithIt() throws Exception {
        Configuration c1 = nodes.uss("c1", "naive");
        await().atMost(WAIT).until(() -> network.clusters().contains(ClusterId.of("c1")));
        ComponentConfigurationDTO first = ussComponent("uss-c1").orElseThrow();
        assertThat(first.state).isEqualTo(ComponentConfigurationDTO.ACTIVE);
        assertThat(preferred("uss-c1")).isEqualTo("naive");

        // a changed property: @Modified applies it to the running node
        Map<String, Object> changed = new HashMap<>(Nodes.ussProperties("c1", "naive"));
        changed.put("strategy.order", "naive");
        changed.put("radioport.scheme", "connection");
        c1.update(Nodes.dictionary(changed));
        await().atMost(WAIT).untilAsserted(() -> assertThat(ussComponent("uss-c1"))
                .hasValueSatisfying(d -> assertThat(d.properties).containsEntry("radioport.scheme", "connection")));
        ComponentConfigurationDTO after = ussComponent("uss-c1").orElseThrow();
        assertThat(after.id).as("the same component configuration: modified, not deactivated and activated again")
                .isEqualTo(first.id);
        assertThat(after.state).isEqualTo(ComponentConfigurationDTO.ACTIVE);

        c1.delete();
        await().atMost(WAIT).until(() -> ussComponent("uss-c1").isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(node("uss-c1")).isEmpty());
        assertThat(network.nodes()).extracting(n -> n.node().value()).containsExactly("ls1");
    }

    @Test
    public void aMobileRegistersAndMovesBetweenNodesMadeByConfiguration() throws Exception {
        for (String c : List.of("c1", "c2")) {
            nodes.uss(c, "naive");
            nodes.radioPort(c);
        }
        await().atMost(WAIT)
                .until(() -> network.clusters().containsAll(List.of(ClusterId.of("c1"), ClusterId.of("c2"))));
        AgentInfo a = network.register(MobileId.of("m1"), ClusterId.of("c1"), Profile.defaults());
        assertThat(a.node()).isEqualTo(NodeId.of("uss-c1"));

        MoveResult moved = network.move(MobileId.of("m1"), ClusterId.of("c2"));
        assertThat(moved.migrated()).as(moved.reason()).isTrue();
        assertThat(moved.strategy()).isEqualTo("naive");
        assertThat(network.agent(MobileId.of("m1")).orElseThrow().node()).isEqualTo(NodeId.of("uss-c2"));
        network.deregister(MobileId.of("m1"));
    }

    private Optional<NodeInfo> node(String id) {
        return network.nodes().stream().filter(n -> n.node().value().equals(id)).findFirst();
    }

    private String preferred(String uss) throws Exception {
        return network.strategies(NodeId.of(uss)).stream().filter(StrategyInfo::preferred).map(StrategyInfo::name)
                .findFirst().orElse(null);
    }

    /** The SCR runtime's view of the USS component configuration whose node is {@code nodeId}. */
    private Optional<ComponentConfigurationDTO> ussComponent(String nodeId) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!d.name.equals(USS_COMPONENT)) {
                continue;
            }
            return scr.getComponentConfigurationDTOs(d).stream()
                    .filter(c -> nodeId.equals(c.properties.get("node.id"))).findFirst();
        }
        return Optional.empty();
    }
}

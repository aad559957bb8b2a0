/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamer.core.internal.agent.AgentImageCodec;

/**
 * A network container's remote administration and authenticated links survive an emptied
 * etc/org.roamer.runtime.cfg (Karaf's file install left it empty once in CI): the system properties run.sh sets turn
 * them on whatever the configuration says, and never off.
 */
class RuntimeSettingsTest {

    @AfterEach
    void clear() {
        System.clearProperty(RoamerCore.ADMIN_REMOTE_PROPERTY);
        System.clearProperty(RoamerCore.LINKS_AUTHENTICATED_PROPERTY);
    }

    /** A configuration with these values, every other attribute at its default. */
    static RoamerCore.Config config(Map<String, Object> values) {
        return (RoamerCore.Config) Proxy.newProxyInstance(RoamerCore.Config.class.getClassLoader(),
                new Class<?>[]{RoamerCore.Config.class},
                (proxy, method, args) -> values.getOrDefault(method.getName(), method.getDefaultValue()));
    }

    @Test
    void theSystemPropertiesTurnBothOnOverAnEmptyConfiguration() {
        RoamerCore core = new RoamerCore(1, AgentImageCodec.type("org.roamer.core", "1.0.0"));
        try {
            core.modified(config(Map.of()));
            assertThat(core.adminRemote()).as("single-container default").isFalse();
            assertThat(core.linksAuthenticated()).isFalse();

            System.setProperty(RoamerCore.ADMIN_REMOTE_PROPERTY, "true");
            System.setProperty(RoamerCore.LINKS_AUTHENTICATED_PROPERTY, "true");
            core.modified(config(Map.of()));
            assertThat(core.adminRemote()).isTrue();
            assertThat(core.linksAuthenticated()).isTrue();
            core.modified(config(Map.of("admin_remote", false, "links_authenticated", false)));
            assertThat(core.linksAuthenticated()).as("the configuration cannot turn them off").isTrue();

            clear();
            core.modified(config(Map.of("admin_remote", true, "links_authenticated", true)));
            assertThat(core.adminRemote()).as("the configuration alone still turns them on").isTrue();
            assertThat(core.linksAuthenticated()).isTrue();
        } finally {
            core.close();
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.ConfigurationAdmin;
import org.roamer.api.NodeInfo;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerNetwork;

/**
 * The distribution as shipped boots: every Roamer bundle is ACTIVE, the {@code roamer} feature is
 * installed, the default network configuration is loaded, and the console is not open to the world
 * (SSH on 127.0.0.1, no {@code karaf} user).
 */
public class DistributionSmokeIT extends RoamerTestSupport {

    private static final List<String> ROAMER_BUNDLES = List.of(
            "org.roamer.api", "org.roamer.core", "org.roamer.strategy.naive", "org.roamer.transport.tcp",
            "org.roamer.shell");

    @Configuration
    public Option[] config() {
        String sshPort = String.valueOf(freePort()); // a known port, so the test can knock on it
        return options(roamerDistribution(), ephemeralRoamerPorts(),
                org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut(
                        "etc/org.apache.karaf.shell.cfg", "sshPort", sshPort),
                org.ops4j.pax.exam.CoreOptions.systemProperty("roamer.itest.sshPort").value(sshPort));
    }

    /**
     * The console's ACL (etc/org.apache.karaf.command.acl.roamer.cfg): a viewer lists the network but cannot change
     * it; the administrator can. And the SSH server offers no sftp.
     */
    @Test
    public void aViewerLooksAtTheNetworkButCannotChangeIt() throws Exception {
        RoamerNetwork network = awaitService(RoamerNetwork.class);
        org.awaitility.Awaitility.await().atMost(AWAIT_TIMEOUT)
                .until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        String nodes = executeAs(viewer(), COMMAND_TIMEOUT, "roamer:nodes", "roamer:agents", "roamer:stats");
        assertTrue(nodes, nodes.contains("uss-c1"));
        for (String change : List.of("roamer:register v1 c1", "roamer:strategy uss-c1 tern",
                "roamer:transport uss-c1 udp", "roamer:bench --count 1", "roamer:checkpoints --remove v1 uss-c1")) {
            try {
                executeAs(viewer(), COMMAND_TIMEOUT, change);
                throw new IllegalStateException("a viewer ran " + change);
            } catch (AssertionError refused) {
                // Karaf hides a command from a user whose roles the ACL does not name
                assertTrue(change + ": " + refused.getMessage(),
                        refused.getMessage().contains("Insufficient credentials")
                                || refused.getMessage().contains("Command not found: " + change.split(" ")[0]));
            }
        }
        assertFalse(execute("roamer:agents").contains("v1"));
        assertTrue(execute("roamer:register v2 c1").contains("registered v2 in c1"));
        org.osgi.service.cm.Configuration[] shell = awaitService(ConfigurationAdmin.class)
                .listConfigurations("(service.pid=org.apache.karaf.shell)");
        assertEquals("false", String.valueOf(shell[0].getProperties().get("sftpEnabled")));
    }

    /** Every listing fits a 100-column terminal by default (issue 10); --wide is for the rest. */
    @Test
    public void listingsFitAHundredColumns() throws Exception {
        RoamerNetwork network = awaitService(RoamerNetwork.class);
        org.awaitility.Awaitility.await().atMost(AWAIT_TIMEOUT)
                .until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        execute("roamer:register w1 c1", "roamer:register w2 c2", "roamer:call w1 w2", "roamer:move w1 c3");
        List<String> wide = new java.util.ArrayList<>();
        for (String command : List.of("roamer:nodes", "roamer:agents", "roamer:agent w1", "roamer:strategies",
                "roamer:strategies uss-c1", "roamer:checkpoints", "roamer:stats", "roamer:routing", "roamer:transport",
                "roamer:route w1")) {
            String out = execute(command);
            out.lines().filter(l -> l.length() > 100).forEach(l -> wide.add(command + " (" + l.length() + "): " + l));
        }
        assertTrue("lines wider than 100 columns:\n" + String.join("\n", wide), wide.isEmpty());
        assertTrue(execute("roamer:strategies --wide uss-c1").contains("Description"));
    }

    @Test
    public void everyRoamerBundleIsActive() {
        List<Bundle> active = awaitRoamerBundlesActive(ROAMER_BUNDLES.size());
        Set<String> names = active.stream().map(Bundle::getSymbolicName).collect(Collectors.toSet());
        assertTrue("Roamer bundles installed: " + names, names.containsAll(ROAMER_BUNDLES));
    }

    @Test
    public void everyOtherBundleIsActiveToo() {
        List<String> notActive = awaitAllBundlesActive();
        assertTrue("bundles not ACTIVE: " + notActive, notActive.isEmpty());
    }

    @Test
    public void roamerFeaturesAreInstalled() throws Exception {
        FeaturesService features = awaitService(FeaturesService.class);
        // booted one by one (not through the umbrella `roamer`) so each plug-in can be swapped at run time
        for (String name : List.of("roamer-api", "roamer-core", "roamer-strategy-naive", "roamer-strategy-tern",
                "roamer-strategy-condor", "roamer-transport-tcp", "roamer-shell")) {
            assertNotNull("feature " + name + " is known", features.getFeature(name));
            assertTrue("feature " + name + " is installed", features.isInstalled(features.getFeature(name)));
        }
        assertNotNull("the umbrella feature is available", features.getFeature("roamer"));
        String listed = execute("feature:list -i --no-format");
        assertTrue("feature:list -i shows roamer-strategy-tern:\n" + listed,
                Arrays.stream(listed.split("\\R")).anyMatch(line -> line.startsWith("roamer-strategy-tern")));
    }

    @Test
    public void consoleCommandsRunThroughTheHelper() {
        String bundles = execute("bundle:list -s -t 0 --no-format");
        for (String name : ROAMER_BUNDLES) {
            assertTrue("bundle:list shows " + name + ":\n" + bundles, bundles.contains(name));
        }
    }

    @Test
    public void defaultNetworkIsLoadedAsFactoryConfigurations() throws Exception {
        ConfigurationAdmin configurationAdmin = awaitService(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration[] uss = configurationAdmin
                .listConfigurations("(service.factoryPid=org.roamer.uss)");
        assertNotNull("org.roamer.uss factory configurations", uss);
        assertEquals("one USS per cluster", CLUSTERS.size(), uss.length);
        for (org.osgi.service.cm.Configuration configuration : uss) {
            Dictionary<String, Object> properties = configuration.getProperties();
            assertEquals("ephemeral listen address of " + configuration.getPid(), "127.0.0.1:0",
                    properties.get("listen"));
            assertEquals("location.server of " + configuration.getPid(), "",
                    String.valueOf(properties.get("location.server")).trim());
            assertEquals("naive", properties.get("strategy.preferred"));
        }
        assertFactoryConfigurations(configurationAdmin, "org.roamer.location", 1);
        assertFactoryConfigurations(configurationAdmin, "org.roamer.call", CLUSTERS.size());
        assertFactoryConfigurations(configurationAdmin, "org.roamer.connection", CLUSTERS.size());
        assertFactoryConfigurations(configurationAdmin, "org.roamer.radioport", 2 * CLUSTERS.size());
    }

    private static void assertFactoryConfigurations(ConfigurationAdmin configurationAdmin, String factoryPid,
            int expected)
            throws Exception {
        org.osgi.service.cm.Configuration[] found = configurationAdmin
                .listConfigurations("(service.factoryPid=" + factoryPid + ")");
        assertEquals(factoryPid + " factory configurations", expected, found == null ? 0 : found.length);
    }

    @Test
    public void defaultNetworkRunsOnEphemeralLoopbackPorts() {
        RoamerNetwork network = awaitService(RoamerNetwork.class);
        List<NodeInfo> listeners = org.awaitility.Awaitility.await("Location Server and one USS per cluster listening")
                .atMost(AWAIT_TIMEOUT)
                .until(() -> network.nodes().stream()
                        .filter(node -> node.role() == NodeRole.LOCATION_SERVER
                                || node.role() == NodeRole.USER_SIGNALING_SERVER)
                        .collect(Collectors.toList()),
                        nodes -> nodes.size() == 1 + CLUSTERS.size()
                                && nodes.stream()
                                        .allMatch(node -> node.address() != null && node.address().port() > 0));
        for (NodeInfo node : listeners) {
            int port = node.address().port();
            assertTrue(node.node() + " listens on loopback: " + node.address(),
                    java.net.InetAddress.getLoopbackAddress().getHostAddress().equals(node.address().host())
                            || "localhost".equals(node.address().host()) || node.address().host().startsWith("127."));
            assertFalse(
                    node.node() + " must not use a default port (7100-7103) under ephemeralRoamerPorts(): "
                            + node.address(),
                    port >= 7100 && port <= 7103);
        }
    }

    @Test
    public void sshListensOnLoopbackOnly() throws Exception {
        ConfigurationAdmin configurationAdmin = awaitService(ConfigurationAdmin.class);
        org.osgi.service.cm.Configuration[] shell = configurationAdmin
                .listConfigurations("(service.pid=org.apache.karaf.shell)");
        assertNotNull("org.apache.karaf.shell configuration", shell);
        assertEquals("127.0.0.1", shell[0].getProperties().get("sshHost"));

        // The SSH server itself, by what it does: it answers on 127.0.0.1 and on no other address of this host.
        // (Its SshServer service object is not a reliable witness: Karaf replaces the server when its
        // configuration is updated during boot, and a stopped instance stayed listed with no bound address.)
        int port = Integer.getInteger("roamer.itest.sshPort");
        org.awaitility.Awaitility.await().atMost(AWAIT_TIMEOUT).until(() -> connects("127.0.0.1", port));
        for (java.net.NetworkInterface nic : java.util.Collections
                .list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (java.net.InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    assertFalse("SSH answers on " + a.getHostAddress() + ":" + port + ", expected loopback only",
                            connects(a.getHostAddress(), port));
                }
            }
        }
    }

    private static boolean connects(String host, int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    public void noDefaultKarafUser() throws IOException {
        Path users = Paths.get(System.getProperty("karaf.etc"), "users.properties");
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(users)) {
            properties.load(in);
        }
        assertFalse("users.properties must not define the karaf user: " + properties.stringPropertyNames(),
                properties.containsKey("karaf"));
        List<String> usersDefined = properties.stringPropertyNames().stream()
                .filter(name -> !name.startsWith("_g_:"))
                .collect(Collectors.toList());
        assertTrue("the distribution ships no user at all: " + usersDefined, usersDefined.isEmpty());
    }

}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import javax.inject.Inject;

import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.ServiceRegistration;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.ClusterId;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerNetwork;
import org.roamer.api.RoutingInfo;

/**
 * Anchored-agent routing on the distribution: the routing features installed at run time, policies switched
 * with {@code roamer:routing}, the two radio-port schemes of Fig. 9 (c2 datagram, c3 connection), calls
 * both ways to and from an anchored agent, a crossing and a policy switch during a call with messages in
 * flight, the threshold policy on a border ping-pong and on a dwell, and the fallback when a policy bundle
 * is uninstalled.
 */
public class RoutingIT extends RoamerTestSupport {
    static final ClusterId C1 = ClusterId.of("c1");
    static final ClusterId C2 = ClusterId.of("c2");
    static final ClusterId C3 = ClusterId.of("c3");
    static final Profile ANY = new Profile(true, java.util.Set.of("voice", "video", "data"),
            java.util.Set.of("xserver"),
            null);

    @Inject
    RoamerNetwork network;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution(), ephemeralRoamerPorts(),
                editConfigurationFilePut("etc/org.roamer.uss-c3.cfg", "radioport.scheme", "connection"),
                editConfigurationFilePut("etc/org.roamer.uss-c3.cfg", "radioport.update", "cluster"));
    }

    @Test
    public void anchoredAndThresholdRoutingOnALiveNetwork() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        List<String> delivered = new CopyOnWriteArrayList<>();
        ServiceRegistration<DeliveryListener> listener = bundleContext.registerService(DeliveryListener.class,
                (m, n, e, s, q) -> delivered.add(m.value() + "@" + n.value() + "#" + q), null);
        try {
            // only migrate boots; the others are features of their own, installed on the running network
            assertThat(names("uss-c1")).containsExactly("migrate");
            execute("feature:install -r roamer-routing-anchored roamer-routing-threshold");
            await().atMost(AWAIT_TIMEOUT).until(() -> names("uss-c1").containsAll(List.of("anchored", "threshold")));
            String listing = execute("roamer:routing uss-c1");
            assertThat(listing).contains("anchored").contains("threshold").containsPattern("migrate\\s+\\|\\s+\\*");

            assertThat(execute("roamer:routing uss-c1 anchored")).contains("uss-c1 now routes with anchored");
            assertThat(active("uss-c1")).isEqualTo("anchored");
            assertThat(execute("roamer:nodes")).containsPattern("uss-c1 .*anchored");
            MobileId m1 = MobileId.of("rt1");
            MobileId m2 = MobileId.of("rt2");
            MobileId m3 = MobileId.of("rt3");
            network.register(m1, C1, ANY);
            network.register(m2, C1, ANY);
            network.register(m3, C2, ANY);

            // datagram scheme (c2): the mobile's radio port learns the anchor
            assertThat(execute("roamer:move rt1 c2"))
                    .contains("anchored at uss-c1, paging area c2, radio ports updated 1, links set up 0");
            assertThat(network.agent(m1).orElseThrow().node().value()).isEqualTo("uss-c1");
            // connection scheme (c3, every port updated): a link c3 -> uss-c1 is set up once
            assertThat(execute("roamer:move rt2 c3"))
                    .contains("anchored at uss-c1, paging area c3, radio ports updated 2, links set up 1");
            assertThat(execute("roamer:route rt2")).contains("anchored away from its mobile")
                    .contains("the signalling link c3-c1");

            CallResult toAnchored = network.call(m3, m1, CallType.VOICE);
            assertThat(toAnchored.accepted()).as(toAnchored.reason()).isTrue();
            assertThat(toAnchored.radioPort()).startsWith("rp-c2-");
            CallResult fromAnchored = network.call(m2, m3, CallType.DATA);
            assertThat(fromAnchored.accepted()).as(fromAnchored.reason()).isTrue();
            assertThat(network.call(m1, m2, CallType.VOICE).accepted()).isTrue();

            // a crossing and a policy switch during a call, with messages before, between and after
            for (int i = 0; i < 30; i++) {
                network.send(m1, "s", i, new byte[]{(byte) i});
            }
            assertThat(network.move(m1, C3).anchored()).isTrue();
            for (int i = 30; i < 60; i++) {
                network.send(m1, "s", i, new byte[]{(byte) i});
            }
            execute("roamer:routing uss-c1 migrate");
            MoveResult follows = network.move(m1, C2);
            assertThat(follows.migrated()).as(follows.reason()).isTrue();
            assertThat(network.agent(m1).orElseThrow().node().value()).isEqualTo("uss-c2");
            assertThat(network.agent(m1).orElseThrow().calls()).extracting(c -> c.callId())
                    .contains(toAnchored.callId());
            for (int i = 60; i < 90; i++) {
                network.send(m1, "s", i, new byte[]{(byte) i});
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> delivered.stream().filter(d -> d.startsWith("rt1@")).count() >= 90);
            Thread.sleep(300); // a quiet period: nothing may arrive twice after the count was reached
            assertThat(delivered.stream().filter(d -> d.startsWith("rt1@"))
                    .map(d -> Long.parseLong(d.substring(d.indexOf('#') + 1))))
                    .containsExactlyElementsOf(LongStream.range(0, 90).boxed().toList());

            // threshold: a border ping-pong never migrates; a dwell does
            execute("config:property-set -p org.roamer.routing.threshold dwell.ms 1500");
            assertThat(execute("roamer:routing --all threshold")).contains("uss-c3 now routes with threshold");
            await().atMost(AWAIT_TIMEOUT).until(() -> network.routing(NodeId.of("uss-c1")).stream()
                    .anyMatch(i -> i.active() && i.description().contains("1500 ms")));
            MobileId m4 = MobileId.of("rt4");
            network.register(m4, C1, ANY);
            for (int i = 0; i < 10; i++) {
                assertThat(network.move(m4, i % 2 == 0 ? C2 : C1).anchored()).isTrue();
            }
            assertThat(network.agent(m4).orElseThrow().node().value()).isEqualTo("uss-c1");
            assertThat(network.agent(m4).orElseThrow().epoch()).isEqualTo(1);
            assertThat(network.move(m4, C3).anchored()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> network.agent(m4).map(a -> a.node().value()).orElse(""),
                    "uss-c3"::equals);
            assertThat(network.agent(m4).orElseThrow().epoch()).isEqualTo(2);

            // the policy bundle goes: its nodes fall back to migrate
            execute("feature:uninstall roamer-routing-threshold");
            await().atMost(AWAIT_TIMEOUT).until(() -> "migrate".equals(active("uss-c1")));
            MobileId m5 = MobileId.of("rt5");
            network.register(m5, C1, ANY);
            assertThat(network.move(m5, C2).migrated()).isTrue();
        } finally {
            listener.unregister();
        }
    }

    @Test
    public void unknownNodesAndPoliciesGetClearErrors() {
        assertThat(catchError(() -> execute("roamer:routing uss-c9 anchored"))).contains("unknown USS node 'uss-c9'");
        assertThat(catchError(() -> execute("roamer:routing uss-c1 nosuch")))
                .contains("routing policy 'nosuch' is not installed");
    }

    @Test
    public void consoleInputIsCheckedAndAMoveTakesAStrategy() throws Exception {
        await().atMost(AWAIT_TIMEOUT).until(() -> network.clusters().containsAll(DEFAULT_CLUSTERS));
        network.register(MobileId.of("cs1"), C1, ANY);
        assertThat(catchError(() -> execute("roamer:agents --cluster c9"))).contains("unknown cluster 'c9'");
        assertThat(catchError(() -> execute("roamer:agents --limit -1")))
                .contains("--limit '-1' must be a whole number from 1 to 1000000");
        assertThat(catchError(() -> execute("roamer:send cs1 hi --count abc")))
                .contains("--count 'abc' must be a whole number from 1 to 1000000");
        assertThat(catchError(() -> execute("roamer:bench --concurrency 0")))
                .contains("--concurrency '0' must be a whole number from 1 to 1024");
        assertThat(execute("roamer:move cs1 c2 --strategy tern")).contains("migrated cs1 c1 -> c2 with tern");
        assertThat(execute("roamer:move --strategy condor cs1 c3")).contains("migrated cs1 c2 -> c3 with condor");
        assertThat(catchError(() -> execute("roamer:move cs1 c1 --strategy nosuch")))
                .contains("strategy 'nosuch' is not installed");
        String call = execute("roamer:register cs2 c1", "roamer:call cs2 cs1");
        assertThat(call).contains("accepted\n").doesNotContain("accepted: accepted");
    }

    private static String catchError(Runnable r) {
        try {
            r.run();
            return "no error";
        } catch (AssertionError e) {
            return e.getMessage();
        }
    }

    private List<String> names(String uss) throws Exception {
        return network.routing(NodeId.of(uss)).stream().map(RoutingInfo::name).toList();
    }

    private String active(String uss) throws Exception {
        return network.routing(NodeId.of(uss)).stream().filter(RoutingInfo::active).map(RoutingInfo::name).findFirst()
                .orElse(null);
    }
}

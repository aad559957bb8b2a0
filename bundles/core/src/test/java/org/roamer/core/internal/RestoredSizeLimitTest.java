/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.MoveResult;
import org.roamer.api.Profile;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.agent.UserAgent;
import org.roamer.core.internal.node.UssSettings;

/**
 * The restored-size limit (SPI 1.2, {@link RestoreTarget#maxRestoredBytes()}): the core fills it in from its frame
 * limits — 64 data frames' payload, like the image limit of its migrations — and refuses a restore over it with the
 * reason, by {@code restoreImage} and by {@code preCreate} + {@code complete}.
 */
class RestoredSizeLimitTest {
    private static final MobileId M = MobileId.of("m1");
    private static final ClusterId C1 = ClusterId.of("c1");
    private static final ClusterId C2 = ClusterId.of("c2");
    /** 128 KiB data frames: the limit is 8 MiB, small enough to build an image one byte over it. */
    private static final FrameLimits LIMITS = new FrameLimits(64 * 1024, 128 * 1024);
    private static final long LIMIT = 64L * LIMITS.maxDataPayload();

    private InVmNetwork net;
    private final ProbeStrategies.Scripted probe = new ProbeStrategies.Scripted();

    private void start() throws Exception {
        net = new InVmNetwork(2, 600_000, 5000, 300, AgentImageCodec.type("org.roamer.core", "1.0.0"),
                s -> new UssSettings(s.id(), s.cluster(), s.listen(), s.locationServer(), s.preferredStrategy(),
                        s.strategyOrder(), s.stubMaxMessages(), s.stubMaxBytes(), s.stubIdleMillis(),
                        s.tombstoneMillis(), s.migrationTimeoutMillis(), s.stablePointTimeoutMillis(), LIMITS,
                        s.workDirectory(), s.checkpointStore(), s.checkpointSeconds(), s.restoreOnStart(),
                        s.restoredCallCheckMillis()),
                null);
        net.core.bindStrategy(probe);
        net.network.register(M, C1, Profile.defaults());
    }

    @AfterEach
    void close() {
        if (net != null) {
            net.close();
        }
    }

    private MoveResult moveWith(ProbeStrategies.Scripted.Script script) throws Exception {
        probe.script = script;
        return net.network.move(M, C2, "probe");
    }

    private String node() {
        return net.network.agent(M).orElseThrow().node().value();
    }

    /** An image of m1 that the core decodes, of exactly {@code size} bytes. */
    private static AgentImage imageOf(long size, AgentType type) {
        int base = AgentImageCodec.capture(new UserAgent(M, Profile.defaults(), null), type).size();
        UserAgent a = new UserAgent(M, Profile.defaults(), null);
        a.applicationState(new byte[(int) (size - base)]);
        AgentImage img = AgentImageCodec.capture(a, type);
        assertThat((long) img.size()).isEqualTo(size);
        return img;
    }

    @Test
    void theTargetDeclaresItsLimitFromTheFrameLimits() throws Exception {
        start();
        List<Long> seen = new ArrayList<>();
        MoveResult r = moveWith((t, ctx, vars) -> {
            seen.add(t.maxRestoredBytes());
            seen.add(ctx.maxImageBytes());
            vars.run();
        });
        assertThat(r.migrated()).as(r.reason()).isTrue();
        assertThat(seen).containsExactly(LIMIT, LIMIT);
    }

    @Test
    void anImageOverTheLimitIsRefusedWithTheReasonAndOneOfExactlyTheLimitRestored() throws Exception {
        start();
        MoveResult over = moveWith((t, ctx, vars) -> t.restoreImage(imageOf(LIMIT + 1, t.localAgentType())));
        assertThat(over.migrated()).isFalse();
        assertThat(over.reason()).contains("restored agent image of " + (LIMIT + 1)
                + " bytes exceeds this node's limit of " + LIMIT + " bytes");
        assertThat(node()).isEqualTo("uss-c1");
        assertThat(net.uss("c2").hostedAgents()).isZero();

        MoveResult exact = moveWith((t, ctx, vars) -> t.restoreImage(imageOf(LIMIT, t.localAgentType())));
        assertThat(exact.migrated()).as(exact.reason()).isTrue();
        assertThat(node()).isEqualTo("uss-c2");
    }

    @Test
    void preCreatedSegmentsAndTheirRegistersOverTheLimitAreRefused() throws Exception {
        start();
        MoveResult over = moveWith((t, ctx, vars) -> {
            AgentImage img = imageOf(LIMIT + 1, t.localAgentType());
            PreCreatedAgent p = t.preCreate(img.type(), img.data().length, img.stack().length); // within the limit
            p.writeData(0, img.data());
            p.writeStack(0, img.stack());
            p.complete(img.registers()); // the registers take the whole over it
        });
        assertThat(over.migrated()).isFalse();
        assertThat(over.reason()).contains("restored agent image of " + (LIMIT + 1)
                + " bytes exceeds this node's limit of " + LIMIT + " bytes");
        assertThat(node()).isEqualTo("uss-c1");

        MoveResult declared = moveWith((t, ctx, vars) -> t.preCreate(t.localAgentType(), (int) LIMIT, 1));
        assertThat(declared.migrated()).isFalse();
        assertThat(declared.reason()).contains("declared segment sizes " + LIMIT + "+1 exceed " + LIMIT);
        assertThat(node()).isEqualTo("uss-c1");
    }
}

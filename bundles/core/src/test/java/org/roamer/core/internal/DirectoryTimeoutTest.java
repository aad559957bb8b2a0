/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;
import org.roamer.api.NodeAddress;
import org.roamer.api.NodeId;
import org.roamer.api.Profile;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.directory.LocationDirectory;
import org.roamer.api.spi.directory.MobileRecord;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.directory.MemoryDirectory;
import org.roamer.core.internal.node.LocationServer;
import org.roamer.core.internal.node.RadioPort;
import org.roamer.core.internal.node.UserSignalingServer;
import org.roamer.core.internal.node.UssSettings;

/**
 * A directory that never answers a write (closed mid-operation, its retries cut off) left the mobile "busy"
 * for good: the Location Server waited for the answer forever. Its directory operations now fail after the
 * request time-out, and the mobile can register once the directory answers again.
 */
class DirectoryTimeoutTest {
    /** The memory directory, whose writes hang while {@code silent} is set. */
    static final class SilentDirectory implements LocationDirectory {
        final MemoryDirectory real = new MemoryDirectory();
        volatile boolean silent;

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public CompletionStage<Optional<MobileRecord>> get(String mobile) {
            return real.get(mobile);
        }

        @Override
        public CompletionStage<Optional<MobileRecord>> put(MobileRecord next) {
            return silent ? new CompletableFuture<>() : real.put(next);
        }

        @Override
        public long size() {
            return real.size();
        }

        @Override
        public String describe() {
            return "silent memory";
        }
    }

    @Test
    void aDirectoryThatNeverAnswersFailsTheRequestAndLeavesTheMobileFree() throws Exception {
        RoamerCore core = new RoamerCore(2, AgentImageCodec.type("org.roamer.core", "1.0.0"));
        InVmTransport transport = new InVmTransport();
        SilentDirectory directory = new SilentDirectory();
        LocationServer ls = new LocationServer(core, transport, NodeId.of("ls1"), new NodeAddress("invm", 0), 1000, 500,
                directory);
        UserSignalingServer uss = new UserSignalingServer(core, transport, new UssSettings(NodeId.of("uss-c1"),
                ClusterId.of("c1"), new NodeAddress("invm", 0), ls.address(), "vars", List.of("vars"), 16, 64 * 1024,
                60_000, 60_000, 1000, 500, FrameLimits.DEFAULT, Path.of(System.getProperty("java.io.tmpdir"))));
        new RadioPort(core, NodeId.of("rp-c1-1"), ClusterId.of("c1"));
        NetworkService network = new NetworkService(core);
        try {
            long deadline = System.currentTimeMillis() + 5000;
            while (!uss.registered() && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            directory.silent = true;
            long start = System.nanoTime();
            assertThatThrownBy(() -> network.register(MobileId.of("m1"), ClusterId.of("c1"), Profile.defaults()))
                    .hasMessageContaining("no answer from the location directory within 500 ms");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
            directory.silent = false;
            assertThat(network.register(MobileId.of("m1"), ClusterId.of("c1"), Profile.defaults()).node().value())
                    .isEqualTo("uss-c1");
        } finally {
            network.close();
            uss.deactivate();
            ls.deactivate();
            core.close();
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;

class DeliveryLogTest {
    @TempDir
    Path dir;

    @Test
    void oneLinePerDeliveryAppendedAcrossRestartsAndBoundedInSize() throws Exception {
        Path file = dir.resolve("sub/deliveries.log");
        DeliveryLog log = new DeliveryLog(file, 1024);
        log.delivered(MobileId.of("m1"), NodeId.of("uss-c1"), 3, "s 1", 7);
        log.close();
        DeliveryLog again = new DeliveryLog(file, 120); // appends; stops at 120 bytes
        for (int i = 0; i < 10; i++) {
            again.delivered(MobileId.of("m2"), NodeId.of("uss-c2"), 1, "s2", i);
        }
        again.close();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).matches("\\d{13} m1 uss-c1 3 s_1 7");
        assertThat(lines).hasSizeBetween(2, 3);
        assertThat(lines.get(1)).endsWith(" m2 uss-c2 1 s2 0");
        assertThat(Files.size(file)).isLessThanOrEqualTo(120);
    }
}

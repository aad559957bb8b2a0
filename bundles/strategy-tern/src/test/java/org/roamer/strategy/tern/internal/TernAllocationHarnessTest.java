/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Keeps the allocation harness working; its figures are printed, never asserted. */
class TernAllocationHarnessTest {
    @Test
    void harnessRunsAndPrintsBothImageSizes() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TernAllocationHarness.run(new PrintStream(text, true, StandardCharsets.UTF_8), 2, 2);
        String printed = text.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertThat(printed).contains("74256 B").contains("1052688 B");
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the allocation harness working; its figures are printed, never asserted. */
class CondorAllocationHarnessTest {
    @Test
    void harnessRunsAndPrintsBothImageSizes(@TempDir Path work) throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        CondorAllocationHarness.run(new PrintStream(text, true, StandardCharsets.UTF_8), work, 1, 2);
        String printed = text.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertThat(printed).contains("74256 ").contains("1052688 ");
    }
}

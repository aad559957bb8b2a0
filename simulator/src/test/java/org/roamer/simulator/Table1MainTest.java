/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, bad input with a clear message and exit code 2, a run's table and CSV, the figures. */
class Table1MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return Table1Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void badInputIsOneClearLineAndExitCode2() throws Exception {
        String[][] bad = {{"--density", "-5"}, {"--clusters", "0"}, {"--terminals", "abc"}, {"--routing", "teleport"},
                {"--edge", "3", "--perimeter", "12"}, {"--bogus"}, {"--minutes"}, {"--terminals", "2.5"},
                {"--terminals", "40m"}};
        String[] expected = {"--density -5.0 must be a positive number", "--clusters 0 must be from 2 to 100000",
                "--terminals 'abc' is not a number", "--routing 'teleport' must be migrate, anchored or threshold",
                "give --edge or --perimeter, not both", "unknown option '--bogus'", "--minutes needs a value",
                "--terminals '2.5' must be a whole number", "heap"};
        for (int i = 0; i < bad.length; i++) {
            err.reset();
            assertThat(run(bad[i])).as(String.join(" ", bad[i])).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(String.join(" ", bad[i])).startsWith("simulate: ")
                    .contains(expected[i]);
        }
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--terminals N").contains("--plots DIR");
    }

    @Test
    void aRunPrintsTheTableAndWritesItAsCsv() throws Exception {
        Path csv = dir.resolve("t.csv");
        assertThat(run("--terminals", "2000", "--clusters", "4", "--edge", "1", "--speed", "60", "--minutes", "1",
                "--speedup", "1000", "--routing", "migrate", "--csv", csv.toString())).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("minute 1/1:").contains("crossings/s per cluster, measured");
        assertThat(Files.readAllLines(csv)).first().isEqualTo("measure,migrate");
        assertThat(Files.readAllLines(csv)).anyMatch(l -> l.startsWith("failed moves,0"));
    }

    @Test
    void theFiguresAreWellFormedSvg() throws Exception {
        Path csv = dir.resolve("table1-perimeter.csv");
        Files.writeString(csv,
                "measure,migrate,anchored\n\"long-distance kbps per cluster (MIGRATE/DONE)\",11.5,0.0\n");
        Files.copy(csv, dir.resolve("table1-edge.csv"));
        assertThat(run("--plots", dir.toString())).isZero();
        for (String f : new String[]{"table1-crossings-speed.svg", "table1-crossings-edge.svg",
                "table1-signalling.svg"}) {
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve(f).toFile());
            assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        }
        assertThat(Svg.escape("a<b & \"c\"")).isEqualTo("a&lt;b &amp; &quot;c&quot;");
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParseTest {
    @Test
    void byteCountsWithAndWithoutUnits() {
        assertThat(Parse.bytes("0")).isZero();
        assertThat(Parse.bytes("72000")).isEqualTo(72_000);
        assertThat(Parse.bytes("72k")).isEqualTo(72 * 1024);
        assertThat(Parse.bytes("72K")).isEqualTo(72 * 1024);
        assertThat(Parse.bytes("72KiB")).isEqualTo(72 * 1024);
        assertThat(Parse.bytes(" 1m ")).isEqualTo(1024 * 1024);
        assertThat(Parse.bytes("1MiB")).isEqualTo(1024 * 1024);
        assertThat(Parse.bytes("16m")).isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void anythingElseIsRefusedWithTheAcceptedForms() {
        for (String bad : new String[]{"", "k", "-1", "1.5k", "72kb", "17m", "64m", "99999999999", "1g", "0x10",
                "72 k k"}) {
            assertThatThrownBy(() -> Parse.bytes(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("72k (72 KiB)");
        }
        assertThatThrownBy(() -> Parse.bytes(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numbersAreCheckedAgainstTheirRangeWithTheOptionNamed() {
        assertThat(Parse.number("--count", "1", 1, 10)).isEqualTo(1);
        assertThat(Parse.number("--count", " 10 ", 1, 10)).isEqualTo(10);
        for (String bad : new String[]{"abc", "", "0", "11", "-1", "1.5", "99999999999", "1e3"}) {
            assertThatThrownBy(() -> Parse.number("--count", bad, 1, 10)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--count '" + bad + "' must be a whole number from 1 to 10");
        }
    }

    @Test
    void anOperatorsMistakeIsOnePlainLineAndARealFaultStaysAsItIs() {
        RoamerAction refused = new RoamerAction() {
            @Override
            protected Object run() throws Exception {
                throw new org.roamer.api.RoamerException("unknown cluster 'c9'; clusters here: [c1, c2]");
            }
        };
        assertThatThrownBy(refused::execute).isInstanceOf(org.apache.karaf.shell.support.CommandException.class)
                .hasMessage("unknown cluster 'c9'; clusters here: [c1, c2]")
                .satisfies(e -> assertThat(((org.apache.karaf.shell.support.CommandException) e).getNiceHelp())
                        .isEqualTo("Error executing command: unknown cluster 'c9'; clusters here: [c1, c2]"));
        RoamerAction badValue = new RoamerAction() {
            @Override
            protected Object run() {
                return Parse.number("--count", "abc", 1, 10);
            }
        };
        assertThatThrownBy(badValue::execute).isInstanceOf(org.apache.karaf.shell.support.CommandException.class)
                .hasMessage("--count 'abc' must be a whole number from 1 to 10");
        RoamerAction fault = new RoamerAction() {
            @Override
            protected Object run() {
                throw new IllegalStateException("a bug");
            }
        };
        assertThatThrownBy(fault::execute).isExactlyInstanceOf(IllegalStateException.class);
    }

    @Test
    void transportCountersAreWrappedUnderTheTableWithinAHundredColumns() {
        String details = "datagramsIn=123456 datagramsOut=123456 retransmissions=12 duplicatesDropped=3"
                + " srttMicros=20597 rtoMicros=61792 acksSent=99999 probes=7";
        java.util.List<String> lines = TransportCommand.wrap("uss-c1 udp: ", details, 100);
        assertThat(lines).hasSizeGreaterThan(1).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
        assertThat(lines.get(0)).startsWith("uss-c1 udp: datagramsIn=123456 ");
        assertThat(lines.get(1)).startsWith("            ").doesNotStartWith("             ");
        assertThat(String.join(" ", lines).replaceAll(" +", " ")).isEqualTo("uss-c1 udp: " + details);
        assertThat(TransportCommand.wrap("ls1 udp: ", "a=1", 100)).containsExactly("ls1 udp: a=1");
    }
}

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
        assertThat(Parse.bytes("64m")).isEqualTo(64 * 1024 * 1024);
    }

    @Test
    void anythingElseIsRefusedWithTheAcceptedForms() {
        for (String bad : new String[] {"", "k", "-1", "1.5k", "72kb", "65m", "99999999999", "1g", "0x10", "72 k k"}) {
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
        for (String bad : new String[] {"abc", "", "0", "11", "-1", "1.5", "99999999999", "1e3"}) {
            assertThatThrownBy(() -> Parse.number("--count", bad, 1, 10)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--count '" + bad + "' must be a whole number from 1 to 10");
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.naive.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class VariablesRoundTripPropertiesTest {
    private final NaiveStrategy strategy = new NaiveStrategy();

    @Property(tries = 500)
    void anyValidVariablesRoundTripExactly(@ForAll("variables") MigrationVariables vars) throws Exception {
        byte[] chunk = Fixtures.captureOne(strategy, vars);
        assertThat(Fixtures.restore(strategy, vars.mobile(), chunk)).isEqualTo(vars);
    }

    @Property(tries = 200)
    void anyStrictPrefixIsRefused(@ForAll("variables") MigrationVariables vars,
            @ForAll @IntRange(min = 0, max = 10_000) int cut) throws Exception {
        byte[] chunk = Fixtures.captureOne(strategy, vars);
        byte[] prefix = Arrays.copyOf(chunk, cut % chunk.length);
        assertThatThrownBy(() -> Fixtures.restore(strategy, vars.mobile(), prefix))
                .isExactlyInstanceOf(MigrationException.class);
    }

    @Property(tries = 200)
    void anySingleByteChangeIsRefused(@ForAll("variables") MigrationVariables vars,
            @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 1, max = 255) int delta)
            throws Exception {
        byte[] chunk = Fixtures.captureOne(strategy, vars);
        byte[] garbled = chunk.clone();
        garbled[position % chunk.length] += (byte) delta;
        assertThatThrownBy(() -> Fixtures.restore(strategy, vars.mobile(), garbled))
                .isExactlyInstanceOf(MigrationException.class).hasMessageStartingWith("checksum mismatch");
    }

    @Property(tries = 200)
    void idleIsNeverLargerThanTheSameAgentInACall(@ForAll("variables") MigrationVariables vars) throws Exception {
        MigrationVariables idle = new MigrationVariables(vars.mobile(), vars.profile(), List.of(), vars.radioPort(),
                vars.delivered());
        MigrationVariables withCall = new MigrationVariables(vars.mobile(), vars.profile(),
                List.of(new ActiveCall("c1", CallType.VOICE, List.of(), false, null)), vars.radioPort(),
                vars.delivered());
        assertThat(Fixtures.captureOne(strategy, idle).length)
                .isLessThan(Fixtures.captureOne(strategy, withCall).length);
    }

    @Provide
    Arbitrary<MigrationVariables> variables() {
        Arbitrary<List<ActiveCall>> calls = call().list().ofMaxSize(4);
        Arbitrary<String> radioPort = radioPort().injectNull(0.3);
        Arbitrary<Long> delivered = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().greaterOrEqual(0));
        return Combinators.combine(mobile(), profile(), calls, radioPort, delivered).as(MigrationVariables::new);
    }

    private Arbitrary<Profile> profile() {
        Arbitrary<Set<String>> words = word().set().ofMaxSize(Profile.MAX_ENTRIES);
        return Combinators.combine(Arbitraries.of(true, false), words, words, mobile().injectNull(0.5))
                .as(Profile::new);
    }

    private Arbitrary<ActiveCall> call() {
        return Combinators.combine(id(), Arbitraries.of(CallType.class), mobile().list().ofMaxSize(8),
                Arbitraries.of(true, false), radioPort().injectNull(0.3)).as(ActiveCall::new);
    }

    private static Arbitrary<MobileId> mobile() {
        return id().map(MobileId::of);
    }

    /** Letters, digits and _ . - starting with a letter or digit; 1-64 characters. */
    private static Arbitrary<String> id() {
        Arbitrary<Character> first = Arbitraries.chars().alpha().numeric();
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars('_', '.', '-').ofMaxLength(63);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    private static Arbitrary<String> word() {
        Arbitrary<Character> first = Arbitraries.chars().range('a', 'z').numeric();
        Arbitrary<String> rest = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('_', '-')
                .ofMaxLength(31);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    /** Printable text, including quotes, backslashes and non-ASCII, which the JSON must escape or encode. */
    private static Arbitrary<String> radioPort() {
        return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\ud7ff')
                .withCharRange('\ue000', '\ufffd').withChars('"', '\\', '/', '\u2028')
                .ofMinLength(1).ofMaxLength(VariablesCodec.MAX_RADIO_PORT);
    }
}

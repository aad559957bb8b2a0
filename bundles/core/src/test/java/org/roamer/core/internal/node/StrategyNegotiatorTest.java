/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.core.internal.node.StrategyNegotiator.End;
import org.roamer.core.internal.node.StrategyNegotiator.Outcome;

/** {@link StrategyNegotiator}: the choice, the filter for a peer of another agent version, and the reasons. */
class StrategyNegotiatorTest {
    static final AgentType V1 = new AgentType("org.roamer.core", "0.1.0", 0xabcL);
    static final AgentType V2 = new AgentType("org.roamer.core", "0.2.0", 0xdefL);
    static final List<String> MINE = List.of("tern", "naive", "condor");
    static final End SOURCE = new End("uss-c1", MINE, V1);

    @Test
    void negotiationTakesTheRequestedStrategyOnlyWhenBothHaveItAndItQualifies() {
        List<String> mine = List.of("tern", "naive", "condor");
        assertThat(StrategyNegotiator.choose(mine, List.of("naive", "tern"), "naive", s -> true)).isEqualTo("naive");
        assertThat(StrategyNegotiator.choose(mine, List.of("tern"), "naive", s -> true)).as("peer lacks it").isNull();
        assertThat(StrategyNegotiator.choose(List.of("tern"), List.of("naive"), "naive", s -> true)).as("I lack it")
                .isNull();
        assertThat(StrategyNegotiator.choose(mine, List.of("naive"), "naive", s -> false)).as("does not qualify")
                .isNull();
    }

    @Test
    void negotiationOtherwiseTakesMyFirstChoiceThePeerHasThatQualifies() {
        List<String> mine = List.of("tern", "naive", "condor");
        assertThat(StrategyNegotiator.choose(mine, List.of("condor", "naive", "tern"), null, s -> true))
                .as("my order, not the peer's").isEqualTo("tern");
        assertThat(StrategyNegotiator.choose(mine, List.of("condor", "naive"), null, s -> true)).isEqualTo("naive");
        assertThat(StrategyNegotiator.choose(mine, List.of("condor", "tern"), null, Set.of("condor")::contains))
                .as("only heterogeneous ones qualify").isEqualTo("condor");
        assertThat(StrategyNegotiator.choose(mine, List.of("other"), null, s -> true)).isNull();
        assertThat(StrategyNegotiator.choose(mine, List.of(), null, s -> true)).isNull();
        assertThat(StrategyNegotiator.choose(mine, null, null, s -> true)).as("peer said nothing").isNull();
        assertThat(StrategyNegotiator.choose(mine, null, "tern", s -> true)).isNull();
    }

    @Test
    void aPeerRunningTheSameAgentOrNotSayingTakesAnyStrategy() {
        assertThat(StrategyNegotiator.negotiate(SOURCE, new End("uss-c2", List.of("condor", "tern"), V1), null,
                s -> false)).isEqualTo(new Outcome("tern", null));
        assertThat(StrategyNegotiator.negotiate(SOURCE, new End("uss-c2", List.of("condor", "tern"), null), null,
                s -> false)).as("no agent type given: no filtering").isEqualTo(new Outcome("tern", null));
        assertThat(StrategyNegotiator.negotiate(SOURCE, new End("uss-c2", List.of("condor"), V1), "condor",
                s -> false)).isEqualTo(new Outcome("condor", null));
    }

    @Test
    void aPeerRunningAnotherAgentTakesOnlyHeterogeneousStrategies() {
        End other = new End("uss-c2", List.of("condor", "naive", "tern"), V2);
        assertThat(StrategyNegotiator.negotiate(SOURCE, other, null, "naive"::equals))
                .as("Table 2: NAIVE instead of a whole-state image").isEqualTo(new Outcome("naive", null));
        assertThat(StrategyNegotiator.negotiate(SOURCE, other, "naive", "naive"::equals))
                .isEqualTo(new Outcome("naive", null));
        Outcome refused = StrategyNegotiator.negotiate(SOURCE, other, "tern", "naive"::equals);
        assertThat(refused.strategy()).isNull();
        assertThat(refused.reason()).isEqualTo("strategy 'tern' cannot be used: uss-c1 has [tern, naive, condor],"
                + " uss-c2 has [condor, naive, tern]; uss-c2 runs agent org.roamer.core 0.2.0 (layout def), uss-c1"
                + " runs org.roamer.core 0.1.0 (layout abc), so only heterogeneous strategies qualify");
    }

    @Test
    void withoutACommonStrategyTheReasonNamesWhatEachEndHas() {
        assertThat(StrategyNegotiator.negotiate(SOURCE, new End("uss-c2", List.of("other"), V1), null, s -> true))
                .isEqualTo(new Outcome(null,
                        "no common strategy: uss-c1 has [tern, naive, condor], uss-c2 has [other]"));
        assertThat(StrategyNegotiator.negotiate(SOURCE, new End("uss-c2", null, null), null, s -> true))
                .as("the peer named none")
                .isEqualTo(new Outcome(null, "no common strategy: uss-c1 has [tern, naive, condor], uss-c2 has none"));
        assertThat(StrategyNegotiator.negotiate(SOURCE, new End("uss-c2", List.of("naive"), V1), "tern", s -> true))
                .isEqualTo(new Outcome(null,
                        "strategy 'tern' cannot be used: uss-c1 has [tern, naive, condor], uss-c2 has [naive]"));
    }

    @Test
    void whatThePeerSaidIsPrintedPrintableAndShort() {
        End rogue = new End("uss\n-c2", List.of("x\u0000y"), new AgentType("b\tundle", "1", 1));
        Outcome refused = StrategyNegotiator.negotiate(SOURCE, rogue, "n\u007fme" + "a".repeat(80), s -> true);
        assertThat(refused.reason()).isEqualTo("strategy 'n?me" + "a".repeat(60) + "...' cannot be used: uss-c1 has"
                + " [tern, naive, condor], uss?-c2 has [x?y]; uss?-c2 runs agent b?undle 1 (layout 1), uss-c1 runs"
                + " org.roamer.core 0.1.0 (layout abc), so only heterogeneous strategies qualify");
    }
}

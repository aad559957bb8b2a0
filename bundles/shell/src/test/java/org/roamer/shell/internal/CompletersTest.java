/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.support.completers.ArgumentCommandLine;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.junit.jupiter.api.Test;
import org.roamer.api.NodeId;
import org.roamer.api.NodeRole;
import org.roamer.api.RoamerNetwork;

/** What each {@code roamer:*} argument and option completes, through the completer its field names. */
class CompletersTest {
    private final FakeNetwork network = new FakeNetwork()
            .node("ls", NodeRole.LOCATION_SERVER, null)
            .node("cs-c1", NodeRole.CALL_SERVER, "c1")
            .node("rp-c1", NodeRole.RADIO_PORT, "c1")
            .node("uss-c1", NodeRole.USER_SIGNALING_SERVER, "c1")
            .node("conn-c2", NodeRole.CONNECTION_SERVER, "c2")
            .node("uss-c2", NodeRole.USER_SIGNALING_SERVER, "c2")
            .agent("m1", "uss-c1", "call-1")
            .agent("m2", "uss-c2")
            .agent("x9", "uss-c2", "call-2")
            .strategies("uss-c1", "naive", "tern")
            .strategies("uss-c2", "naive", "condor")
            .routing("uss-c1", "migrate", "anchored")
            .routing("uss-c2", "migrate", "threshold")
            .transports("ls", "tcp", "inproc")
            .transports("uss-c1", "tcp", "udp")
            .transports("uss-c2", "tcp")
            .checkpoints("uss-c1", "m1", "m3")
            .checkpoints("uss-c2", "m4", "m3");

    @Test
    void restoreCompletesMobilesWithACheckpointThenTheUssNodesHoldingIt() {
        assertThat(complete(RestoreCommand.class, "mobile", "roamer:restore ")).containsExactly("m1", "m3", "m4");
        assertThat(complete(RestoreCommand.class, "mobile", "roamer:restore m4")).containsExactly("m4");
        assertThat(complete(RestoreCommand.class, "mobile", "roamer:restore m2")).isEmpty();
        assertThat(complete(RestoreCommand.class, "node", "roamer:restore m4 ")).containsExactly("uss-c2");
        assertThat(complete(RestoreCommand.class, "node", "roamer:restore m3 ")).containsExactly("uss-c1", "uss-c2");
        assertThat(complete(RestoreCommand.class, "node", "roamer:restore m3 uss-c2")).containsExactly("uss-c2");
        // no checkpoint known for the mobile: every USS node, never a node of another role
        assertThat(complete(RestoreCommand.class, "node", "roamer:restore m9 ")).containsExactly("uss-c1", "uss-c2");
    }

    @Test
    void checkpointsCompletesUssNodesAndRemoveTheMobilesWithACheckpoint() {
        assertThat(complete(CheckpointsCommand.class, "node", "roamer:checkpoints ")).containsExactly("uss-c1",
                "uss-c2");
        assertThat(complete(CheckpointsCommand.class, "remove", "roamer:checkpoints --remove "))
                .containsExactly("m1", "m3", "m4");
        assertThat(complete(CheckpointsCommand.class, "node", "roamer:checkpoints --remove m1 "))
                .containsExactly("uss-c1");
    }

    @Test
    void strategyCompletesUssNodesThenTheStrategiesOfTheNodeNamed() {
        assertThat(complete(StrategyCommand.class, "node", "roamer:strategy ")).containsExactly("uss-c1", "uss-c2");
        assertThat(complete(StrategyCommand.class, "strategy", "roamer:strategy uss-c1 ")).containsExactly("naive",
                "tern");
        assertThat(complete(StrategyCommand.class, "strategy", "roamer:strategy uss-c2 ")).containsExactly("condor",
                "naive");
        assertThat(complete(StrategyCommand.class, "strategy", "roamer:strategy uss-c2 c")).containsExactly("condor");
        assertThat(complete(StrategiesCommand.class, "node", "roamer:strategies ")).containsExactly("uss-c1",
                "uss-c2");
    }

    @Test
    void strategyOptionsOfBenchAndMoveCompleteTheInstalledStrategies() {
        assertThat(complete(BenchCommand.class, "strategy", "roamer:bench --strategy ")).containsExactly("condor",
                "naive", "tern");
        assertThat(complete(MoveCommand.class, "strategy", "roamer:move m1 c2 --strategy t")).containsExactly("tern");
        assertThat(complete(MoveCommand.class, "trailing", "roamer:move m1 c2 --s")).containsExactly("--strategy");
        assertThat(complete(MoveCommand.class, "mobile", "roamer:move ")).containsExactly("m1", "m2", "x9");
        assertThat(complete(MoveCommand.class, "cluster", "roamer:move m1 ")).containsExactly("c1", "c2");
    }

    @Test
    void benchStrategiesCompletesTheLastEntryOfTheListWithoutASpace() {
        assertThat(raw(BenchCommand.class, "strategies", "roamer:bench --strategies ")).containsExactly("condor",
                "naive", "tern");
        assertThat(raw(BenchCommand.class, "strategies", "roamer:bench --strategies naive,"))
                .containsExactly("naive,condor", "naive,tern");
        assertThat(raw(BenchCommand.class, "strategies", "roamer:bench --strategies naive,tern,c"))
                .containsExactly("naive,tern,condor");
        assertThat(raw(BenchCommand.class, "strategies", "roamer:bench --strategies naive,tern,condor,")).isEmpty();
        assertThat(raw(BenchCommand.class, "strategies", "roamer:bench --strategies naive,naive,")).containsExactly(
                "naive,naive,condor", "naive,naive,tern");
    }

    @Test
    void routingCompletesUssNodesOrAfterAllAPolicyThenTheNodesPolicies() {
        assertThat(complete(RoutingCommand.class, "first", "roamer:routing ")).containsExactly("uss-c1", "uss-c2");
        assertThat(complete(RoutingCommand.class, "first", "roamer:routing --all ")).containsExactly("anchored",
                "migrate", "threshold");
        assertThat(complete(RoutingCommand.class, "second", "roamer:routing uss-c1 ")).containsExactly("anchored",
                "migrate");
        assertThat(complete(RoutingCommand.class, "second", "roamer:routing uss-c2 t")).containsExactly("threshold");
    }

    @Test
    void transportCompletesUssNodesAndLocationServersOrAfterAllATransportThenTheNodesTransports() {
        assertThat(complete(TransportCommand.class, "first", "roamer:transport ")).containsExactly("ls", "uss-c1",
                "uss-c2");
        assertThat(complete(TransportCommand.class, "first", "roamer:transport --all ")).containsExactly("inproc",
                "tcp", "udp");
        assertThat(complete(TransportCommand.class, "second", "roamer:transport ls ")).containsExactly("inproc", "tcp");
        assertThat(complete(TransportCommand.class, "second", "roamer:transport uss-c2 ")).containsExactly("tcp");
    }

    @Test
    void mobilesClustersCallsAndCallTypes() {
        assertThat(complete(AgentCommand.class, "mobile", "roamer:agent ")).containsExactly("m1", "m2", "x9");
        assertThat(complete(AgentCommand.class, "mobile", "roamer:agent m")).containsExactly("m1", "m2");
        assertThat(complete(AgentsCommand.class, "cluster", "roamer:agents --cluster ")).containsExactly("c1", "c2");
        assertThat(complete(HangupCommand.class, "callId", "roamer:hangup ")).containsExactly("call-1", "call-2");
        assertThat(complete(CallCommand.class, "callee", "roamer:call m1 x")).containsExactly("x9");
        assertThat(complete(CallCommand.class, "type", "roamer:call m1 m2 --type v")).containsExactly("video",
                "voice");
        assertThat(complete(CallCommand.class, "trailing", "roamer:call m1 m2 -")).containsExactly("--type");
        assertThat(complete(RegisterCommand.class, "cluster", "roamer:register m9 ")).containsExactly("c1", "c2");
        assertThat(complete(RegisterCommand.class, "forward", "roamer:register m9 c1 --forward ")).containsExactly(
                "m1", "m2", "x9");
        assertThat(complete(RegisterCommand.class, "trailing", "roamer:register m9 c1 --")).containsExactly("--apps",
                "--caps", "--forward", "--no-mob-term");
    }

    @Test
    void registerAcceptsTheNewMobileIdTypedWithoutCompletingIt() {
        assertThat(raw(RegisterCommand.class, "mobile", "roamer:register m9")).containsExactly("m9");
        assertThat(raw(RegisterCommand.class, "mobile", "roamer:register ")).isEmpty();
        assertThat(raw(RegisterCommand.class, "mobile", "roamer:register bad:id")).isEmpty();
    }

    /** Karaf completes an argument only when each one before it is, alone, a candidate of its own completer. */
    @Test
    void argumentsBeforeACompletedOneAreAcceptedAlone() {
        Object[][] cases = {
                {RestoreCommand.class, "mobile", "m3"},
                {StrategyCommand.class, "node", "uss-c1"},
                {RoutingCommand.class, "first", "uss-c2"},
                {TransportCommand.class, "first", "ls"},
                {CallCommand.class, "caller", "m1"},
                {CallCommand.class, "callee", "x9"},
                {MoveCommand.class, "mobile", "m2"},
                {MoveCommand.class, "cluster", "c2"},
                {RegisterCommand.class, "mobile", "m9"},
                {RegisterCommand.class, "cluster", "c1"},
        };
        for (Object[] c : cases) {
            String value = (String) c[2];
            List<String> candidates = new ArrayList<>();
            completer((Class<?>) c[0], (String) c[1]).complete(Line.SESSION,
                    new ArgumentCommandLine(value, value.length()), candidates);
            assertThat(candidates).as(Arrays.toString(c)).extracting(String::strip).contains(value);
        }
    }

    @Test
    void aNodeThatFailsIsSkipped() {
        network.failing.add(NodeId.of("uss-c1"));
        assertThat(complete(BenchCommand.class, "strategy", "roamer:bench --strategy ")).containsExactly("condor",
                "naive");
        assertThat(complete(StrategyCommand.class, "strategy", "roamer:strategy uss-c1 ")).isEmpty();
        assertThat(complete(RestoreCommand.class, "mobile", "roamer:restore ")).containsExactly("m3", "m4");
        assertThat(complete(RoutingCommand.class, "first", "roamer:routing --all ")).containsExactly("migrate",
                "threshold");
        network.failing.add(NodeId.of("uss-c2"));
        assertThat(complete(RestoreCommand.class, "node", "roamer:restore m4 ")).containsExactly("uss-c1", "uss-c2");
    }

    /** A network failure, a RoamerException or a missing service: no candidates and nothing thrown. */
    @Test
    void everyCompleterGivesNoCandidatesWhenTheNetworkFails() throws Exception {
        List<Class<?>> withNetwork = Arrays.stream(Completers.class.getDeclaredClasses())
                .filter(Completer.class::isAssignableFrom).filter(CompletersTest::needsNetwork).toList();
        assertThat(withNetwork).hasSizeGreaterThanOrEqualTo(13);
        String[] lines = {"roamer:x ", "roamer:x m", "roamer:x --all ", "roamer:x uss-c1 ", "roamer:x m3 ",
                "roamer:x --strategies naive,"};
        network.down = true;
        for (Class<?> type : withNetwork) {
            for (RoamerNetwork n : new RoamerNetwork[]{network, null}) {
                Completer completer = instantiate(type, n);
                for (String line : lines) {
                    List<String> candidates = new ArrayList<>();
                    assertThatCode(() -> assertThat(completer.complete(Line.SESSION, Line.of(line), candidates))
                            .isEqualTo(-1)).as(type.getSimpleName() + " " + line).doesNotThrowAnyException();
                    assertThat(candidates).as(type.getSimpleName() + " " + line).isEmpty();
                }
            }
        }
        network.down = false;
        network.failing.add(NodeId.of("uss-c1"));
        network.failing.add(NodeId.of("uss-c2"));
        network.failing.add(NodeId.of("ls"));
        for (String line : lines) {
            assertThat(complete(BenchCommand.class, "strategy", line)).as(line).isEmpty();
            assertThat(complete(RestoreCommand.class, "mobile", line)).as(line).isEmpty();
            assertThat(complete(TransportCommand.class, "second", line)).as(line).isEmpty();
            assertThat(complete(RoutingCommand.class, "second", line)).as(line).isEmpty();
        }
    }

    @Test
    void completionIsBounded() {
        for (int i = 0; i < 5000; i++) {
            network.agent("m" + (10_000 + i), "uss-c1");
        }
        assertThat(complete(AgentCommand.class, "mobile", "roamer:agent ")).hasSize(Completers.MAX_CANDIDATES);
        // the limit applies to what matches the text typed: a mobile far down the list is still offered
        assertThat(complete(AgentCommand.class, "mobile", "roamer:agent m14999")).containsExactly("m14999");
        for (int i = 0; i < 40; i++) {
            network.node("uss-x" + i, NodeRole.USER_SIGNALING_SERVER, "x" + i).strategies("uss-x" + i, "s" + i);
        }
        network.asked.clear();
        assertThat(complete(BenchCommand.class, "strategy", "roamer:bench --strategy ")).hasSizeLessThanOrEqualTo(
                Completers.MAX_NODES + 2);
        assertThat(network.asked).hasSizeLessThanOrEqualTo(Completers.MAX_NODES);
    }

    private static boolean needsNetwork(Class<?> type) {
        return Arrays.stream(type.getDeclaredFields()).anyMatch(f -> f.getType() == RoamerNetwork.class);
    }

    /** The completer the field's {@code @Completion} names, as Karaf builds it, with the fake network. */
    private Completer completer(Class<?> command, String field) {
        try {
            Completion c = command.getDeclaredField(field).getAnnotation(Completion.class);
            assertThat(c).as(command.getSimpleName() + "." + field + " has no @Completion").isNotNull();
            if (c.value() == StringsCompleter.class) {
                return new StringsCompleter(c.values(), c.caseSensitive());
            }
            return instantiate(c.value(), network);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static Completer instantiate(Class<?> type, RoamerNetwork network) {
        try {
            Completer completer = (Completer) type.getDeclaredConstructor().newInstance();
            for (Field f : type.getDeclaredFields()) {
                if (f.getType() == RoamerNetwork.class) {
                    f.setAccessible(true);
                    f.set(completer, network);
                }
            }
            return completer;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The candidates, as offered (a complete one ends with a space). */
    private List<String> raw(Class<?> command, String field, String line) {
        List<String> candidates = new ArrayList<>();
        CommandLine l = Line.of(line);
        int at = completer(command, field).complete(Line.SESSION, l, candidates);
        assertThat(at).as(line).isEqualTo(candidates.isEmpty() ? -1 : l.getBufferPosition() - l.getArgumentPosition());
        return candidates;
    }

    /** The candidates, which must all be complete, without their space. */
    private List<String> complete(Class<?> command, String field, String line) {
        List<String> candidates = raw(command, field, line);
        assertThat(candidates).as(line).allMatch(c -> c.endsWith(" "));
        return candidates.stream().map(String::strip).toList();
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.junit.jupiter.api.Test;

/** Every {@code roamer:*} argument and option that names something the network knows completes it. */
class CompletionCoverageTest {
    /** What an operator names and completion can offer; found in an argument's or option's name or description. */
    static final Pattern COMPLETABLE = Pattern.compile("mobile|cluster|node|strateg|routing|polic|transport|call id");

    /** Fields that mention such a thing without naming one, with the reason. */
    static final Map<String, String> EXEMPT = Map.of(
            "BenchCommand.concurrencyText", "a number of mobiles, not a mobile",
            "SimulateCommand.clusters", "a number of clusters for a private simulated network",
            "SimulateCommand.edge", "a length in km",
            "SimulateCommand.perimeter", "a length in km",
            "SimulateCommand.hopDelay", "a delay in ms");

    @Test
    void everyArgumentOrOptionNamingAMobileClusterNodeStrategyPolicyOrTransportCompletes() throws Exception {
        List<Class<?>> commands = commands();
        assertThat(commands).extracting(Class::getSimpleName).contains("RestoreCommand", "StrategyCommand",
                "BenchCommand", "RoutingCommand", "TransportCommand", "CheckpointsCommand").hasSizeGreaterThan(15);
        List<String> missing = new ArrayList<>();
        List<String> exempted = new ArrayList<>();
        for (Class<?> command : commands) {
            for (Field f : command.getDeclaredFields()) {
                String key = command.getSimpleName() + "." + f.getName();
                String text = words(f);
                if (text == null || f.getType() == boolean.class || f.getType() == Boolean.class) {
                    continue; // not an argument or option, or a flag: no value to complete
                }
                if (EXEMPT.containsKey(key)) {
                    exempted.add(key);
                } else if (COMPLETABLE.matcher(text).find() && f.getAnnotation(Completion.class) == null) {
                    missing.add(key + " (" + text + ")");
                }
            }
        }
        assertThat(missing).as("arguments and options without @Completion").isEmpty();
        assertThat(exempted).as("exemptions that no longer match a field").containsExactlyInAnyOrderElementsOf(
                EXEMPT.keySet());
    }

    @Test
    void ussOnlyArgumentsDoNotCompleteEveryNode() throws Exception {
        for (Class<?> command : commands()) {
            for (Field f : command.getDeclaredFields()) {
                String text = words(f);
                Completion c = f.getAnnotation(Completion.class);
                if (text != null && c != null && text.contains("uss")) {
                    assertThat(c.value()).as(command.getSimpleName() + "." + f.getName())
                            .isNotEqualTo(Completers.Nodes.class);
                }
            }
        }
    }

    /**
     * Karaf completes an argument only when each argument before it is a candidate of its own completer, so an
     * argument before a completed one needs a completer too.
     */
    @Test
    void argumentsBeforeACompletedArgumentComplete() throws Exception {
        for (Class<?> command : commands()) {
            Map<Integer, Field> arguments = new TreeMap<>();
            for (Field f : command.getDeclaredFields()) {
                Argument a = f.getAnnotation(Argument.class);
                if (a != null) {
                    arguments.put(a.index(), f);
                }
            }
            boolean later = false;
            for (Field f : reversed(arguments)) {
                if (later) {
                    assertThat(f.getAnnotation(Completion.class))
                            .as(command.getSimpleName() + "." + f.getName() + " is before a completed argument")
                            .isNotNull();
                }
                later |= f.getAnnotation(Completion.class) != null;
            }
        }
    }

    /** Each completer named is one Karaf can build: a strings list, or a completer service of this bundle. */
    @Test
    void completersNamedAreServicesOrStringLists() throws Exception {
        for (Class<?> command : commands()) {
            for (Field f : command.getDeclaredFields()) {
                Completion c = f.getAnnotation(Completion.class);
                if (c == null) {
                    continue;
                }
                String key = command.getSimpleName() + "." + f.getName();
                if (c.value() == StringsCompleter.class) {
                    assertThat(c.values()).as(key).isNotEmpty();
                } else {
                    assertThat(c.value().getDeclaringClass()).as(key).isEqualTo(Completers.class);
                    assertThat(Completer.class.isAssignableFrom(c.value())).as(key).isTrue();
                    assertThat(c.value().getAnnotation(Service.class)).as(key).isNotNull();
                    assertThat(Modifier.isPublic(c.value().getModifiers())).as(key).isTrue();
                    assertThat(CompletersTest.instantiate(c.value(), new FakeNetwork())).as(key).isNotNull();
                }
            }
        }
    }

    /** The argument's or option's name, the field's name and the description, lower case; null for another field. */
    static String words(Field f) {
        Argument a = f.getAnnotation(Argument.class);
        Option o = f.getAnnotation(Option.class);
        if (a != null) {
            return (a.name() + " " + f.getName() + " " + a.description()).toLowerCase(Locale.ROOT);
        }
        if (o != null) {
            return (o.name() + " " + f.getName() + " " + o.description()).toLowerCase(Locale.ROOT);
        }
        return null;
    }

    static List<Field> reversed(Map<Integer, Field> byIndex) {
        List<Field> fields = new ArrayList<>(byIndex.values());
        Collections.reverse(fields);
        return fields;
    }

    /** The {@code @Command} classes of this package, found in the class directories of the class path. */
    static List<Class<?>> commands() throws Exception {
        String pkg = CompletionCoverageTest.class.getPackageName();
        TreeSet<String> names = new TreeSet<>();
        for (URL url : Collections.list(CompletionCoverageTest.class.getClassLoader()
                .getResources(pkg.replace('.', '/')))) {
            assertThat(url.getProtocol()).as(url.toString()).isEqualTo("file");
            File[] files = new File(url.toURI()).listFiles((d, n) -> n.endsWith(".class") && !n.contains("$"));
            for (File file : files == null ? new File[0] : files) {
                names.add(pkg + "." + file.getName().substring(0, file.getName().length() - ".class".length()));
            }
        }
        List<Class<?>> commands = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name);
            if (type.isAnnotationPresent(Command.class)) {
                commands.add(type);
            }
        }
        return commands;
    }
}

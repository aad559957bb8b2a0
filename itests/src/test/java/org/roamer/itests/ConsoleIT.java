/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's console as the README shows it, against the distribution run as its own process
 * ({@link KarafProcess}), through {@code bin/client -b} like a script would:
 * <ul>
 * <li>every console session of the README (a fenced block with {@code karaf@root()> } lines) is executed command by
 * command, and each output the README shows must be what the command printed (see {@link Expected});</li>
 * <li>every {@code roamer:*} command, given bad input, prints one plain line and the client exits non-zero.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    private static final String PROMPT = "karaf@root()> ";
    private static final Path README = Path.of("..", "README.md");
    private static final Path COMMANDS = Path.of("..", "bundles", "shell", "src", "main", "java", "org", "roamer",
            "shell", "internal");

    private KarafProcess k;
    private boolean passed = true;

    @BeforeAll
    void start() throws Exception {
        k = new KarafProcess("console");
        // the README's sessions run on the distribution's own settings: restore on start as shipped
        for (Path cfg : k.ussConfigs()) {
            KarafProcess.put(cfg, Map.of("checkpoint.interval.s", "0", "checkpoint.restore.on.start", "true"));
        }
        k.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (passed) {
            k.passed();
        }
        k.close();
    }

    // ------------------------------------------------------------------ the README's sessions

    @Test
    @Order(1)
    void theReadmesConsoleSessionsPrintWhatTheReadmeShows() throws Exception {
        passed = false;
        List<Session> sessions = sessions(Files.readAllLines(README, StandardCharsets.UTF_8));
        assertThat(sessions).as("console sessions in the README").hasSizeGreaterThanOrEqualTo(3);
        Map<String, String> ids = new HashMap<>(); // a README id (e.g. call-701971001) -> the one this run printed
        List<String> mismatches = new ArrayList<>();
        int commands = 0;
        for (Session session : sessions) {
            reset();
            for (Step step : session.steps()) {
                String command = substitute(step.command(), ids);
                KarafProcess.Result r = k.client(List.of(command), 5);
                commands++;
                k.log("README line %d: %s (exit %d)%n%s", step.line(), command, r.code(), r.output());
                assertThat(r.code()).as("README line %d: %s failed:%n%s", step.line(), command, r.output()).isZero();
                assertThat(r.output()).as("colour codes in the output of " + command).doesNotContain("\u001b[");
                String why = Expected.of(step.output()).match(lines(r.output()), ids);
                if (why != null) {
                    mismatches.add("README line " + step.line() + ": " + command + "\n  " + why + "\n  printed:\n    "
                            + String.join("\n    ", lines(r.output())));
                }
            }
        }
        k.log("%d README sessions, %d commands", sessions.size(), commands);
        assertThat(mismatches).as("README outputs that differ from what the commands print").isEmpty();
        passed = true;
    }

    /** Before each README session: a network with no mobile (each session starts from the default network). */
    private void reset() throws Exception {
        List<String> mobiles = k.console("roamer:agents --limit 1000000").lines()
                .map(l -> Stream.of(l.split("\\|")).map(String::trim).toList())
                .filter(c -> c.size() == 7 && !c.get(0).equals("Mobile") && !c.get(0).startsWith("-"))
                .map(c -> c.get(0)).toList();
        for (String m : mobiles) {
            k.console("roamer:deregister " + m);
        }
    }

    private static String substitute(String command, Map<String, String> ids) {
        String out = command;
        for (Map.Entry<String, String> e : ids.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    record Step(int line, String command, List<String> output) {
    }

    record Session(int line, List<Step> steps) {
    }

    /** The README's fenced blocks that contain console prompts, as commands and the output shown under each. */
    static List<Session> sessions(List<String> readme) {
        List<Session> sessions = new ArrayList<>();
        boolean inBlock = false;
        List<Step> steps = null;
        int blockLine = 0;
        String command = null;
        int commandLine = 0;
        List<String> output = null;
        for (int i = 0; i < readme.size(); i++) {
            String line = readme.get(i);
            if (line.startsWith("```")) {
                if (inBlock) {
                    if (command != null) {
                        steps.add(new Step(commandLine, command, output));
                    }
                    if (!steps.isEmpty()) {
                        sessions.add(new Session(blockLine, List.copyOf(steps)));
                    }
                    command = null;
                }
                inBlock = !inBlock;
                steps = new ArrayList<>();
                blockLine = i + 1;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            if (line.startsWith(PROMPT)) {
                if (command != null) {
                    steps.add(new Step(commandLine, command, output));
                }
                command = withoutComment(line.substring(PROMPT.length()));
                commandLine = i + 1;
                output = new ArrayList<>();
            } else if (command != null) {
                output.add(withoutComment(line));
            }
        }
        return sessions;
    }

    /** A line without its trailing {@code   # comment} (two or more spaces, then #). */
    static String withoutComment(String line) {
        return line.replaceFirst("\\s{2,}#.*$", "").stripTrailing();
    }

    private static List<String> lines(String output) {
        return output.lines().map(String::stripTrailing).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * What the README shows under a command. Nothing shown: not checked (the command must only succeed). Otherwise
     * the printed lines must match the shown ones one for one, where a line {@code ...} stands for any number of
     * lines, every number may differ (times, counts, ids, column widths), a run of spaces or of dashes may be
     * longer or shorter, and indentation is ignored. An id the README shows with a long number (e.g. {@code call-701971001}) is remembered with
     * the number this run printed, so that a later command naming it uses the real one.
     */
    record Expected(List<Pattern> lines, List<String> shown) {
        static final String ANY = "...";
        private static final Pattern TOKEN = Pattern.compile("\\d+(?:\\.\\d+)?|\\s+|-{3,}|[^\\d\\s-]+|-");

        static Expected of(List<String> shown) {
            List<String> kept = new ArrayList<>(shown);
            while (!kept.isEmpty() && kept.get(kept.size() - 1).isBlank()) {
                kept.remove(kept.size() - 1);
            }
            List<Pattern> patterns = new ArrayList<>();
            for (String line : kept) {
                patterns.add(line.strip().equals(ANY) ? null : pattern(line.strip()));
            }
            return new Expected(patterns, kept.stream().map(String::strip).toList());
        }

        static Pattern pattern(String line) {
            StringBuilder re = new StringBuilder();
            Matcher m = TOKEN.matcher(line);
            while (m.find()) {
                String t = m.group();
                if (Character.isDigit(t.charAt(0))) {
                    re.append("(\\d+(?:\\.\\d+)?)");
                } else if (t.isBlank()) {
                    re.append("\\s+");
                } else if (t.length() >= 3 && t.chars().allMatch(c -> c == '-')) {
                    re.append("-+");
                } else {
                    re.append(Pattern.quote(t));
                }
            }
            return Pattern.compile(re.toString());
        }

        /** Null when {@code printed} matches; else why not. Records the long numbers of matched lines in ids. */
        String match(List<String> printed, Map<String, String> ids) {
            if (lines.isEmpty()) {
                return null;
            }
            return match(0, printed, 0, ids);
        }

        private String match(int e, List<String> printed, int p, Map<String, String> ids) {
            if (e == lines.size()) {
                return p == printed.size()
                        ? null
                        : "printed more than the README shows, from: " + printed.get(p);
            }
            if (lines.get(e) == null) { // "...": any number of lines
                for (int skip = p; skip <= printed.size(); skip++) {
                    if (match(e + 1, printed, skip, ids) == null) {
                        return null;
                    }
                }
                return "nothing after '...' matches the README's next line: " + shown(e + 1);
            }
            if (p == printed.size()) {
                return "missing: " + shown.get(e);
            }
            Matcher m = lines.get(e).matcher(printed.get(p).strip());
            if (!m.matches()) {
                return "expected: " + shown.get(e) + "\n  but was:  " + printed.get(p);
            }
            Matcher readme = TOKEN.matcher(shown.get(e));
            int group = 0;
            while (readme.find()) {
                String t = readme.group();
                if (Character.isDigit(t.charAt(0))) {
                    group++;
                    if (t.length() >= 6 && !t.contains(".")) {
                        ids.put(t, m.group(group));
                    }
                }
            }
            return match(e + 1, printed, p + 1, ids);
        }

        private String shown(int e) {
            return e < shown.size() ? shown.get(e) : "(the end)";
        }
    }

    // ------------------------------------------------------------------ bad input

    /** Bad input for each roamer:* command; each must give one plain line and a non-zero exit code. */
    private static final Map<String, List<String>> BAD_INPUT = new LinkedHashMap<>();

    static {
        BAD_INPUT.put("agent", List.of("roamer:agent zz9", "roamer:agent 'bad id!'"));
        BAD_INPUT.put("agents", List.of("roamer:agents --limit -1", "roamer:agents --limit abc",
                "roamer:agents --cluster c9"));
        BAD_INPUT.put("bench", List.of("roamer:bench --count abc", "roamer:bench --count 0",
                "roamer:bench --concurrency 2000", "roamer:bench --size 17m", "roamer:bench --strategy nosuch"));
        BAD_INPUT.put("call", List.of("roamer:call zz9 zz8", "roamer:call zz9 zz8 --type smell"));
        BAD_INPUT.put("checkpoints", List.of("roamer:checkpoints uss-c9", "roamer:checkpoints --remove zz9 uss-c1"));
        BAD_INPUT.put("deregister", List.of("roamer:deregister zz9"));
        BAD_INPUT.put("hangup", List.of("roamer:hangup call-1"));
        BAD_INPUT.put("move", List.of("roamer:move zz9 c1", "roamer:move zz9 c9",
                "roamer:move zz9 c1 --strategy nosuch"));
        BAD_INPUT.put("nodes", List.of("roamer:nodes extra"));
        BAD_INPUT.put("register", List.of("roamer:register zz9 c9", "roamer:register 'bad id!' c1",
                "roamer:register zz9 c1 --forward zz8"));
        BAD_INPUT.put("restore", List.of("roamer:restore zz9", "roamer:restore zz9 uss-c9"));
        BAD_INPUT.put("route", List.of("roamer:route zz9"));
        BAD_INPUT.put("routing", List.of("roamer:routing uss-c9", "roamer:routing uss-c1 nosuch"));
        BAD_INPUT.put("simulate", List.of("roamer:simulate --density -5", "roamer:simulate --routing teleport",
                "roamer:simulate --terminals 40m", "roamer:simulate --edge 3 --perimeter 12"));
        BAD_INPUT.put("send", List.of("roamer:send zz9 hello", "roamer:send zz9 hello --count abc"));
        BAD_INPUT.put("stats", List.of("roamer:stats extra"));
        BAD_INPUT.put("strategies", List.of("roamer:strategies uss-c9"));
        BAD_INPUT.put("strategy", List.of("roamer:strategy uss-c9 naive", "roamer:strategy uss-c1 nosuch"));
        BAD_INPUT.put("transport", List.of("roamer:transport uss-c9", "roamer:transport uss-c1 nosuch"));
    }

    @Test
    @Order(2)
    void everyCommandAnswersBadInputWithOnePlainLineAndAFailingExitCode() throws Exception {
        passed = false;
        assertThat(new TreeSet<>(BAD_INPUT.keySet())).as("every roamer:* command has bad-input cases")
                .isEqualTo(commandNames());
        long logBefore = Files.size(k.home().resolve("data/log/karaf.log"));
        List<String> wrong = new ArrayList<>();
        for (List<String> cases : BAD_INPUT.values()) {
            for (String command : cases) {
                KarafProcess.Result r = k.client(List.of(command), 5);
                List<String> out = lines(r.output());
                k.log("%s -> exit %d: %s", command, r.code(), out);
                if (r.code() == 0 || out.size() != 1) {
                    wrong.add(command + ": exit code " + r.code() + ", " + out.size() + " line(s): " + out);
                    continue;
                }
                String plain = out.get(0).replaceAll("\u001b\\[[0-9;]*m", "");
                if (!plain.startsWith("Error executing command")) {
                    wrong.add(command + ": not an error line: " + out.get(0));
                } else if (plain.contains("Exception")) {
                    wrong.add(command + ": " + out.get(0));
                } else if (!plain.equals(out.get(0)) && !plain.startsWith("Error executing command roamer:")) {
                    // Karaf colours its own parse errors ("Error executing command roamer:nodes: too many arguments
                    // specified") even in batch mode; run.sh client removes the codes. Roamer's own errors have none.
                    wrong.add(command + ": colour codes: " + out.get(0));
                }
            }
        }
        assertThat(wrong).as("bad input not answered with one plain line and a non-zero exit code").isEmpty();
        assertThat(k.console("roamer:agents --limit 1000000")).as("nothing was registered by bad input")
                .doesNotContain("zz9");
        String log = Files.readString(k.home().resolve("data/log/karaf.log"), StandardCharsets.UTF_8)
                .substring((int) logBefore);
        assertThat(log.lines().filter(l -> l.contains("| WARN ") || l.contains("| ERROR ") || l.startsWith("\tat "))
                .filter(l -> !l.contains("sshd")).toList())
                .as("bad operator input is not logged above INFO, nor with a stack trace").isEmpty();
        passed = true;
    }

    /** The {@code name} of every {@code @Command} in the shell bundle's sources. */
    private static Set<String> commandNames() throws IOException {
        Pattern name = Pattern.compile("@Command\\(scope = \"roamer\", name = \"([a-z-]+)\"");
        try (Stream<Path> files = Files.list(COMMANDS)) {
            return files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    Matcher m = name.matcher(Files.readString(p, StandardCharsets.UTF_8));
                    return m.find() ? Stream.of(m.group(1)) : Stream.empty();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}

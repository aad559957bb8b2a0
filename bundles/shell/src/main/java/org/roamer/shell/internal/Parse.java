package org.roamer.shell.internal;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.roamer.api.ClusterId;
import org.roamer.api.MobileId;

/** Argument parsing with operator-readable errors. */
final class Parse {
    private Parse() {
    }

    static MobileId mobile(String s) {
        return MobileId.of(s);
    }

    static ClusterId cluster(String s) {
        return ClusterId.of(s);
    }

    /**
     * Karaf reads options only before the first argument; this takes the options a user wrote after the
     * arguments ({@code roamer:call m2 m1 --type video}). {@code flags} take no value.
     *
     * @return option name to value ("true" for flags)
     * @throws IllegalArgumentException on an unknown option or a missing value
     */
    static java.util.Map<String, String> trailing(java.util.List<String> tokens, Set<String> withValue,
            Set<String> flags) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        if (tokens == null) {
            return out;
        }
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String name = t.contains("=") ? t.substring(0, t.indexOf('=')) : t;
            if (flags.contains(t)) {
                out.put(t, "true");
            } else if (withValue.contains(name)) {
                if (t.contains("=")) {
                    out.put(name, t.substring(t.indexOf('=') + 1));
                } else if (i + 1 < tokens.size()) {
                    out.put(name, tokens.get(++i));
                } else {
                    throw new IllegalArgumentException("option " + name + " needs a value");
                }
            } else {
                throw new IllegalArgumentException("unexpected '" + t + "'; options: " + withValue + " " + flags);
            }
        }
        return out;
    }

    static Set<String> list(String s) {
        if (s == null || s.isBlank()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
        return out;
    }
}

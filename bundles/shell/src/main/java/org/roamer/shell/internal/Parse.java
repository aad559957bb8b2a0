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

    static Set<String> list(String s) {
        if (s == null || s.isBlank()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
        return out;
    }
}

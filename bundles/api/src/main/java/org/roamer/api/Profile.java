/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A mobile's operating profile, sent once over the air in REGISTRATION and then kept by its user agent.
 * Immutable; the sets are sorted copies.
 *
 * @param mobTerm      MOB_TERM: whether the mobile accepts incoming calls
 * @param capabilities terminal capabilities, e.g. {@code voice}, {@code data}, {@code video}, {@code fax}
 * @param applications applications running on the terminal, e.g. {@code xserver}
 * @param forwardTo    call forwarding target, or {@code null}
 */
public record Profile(boolean mobTerm, Set<String> capabilities, Set<String> applications, MobileId forwardTo) {
    /** Most entries a capability or application set may hold. */
    public static final int MAX_ENTRIES = 16;
    private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9_\\-]{0,31}");

    /** @throws IllegalArgumentException on too many entries or an entry that is not a lower-case word */
    public Profile {
        capabilities = checked("capability", capabilities);
        applications = checked("application", applications);
    }

    /** The default profile: accepts calls, voice and data capable, no applications, no forwarding. */
    public static Profile defaults() {
        return new Profile(true, Set.of("voice", "data"), Set.of(), null);
    }

    /** Whether a call of this type can be taken by this terminal (capability and application present). */
    public boolean supports(CallType type) {
        return capabilities.contains(type.requiredCapability())
                && (type.requiredApplication() == null || applications.contains(type.requiredApplication()));
    }

    private static Set<String> checked(String kind, Set<String> in) {
        if (in == null) {
            return Set.of();
        }
        if (in.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("too many " + kind + " entries: " + in.size() + " > " + MAX_ENTRIES);
        }
        TreeSet<String> out = new TreeSet<>();
        for (String s : in) {
            if (s == null || !WORD.matcher(s).matches()) {
                throw new IllegalArgumentException("invalid " + kind + " '" + s
                        + "': use 1-32 lower-case letters, digits, '_' or '-'");
            }
            out.add(s);
        }
        return java.util.Collections.unmodifiableSet(out);
    }
}

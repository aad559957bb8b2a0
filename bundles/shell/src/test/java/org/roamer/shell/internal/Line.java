/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.lang.reflect.Proxy;

import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;

/**
 * A console line with the cursor at its end, split at single spaces as Karaf splits it: {@code "roamer:restore m1 "}
 * is the command, {@code m1} and an empty word under the cursor.
 */
record Line(String buffer, String[] words) implements CommandLine {
    /** A session the completers must not need: any call fails. */
    static final Session SESSION = (Session) Proxy.newProxyInstance(Line.class.getClassLoader(),
            new Class<?>[]{Session.class}, (proxy, method, args) -> {
                throw new UnsupportedOperationException("completers do not use the session: " + method.getName());
            });

    static Line of(String buffer) {
        return new Line(buffer, buffer.split(" ", -1));
    }

    @Override
    public int getCursorArgumentIndex() {
        return words.length - 1;
    }

    @Override
    public String getCursorArgument() {
        return words[words.length - 1];
    }

    @Override
    public int getArgumentPosition() {
        return getCursorArgument().length();
    }

    @Override
    public String[] getArguments() {
        return words.clone();
    }

    @Override
    public int getBufferPosition() {
        return buffer.length();
    }

    @Override
    public String getBuffer() {
        return buffer;
    }
}

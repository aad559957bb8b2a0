/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import java.nio.charset.StandardCharsets;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "send", description = "Sends application messages to a mobile's agent through the network")
public class SendCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.Mobiles.class)
    String mobile;

    @Argument(index = 1, name = "text", description = "Message text")
    String text = "hello";

    @Option(name = "--count", description = "How many messages, 1-1000000 (default 1)")
    String count = "1";

    @Option(name = "--sender", description = "Sender label; order is kept per sender (default console)")
    String sender = "console";

    @Argument(index = 2, name = "trailing-options", multiValued = true, description = "the options may also follow the arguments")
    java.util.List<String> trailing;

    @Override
    protected Object run() throws Exception {
        java.util.Map<String, String> t = Parse.trailing(trailing, java.util.Set.of("--count", "--sender"),
                java.util.Set.of());
        int n = Parse.number("--count", t.getOrDefault("--count", count), 1, 1_000_000);
        sender = t.getOrDefault("--sender", sender);
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        long report = start + 1_000_000_000L;
        int sent = 0;
        for (; sent < n; sent++) {
            if (Thread.currentThread().isInterrupted()) {
                System.out.printf("interrupted after %d of %d message(s)%n", sent, n);
                return null;
            }
            network.send(Parse.mobile(mobile), sender, sent, body);
            if (System.nanoTime() > report) { // a long run shows that it is alive (Ctrl-C stops it)
                System.out.printf("  %d/%d sent%n", sent + 1, n);
                report = System.nanoTime() + 1_000_000_000L;
            }
        }
        System.out.printf("sent %d message(s) to %s in %.3f ms%n", sent, mobile, (System.nanoTime() - start) / 1e6);
        return null;
    }
}

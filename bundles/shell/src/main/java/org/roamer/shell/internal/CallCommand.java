/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.roamer.api.CallResult;
import org.roamer.api.CallType;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "call", description = "The caller's mobile places a call: ORIGINATE to its agent, CALL_REQUEST, CALL_OFFER to the callee's agent, which accepts (pages) or rejects (no paging)")
public class CallCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "caller", required = true, description = "Calling mobile")
    @Completion(Completers.Mobiles.class)
    String caller;

    @Argument(index = 1, name = "callee", required = true, description = "Called mobile")
    @Completion(Completers.Mobiles.class)
    String callee;

    @Option(name = "--type", description = "voice, data, video or fax (default voice)")
    @Completion(Completers.CallTypes.class)
    String type = "voice";

    @Argument(index = 2, name = "trailing-options", multiValued = true, description = "--type may also follow the arguments")
    @Completion(value = StringsCompleter.class, values = {"--type"}, caseSensitive = true)
    java.util.List<String> trailing;

    @Override
    protected Object run() throws Exception {
        type = Parse.trailing(trailing, java.util.Set.of("--type"), java.util.Set.of()).getOrDefault("--type", type);
        CallResult r = network.call(Parse.mobile(caller), Parse.mobile(callee), CallType.parse(type));
        System.out.println(r.accepted() ? "accepted" : "rejected: " + r.reason());
        System.out.println("call        " + r.callId());
        System.out.println("paged       " + (r.paged() ? "yes, found at " + r.radioPort() : "no"));
        System.out.println("air msgs    " + r.airMessages());
        System.out.printf("setup       %.3f ms%n", r.setupMicros() / 1000.0);
        return null;
    }
}

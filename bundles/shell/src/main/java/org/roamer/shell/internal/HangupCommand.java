/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "hangup", description = "Releases a call (CALL_RELEASE to every party's agent)")
public class HangupCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "call", required = true, description = "Call id, as roamer:call printed it")
    @Completion(Completers.Calls.class)
    String callId;

    @Override
    protected Object run() throws Exception {
        network.hangup(callId);
        System.out.println("released " + callId);
        return null;
    }
}

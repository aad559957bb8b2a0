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
import org.roamer.api.ActiveCall;
import org.roamer.api.AgentInfo;
import org.roamer.api.RoamerException;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "agent", description = "Shows one user agent: node, state, epoch, profile, calls")
public class AgentCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.Mobiles.class)
    String mobile;

    @Override
    protected Object run() throws Exception {
        AgentInfo a = network.agent(Parse.mobile(mobile))
                .orElseThrow(() -> new RoamerException("no agent of mobile '" + mobile + "' in this container"));
        System.out.println("mobile      " + a.mobile());
        System.out.println("node        " + a.node() + " (cluster " + a.cluster() + ")");
        System.out.println("state       " + a.status().name().toLowerCase());
        System.out.println("epoch       " + a.epoch());
        System.out.println("mob-term    " + a.profile().mobTerm());
        System.out.println("caps        " + String.join(",", a.profile().capabilities()));
        System.out.println("apps        " + String.join(",", a.profile().applications()));
        System.out.println("forward-to  " + (a.profile().forwardTo() == null ? "-" : a.profile().forwardTo()));
        System.out.println("delivered   " + a.delivered());
        for (ActiveCall c : a.calls()) {
            System.out.println("call        " + c.callId() + " " + c.type().name().toLowerCase() + " with " + c.peers()
                    + (c.originating() ? " (placed)" : " (received)")
                    + (c.radioPort() == null ? "" : " via " + c.radioPort()));
        }
        return null;
    }
}

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
@Command(scope = "roamer", name = "deregister", description = "Powers a mobile off: the Location Server has its USS terminate the agent")
public class DeregisterCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.Mobiles.class)
    String mobile;

    @Override
    protected Object run() throws Exception {
        network.deregister(Parse.mobile(mobile));
        System.out.println("deregistered " + mobile);
        return null;
    }
}

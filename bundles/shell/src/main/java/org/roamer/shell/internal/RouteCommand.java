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
import org.roamer.api.RouteInfo;

@Service
@Command(scope = "roamer", name = "route", description = "Where a mobile and its agent are, the routing policy, and the hops of a call to and from it")
public class RouteCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.Mobiles.class)
    String mobile;

    @Override
    protected Object run() throws Exception {
        RouteInfo r = network.route(Parse.mobile(mobile));
        System.out.println("mobile      " + r.mobile() + " in " + r.mobileCluster());
        System.out.println("agent       on " + r.agentNode() + " (" + r.agentCluster() + ")"
                + (r.anchored() ? ", anchored away from its mobile" : ""));
        System.out.println("routing     " + r.routing());
        System.out.println("call to " + r.mobile() + ":");
        int i = 1;
        for (String h : r.callIn()) {
            System.out.println("  " + i++ + ". " + h);
        }
        System.out.println("call from " + r.mobile() + ":");
        i = 1;
        for (String h : r.callOut()) {
            System.out.println("  " + i++ + ". " + h);
        }
        return null;
    }
}

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
import org.roamer.api.AgentInfo;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "register", description = "Powers a mobile on in a cluster: REGISTRATION to the Location Server, which has the cluster's USS create its user agent with the profile")
public class RegisterCommand extends RoamerAction {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id (letters, digits, _ . -)")
    @Completion(Completers.NewMobile.class)
    String mobile;

    @Argument(index = 1, name = "cluster", required = true, description = "Cluster the mobile powers on in")
    @Completion(Completers.Clusters.class)
    String cluster;

    @Option(name = "--no-mob-term", description = "The mobile refuses incoming calls (MOB_TERM off)")
    boolean noMobTerm;

    @Option(name = "--caps", description = "Terminal capabilities, comma separated (default voice,data)")
    String caps = "voice,data";

    @Option(name = "--apps", description = "Applications running, comma separated (e.g. xserver)")
    String apps = "";

    @Option(name = "--forward", description = "Forward calls to this mobile")
    @Completion(Completers.Mobiles.class)
    String forward;

    @Argument(index = 2, name = "trailing-options", multiValued = true, description = "the options may also follow the arguments")
    @Completion(value = StringsCompleter.class, values = {"--no-mob-term", "--caps", "--apps",
            "--forward"}, caseSensitive = true)
    java.util.List<String> trailing;

    @Override
    protected Object run() throws Exception {
        java.util.Map<String, String> t = Parse.trailing(trailing, java.util.Set.of("--caps", "--apps", "--forward"),
                java.util.Set.of("--no-mob-term"));
        noMobTerm |= t.containsKey("--no-mob-term");
        caps = t.getOrDefault("--caps", caps);
        apps = t.getOrDefault("--apps", apps);
        forward = t.getOrDefault("--forward", forward);
        Profile p = new Profile(!noMobTerm, Parse.list(caps), Parse.list(apps),
                forward == null ? null : MobileId.of(forward));
        AgentInfo a = network.register(Parse.mobile(mobile), Parse.cluster(cluster), p);
        System.out.println("registered " + a.mobile() + " in " + a.cluster() + ": agent on " + a.node() + ", epoch "
                + a.epoch() + ", mob-term " + p.mobTerm() + ", caps " + p.capabilities() + ", apps "
                + p.applications());
        return null;
    }
}

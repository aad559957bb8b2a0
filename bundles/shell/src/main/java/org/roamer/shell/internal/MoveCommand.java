package org.roamer.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.roamer.api.MoveResult;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "move", description = "The mobile crosses into another cluster: REGISTRATION, MIGRATE, TRANSFER, stub, READY/drain, MIGRATE_DONE")
public class MoveCommand implements Action {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.Mobiles.class)
    String mobile;

    @Argument(index = 1, name = "cluster", required = true, description = "Cluster it enters")
    @Completion(Completers.Clusters.class)
    String cluster;

    @Override
    public Object execute() throws Exception {
        MoveResult r = network.move(Parse.mobile(mobile), Parse.cluster(cluster));
        if (r.migrated()) {
            System.out.println("migrated " + r.mobile() + " " + r.from() + " -> " + r.to() + " with " + r.strategy());
        } else {
            System.out.println("migration of " + r.mobile() + " " + r.from() + " -> " + r.to()
                    + " FAILED, agent stays at " + r.from() + ": " + r.reason());
        }
        System.out.println("bytes moved " + r.bytesMoved());
        System.out.println("buffered    " + r.buffered() + ", drained " + r.drained());
        System.out.println("epoch       " + r.epoch());
        System.out.printf("time        %.3f ms (MIGRATE -> MIGRATE_DONE)%n", r.micros() / 1000.0);
        return null;
    }
}

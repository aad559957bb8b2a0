package org.roamer.core.internal.node;

import java.util.concurrent.atomic.LongAdder;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.ClusterId;
import org.roamer.api.NodeId;
import org.roamer.core.internal.RoamerCore;

/** A radio port (base station) of a cluster: answers pages for the mobiles in its range. */
@Component(configurationPid = "org.roamer.radioport", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = RadioPort.Config.class, factory = true)
public final class RadioPort {
    @ObjectClassDefinition(name = "Roamer radio port", description = "A base station of a cluster")
    public @interface Config {
        @AttributeDefinition(name = "Node id")
        String node_id();

        @AttributeDefinition(description = "The cluster it belongs to")
        String cluster();
    }

    private final RoamerCore core;
    private final NodeId id;
    private final ClusterId cluster;
    private final LongAdder pages = new LongAdder();

    @Activate
    public RadioPort(@Reference RoamerCore core, Config c) {
        this(core, NodeId.of(c.node_id()), ClusterId.of(c.cluster()));
    }

    public RadioPort(RoamerCore core, NodeId id, ClusterId cluster) {
        this.core = core;
        this.id = id;
        this.cluster = cluster;
        core.directory().add(this);
    }

    @Deactivate
    public void deactivate() {
        core.directory().remove(this);
    }

    public NodeId id() {
        return id;
    }

    public ClusterId cluster() {
        return cluster;
    }

    /** Broadcasts a page over the air; true when the mobile is in this port's range and answers. */
    public boolean page(String mobile) {
        pages.increment();
        return id.value().equals(core.air().portOf(mobile));
    }

    public long pages() {
        return pages.sum();
    }
}

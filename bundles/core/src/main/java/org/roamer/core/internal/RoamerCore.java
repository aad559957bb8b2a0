/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.CheckpointStore;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.routing.RoutingPolicy;
import org.roamer.core.internal.agent.AgentImageCodec;
import org.roamer.core.internal.node.AirInterface;
import org.roamer.core.internal.node.Directory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared runtime of the Roamer nodes in this container: the worker pool all agents run on, the
 * timer, metrics, the in-process directory, and the whiteboards of strategies, routing policies and
 * delivery listeners. Owns its threads and stops them on deactivation.
 */
@Component(service = RoamerCore.class, immediate = true, configurationPid = "org.roamer.runtime")
@Designate(ocd = RoamerCore.Config.class)
public final class RoamerCore {
    private static final Logger LOG = LoggerFactory.getLogger(RoamerCore.class);

    @ObjectClassDefinition(name = "Roamer runtime", description = "Worker pool shared by all agents of this container")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads for agents and servers; 0 = number of cores (at least 2)")
        int workers() default 0;

        @AttributeDefinition(name = "Link delays (ms)", description = "Link-delay model, off by default: one-way"
                + " delay added to frames between two clusters' nodes, e.g. c1-c2=1, c1-c3=10 (so that distance"
                + " matters on one machine)")
        String[] link_delay_ms() default {};

        @AttributeDefinition(name = "Default link delay (ms)", description = "Delay between clusters not listed")
        long link_delay_default_ms() default 0;

        @AttributeDefinition(name = "Location Server link delay (ms)", description = "Delay to and from a Location Server")
        long link_delay_ls_ms() default 0;

        @AttributeDefinition(name = "Remote administration", description = "Whether consoles of other containers"
                + " may list this container's nodes and agents and command them (ADMIN frames): on in a network of"
                + " containers, off in the single-container default")
        boolean admin_remote() default false;

        @AttributeDefinition(name = "Authenticated links only", description = "Whether this container's nodes"
                + " refuse every frame that did not come over an authenticated link (the tls transport): on in a"
                + " network of containers; off (plaintext accepted, with a warning) in the single-container default")
        boolean links_authenticated() default false;
    }

    /**
     * System properties (etc/system.properties) that turn {@code admin.remote} and {@code links.authenticated} on
     * whatever the configuration says. A container of a network has them from {@code ./run.sh network}: Karaf's file
     * install rewrites etc/*.cfg files while it boots, and once left {@code etc/org.roamer.runtime.cfg} empty (a CI
     * run), which turned remote administration off in that container — and would have let plaintext links in.
     * System properties are read once and never rewritten.
     */
    static final String ADMIN_REMOTE_PROPERTY = "roamer.admin.remote";
    static final String LINKS_AUTHENTICATED_PROPERTY = "roamer.links.authenticated";

    /** Serves the ADMIN frames a node of this container receives (the console service). */
    public interface AdminHandler {
        /** Answers {@code request}, which arrived at {@code node}; may answer later, from another thread. */
        void serve(org.roamer.core.internal.node.SignalingNode node, org.roamer.api.frame.Frame request);
    }

    /** Told when a strategy service leaves, so in-flight migrations using it can roll back. */
    public interface StrategyListener {
        void strategyRemoved(MigrationStrategy strategy);

        default void strategyAdded(MigrationStrategy strategy) {
        }

        /** A routing policy came or went. */
        default void routingChanged() {
        }

        /** A checkpoint store of that name was bound. */
        default void checkpointStoreAdded(String name) {
        }
    }

    /** Period of the timer's no-op heartbeat (see the constructor). */
    static final long HEARTBEAT_MS = 20;

    private static void heartbeat() {
        // nothing: its presence at the head of the queue is the point
    }

    /** What {@link #schedule} returns once the runtime stops: a future that is already cancelled. */
    private static final ScheduledFuture<?> STOPPED = new Stopped();

    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final Metrics metrics = new Metrics();
    private final Directory directory = new Directory();
    private final AirInterface air = new AirInterface();
    private final AgentType agentType;
    private volatile LinkDelays linkDelays = LinkDelays.NONE;
    private volatile boolean adminRemote;
    private volatile AdminHandler admin;
    private final ConcurrentHashMap<String, MigrationStrategy> strategies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RoutingPolicy> routing = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CheckpointStore> checkpointStores = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<DeliveryListener> deliveryListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<StrategyListener> strategyListeners = new CopyOnWriteArrayList<>();

    @Activate
    public RoamerCore(BundleContext context, Config config) {
        this(config.workers(), AgentImageCodec.type(context.getBundle().getSymbolicName(),
                context.getBundle().getVersion().toString()));
        modified(config);
    }

    /** The link-delay model changes at run time; the worker count only with a restart. */
    @Modified
    public void modified(Config config) {
        linkDelays(LinkDelays.parse(config.link_delay_ms(), config.link_delay_default_ms(), config.link_delay_ls_ms()));
        adminRemote(config.admin_remote() || Boolean.getBoolean(ADMIN_REMOTE_PROPERTY));
        linksAuthenticated(config.links_authenticated() || Boolean.getBoolean(LINKS_AUTHENTICATED_PROPERTY));
    }

    private volatile Boolean linksAuthenticated;

    /** Whether nodes refuse frames that did not come over an authenticated link (see {@link Config}). */
    public boolean linksAuthenticated() {
        return Boolean.TRUE.equals(linksAuthenticated);
    }

    /** Sets {@link #linksAuthenticated()}; logs the choice, and warns when plaintext is accepted. */
    public void linksAuthenticated(boolean on) {
        if (!Boolean.valueOf(on).equals(linksAuthenticated)) {
            if (on) {
                LOG.info("node links: authenticated only (frames from plaintext links are refused)");
            } else {
                LOG.warn("node links: plaintext accepted (links.authenticated = false): anyone who reaches a node's"
                        + " port can command it; use the tls transport and links.authenticated = true in a network");
            }
        }
        linksAuthenticated = on;
    }

    /** Allows or refuses remote administration (see {@link Config#admin_remote()}). */
    public void adminRemote(boolean on) {
        if (on != adminRemote) {
            LOG.info("remote administration {}", on ? "allowed" : "off");
        }
        adminRemote = on;
    }

    /** Whether consoles of other containers may command this one. */
    public boolean adminRemote() {
        return adminRemote;
    }

    /** Sets (or with {@code null} clears) the handler of ADMIN frames. */
    public void admin(AdminHandler handler) {
        admin = handler;
    }

    /** The handler of ADMIN frames, or {@code null}. */
    public AdminHandler admin() {
        return admin;
    }

    private volatile String containerName = System.getProperty("karaf.name", "root");

    /** This container's name: Karaf's {@code karaf.name} ({@code root} unless set). */
    public String containerName() {
        return containerName;
    }

    /** Names this container (tests and embedding; Karaf's is {@code karaf.name}). */
    public void containerName(String name) {
        containerName = java.util.Objects.requireNonNull(name);
    }

    /** Sets the link-delay model (see {@link LinkDelays}). */
    public void linkDelays(LinkDelays delays) {
        if (!delays.equals(linkDelays)) {
            LOG.info("link delays: {}", delays.active() ? delays : "off");
        }
        linkDelays = delays;
    }

    /** The link-delay model in force. */
    public LinkDelays linkDelays() {
        return linkDelays;
    }

    /** For tests and embedding: {@code workers} 0 = cores. */
    public RoamerCore(int workers, AgentType agentType) {
        int n = workers > 0 ? workers : Math.max(2, Runtime.getRuntime().availableProcessors());
        this.workers = new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                threads("roamer-worker"));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, threads("roamer-timer"));
        t.setRemoveOnCancelPolicy(true);
        // The heartbeat keeps the head of the timer queue at most HEARTBEAT_MS away. A timer queue signals its
        // thread whenever a new task becomes the head; without the heartbeat, arming a migration's time-out on
        // an otherwise empty queue woke the timer thread (a futex call and a context switch) several times per
        // migration. Timers still fire on time: only those due sooner than the heartbeat wake the thread.
        t.scheduleAtFixedRate(RoamerCore::heartbeat, HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
        this.timers = t;
        this.agentType = agentType;
    }

    @Deactivate
    public void close() {
        timers.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindStrategy(MigrationStrategy s) {
        MigrationStrategy old = strategies.put(s.name(), s);
        LOG.info("migration strategy '{}' available", s.name());
        if (old != null && old != s) {
            strategyListeners.forEach(l -> l.strategyRemoved(old));
        }
        strategyListeners.forEach(l -> l.strategyAdded(s));
    }

    public void unbindStrategy(MigrationStrategy s) {
        if (strategies.remove(s.name(), s)) {
            LOG.info("migration strategy '{}' removed", s.name());
        }
        strategyListeners.forEach(l -> l.strategyRemoved(s));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindCheckpointStore(CheckpointStore s) {
        checkpointStores.put(s.name(), s);
        strategyListeners.forEach(l -> l.checkpointStoreAdded(s.name()));
    }

    public void unbindCheckpointStore(CheckpointStore s) {
        checkpointStores.remove(s.name(), s);
    }

    /** The checkpoint store of that name, or {@code null}. */
    public CheckpointStore checkpointStore(String name) {
        return checkpointStores.get(name);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindRouting(RoutingPolicy p) {
        routing.put(p.name(), p);
        LOG.info("routing policy '{}' available", p.name());
        strategyListeners.forEach(StrategyListener::routingChanged);
    }

    public void unbindRouting(RoutingPolicy p) {
        if (routing.remove(p.name(), p)) {
            LOG.info("routing policy '{}' removed", p.name());
        }
        strategyListeners.forEach(StrategyListener::routingChanged);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindDeliveryListener(DeliveryListener l) {
        deliveryListeners.add(l);
    }

    public void unbindDeliveryListener(DeliveryListener l) {
        deliveryListeners.remove(l);
    }

    public void addStrategyListener(StrategyListener l) {
        strategyListeners.add(l);
    }

    public void removeStrategyListener(StrategyListener l) {
        strategyListeners.remove(l);
    }

    public MigrationStrategy strategy(String name) {
        return strategies.get(name);
    }

    /** Installed strategies, in the given order of preference first, then the rest by name. */
    public List<String> strategyNames(List<String> order) {
        List<String> out = new ArrayList<>();
        for (String s : order) {
            if (strategies.containsKey(s) && !out.contains(s)) {
                out.add(s);
            }
        }
        strategies.keySet().stream().sorted().filter(s -> !out.contains(s)).forEach(out::add);
        return out;
    }

    /** Calls {@code action} for every installed strategy, without copying the collection. */
    public void forEachStrategy(Consumer<MigrationStrategy> action) {
        strategies.values().forEach(action);
    }

    public Collection<MigrationStrategy> strategies() {
        return List.copyOf(strategies.values());
    }

    public RoutingPolicy routing(String name) {
        return routing.get(name);
    }

    public Map<String, RoutingPolicy> routingPolicies() {
        return Map.copyOf(routing);
    }

    /** The routing policies a node here can use, by name and sorted: the built-in {@code migrate} and those bound. */
    public List<String> routingNames() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(routing.keySet());
        names.add(org.roamer.core.internal.node.RoutingSettings.DEFAULT.policy());
        return List.copyOf(names);
    }

    public void delivered(MobileId mobile, NodeId node, long epoch, String sender, long seq) {
        for (DeliveryListener l : deliveryListeners) {
            try {
                l.delivered(mobile, node, epoch, sender, seq);
            } catch (RuntimeException e) {
                LOG.warn("delivery listener failed", e);
            }
        }
    }

    public ExecutorService workers() {
        return workers;
    }

    /**
     * Runs {@code task} on the timer after a delay. While the runtime stops, nothing is scheduled and the
     * returned future is already cancelled: a time-out armed during shutdown can never fire anyway.
     */
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            return timers.schedule(task, delay, unit);
        } catch (RejectedExecutionException e) {
            return STOPPED;
        }
    }

    /** {@link ScheduledExecutorService#scheduleWithFixedDelay}, with the same shutdown rule as {@link #schedule}. */
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initial, long delay, TimeUnit unit) {
        try {
            return timers.scheduleWithFixedDelay(task, initial, delay, unit);
        } catch (RejectedExecutionException e) {
            return STOPPED;
        }
    }

    public Metrics metrics() {
        return metrics;
    }

    public Directory directory() {
        return directory;
    }

    public AirInterface air() {
        return air;
    }

    public AgentType agentType() {
        return agentType;
    }

    /** Counts and logs what an actor's task threw; one for all actors. */
    private final java.util.function.BiConsumer<Object, Throwable> taskFailed = (owner, t) -> {
        metrics.inc("errors.task");
        LOG.error("task of {} failed", owner, t);
    };

    /**
     * A new actor on the shared pool that logs what its tasks throw.
     *
     * @param owner what it serves, as the log names it (e.g. {@code "location server ls1"}, or an agent's
     *              {@code MobileId}: nothing is built for the name until a task fails)
     */
    public Actor actor(Object owner) {
        return new Actor(workers, owner, taskFailed);
    }

    /** A future that was cancelled before it was ever scheduled. */
    private static final class Stopped implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(java.util.concurrent.Delayed o) {
            return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return true;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            throw new java.util.concurrent.CancellationException("the Roamer runtime has stopped");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return get();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory base = Executors.defaultThreadFactory();
        return r -> {
            Thread t = base.newThread(r);
            t.setName(prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

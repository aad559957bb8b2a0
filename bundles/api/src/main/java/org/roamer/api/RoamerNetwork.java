/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

import java.util.List;
import java.util.Optional;

/**
 * The operations on the Roamer network that an operator console, a simulator or a test uses. Provided by
 * the core bundle as an OSGi service; thread-safe. The migration benchmark is a service of its own,
 * {@link RoamerBench} (a method of this interface before 2.0). Every method that names a mobile or cluster checks it
 * first and throws {@link RoamerException} with an operator-readable message (nothing changed) when the
 * request cannot be carried out.
 */
@org.osgi.annotation.versioning.ProviderType
public interface RoamerNetwork {

    /**
     * All nodes of the network, sorted by role then id: this container's, and those of the other containers
     * (listed by their consoles through remote administration, else as the Location Server knows them).
     */
    List<NodeInfo> nodes();

    /** All agents of the network's USS nodes (this container's and the other containers'), sorted by mobile id. */
    List<AgentInfo> agents();

    /** The agent of a mobile, wherever the Location Server says it runs (in this container or another). */
    Optional<AgentInfo> agent(MobileId mobile);

    /** Ids of the clusters of the network that have a USS, sorted. */
    List<ClusterId> clusters();

    /**
     * Powers a mobile on in a cluster: REGISTRATION to the Location Server, which has the cluster's USS
     * create the user agent with the profile.
     *
     * @return the new agent
     * @throws RoamerException unknown cluster, mobile already registered, no reply in time
     */
    AgentInfo register(MobileId mobile, ClusterId cluster, Profile profile) throws RoamerException;

    /** Powers a mobile off: DEREGISTRATION; the LS has the USS terminate the agent. */
    void deregister(MobileId mobile) throws RoamerException;

    /**
     * The mobile {@code caller} places a call of {@code type} to {@code callee}: ORIGINATE (short request
     * over the air) → caller's agent maps it to a CALL_REQUEST for its Call Server → CALL_OFFER to the
     * callee's agent, which accepts (pages its terminal, path set up) or rejects (no paging).
     */
    CallResult call(MobileId caller, MobileId callee, CallType type) throws RoamerException;

    /** Releases a call by id (CALL_RELEASE to every party's agent). */
    void hangup(String callId) throws RoamerException;

    /**
     * The mobile crosses into another cluster and registers there; its agent migrates (or, with an
     * anchored routing policy, stays and learns the new paging area).
     */
    MoveResult move(MobileId mobile, ClusterId to) throws RoamerException;

    /**
     * {@link #move(MobileId, ClusterId)} asking for a migration strategy: used when both USS nodes have it,
     * else the nodes negotiate as usual; ignored when the agent stays anchored.
     *
     * @param strategy an installed strategy, or {@code null} for the nodes' own choice
     * @throws RoamerException also for a strategy that is not installed here
     */
    MoveResult move(MobileId mobile, ClusterId to, String strategy) throws RoamerException;

    /**
     * {@link #move(MobileId, ClusterId, String)} with this crossing decided by routing policy {@code routing} instead
     * of the routing policy of the node hosting the agent: {@code migrate} makes the agent follow, {@code anchored}
     * keeps it where it runs. The node's own policy is unchanged for later crossings.
     *
     * @param routing a routing policy installed on the agent's node ({@code migrate} always is), or {@code null} for
     *                that node's own
     * @throws RoamerException also for a routing policy the agent's node does not have
     * @since 1.4
     */
    default MoveResult move(MobileId mobile, ClusterId to, String strategy, String routing) throws RoamerException {
        if (routing == null) {
            return move(mobile, to, strategy);
        }
        throw new RoamerException("this network cannot choose the routing policy of one move");
    }

    /**
     * Sends an application message to a mobile's agent through the network (not over the air). Messages
     * from one sender are delivered once, in {@code seq} order, also across migrations.
     *
     * @param sender a label for the sending party; order is kept per sender
     * @param seq    sender's sequence number, recorded in delivery events
     */
    void send(MobileId mobile, String sender, long seq, byte[] body) throws RoamerException;

    /**
     * The strategies installed for a USS node, in its order of preference.
     *
     * @throws RoamerException unknown node
     */
    List<StrategyInfo> strategies(NodeId uss) throws RoamerException;

    /**
     * Makes {@code strategy} the preferred strategy of a USS node, at run time: the node's configuration is
     * updated (Config Admin), the node and its agents are not restarted, and migrations already running
     * finish with the strategy they started with.
     *
     * @throws RoamerException unknown node, or a strategy that is not installed
     */
    void preferStrategy(NodeId uss, String strategy) throws RoamerException;

    /**
     * The routing policies installed for a USS node, the one it uses marked active. A node whose configured
     * policy is not installed uses {@code migrate} (listed even when no {@code migrate} bundle is installed:
     * it is the core's built-in behaviour).
     *
     * @throws RoamerException unknown node
     */
    List<RoutingInfo> routing(NodeId uss) throws RoamerException;

    /**
     * Makes {@code policy} the routing policy of a USS node at run time (its configuration is updated through
     * Config Admin); returns once the node uses it and the Location Server knows. Agents already anchored
     * stay where they are until the mobile's next crossing.
     *
     * @throws RoamerException unknown node, or a policy that is not installed
     */
    void useRouting(NodeId uss, String policy) throws RoamerException;

    /**
     * Where a mobile and its agent are and which hops its calls take.
     *
     * @throws RoamerException unknown mobile, or its agent's USS is not known here
     */
    RouteInfo route(MobileId mobile) throws RoamerException;

    /**
     * The transports of a node (USS or Location Server): the ones it listens on with their counters, the
     * one it sends with marked.
     *
     * @throws RoamerException unknown node
     */
    List<TransportInfo> transports(NodeId node) throws RoamerException;

    /**
     * Makes {@code transport} the one a node (USS or Location Server) sends with, at run time (its
     * configuration is updated through Config Admin); returns once the node uses it. The node keeps listening
     * on every installed transport, and frames already handed to the old one are still delivered.
     *
     * @throws RoamerException unknown node, or a transport that is not installed
     */
    void useTransport(NodeId node, String transport) throws RoamerException;

    /**
     * The checkpoints a USS node's checkpoint store holds (crash recovery).
     *
     * @throws RoamerException unknown node, or no checkpoint store installed
     */
    List<CheckpointSummary> checkpoints(NodeId uss) throws RoamerException;

    /**
     * Brings an agent back from its latest checkpoint on a USS node (after that node crashed): the agent is
     * rebuilt with its state, the Location Server records it there with a new epoch.
     *
     * @throws RoamerException unknown node, no checkpoint, the agent already runs, or the Location Server
     *                         knows the mobile elsewhere (the checkpoint is stale)
     */
    AgentInfo restore(MobileId mobile, NodeId uss) throws RoamerException;

    /**
     * Deletes a mobile's checkpoint on a USS node: one that can never be restored (the agent runs elsewhere) or is
     * not wanted. The checkpoint of an agent that runs on that node is kept (it is its crash protection).
     *
     * @return what was deleted
     * @throws RoamerException unknown node, no checkpoint store, no such checkpoint, or the agent runs there
     * @since 1.3
     */
    default CheckpointSummary removeCheckpoint(MobileId mobile, NodeId uss)
            throws RoamerException {
        throw new RoamerException("removing checkpoints is not supported by " + getClass().getName());
    }

    /** Counters and percentiles since start. */
    RoamerStats stats();
}

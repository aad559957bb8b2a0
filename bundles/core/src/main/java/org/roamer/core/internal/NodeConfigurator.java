/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.roamer.api.NodeId;
import org.roamer.api.RoamerException;
import org.roamer.core.internal.node.SignalingNode;

/**
 * The console's run-time changes of a node (its preferred strategy, routing policy, transport) written where they
 * last: one property of the node's Config Admin configuration, then a wait until the node has applied it. Without
 * Config Admin (tests, an embedding) the change is applied to the node directly. Blocks the calling (console)
 * thread; logs as the console ({@link NetworkService}).
 */
final class NodeConfigurator {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NetworkService.class);
    /**
     * Lookups of a node's configuration after the first found none or several: Config Admin may be re-delivering the
     * file's configuration right now. One every {@link #LOOKUP_RETRY_MILLIS}, on the calling thread.
     */
    static final int LOOKUP_RETRIES = 20;
    static final long LOOKUP_RETRY_MILLIS = 100;

    private final Supplier<ConfigurationAdmin> configAdmin;

    /** @param configAdmin the Config Admin service when there is one, else {@code null} */
    NodeConfigurator(Supplier<ConfigurationAdmin> configAdmin) {
        this.configAdmin = configAdmin;
    }

    /**
     * Sets one property of a USS node's Config Admin configuration and waits until the node has applied it
     * (Config Admin hands changes to components asynchronously), so that what follows sees the change.
     *
     * @param direct  applies the change without Config Admin (tests, embedding)
     * @param applied whether the node's state shows the change
     * @return false when the node applied a change but then showed another value (a concurrent change)
     */
    <N extends SignalingNode> boolean configure(N u, NodeId node, String key, String value, Consumer<N> direct,
            Predicate<N> applied) throws RoamerException {
        ConfigurationAdmin ca = configAdmin.get();
        if (ca == null) {
            direct.accept(u);
            return true;
        }
        long seen;
        try {
            // the node's own configuration by its PID; by node id for a node that does not know it
            String filter = u.configurationPid() != null
                    ? "(service.pid=" + filterValue(u.configurationPid()) + ")"
                    : "(&(service.factoryPid=" + u.factoryPid() + ")(node.id=" + filterValue(node.value()) + "))";
            Configuration[] found = ca.listConfigurations(filter);
            for (int retry = 0; (found == null || found.length != 1) && retry < LOOKUP_RETRIES; retry++) {
                Thread.sleep(LOOKUP_RETRY_MILLIS); // Config Admin may be re-delivering the file's configuration now
                found = ca.listConfigurations(filter);
            }
            if (found == null || found.length != 1) {
                throw new RoamerException(
                        (found == null ? "no" : found.length + " instead of one") + " configuration of "
                                + node + " in Config Admin (" + filter + ")");
            }
            java.util.Dictionary<String, Object> props = found[0].getProperties();
            if (value.equals(props.get(key)) && applied.test(u)) {
                return true; // nothing to write: every write is a chance for file install to read a half-written file
            }
            if (props.get("node.id") == null) {
                // Karaf's file install read its etc/ file while rewriting it and stored what it saw: put back the
                // identity the running node has instead of writing the loss back (see SignalingNode#incomplete)
                LOG.warn("the configuration {} of {} had lost its node.id; restoring the running node's identity",
                        found[0].getPid(), node);
                u.identity().forEach(props::put);
            }
            props.put(key, value);
            seen = u.appliedCount();
            found[0].update(props);
        } catch (java.io.IOException | org.osgi.framework.InvalidSyntaxException e) {
            throw new RoamerException("could not update the configuration of " + node + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException("interrupted while looking up the configuration of " + node);
        }
        if (applied.test(u)) {
            return true; // nothing changes for the node (Config Admin may not even call it)
        }
        try {
            if (!u.awaitApplied(seen, NetworkService.TIMEOUT_MS)) {
                throw new RoamerException("the configuration of " + node + " was updated, but the node did not apply it"
                        + " within " + NetworkService.TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoamerException("interrupted while waiting for " + node + " to apply " + key + "=" + value);
        }
        return applied.test(u);
    }

    /** {@code value} escaped for an LDAP filter (RFC 1960: backslash, parentheses, asterisk). */
    static String filterValue(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}

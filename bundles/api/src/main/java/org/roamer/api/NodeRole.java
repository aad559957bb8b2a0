/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api;

/** The server roles of the seed's network architecture. */
public enum NodeRole {
    /** Tracks which cluster each mobile is in; belongs to no cluster. */
    LOCATION_SERVER,
    /** Hosts the user agents of a cluster. */
    USER_SIGNALING_SERVER,
    /** Keeps the network state of the calls of a cluster. */
    CALL_SERVER,
    /** Sets up the voice/data path of calls in a cluster. */
    CONNECTION_SERVER,
    /** A base station talking to mobiles over the air. */
    RADIO_PORT
}

/**
 * Roamer's public model and services: identifiers, the mobile's {@link org.roamer.api.Profile}, the
 * user agent's observable state, and {@link org.roamer.api.RoamerNetwork}, the operations a console,
 * a simulator or a test drives the network with.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.roamer.api;

/**
 * The location directory SPI: where the Location Servers keep the record of every mobile (its cluster, the
 * USS hosting its agent, the agent's fencing epoch), so that several Location Servers can serve one network
 * and one can restart or fail without losing a mobile. Register implementations with
 * {@code roamer.directory=<name>}; a Location Server uses the one its {@code directory} setting names.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.roamer.api.spi.directory;

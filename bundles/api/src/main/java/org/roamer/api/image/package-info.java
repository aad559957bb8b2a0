/**
 * The runtime's binary layout of a user agent's whole state: how the three segments of an
 * {@link org.roamer.api.spi.migration.AgentImage} are written and read. One implementation,
 * {@link org.roamer.api.image.AgentImageLayout}, shared by the USS core (which captures and restores its agents
 * with it) and the strategy conformance kit (whose fake agents have the same layout), so that both accept and
 * refuse exactly the same images. Strategies need not use it: to them an image is opaque bytes.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.roamer.api.image;

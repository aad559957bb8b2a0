/**
 * The routing policy SPI: whether a mobile that crossed into another cluster gets its agent migrated or
 * keeps it anchored at its home USS. Register implementations with {@code roamer.routing=<name>}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.roamer.api.spi.routing;

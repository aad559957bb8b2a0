/**
 * The routing policy SPI: whether a mobile that crossed into another cluster gets its agent migrated or
 * keeps it anchored at the USS where it runs. Register implementations with {@code roamer.routing=<name>}.
 * 2.0: {@link org.roamer.api.spi.routing.RoutingPolicy#decide} takes a
 * {@link org.roamer.api.spi.routing.Crossing} and answers a {@link org.roamer.api.spi.routing.RoutingDecision}
 * (rechecks, for policies that decide on dwell time); 1.0 had no implementation.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.roamer.api.spi.routing;

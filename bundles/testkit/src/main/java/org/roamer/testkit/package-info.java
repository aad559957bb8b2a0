/**
 * Conformance kit for Roamer migration strategies ({@link org.roamer.api.spi.migration.MigrationStrategy}).
 *
 * <p>A strategy's own test extends {@link org.roamer.testkit.StrategyConformanceTest} and returns the strategy
 * from {@code strategy()}; every inherited test then checks one part of the contract the USS core relies on.
 * The fakes ({@link org.roamer.testkit.FakeAgent}, {@link org.roamer.testkit.FakeRestoreTarget},
 * {@link org.roamer.testkit.FakeChunkSink}) behave like the core's own implementations of the SPI and
 * record every contract violation; {@link org.roamer.testkit.Migrations} drives capture and restore the way
 * the core does. For a strategy's own tests that move images of their own choosing rather than a
 * {@code FakeAgent}'s, {@link org.roamer.testkit.OpaqueAgent} hands out such an image and
 * {@link org.roamer.testkit.FakeRestoreTarget#withOpaqueImages()} restores it without decoding it. Nothing here is
 * thread-safe unless it says so: one test, one set of fakes.
 *
 * <p>The kit is a plain jar for test class paths, not an OSGi bundle.
 */
package org.roamer.testkit;

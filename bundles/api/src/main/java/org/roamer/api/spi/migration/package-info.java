/**
 * The migration strategy SPI. A strategy decides <em>what</em> state of a user agent is captured at the
 * source USS and <em>how</em> it is moved and rebuilt at the target; the USS core owns the protocol
 * around it (MIGRATE, stub, READY/drain, MIGRATE_DONE, time-outs and rollback). Implement
 * {@link org.roamer.api.spi.migration.MigrationStrategy} and register it as an OSGi service with the
 * property {@code roamer.strategy=<name>}. See {@code docs/migration-spi.md}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.roamer.api.spi.migration;

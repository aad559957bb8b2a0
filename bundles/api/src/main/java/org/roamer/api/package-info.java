/**
 * Roamer's public model and services: identifiers, the mobile's {@link org.roamer.api.Profile}, the
 * user agent's observable state, and {@link org.roamer.api.RoamerNetwork}, the operations a console,
 * a simulator or a test drives the network with ({@link org.roamer.api.RoamerBench}: its migration benchmark).
 * <p>
 * 2.0: {@code RoamerNetwork.bench} moved to the {@link org.roamer.api.RoamerBench} service (a method removed from an
 * exported interface: a major version, since a consumer compiled against 1.x may call it);
 * {@code RoamerNetwork.checkpoints} and {@code removeCheckpoint} give a {@link org.roamer.api.CheckpointSummary}, not
 * the checkpoint store SPI's {@code CheckpointInfo}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.roamer.api;

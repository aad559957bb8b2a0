/**
 * The transport SPI: moving {@link org.roamer.api.frame.Frame}s between nodes. A transport owns only the
 * moving of frames; the codec is {@link org.roamer.api.frame.FrameCodec}. Register implementations as
 * OSGi services with {@code roamer.transport=<name>}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.roamer.api.spi.transport;

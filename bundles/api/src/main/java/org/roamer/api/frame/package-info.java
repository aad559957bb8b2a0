/**
 * The wire format between Roamer nodes: a fixed 36-byte header and a payload, encoded and decoded by
 * {@link org.roamer.api.frame.FrameCodec}, which checks every length before it allocates. The format is
 * described in {@code docs/protocol.md}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.roamer.api.frame;

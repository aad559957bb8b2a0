package org.roamer.api.spi.transport;

/**
 * Counters of an endpoint.
 *
 * @param framesIn          valid frames received
 * @param framesOut         frames sent
 * @param bytesIn           bytes received
 * @param bytesOut          bytes sent
 * @param badFrames         malformed, truncated or oversized inputs refused
 * @param connectionsOpened links opened so far (0 for connectionless)
 * @param connectionsOpen   links open now
 */
public record TransportStats(long framesIn, long framesOut, long bytesIn, long bytesOut, long badFrames,
        long connectionsOpened, int connectionsOpen) {
}

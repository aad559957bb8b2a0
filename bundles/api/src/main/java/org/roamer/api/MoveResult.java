package org.roamer.api;

/**
 * Outcome of a mobile crossing into another cluster.
 *
 * @param mobile      the mobile
 * @param from        cluster it left
 * @param to          cluster it entered
 * @param migrated    whether the agent moved (false: it failed and stayed at the source, see {@code reason})
 * @param strategy    strategy negotiated for the move, or {@code null}
 * @param bytesMoved  agent state bytes transferred (TRANSFER data payloads)
 * @param buffered    messages the stub buffered during the move
 * @param drained     messages delivered from the stub to the new agent
 * @param epoch       the agent's epoch after the move
 * @param micros      MIGRATE to MIGRATE_DONE, microseconds
 * @param reason      {@code ok} or why the migration failed
 */
public record MoveResult(MobileId mobile, ClusterId from, ClusterId to, boolean migrated, String strategy,
        long bytesMoved, int buffered, int drained, long epoch, long micros, String reason) {
}

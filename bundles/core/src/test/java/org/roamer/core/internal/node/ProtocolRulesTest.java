/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.roamer.core.internal.node.AgentCell.State.INCOMING;
import static org.roamer.core.internal.node.AgentCell.State.LIVE;
import static org.roamer.core.internal.node.AgentCell.State.NEW;
import static org.roamer.core.internal.node.AgentCell.State.OUTGOING;
import static org.roamer.core.internal.node.AgentCell.State.TOMBSTONE;
import static org.roamer.core.internal.node.ProtocolRules.Verdict.ACCEPT;
import static org.roamer.core.internal.node.ProtocolRules.Verdict.DUPLICATE;
import static org.roamer.core.internal.node.ProtocolRules.Verdict.NOT_LIVE;
import static org.roamer.core.internal.node.ProtocolRules.Verdict.STALE;

import org.junit.jupiter.api.Test;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.MessageType;
import org.roamer.core.internal.node.ProtocolRules.Room;

class ProtocolRulesTest {

    @Test
    void migrateIsFencedByTheHighestEpochSeen() {
        assertThat(ProtocolRules.migrate(TOMBSTONE, 0, 3, 5, 9, 6)).isEqualTo(ACCEPT);
        assertThat(ProtocolRules.migrate(TOMBSTONE, 0, 3, 5, 9, 5)).as("equal epoch").isEqualTo(STALE);
        assertThat(ProtocolRules.migrate(TOMBSTONE, 0, 3, 5, 9, 4)).as("older epoch").isEqualTo(STALE);
        assertThat(ProtocolRules.migrate(NEW, 0, 0, 0, 9, 1)).as("first migration here").isEqualTo(ACCEPT);
    }

    @Test
    void aMigrateAlreadyTakenIsADuplicateWhateverItsEpoch() {
        assertThat(ProtocolRules.migrate(INCOMING, 9, 3, 6, 9, 6)).as("same migration arriving").isEqualTo(DUPLICATE);
        assertThat(ProtocolRules.migrate(INCOMING, 8, 3, 6, 9, 7)).as("another migration").isEqualTo(ACCEPT);
        assertThat(ProtocolRules.migrate(LIVE, 0, 6, 6, 9, 6)).as("agent live with that epoch").isEqualTo(DUPLICATE);
        assertThat(ProtocolRules.migrate(LIVE, 0, 6, 6, 9, 7)).isEqualTo(ACCEPT);
        assertThat(ProtocolRules.migrate(TOMBSTONE, 9, 6, 6, 9, 6)).as("the id counts only while incoming")
                .isEqualTo(STALE);
        assertThat(ProtocolRules.migrate(OUTGOING, 0, 6, 6, 9, 6)).as("the epoch counts only while live")
                .isEqualTo(STALE);
    }

    @Test
    void transferIsFencedByTheAgentsEpochAndTheHighestSeen() {
        assertThat(ProtocolRules.transfer(LIVE, 0, null, 3, 3, 9, 4)).isEqualTo(ACCEPT);
        assertThat(ProtocolRules.transfer(LIVE, 0, null, 3, 3, 9, 3)).as("equal epoch").isEqualTo(STALE);
        assertThat(ProtocolRules.transfer(LIVE, 0, null, 3, 5, 9, 5)).as("equal to the highest seen").isEqualTo(STALE);
        assertThat(ProtocolRules.transfer(LIVE, 0, null, 3, 5, 9, 4)).as("above the agent, below the highest")
                .isEqualTo(STALE);
        assertThat(ProtocolRules.transfer(LIVE, 0, null, 5, 3, 9, 4)).as("below the agent, above the highest")
                .isEqualTo(STALE);
        assertThat(ProtocolRules.transfer(LIVE, 0, null, 5, 3, 9, 5)).as("equal to the agent's, above the highest")
                .isEqualTo(STALE);
        assertThat(ProtocolRules.transfer(LIVE, 0, null, 5, 5, 9, 6)).isEqualTo(ACCEPT);
    }

    @Test
    void aTransferAlreadyTakenIsADuplicateAndOneWithoutAnAgentIsRefused() {
        assertThat(ProtocolRules.transfer(OUTGOING, 9, null, 3, 4, 9, 4)).isEqualTo(DUPLICATE);
        assertThat(ProtocolRules.transfer(OUTGOING, 8, null, 3, 4, 9, 5)).isEqualTo(NOT_LIVE);
        assertThat(ProtocolRules.transfer(LIVE, 0, 9L, 3, 4, 9, 4)).as("waiting for a stable point")
                .isEqualTo(DUPLICATE);
        assertThat(ProtocolRules.transfer(LIVE, 0, 8L, 3, 3, 9, 4)).isEqualTo(ACCEPT);
        assertThat(ProtocolRules.transfer(TOMBSTONE, 9, null, 3, 3, 9, 4)).isEqualTo(NOT_LIVE);
        assertThat(ProtocolRules.transfer(INCOMING, 0, null, 3, 3, 9, 4)).isEqualTo(NOT_LIVE);
    }

    @Test
    void aQueueTakesFramesUpToItsLimitsAndForwardedFramesBeyondThem() {
        Frame direct = message(0, 10); // wire size: 36 + 2 + 10
        int size = direct.wireSize();
        assertThat(ProtocolRules.room(0, 0, 1, size, direct)).isEqualTo(Room.FITS);
        assertThat(ProtocolRules.room(1, 0, 1, 1000, direct)).as("count at the limit").isEqualTo(Room.REFUSE);
        assertThat(ProtocolRules.room(0, 1, 5, size, direct)).as("one byte over").isEqualTo(Room.REFUSE);
        assertThat(ProtocolRules.room(0, 0, 5, size - 1, direct)).isEqualTo(Room.REFUSE);
        assertThat(ProtocolRules.room(4, 0, 5, size, direct)).isEqualTo(Room.FITS);
        assertThat(ProtocolRules.room(Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE,
                Integer.MAX_VALUE, direct)).as("no overflow").isEqualTo(Room.REFUSE);

        Frame forwarded = message(Frame.FORWARDED, 10);
        assertThat(ProtocolRules.room(0, 0, 1, 1000, forwarded)).isEqualTo(Room.FITS);
        assertThat(ProtocolRules.room(1, 0, 1, 1000, forwarded)).isEqualTo(Room.OVER_LIMIT_FORWARDED);
        assertThat(ProtocolRules.room(0, 1000, 5, 1000, forwarded)).isEqualTo(Room.OVER_LIMIT_FORWARDED);
    }

    private static Frame message(int flags, int bodyBytes) {
        return new Frame(MessageType.AGENT_MESSAGE, flags, 1, 1, 0, "m1", new byte[bodyBytes]);
    }
}

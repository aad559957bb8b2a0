/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.image.AgentImageLayout;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;

/** The core's mapping of a {@link UserAgent} onto the api's {@link AgentImageLayout}, and what only the core adds. */
class AgentImageCodecTest {
    private static final MobileId M = MobileId.of("m1");
    private static final AgentType TYPE = AgentImageCodec.type("org.roamer.core", "1.0.0");

    private static UserAgent agent(int calls) {
        UserAgent a = new UserAgent(M, new Profile(true, Set.of("voice", "data", "video"), Set.of("xserver"), null),
                "rp-c1-1");
        List<ActiveCall> list = new java.util.ArrayList<>();
        for (int i = 0; i < calls; i++) {
            list.add(new ActiveCall("call-" + i, CallType.VOICE, List.of(MobileId.of("p" + i)), i % 2 == 0, "rp-c1-2"));
        }
        a.restoreState(list, 17, 23);
        a.applicationState(new byte[]{1, 2, 3, 4});
        return a;
    }

    @Test
    void theCoresImagesAreTheApiLayout() throws Exception {
        UserAgent a = agent(2);
        a.restoreConversation(new Conversation("call-9", true, "p9", CallType.DATA, "127.0.0.1:7102", 5));
        AgentImage img = AgentImageCodec.capture(a, TYPE);
        assertThat(TYPE.layoutHash()).isEqualTo(AgentImageLayout.LAYOUT_HASH).isEqualTo(AgentImageCodec.LAYOUT_HASH);
        AgentImageLayout.State s = AgentImageLayout.decode(img, TYPE, M);
        assertThat(s.variables().calls()).isEqualTo(a.calls());
        assertThat(s.conversation()).isEqualTo(new AgentImageLayout.Conversation("call-9", true, "p9", CallType.DATA,
                "127.0.0.1:7102", 5));
        assertThat(s.handled()).isEqualTo(23);
        assertThat(s.timerRemainingMillis()).as("no timer armed").isEqualTo(-1);

        AgentImageCodec.Restored r = AgentImageCodec.restore(img, TYPE, M);
        UserAgent b = r.agent();
        assertThat(b.mobile()).isEqualTo(a.mobile());
        assertThat(b.profile()).isEqualTo(a.profile());
        assertThat(b.calls()).isEqualTo(a.calls());
        assertThat(b.radioPort()).isEqualTo(a.radioPort());
        assertThat(b.delivered()).isEqualTo(17);
        assertThat(b.conversation()).isEqualTo(a.conversation());
        assertThat(b.applicationState()).isEqualTo(a.applicationState());
        assertThat(b.handled()).isEqualTo(23);
        assertThat(AgentImageCodec.capture(b, TYPE)).usingRecursiveComparison().isEqualTo(img);
    }

    @Test
    void moreCallsThanTheAgentHoldsAreRefused() throws Exception {
        AgentImage four = AgentImageCodec.capture(agent(UserAgent.MAX_CALLS), TYPE);
        assertThat(AgentImageCodec.restore(four, TYPE, M).agent().calls()).hasSize(UserAgent.MAX_CALLS);
        AgentImage five = AgentImageCodec.capture(agent(UserAgent.MAX_CALLS + 1), TYPE);
        assertThatThrownBy(() -> AgentImageCodec.restore(five, TYPE, M)).isInstanceOf(MigrationException.class)
                .hasMessage("invalid agent image: 5 calls (max 4)");
    }

    /** The core used to read profile sets into a HashSet and drop a repeated entry silently; now it refuses it. */
    @Test
    void aRepeatedProfileEntryIsRefused() throws Exception {
        AgentImage img = AgentImageCodec.capture(agent(0), TYPE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bytes);
        d.writeUTF("m1");
        d.writeBoolean(true);
        d.writeShort(2);
        d.writeUTF("voice");
        d.writeUTF("voice");
        d.writeShort(0);
        d.writeBoolean(false);
        d.writeShort(0);
        d.writeBoolean(false);
        d.writeLong(0);
        d.writeInt(0);
        AgentImage twice = new AgentImage(TYPE, bytes.toByteArray(), img.stack(), img.registers());
        assertThatThrownBy(() -> AgentImageCodec.restore(twice, TYPE, M)).isInstanceOf(MigrationException.class)
                .hasMessageContaining("duplicate entry 'voice' in capabilities");
    }

    @Test
    void aForeignTypeAnotherMobileAndATruncatedImageAreRefused() throws IOException {
        AgentImage img = AgentImageCodec.capture(agent(1), TYPE);
        assertThatThrownBy(() -> AgentImageCodec.restore(img, AgentImageCodec.type("org.roamer.core", "2.0.0"), M))
                .isInstanceOf(MigrationException.class).hasMessageContaining("cannot be restored by this node's");
        assertThatThrownBy(() -> AgentImageCodec.restore(img, TYPE, MobileId.of("m2")))
                .isInstanceOf(MigrationException.class).hasMessageContaining("image is of mobile m1, expected m2");
        AgentImage cut = new AgentImage(TYPE, java.util.Arrays.copyOf(img.data(), img.data().length - 1), img.stack(),
                img.registers());
        assertThatThrownBy(() -> AgentImageCodec.restore(cut, TYPE, M)).isInstanceOf(MigrationException.class)
                .hasMessageContaining("agent image");
    }
}

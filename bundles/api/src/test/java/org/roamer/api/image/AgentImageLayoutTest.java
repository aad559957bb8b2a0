/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.api.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.image.AgentImageLayout.Conversation;
import org.roamer.api.image.AgentImageLayout.State;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;

/** The one image layout of the core and the kit: round trips, its exact bytes, and every kind of damage refused. */
class AgentImageLayoutTest {
    private static final MobileId ALICE = MobileId.of("alice");
    private static final AgentType TYPE = AgentImageLayout.type("org.example.agent", "1.0.0");

    private static State idle() {
        return new State(new MigrationVariables(ALICE, Profile.defaults(), List.of(), "rp-1", 12), new byte[0], null,
                -1, 3);
    }

    private static State busy() {
        Profile p = new Profile(false, Set.of("voice", "data", "video"), Set.of("xserver"), MobileId.of("dave"));
        MigrationVariables v = new MigrationVariables(ALICE, p, List.of(
                new ActiveCall("call-17", CallType.VOICE, List.of(MobileId.of("bob")), true, "rp-2"),
                new ActiveCall("call-18", CallType.VIDEO, List.of(MobileId.of("carol"), MobileId.of("dave")), false,
                        null)),
                null, 42);
        byte[] app = new byte[5000];
        new SplittableRandom(1).nextBytes(app);
        return new State(v, app, new Conversation("call-99", true, "bob", CallType.FAX, "127.0.0.1:7101", 77), 1_500,
                99);
    }

    private static MigrationException refused(AgentImage image) {
        return refused(image, TYPE, ALICE);
    }

    private static MigrationException refused(AgentImage image, AgentType local, MobileId expected) {
        Throwable t = catchThrowable(() -> AgentImageLayout.decode(image, local, expected));
        assertThat(t).as("decoding %s", image).isExactlyInstanceOf(MigrationException.class);
        assertThat(t.getMessage()).isNotBlank();
        return (MigrationException) t;
    }

    private interface Body {
        void write(DataOutputStream d) throws IOException;
    }

    private static byte[] bytes(Body body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        body.write(d);
        d.flush();
        return b.toByteArray();
    }

    private static AgentImage withData(AgentImage img, byte[] data) {
        return new AgentImage(img.type(), data, img.stack(), img.registers());
    }

    // ------------------------------------------------------------------ the layout itself

    /** Agents captured by earlier releases (checkpoints on disk, nodes not yet upgraded) carry this hash. */
    @Test
    void layoutHashIsTheOneEarlierReleasesWrote() {
        assertThat(AgentImageLayout.LAYOUT_HASH).isEqualTo(0xa4c088bfd6c793d4L);
        assertThat(AgentImageLayout.type("b", "1").layoutHash()).isEqualTo(AgentImageLayout.LAYOUT_HASH);
    }

    @Test
    void roundTripsEveryField() throws Exception {
        for (State s : List.of(idle(), busy())) {
            AgentImage img = AgentImageLayout.encode(s, TYPE);
            assertThat(img.type()).isEqualTo(TYPE);
            assertThat(AgentImageLayout.decode(img, TYPE, ALICE)).isEqualTo(s);
        }
        State noReply = new State(idle().variables(), new byte[]{1, 2, 3},
                new Conversation("c-1", false, "bob", CallType.DATA, null, -5), 0, 0);
        assertThat(AgentImageLayout.decode(AgentImageLayout.encode(noReply, TYPE), TYPE, ALICE)).isEqualTo(noReply);
    }

    @Test
    void writesTheDocumentedBytes() throws Exception {
        State s = new State(new MigrationVariables(MobileId.of("m"), new Profile(true, Set.of("voice"), Set.of(), null),
                List.of(), null, 3), new byte[]{9}, new Conversation("c", true, "p", CallType.DATA, null, 2), -1, 4);
        AgentImage img = AgentImageLayout.encode(s, TYPE);
        HexFormat hex = HexFormat.of();
        // mobile "m" | mobTerm | 1 capability "voice" | 0 applications | no forwarding | 0 calls | no radio port
        // | delivered 3 | 1 byte of application state
        assertThat(hex.formatHex(img.data())).isEqualTo("00016d" + "01" + "0001" + "0005766f696365" + "0000" + "00"
                + "0000" + "00" + "0000000000000003" + "00000001" + "09");
        // conversation | "c" | callee | "p" | DATA | no reply-to | correlation 2
        assertThat(hex.formatHex(img.stack())).isEqualTo("01" + "000163" + "01" + "000170" + "01" + "00"
                + "0000000000000002");
        assertThat(hex.formatHex(img.registers())).isEqualTo("ffffffffffffffff" + "0000000000000004");
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void duplicateSetEntriesAreRefusedNotDropped() throws Exception {
        for (String set : List.of("capabilities", "applications")) {
            byte[] data = bytes(d -> {
                d.writeUTF("alice");
                d.writeBoolean(true);
                for (String which : List.of("capabilities", "applications")) {
                    if (which.equals(set)) {
                        d.writeShort(2);
                        d.writeUTF("voice");
                        d.writeUTF("voice");
                    } else {
                        d.writeShort(0);
                    }
                }
                d.writeBoolean(false);
                d.writeShort(0);
                d.writeBoolean(false);
                d.writeLong(0);
                d.writeInt(0);
            });
            AgentImage img = withData(AgentImageLayout.encode(idle(), TYPE), data);
            assertThat(refused(img)).hasMessageContaining("duplicate entry 'voice' in " + set);
        }
    }

    @Test
    void everyTruncationIsRefused() {
        AgentImage img = AgentImageLayout.encode(busy(), TYPE);
        byte[][] segments = {img.data(), img.stack(), img.registers()};
        for (int seg = 0; seg < 3; seg++) {
            for (int n = 0; n < segments[seg].length; n++) {
                byte[][] cut = {img.data(), img.stack(), img.registers()};
                cut[seg] = Arrays.copyOf(segments[seg], n);
                refused(new AgentImage(TYPE, cut[0], cut[1], cut[2]));
            }
        }
    }

    @Test
    void trailingBytesInAnySegmentAreRefused() {
        AgentImage img = AgentImageLayout.encode(busy(), TYPE);
        byte[][] segments = {img.data(), img.stack(), img.registers()};
        String[] names = {"data", "stack", "registers"};
        for (int seg = 0; seg < 3; seg++) {
            byte[][] longer = {img.data(), img.stack(), img.registers()};
            longer[seg] = Arrays.copyOf(segments[seg], segments[seg].length + 1);
            assertThat(refused(new AgentImage(TYPE, longer[0], longer[1], longer[2])))
                    .hasMessageContaining("trailing bytes in the " + names[seg] + " segment");
        }
    }

    @Test
    void garbageIsRefusedWithMigrationExceptionOnly() {
        SplittableRandom random = new SplittableRandom(0x6c61796f7574L);
        AgentImage good = AgentImageLayout.encode(busy(), TYPE);
        for (int t = 0; t < 2000; t++) {
            byte[] junk = new byte[random.nextInt(200)];
            random.nextBytes(junk);
            AgentImage img = switch (t % 3) {
                case 0 -> new AgentImage(TYPE, junk, good.stack(), good.registers());
                case 1 -> new AgentImage(TYPE, good.data(), junk, good.registers());
                default -> new AgentImage(TYPE, good.data(), good.stack(), junk);
            };
            Throwable e = catchThrowable(() -> AgentImageLayout.decode(img, TYPE, ALICE));
            // a random stack or registers segment of the right shape can be valid; anything else is refused
            assertThat(e).as("garbage #%d", t).satisfiesAnyOf(
                    x -> assertThat(x).isNull(),
                    x -> assertThat(x).isExactlyInstanceOf(MigrationException.class));
            if (t % 3 == 0) {
                assertThat(e).as("a random data segment names another mobile or is malformed").isNotNull();
            }
        }
        // every single-byte change of a small image is refused with a reason, or decodes to a valid state
        AgentImage small = AgentImageLayout.encode(idle(), TYPE);
        for (int i = 0; i < small.data().length; i++) {
            for (int mask = 1; mask < 256; mask++) {
                byte[] d = small.data().clone();
                d[i] ^= (byte) mask;
                AgentImage bad = withData(small, d);
                try {
                    State s = AgentImageLayout.decode(bad, TYPE, ALICE);
                    assertThat(AgentImageLayout.decode(AgentImageLayout.encode(s, TYPE), TYPE, ALICE))
                            .as("byte %d ^ %02x", i, mask).isEqualTo(s);
                } catch (MigrationException e) {
                    assertThat(e.getMessage()).isNotBlank();
                }
            }
        }
    }

    @Test
    void invalidValuesAreRefusedWithTheReason() throws Exception {
        AgentImage img = AgentImageLayout.encode(idle(), TYPE);
        byte[] flag = img.data().clone();
        flag[2 + "alice".length()] = 2; // the mobTerm flag byte
        assertThat(refused(withData(img, flag))).hasMessageContaining("flag byte 2");
        byte[] manyCalls = bytes(d -> {
            d.writeUTF("alice");
            d.writeBoolean(true);
            d.writeShort(0);
            d.writeShort(0);
            d.writeBoolean(false);
            d.writeShort(AgentImageLayout.MAX_CALLS + 1);
        });
        assertThat(refused(withData(img, manyCalls))).hasMessageContaining("65 calls (max 64)");
        byte[] negative = bytes(d -> {
            d.writeUTF("alice");
            d.writeBoolean(true);
            d.writeShort(0);
            d.writeShort(0);
            d.writeBoolean(false);
            d.writeShort(0);
            d.writeBoolean(false);
            d.writeLong(-1);
            d.writeInt(0);
        });
        assertThat(refused(withData(img, negative))).hasMessageContaining("negative delivered count -1");
        byte[] overlong = bytes(d -> {
            d.writeUTF("alice");
            d.writeBoolean(true);
            d.writeShort(0);
            d.writeShort(0);
            d.writeBoolean(false);
            d.writeShort(0);
            d.writeBoolean(false);
            d.writeLong(0);
            d.writeInt(Integer.MAX_VALUE);
        });
        assertThat(refused(withData(img, overlong))).hasMessageContaining("application state of 2147483647 bytes");
        byte[] badWord = bytes(d -> {
            d.writeUTF("alice");
            d.writeBoolean(true);
            d.writeShort(1);
            d.writeUTF("Voice!");
        });
        assertThat(refused(withData(img, Arrays.copyOf(badWord, badWord.length + 40))))
                .hasMessageContaining("invalid agent image");
        byte[] timer = bytes(d -> {
            d.writeLong(-2);
            d.writeLong(0);
        });
        assertThat(refused(new AgentImage(TYPE, img.data(), img.stack(), timer))).hasMessageContaining("registers -2");
        byte[] handled = bytes(d -> {
            d.writeLong(-1);
            d.writeLong(-1);
        });
        assertThat(refused(new AgentImage(TYPE, img.data(), img.stack(), handled))).hasMessageContaining("registers");
        byte[] callType = bytes(d -> {
            d.writeBoolean(true);
            d.writeUTF("c");
            d.writeBoolean(true);
            d.writeUTF("p");
            d.writeByte(CallType.values().length);
        });
        assertThat(refused(new AgentImage(TYPE, img.data(), callType, img.registers())))
                .hasMessageContaining("call type");
    }

    @Test
    void foreignTypesOtherMobilesAndMissingSegmentsAreRefused() {
        AgentImage img = AgentImageLayout.encode(idle(), TYPE);
        AgentType v2 = new AgentType(TYPE.bundle(), "2.0.0", TYPE.layoutHash());
        AgentType hash = new AgentType(TYPE.bundle(), TYPE.version(), TYPE.layoutHash() + 1);
        assertThat(refused(img, v2, ALICE)).hasMessageContaining("2.0.0").hasMessageContaining("1.0.0");
        assertThat(refused(img, hash, ALICE)).hasMessageContaining("layout");
        assertThat(refused(img, TYPE, MobileId.of("bob")))
                .hasMessageContaining("image is of mobile alice, expected bob");
        assertThat(refused(new AgentImage(TYPE, img.data(), null, img.registers()))).hasMessageContaining("incomplete");
        assertThat(refused(null)).hasMessageContaining("incomplete");
    }

    @Test
    void statesTheLayoutCannotHoldAreRefusedWhenMade() {
        MigrationVariables v = idle().variables();
        assertThatThrownBy(() -> new State(v, new byte[0], null, -2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new State(v, new byte[0], null, -1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new State(v, null, null, -1, 0)).isInstanceOf(NullPointerException.class);
    }
}

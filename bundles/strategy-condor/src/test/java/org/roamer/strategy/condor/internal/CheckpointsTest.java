/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.condor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.roamer.strategy.condor.internal.Fixtures.ALICE;
import static org.roamer.strategy.condor.internal.Fixtures.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.testkit.OpaqueAgent;

/** The crash-recovery helpers: listing and reading the checkpoints of a directory. */
class CheckpointsTest {
    @TempDir
    Path work;

    private Path capture(MobileId mobile, long epoch, long migrationId, Instant at, AgentImage image) throws Exception {
        CondorStrategy s = new CondorStrategy(new CondorStrategy.Settings(null, true, 65_536),
                Clock.fixed(at, ZoneOffset.UTC), Durability.FSYNC);
        MigrationContext ctx = new MigrationContext(migrationId, mobile, epoch, Fixtures.SOURCE, Fixtures.TARGET,
                Fixtures.MAX_CHUNK, Fixtures.MAX_IMAGE, work);
        s.capture(OpaqueAgent.of(mobile, image), ctx, c -> {
        });
        return Checkpoints.defaultDirectory(work).resolve(Checkpoints.fileName(mobile, epoch, migrationId,
                Fixtures.SOURCE));
    }

    @Test
    void listsIntactCheckpointsNewestEpochFirstAndCorruptedOnesWithTheReason() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        AgentImage a1 = image(1_000, 10, 2, 1);
        AgentImage a2 = image(2_000, 20, 2, 2);
        capture(ALICE, 1, 10, t0, a1);
        capture(ALICE, 2, 11, t0.plusSeconds(60), a2);
        Path bob = capture(MobileId.of("bob"), 5, 12, t0.plusSeconds(30), image(500, 0, 0, 3));
        Path corrupted = capture(MobileId.of("carol"), 1, 13, t0, image(700, 7, 7, 4));
        byte[] bytes = Files.readAllBytes(corrupted);
        bytes[100] ^= 1;
        Files.write(corrupted, bytes);
        Path dir = Checkpoints.defaultDirectory(work);
        Files.writeString(dir.resolve(".alice-e3-m14-uss-a.rckp.123.tmp"), "being written");
        Files.writeString(dir.resolve("notes.txt"), "not a checkpoint");
        Files.write(dir.resolve("empty.rckp"), new byte[0]);

        List<CheckpointEntry> list = Checkpoints.list(dir, Fixtures.MAX_IMAGE);
        List<String> rows = new ArrayList<>();
        for (CheckpointEntry e : list) {
            rows.add(e.file().getFileName() + (e.intact()
                    ? " " + e.header().mobile() + " e" + e.header().epoch()
                            + " " + e.header().created() + " " + e.size() + " " + e.header().type().bundle()
                    : " REFUSED " + e.problem()));
        }
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)).startsWith("alice-e2-m11-uss-a.rckp alice e2 2026-01-01T00:01:00Z");
        assertThat(rows.get(1)).startsWith("alice-e1-m10-uss-a.rckp alice e1 2026-01-01T00:00:00Z");
        assertThat(rows.get(2)).startsWith("bob-e5-m12-uss-a.rckp bob e5").endsWith("org.roamer.core");
        assertThat(rows.get(3)).startsWith("carol-e1-m13-uss-a.rckp REFUSED").contains("checksum mismatch");
        assertThat(rows.get(4)).startsWith("empty.rckp REFUSED").contains("truncated");
        assertThat(list.get(2).size()).isEqualTo(Files.size(bob));
        assertThat(list.get(0).header().imageBytes()).isEqualTo(a2.size());

        CheckpointEntry latest = Checkpoints.latest(dir, ALICE, Fixtures.MAX_IMAGE).orElseThrow();
        assertThat(latest.header().epoch()).isEqualTo(2);
        Checkpoint cp = Checkpoints.read(latest.file(), Fixtures.MAX_IMAGE);
        Fixtures.assertSameImage(cp.image(), a2);
        assertThat(cp.header().node()).isEqualTo(NodeId.of("uss-a"));
        assertThat(Checkpoints.latest(dir, MobileId.of("carol"), Fixtures.MAX_IMAGE)).isEmpty();
        assertThatThrownBy(() -> Checkpoints.read(corrupted, Fixtures.MAX_IMAGE))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void aMissingDirectoryListsNothingAndAMissingFileIsAMigrationException() throws Exception {
        assertThat(Checkpoints.list(work.resolve("none"), Fixtures.MAX_IMAGE)).isEmpty();
        assertThatThrownBy(() -> Checkpoints.read(work.resolve("none.rckp"), Fixtures.MAX_IMAGE))
                .isExactlyInstanceOf(MigrationException.class).hasMessageContaining("cannot read checkpoint");
    }

    @Test
    void aCheckpointOverTheReadersLimitIsRefusedWithoutReadingIt() throws Exception {
        Path file = capture(ALICE, 1, 1, Instant.EPOCH, image(100_000, 0, 0, 5));
        assertThatThrownBy(() -> Checkpoints.read(file, 10_000)).isExactlyInstanceOf(MigrationException.class)
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void fileNamesAreSafeAndDistinguishTheWritingNode() {
        assertThat(Checkpoints.fileName(ALICE, 3, 7, NodeId.of("uss-a"))).isEqualTo("alice-e3-m7-uss-a.rckp");
        assertThat(Checkpoints.fileName(ALICE, 3, -1, NodeId.of("uss-b")))
                .isEqualTo("alice-e3-m18446744073709551615-uss-b.rckp");
        assertThat(Checkpoints.defaultDirectory(Path.of("work"))).isEqualTo(Path.of("work", "checkpoints"));
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit.reference;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * A Condor-like reference strategy for the kit's own tests: the agent image written to a checkpoint file (CRC32
 * over the whole file) in the source's work directory, the file moved in numbered sealed chunks into a file in the
 * target's work directory, verified before it is parsed, and restored whole. The checkpoint names its migration
 * (id and epoch), and its segments are checked against the target's restored-size limit before they are read.
 */
public final class CheckpointStrategy implements MigrationStrategy {
    private static final int MAGIC = 0x52434B50; // "RCKP"
    /** seq + count + file length, plus the seal. */
    private static final int CHUNK_OVERHEAD = 4 + 4 + 8 + Wire.SEAL;
    private static final StrategyTraits TRAITS = new StrategyTraits(true, false, true, false,
            "reference Condor-like: checkpoint file moved in chunks, restored whole");

    @Override
    public String name() {
        return "ref-checkpoint";
    }

    @Override
    public StrategyTraits traits() {
        return TRAITS;
    }

    static Path file(Path dir, String prefix, MigrationContext ctx) {
        return dir.resolve(prefix + "-" + ctx.mobile().value() + "-" + ctx.migrationId() + ".ckpt");
    }

    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        AgentImage image = agent.image();
        byte[] body = Wire.bytes(d -> {
            d.writeInt(MAGIC);
            d.writeUTF(image.type().bundle());
            d.writeUTF(image.type().version());
            d.writeLong(image.type().layoutHash());
            d.writeUTF(agent.mobile().value());
            d.writeLong(ctx.migrationId());
            d.writeLong(ctx.epoch());
            for (byte[] segment : new byte[][]{image.data(), image.stack(), image.registers()}) {
                d.writeInt(segment.length);
                d.write(segment);
            }
        });
        Path checkpoint = file(ctx.workDirectory(), "checkpoint", ctx);
        byte[] file;
        try {
            Path tmp = Files.createTempFile(ctx.workDirectory(), "checkpoint", ".tmp");
            Files.write(tmp, Wire.seal(body));
            Files.move(tmp, checkpoint, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            file = Files.readAllBytes(checkpoint);
        } catch (IOException e) {
            throw new MigrationException("cannot write checkpoint " + checkpoint + ": " + e, e);
        }
        int payload = ctx.maxChunkBytes() - CHUNK_OVERHEAD;
        if (payload < 1) {
            throw new MigrationException("chunk limit of " + ctx.maxChunkBytes() + " bytes is too small");
        }
        if (file.length > ctx.maxImageBytes()) {
            throw new MigrationException("checkpoint of " + file.length + " bytes exceeds " + ctx.maxImageBytes());
        }
        int count = (file.length + payload - 1) / payload;
        for (int i = 0; i < count; i++) {
            int from = i * payload;
            int len = Math.min(payload, file.length - from);
            int seq = i;
            out.accept(Wire.seal(Wire.bytes(d -> {
                d.writeInt(seq);
                d.writeInt(count);
                d.writeLong(file.length);
                d.write(file, from, len);
            })));
        }
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
        return new Session(target, ctx);
    }

    private static final class Session implements RestoreSession {
        private final RestoreTarget target;
        private final MigrationContext ctx;
        private final Path incoming;
        private String closed;
        private int next;
        private int count = -1;
        private long length = -1;
        private long received;

        Session(RestoreTarget target, MigrationContext ctx) {
            this.target = target;
            this.ctx = ctx;
            this.incoming = file(ctx.workDirectory(), "incoming", ctx);
        }

        @Override
        public synchronized void accept(byte[] chunk) throws MigrationException {
            if (closed != null) {
                throw new MigrationException("restore is " + closed);
            }
            try {
                take(chunk);
            } catch (MigrationException e) {
                fail("failed: " + e.getMessage());
                throw e;
            }
        }

        private void take(byte[] chunk) throws MigrationException {
            if (chunk.length > ctx.maxChunkBytes()) {
                throw new MigrationException("chunk of " + chunk.length + " bytes over the limit");
            }
            ByteBuffer in = ByteBuffer.wrap(Wire.open(chunk, true));
            if (in.remaining() < 16) {
                throw new MigrationException("chunk too short");
            }
            int seq = in.getInt();
            int n = in.getInt();
            long len = in.getLong();
            if (seq != next || (count >= 0 && (n != count || len != length)) || n < 1 || seq >= n || len < 1
                    || len > ctx.maxImageBytes()) {
                throw new MigrationException("chunk " + seq + "/" + n + " of a " + len + "-byte checkpoint, expected "
                        + "chunk " + next + (count >= 0 ? "/" + count + " of " + length : ""));
            }
            count = n;
            length = len;
            next++;
            received += in.remaining();
            if (received > length) {
                throw new MigrationException("more checkpoint bytes than announced");
            }
            try (OutputStream out = Files.newOutputStream(incoming, next == 1
                    ? new StandardOpenOption[]{StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                            StandardOpenOption.WRITE}
                    : new StandardOpenOption[]{StandardOpenOption.APPEND, StandardOpenOption.WRITE})) {
                out.write(chunk, chunk.length - Wire.SEAL - in.remaining(), in.remaining());
            } catch (IOException e) {
                throw new MigrationException("cannot write " + incoming + ": " + e, e);
            }
        }

        @Override
        public synchronized void finish() throws MigrationException {
            if (closed != null) {
                throw new MigrationException("restore is " + closed);
            }
            try {
                if (count < 0 || next != count || received != length) {
                    throw new MigrationException("incomplete checkpoint: " + next + " of " + count + " chunks, "
                            + received + " of " + length + " bytes");
                }
                byte[] file = Files.readAllBytes(incoming);
                byte[] body = Wire.open(file, true); // verified before it is parsed
                target.restoreImage(parse(body));
                fail("finished");
            } catch (IOException e) {
                fail("failed");
                throw new MigrationException("cannot read " + incoming + ": " + e, e);
            } catch (MigrationException e) {
                fail("failed: " + e.getMessage());
                throw e;
            }
        }

        private AgentImage parse(byte[] body) throws MigrationException {
            try {
                DataInputStream d = new DataInputStream(new ByteArrayInputStream(body));
                if (d.readInt() != MAGIC) {
                    throw new MigrationException("not a checkpoint");
                }
                AgentType type = new AgentType(d.readUTF(), d.readUTF(), d.readLong());
                AgentType local = target.localAgentType();
                if (!type.equals(local)) {
                    throw new MigrationException("checkpoint of agent type " + type + " cannot be restored by a node "
                            + "running " + local);
                }
                if (!d.readUTF().equals(ctx.mobile().value()) || d.readLong() != ctx.migrationId()
                        || d.readLong() != ctx.epoch()) {
                    throw new MigrationException("checkpoint of another migration");
                }
                byte[][] segments = new byte[3][];
                long total = 0;
                for (int i = 0; i < 3; i++) {
                    int n = d.readInt();
                    if (n < 0 || n > d.available()) {
                        throw new MigrationException("segment of " + n + " bytes, " + d.available() + " left");
                    }
                    total += n;
                    if (total > target.maxRestoredBytes()) {
                        throw new MigrationException("checkpoint image over this node's restored-size limit of "
                                + target.maxRestoredBytes() + " bytes");
                    }
                    segments[i] = d.readNBytes(n);
                }
                if (d.available() != 0) {
                    throw new MigrationException("trailing checkpoint bytes");
                }
                return new AgentImage(type, segments[0], segments[1], segments[2]);
            } catch (IOException e) {
                throw new MigrationException("truncated checkpoint: " + e, e);
            }
        }

        @Override
        public synchronized void abort() {
            if (closed == null || !closed.equals("aborted")) {
                fail("aborted");
            }
        }

        private void fail(String why) {
            closed = why;
            try {
                Files.deleteIfExists(incoming);
            } catch (IOException e) {
                // best effort: the work directory is node-local scratch space
            }
        }
    }
}

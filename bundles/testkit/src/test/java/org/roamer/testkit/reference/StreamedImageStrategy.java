/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit.reference;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

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
 * A reference strategy for the kit's own tests that moves the agent image as one byte stream cut into chunks and
 * restores it whole ({@code restoreImage}), in memory: a small agent takes one chunk, a larger one several. Every
 * chunk is {@code seq | count | migration id | epoch | part of the stream}, sealed with a CRC32; the stream opens
 * with the agent type, the mobile and the segment sizes, which the target checks — against its agent type and its
 * restored-size limit — before it allocates anything. {@link Flaw}s turn it into broken strategies the kit must
 * catch; unlike {@link PagedImageStrategy} their bugs only show in transfers of several chunks.
 */
public final class StreamedImageStrategy implements MigrationStrategy {
    /** Deliberate bugs. */
    public enum Flaw {
        /** Verifies the seal of the first chunk only: damage in a later chunk goes unnoticed. */
        FIRST_CHUNK_CHECKSUM_ONLY,
        /** Checks the migration binding of the first chunk only: chunks of another transfer are taken after it. */
        ACCEPTS_SPLICE,
        /** Checks no migration binding at all: a transfer of another migration of the mobile is taken whole. */
        NO_MIGRATION_BINDING,
        /** Allocates and restores what the stream declares without reading the target's restored-size limit. */
        IGNORES_RESTORED_LIMIT,
        /** Keeps the stream being assembled in the strategy instance, not in the session. */
        SHARED_SESSION_STATE
    }

    private static final int MAGIC = 0x52535452; // "RSTR"
    /** seq + count + migration id + epoch, plus the seal. */
    private static final int CHUNK_OVERHEAD = 4 + 4 + 8 + 8 + Wire.SEAL;
    private static final StrategyTraits TRAITS = new StrategyTraits(true, false, true, false,
            "reference streamed image: the image as one sealed, migration-bound stream, restored whole");

    private final Set<Flaw> flaws;
    /** Where {@link Flaw#SHARED_SESSION_STATE} assembles every session's stream. */
    private byte[] shared;

    public StreamedImageStrategy(Flaw... flaws) {
        this.flaws = flaws.length == 0 ? EnumSet.noneOf(Flaw.class) : EnumSet.copyOf(Arrays.asList(flaws));
    }

    private boolean has(Flaw f) {
        return flaws.contains(f);
    }

    @Override
    public String name() {
        return "ref-streamed";
    }

    @Override
    public StrategyTraits traits() {
        return TRAITS;
    }

    /** The stream is cut and assembled in memory. */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        AgentImage image = agent.image();
        byte[] header = Wire.bytes(d -> {
            d.writeInt(MAGIC);
            d.writeUTF(image.type().bundle());
            d.writeUTF(image.type().version());
            d.writeLong(image.type().layoutHash());
            d.writeUTF(agent.mobile().value());
            d.writeInt(image.data().length);
            d.writeInt(image.stack().length);
            d.writeInt(image.registers().length);
        });
        int part = ctx.maxChunkBytes() - CHUNK_OVERHEAD;
        if (part < header.length) {
            throw new MigrationException("chunk limit of " + ctx.maxChunkBytes() + " bytes cannot hold the stream's "
                    + header.length + "-byte header");
        }
        byte[] stream = ByteBuffer.allocate(header.length + image.size()).put(header).put(image.data())
                .put(image.stack()).put(image.registers()).array();
        int count = (stream.length + part - 1) / part;
        if ((long) count * CHUNK_OVERHEAD + stream.length > ctx.maxImageBytes()) {
            throw new MigrationException("stream of " + stream.length + " bytes in " + count + " chunks exceeds the "
                    + "image limit of " + ctx.maxImageBytes());
        }
        for (int i = 0; i < count; i++) {
            int from = i * part;
            int len = Math.min(part, stream.length - from);
            int seq = i;
            out.accept(Wire.seal(Wire.bytes(d -> {
                d.writeInt(seq);
                d.writeInt(count);
                d.writeLong(ctx.migrationId());
                d.writeLong(ctx.epoch());
                d.write(stream, from, len);
            })));
        }
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) {
        return new Session(target, ctx);
    }

    private final class Session implements RestoreSession {
        private final RestoreTarget target;
        private final MigrationContext ctx;
        private String closed;
        private int next;
        private int count;
        private AgentType type;
        private int[] sizes;
        private byte[] image;
        private int filled;
        private int headerLength;

        Session(RestoreTarget target, MigrationContext ctx) {
            this.target = target;
            this.ctx = ctx;
        }

        @Override
        public synchronized void accept(byte[] chunk) throws MigrationException {
            if (closed != null) {
                throw new MigrationException("restore is " + closed);
            }
            try {
                take(chunk);
            } catch (MigrationException e) {
                close("failed: " + e.getMessage());
                throw e;
            }
        }

        private void take(byte[] chunk) throws MigrationException {
            if (chunk.length > ctx.maxChunkBytes()) {
                throw new MigrationException("chunk of " + chunk.length + " bytes over the limit");
            }
            boolean verify = !has(Flaw.FIRST_CHUNK_CHECKSUM_ONLY) || next == 0;
            ByteBuffer in = ByteBuffer.wrap(Wire.open(chunk, verify));
            if (in.remaining() < CHUNK_OVERHEAD - Wire.SEAL) {
                throw new MigrationException("chunk of " + chunk.length + " bytes is too short");
            }
            int seq = in.getInt();
            int n = in.getInt();
            long id = in.getLong();
            long epoch = in.getLong();
            if (seq != next || n < 1 || seq >= n || (next > 0 && n != count)) {
                throw new MigrationException("chunk " + seq + " of " + n + ", expected chunk " + next
                        + (next > 0 ? " of " + count : ""));
            }
            boolean bound = !has(Flaw.NO_MIGRATION_BINDING) && (next == 0 || !has(Flaw.ACCEPTS_SPLICE));
            if (bound && (id != ctx.migrationId() || epoch != ctx.epoch())) {
                throw new MigrationException("chunk " + seq + " belongs to migration " + id + " (epoch " + epoch
                        + "), not to " + ctx.migrationId() + " (epoch " + ctx.epoch() + ")");
            }
            count = n;
            next++;
            int offset = in.position();
            if (seq == 0) {
                offset += header(chunk, offset, chunk.length - Wire.SEAL - offset);
            }
            int len = chunk.length - Wire.SEAL - offset;
            byte[] into = has(Flaw.SHARED_SESSION_STATE) ? shared : image;
            if (len > into.length - filled) {
                throw new MigrationException("chunk " + seq + " runs past the declared " + into.length + " bytes");
            }
            System.arraycopy(chunk, offset, into, filled, len);
            filled += len;
        }

        /** Reads the stream's header from the first chunk; returns its length. */
        private int header(byte[] chunk, int offset, int length) throws MigrationException {
            try {
                DataInputStream d = new DataInputStream(new ByteArrayInputStream(chunk, offset, length));
                if (d.readInt() != MAGIC) {
                    throw new MigrationException("not a streamed image");
                }
                AgentType t = new AgentType(d.readUTF(), d.readUTF(), d.readLong());
                String mobile = d.readUTF();
                int[] s = {d.readInt(), d.readInt(), d.readInt()};
                headerLength = length - d.available();
                if (!mobile.equals(ctx.mobile().value())) {
                    throw new MigrationException("image of mobile " + mobile + ", migration of " + ctx.mobile());
                }
                AgentType local = target.localAgentType();
                if (!t.equals(local)) {
                    throw new MigrationException("image of agent type " + t + " cannot be restored by a node running "
                            + local);
                }
                if (s[0] < 0 || s[1] < 0 || s[2] < 0) {
                    throw new MigrationException("negative segment sizes");
                }
                long total = (long) s[0] + s[1] + s[2];
                if (total > ctx.maxImageBytes()) {
                    throw new MigrationException("image of " + total + " bytes over the migration's limit of "
                            + ctx.maxImageBytes());
                }
                if (!has(Flaw.IGNORES_RESTORED_LIMIT) && total > target.maxRestoredBytes()) {
                    throw new MigrationException("image of " + total + " bytes over this node's restored-size limit of "
                            + target.maxRestoredBytes());
                }
                type = t;
                sizes = s;
                image = new byte[(int) total];
                if (has(Flaw.SHARED_SESSION_STATE)) {
                    shared = new byte[(int) total];
                }
                return headerLength;
            } catch (IOException e) {
                throw new MigrationException("truncated stream header: " + e, e);
            }
        }

        @Override
        public synchronized void finish() throws MigrationException {
            if (closed != null) {
                throw new MigrationException("restore is " + closed);
            }
            byte[] all = has(Flaw.SHARED_SESSION_STATE) ? shared : image;
            if (type == null || next != count || filled != all.length) {
                close("failed");
                throw new MigrationException("incomplete stream: " + next + " of " + count + " chunks, " + filled
                        + " bytes");
            }
            close("finished");
            int d = sizes[0];
            int s = sizes[1];
            target.restoreImage(new AgentImage(type, Arrays.copyOfRange(all, 0, d), Arrays.copyOfRange(all, d, d + s),
                    Arrays.copyOfRange(all, d + s, all.length)));
        }

        @Override
        public synchronized void abort() {
            close("aborted");
        }

        private void close(String why) {
            closed = why;
            image = null;
        }
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit.reference;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import org.roamer.api.MobileId;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * A TERN-like reference strategy for the kit's own tests: the agent image streamed in CRC-sealed, numbered pages
 * straight into a pre-created agent, registers last. Every chunk carries the migration id and epoch of its
 * migration (no page of another transfer is taken), and the declared sizes are checked against the target's
 * restored-size limit before the agent is pre-created. {@link Flaw}s turn it into the broken strategies the kit must
 * catch.
 */
public final class PagedImageStrategy implements MigrationStrategy {
    /** Deliberate bugs. */
    public enum Flaw {
        IGNORES_CHUNK_LIMIT, RECYCLES_CHUNKS, NO_CHECKSUM, TYPE_BLIND, REGISTERS_FIRST, THROWING_ABORT, WRAPS_TARGET_FAILURE, KEEPS_AGENT, SWALLOWS_SINK_FAILURE, CLAIMS_SYNCHRONOUS, CLAIMS_HETEROGENEOUS, CLAIMS_OPTIMIZING, APPENDS_PAGES, UNCHECKED_PARSE, THROWING_HOOKS, WRITES_FILE_WHILE_NON_BLOCKING,
        /** Pre-creates whatever the header declares, without reading the target's restored-size limit. */
        IGNORES_RESTORED_LIMIT
    }

    private static final byte HEADER = 'H';
    private static final byte DATA = 'D';
    private static final byte STACK = 'S';
    private static final byte REGISTERS = 'R';
    /** kind + seq + migration id + epoch + offset, plus the seal. */
    private static final int PAGE_OVERHEAD = 1 + 4 + 8 + 8 + 4 + Wire.SEAL;

    private static volatile MigratingAgent kept;

    private final Set<Flaw> flaws;
    private final StrategyTraits traits;

    public PagedImageStrategy(Flaw... flaws) {
        this.flaws = flaws.length == 0 ? EnumSet.noneOf(Flaw.class) : EnumSet.copyOf(Arrays.asList(flaws));
        this.traits = new StrategyTraits(true, has(Flaw.CLAIMS_HETEROGENEOUS), !has(Flaw.CLAIMS_SYNCHRONOUS),
                has(Flaw.CLAIMS_OPTIMIZING), "reference TERN-like: sealed pages into a pre-created agent");
    }

    private boolean has(Flaw f) {
        return flaws.contains(f);
    }

    @Override
    public String name() {
        return "ref-paged";
    }

    @Override
    public StrategyTraits traits() {
        return traits;
    }

    /** Pages are copied in memory: nothing blocks (the flawed variant writes a scratch file anyway). */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public void finished(MigrationContext ctx, boolean committed) {
        if (has(Flaw.THROWING_HOOKS)) {
            throw new IllegalStateException("no record of migration " + ctx.migrationId());
        }
    }

    @Override
    public void departed(org.roamer.api.MobileId mobile, org.roamer.api.NodeId node, java.nio.file.Path work) {
        if (has(Flaw.THROWING_HOOKS)) {
            throw new IllegalStateException("never saw " + mobile);
        }
    }

    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        if (has(Flaw.KEEPS_AGENT)) {
            kept = agent;
        }
        if (has(Flaw.WRITES_FILE_WHILE_NON_BLOCKING) && ctx.workDirectory() != null) {
            try {
                java.nio.file.Files.write(ctx.workDirectory().resolve("scratch-" + ctx.migrationId()), new byte[]{1});
            } catch (java.io.IOException e) {
                throw new MigrationException("scratch file: " + e, e);
            }
        }
        AgentImage image = agent.image();
        int page = (has(Flaw.IGNORES_CHUNK_LIMIT) ? 16 * 1024 : ctx.maxChunkBytes()) - PAGE_OVERHEAD;
        byte[] header = header(image, agent.mobile(), ctx, 0);
        if (page < 1 || header.length > page + PAGE_OVERHEAD || image.registers().length > page + 4) {
            throw new MigrationException("chunk limit of " + ctx.maxChunkBytes() + " bytes is too small for pages");
        }
        int count = 2 + pages(image.data().length, page) + pages(image.stack().length, page);
        header = header(image, agent.mobile(), ctx, count);
        int[] seq = {0};
        byte[][] emitted = new byte[count][];
        emit(out, Wire.seal(header), seq, emitted);
        if (has(Flaw.REGISTERS_FIRST)) {
            emit(out, Wire.seal(page(REGISTERS, seq[0], ctx, 0, image.registers(), 0, image.registers().length)), seq,
                    emitted);
        }
        for (int off = 0; off < image.data().length; off += page) {
            int len = Math.min(page, image.data().length - off);
            emit(out, Wire.seal(page(DATA, seq[0], ctx, off, image.data(), off, len)), seq, emitted);
        }
        for (int off = 0; off < image.stack().length; off += page) {
            int len = Math.min(page, image.stack().length - off);
            emit(out, Wire.seal(page(STACK, seq[0], ctx, off, image.stack(), off, len)), seq, emitted);
        }
        if (!has(Flaw.REGISTERS_FIRST)) {
            emit(out, Wire.seal(page(REGISTERS, seq[0], ctx, 0, image.registers(), 0, image.registers().length)), seq,
                    emitted);
        }
        if (has(Flaw.RECYCLES_CHUNKS)) {
            for (byte[] e : emitted) {
                Arrays.fill(e, (byte) 0); // "back to the buffer pool"
            }
        }
    }

    private void emit(ChunkSink out, byte[] chunk, int[] seq, byte[][] emitted) throws MigrationException {
        emitted[seq[0]++] = chunk;
        try {
            out.accept(chunk);
        } catch (MigrationException e) {
            if (!has(Flaw.SWALLOWS_SINK_FAILURE)) {
                throw e;
            }
        }
    }

    private static int pages(int size, int page) {
        return (size + page - 1) / page;
    }

    private static byte[] header(AgentImage image, MobileId mobile, MigrationContext ctx, int count) {
        return Wire.bytes(d -> {
            d.writeByte(HEADER);
            d.writeInt(0);
            d.writeLong(ctx.migrationId());
            d.writeLong(ctx.epoch());
            d.writeInt(count);
            d.writeUTF(image.type().bundle());
            d.writeUTF(image.type().version());
            d.writeLong(image.type().layoutHash());
            d.writeUTF(mobile.value());
            d.writeInt(image.data().length);
            d.writeInt(image.stack().length);
            d.writeInt(image.registers().length);
        });
    }

    private static byte[] page(byte kind, int seq, MigrationContext ctx, int offset, byte[] segment, int from,
            int len) {
        return Wire.bytes(d -> {
            d.writeByte(kind);
            d.writeInt(seq);
            d.writeLong(ctx.migrationId());
            d.writeLong(ctx.epoch());
            d.writeInt(offset);
            d.write(segment, from, len);
        });
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
        private int count = -1;
        private int dataSize;
        private int stackSize;
        private int registersSize;
        private int dataAt;
        private int stackAt;
        private byte[] registers;
        private PreCreatedAgent agent;

        Session(RestoreTarget target, MigrationContext ctx) {
            this.target = target;
            this.ctx = ctx;
        }

        @Override
        public void accept(byte[] chunk) throws MigrationException {
            if (closed != null) {
                throw new MigrationException("restore is " + closed);
            }
            try {
                take(chunk);
            } catch (MigrationException e) {
                closed = "failed: " + e.getMessage();
                throw e;
            } catch (RuntimeException e) {
                closed = "failed";
                throw e;
            }
        }

        private void take(byte[] chunk) throws MigrationException {
            if (chunk.length > ctx.maxChunkBytes()) {
                throw new MigrationException("chunk of " + chunk.length + " bytes over the limit");
            }
            if (count >= 0 && next >= count && !has(Flaw.APPENDS_PAGES)) {
                throw new MigrationException("chunk " + next + " beyond the " + count + " announced");
            }
            byte[] body = has(Flaw.UNCHECKED_PARSE)
                    ? Arrays.copyOf(chunk, chunk.length - Wire.SEAL)
                    : Wire.open(chunk, !has(Flaw.NO_CHECKSUM));
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
            try {
                byte kind = in.readByte();
                int seq = in.readInt();
                if (seq != next && !has(Flaw.APPENDS_PAGES)) {
                    throw new MigrationException("chunk " + seq + " arrived, expected " + next);
                }
                long id = in.readLong();
                long epoch = in.readLong();
                expect(id == ctx.migrationId() && epoch == ctx.epoch(), "chunk of migration " + id + " (epoch " + epoch
                        + ")");
                next++;
                if (kind == HEADER) {
                    header(in);
                    return;
                }
                if (agent == null) {
                    throw new MigrationException("page before the header");
                }
                int offset = in.readInt();
                byte[] bytes = in.readAllBytes();
                switch (kind) {
                    case DATA -> {
                        int at = has(Flaw.APPENDS_PAGES) ? dataAt : offset;
                        expect(at == dataAt, "data page at " + offset);
                        write(true, at, bytes);
                        dataAt = at + bytes.length;
                    }
                    case STACK -> {
                        int at = has(Flaw.APPENDS_PAGES) ? stackAt : offset;
                        expect(dataAt == dataSize && at == stackAt, "stack page at " + offset);
                        write(false, at, bytes);
                        stackAt = at + bytes.length;
                    }
                    case REGISTERS -> {
                        expect(offset == 0 && bytes.length == registersSize && registers == null,
                                "registers of " + bytes.length + " bytes");
                        registers = bytes;
                        if (has(Flaw.REGISTERS_FIRST)) {
                            agent.complete(registers);
                        }
                    }
                    default -> throw new MigrationException("unknown chunk kind " + kind);
                }
            } catch (IOException e) {
                throw new MigrationException("truncated chunk: " + e);
            }
        }

        private void header(DataInputStream in) throws IOException, MigrationException {
            expect(agent == null, "second header");
            count = in.readInt();
            AgentType type = new AgentType(in.readUTF(), in.readUTF(), in.readLong());
            String mobile = in.readUTF();
            dataSize = in.readInt();
            stackSize = in.readInt();
            registersSize = in.readInt();
            expect(in.available() == 0, "trailing header bytes");
            expect(mobile.equals(ctx.mobile().value()), "agent of mobile " + mobile + ", migration of " + ctx.mobile());
            expect(count >= 2 && dataSize >= 0 && stackSize >= 0 && registersSize >= 0, "header sizes");
            long total = (long) dataSize + stackSize + registersSize;
            expect(has(Flaw.IGNORES_RESTORED_LIMIT) || total <= target.maxRestoredBytes(), "an image of " + total
                    + " bytes, over this node's restored-size limit of " + target.maxRestoredBytes());
            AgentType local = target.localAgentType();
            if (has(Flaw.TYPE_BLIND)) {
                type = local;
            } else if (!type.equals(local)) {
                throw new MigrationException(
                        "agent image of " + type + " cannot be restored by a node running " + local);
            }
            try {
                agent = target.preCreate(type, dataSize, stackSize);
            } catch (MigrationException e) {
                throw targetFailure(e);
            }
        }

        private void write(boolean data, int offset, byte[] bytes) throws MigrationException {
            try {
                if (data) {
                    agent.writeData(offset, bytes);
                } else {
                    agent.writeStack(offset, bytes);
                }
            } catch (MigrationException e) {
                throw targetFailure(e);
            }
        }

        private MigrationException targetFailure(MigrationException e) {
            if (has(Flaw.WRAPS_TARGET_FAILURE)) {
                throw new IllegalStateException("target failed", e);
            }
            return e;
        }

        private void expect(boolean ok, String what) throws MigrationException {
            if (!ok) {
                throw new MigrationException("invalid transfer: " + what);
            }
        }

        @Override
        public void finish() throws MigrationException {
            if (closed != null) {
                throw new MigrationException("restore is " + closed);
            }
            closed = "finished";
            if (has(Flaw.KEEPS_AGENT) && kept != null) {
                kept.image(); // "refresh" from the source agent
            }
            if (has(Flaw.REGISTERS_FIRST)) {
                return;
            }
            if (agent == null || registers == null || next != count || dataAt != dataSize || stackAt != stackSize) {
                throw new MigrationException("incomplete transfer: " + next + " of " + count + " chunks");
            }
            try {
                agent.complete(registers);
            } catch (MigrationException e) {
                throw targetFailure(e);
            }
        }

        @Override
        public void abort() {
            closed = "aborted";
            agent = null;
            registers = null;
            if (has(Flaw.THROWING_ABORT)) {
                throw new IllegalStateException("nothing to abort");
            }
        }
    }
}

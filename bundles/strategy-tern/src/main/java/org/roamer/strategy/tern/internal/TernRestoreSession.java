/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import java.util.Arrays;

import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;

/**
 * Fig. 8A at the target: checks the arguments (agent type) against this node before anything is created,
 * pre-creates the agent with the declared sizes, writes each page into it as it arrives and completes it
 * with the registers. Nothing but the registers is held here: there is no buffer of the whole image.
 *
 * <p>Every chunk is validated: magic, CRC32C chained to the chunk before it (so no chunk of another transfer is
 * taken), migration id and epoch in the arguments, kind in Fig. 8A order, offsets contiguous (so no page is
 * missing, duplicated, overlapping or out of order) and inside the declared sizes, which are themselves within the
 * migration's image limit and this node's restored-size limit. Any refusal closes the session for good.
 *
 * <p>The core calls it from one thread at a time, possibly a different one each call: methods are
 * synchronized for visibility, not for concurrency.
 */
final class TernRestoreSession implements RestoreSession {
    private enum Stage {
        ARGS, SIZES, PAGES, REGISTERS, CLOSED
    }

    private final RestoreTarget target;
    private final MigrationContext ctx;
    private Stage stage = Stage.ARGS;
    private String closedBecause;
    private AgentType type;
    private int dataSize;
    private int stackSize;
    private int registersSize;
    private int dataWritten;
    private int stackWritten;
    private PreCreatedAgent agent;
    private byte[] registers;
    private int chunks;
    /** The CRC32C of the last chunk taken, which the next one's covers. */
    private int previous;

    TernRestoreSession(RestoreTarget target, MigrationContext ctx) {
        this.target = target;
        this.ctx = ctx;
    }

    @Override
    public synchronized void accept(byte[] chunk) throws MigrationException {
        if (stage == Stage.CLOSED) {
            throw new MigrationException("TERN restore of " + ctx.mobile() + " is " + closedBecause
                    + "; no more chunks accepted");
        }
        try {
            if (chunk == null) {
                throw new MigrationException("missing chunk for TERN restore of " + ctx.mobile());
            }
            if (chunk.length > ctx.maxChunkBytes()) {
                throw new MigrationException(
                        "TERN chunk of " + chunk.length + " bytes exceeds this migration's limit of "
                                + ctx.maxChunkBytes());
            }
            TernFormat.Reader r = chunks == 0 ? TernFormat.open(chunk) : TernFormat.open(chunk, previous);
            previous = TernFormat.crcOf(chunk);
            chunks++;
            switch (stage) {
                case ARGS -> onArgs(expect(r, TernFormat.ARGS));
                case SIZES -> onSizes(expect(r, TernFormat.SIZES));
                case PAGES -> onPage(r);
                case REGISTERS -> throw new MigrationException("TERN " + TernFormat.kindName(r.kind())
                        + " chunk after the registers, which come last");
                default -> throw new IllegalStateException(stage.name());
            }
        } catch (MigrationException e) {
            fail("refused");
            throw e;
        } catch (RuntimeException e) {
            fail("failed");
            throw new MigrationException("TERN restore of " + ctx.mobile() + " failed at chunk " + chunks + ": " + e,
                    e);
        }
    }

    private TernFormat.Reader expect(TernFormat.Reader r, byte kind) throws MigrationException {
        if (r.kind() != kind) {
            throw new MigrationException("TERN chunk " + chunks + " is " + TernFormat.kindName(r.kind()) + ", expected "
                    + TernFormat.kindName(kind) + " (Fig. 8A order: arguments, sizes, data, stack, registers)");
        }
        return r;
    }

    /** Step 1/3: the arguments and environment; refused here, before anything is created, if foreign. */
    private void onArgs(TernFormat.Reader r) throws MigrationException {
        int version = r.u8("format version");
        if (version != TernFormat.VERSION) {
            throw new MigrationException(
                    "TERN image uses format v" + version + ", this node reads v" + TernFormat.VERSION
                            + ": install the same org.roamer.strategy.tern on both nodes");
        }
        long migrationId = r.i64("migration id");
        long epoch = r.i64("epoch");
        String mobile = r.text("mobile");
        AgentType t = new AgentType(r.text("agent bundle"), r.text("agent version"), r.i64("layout hash"));
        r.end();
        if (migrationId != ctx.migrationId()) {
            throw new MigrationException(
                    "TERN image belongs to migration " + migrationId + ", not to " + ctx.migrationId());
        }
        if (epoch != ctx.epoch()) {
            throw new MigrationException("TERN image is for epoch " + epoch + ", this migration for " + ctx.epoch());
        }
        if (!mobile.equals(ctx.mobile().value())) {
            throw new MigrationException("TERN image is of mobile " + printable(mobile) + ", not of "
                    + ctx.mobile());
        }
        String foreign = foreign(t, target.localAgentType());
        if (foreign != null) {
            throw new MigrationException(foreign);
        }
        type = t;
        stage = Stage.SIZES;
    }

    /** Step 4: the sizes, checked against the image and restored-size limits before the agent is pre-created. */
    private void onSizes(TernFormat.Reader r) throws MigrationException {
        int d = r.i32("data size");
        int s = r.i32("stack size");
        int g = r.i32("registers size");
        r.end();
        if (d < 0 || s < 0 || g < 0) {
            throw new MigrationException("TERN sizes are negative: data " + d + ", stack " + s + ", registers " + g);
        }
        long total = (long) d + s + g;
        if (total > ctx.maxImageBytes()) {
            throw new MigrationException("TERN image of " + ctx.mobile() + " declares " + total
                    + " bytes (data " + d + ", stack " + s + ", registers " + g + "), over this migration's limit of "
                    + ctx.maxImageBytes());
        }
        long restorable = target.maxRestoredBytes();
        if (total > restorable) {
            throw new MigrationException("TERN image of " + ctx.mobile() + " declares " + total
                    + " bytes (data " + d + ", stack " + s + ", registers " + g + "), over this node's restored-size"
                    + " limit of " + restorable);
        }
        if (g > ctx.maxChunkBytes() - TernFormat.REGISTERS_OVERHEAD) {
            throw new MigrationException("TERN registers of " + g + " bytes cannot fit one chunk of at most "
                    + ctx.maxChunkBytes() + " bytes");
        }
        PreCreatedAgent created = target.preCreate(type, d, s);
        if (created == null) {
            throw new MigrationException("this node did not pre-create an agent for " + ctx.mobile());
        }
        agent = created;
        dataSize = d;
        stackSize = s;
        registersSize = g;
        stage = Stage.PAGES;
    }

    /** Steps 5, 6 and 9: data pages, then stack pages, then the registers. */
    private void onPage(TernFormat.Reader r) throws MigrationException {
        switch (r.kind()) {
            case TernFormat.DATA -> {
                if (dataWritten == dataSize) {
                    throw new MigrationException(dataSize == 0
                            ? "TERN data page for an empty data segment"
                            : "TERN data page after the data segment was complete (duplicated or out of order)");
                }
                dataWritten = write(r, "data", dataSize, dataWritten);
            }
            case TernFormat.STACK -> {
                incomplete("stack page", true);
                if (stackWritten == stackSize) {
                    throw new MigrationException(stackSize == 0
                            ? "TERN stack page for an empty stack segment"
                            : "TERN stack page after the stack segment was complete (duplicated or out of order)");
                }
                stackWritten = write(r, "stack", stackSize, stackWritten);
            }
            case TernFormat.REGISTERS -> {
                incomplete("registers", false);
                int n = r.remaining();
                if (n != registersSize) {
                    throw new MigrationException("TERN registers have " + n + " bytes, " + registersSize + " declared");
                }
                registers = Arrays.copyOfRange(r.array(), r.position(), r.position() + n);
                stage = Stage.REGISTERS;
            }
            default -> throw new MigrationException("TERN chunk " + chunks + " is " + TernFormat.kindName(r.kind())
                    + ", expected a data or stack page or the registers");
        }
    }

    private int write(TernFormat.Reader r, String segment, int size, int written) throws MigrationException {
        int offset = r.i32(segment + " page offset");
        int length = r.remaining();
        if (offset != written) {
            throw new MigrationException("TERN " + segment + " page at offset " + offset + ", expected " + written
                    + " (pages must arrive in order, without gaps, overlaps or duplicates)");
        }
        if (length == 0) {
            throw new MigrationException("empty TERN " + segment + " page at offset " + offset);
        }
        if (length > size - offset) {
            throw new MigrationException("TERN " + segment + " page at offset " + offset + " (+" + length
                    + ") runs past the declared " + segment + " size of " + size);
        }
        byte[] page = Arrays.copyOfRange(r.array(), r.position(), r.position() + length);
        if (segment.equals("data")) {
            agent.writeData(offset, page);
        } else {
            agent.writeStack(offset, page);
        }
        return offset + length;
    }

    private void incomplete(String what, boolean onlyData) throws MigrationException {
        if (dataWritten < dataSize || (!onlyData && stackWritten < stackSize)) {
            throw new MigrationException("TERN " + what + " before the image was complete: " + progress());
        }
    }

    private String progress() {
        return "data " + dataWritten + "/" + dataSize + " bytes, stack " + stackWritten + "/" + stackSize + " bytes";
    }

    @Override
    public synchronized void finish() throws MigrationException {
        if (stage == Stage.CLOSED) {
            throw new MigrationException("TERN restore of " + ctx.mobile() + " is " + closedBecause);
        }
        if (stage != Stage.REGISTERS) {
            String what = switch (stage) {
                case ARGS -> "no chunk arrived";
                case SIZES -> "the sizes never arrived";
                default -> progress() + ", registers missing";
            };
            fail("incomplete");
            throw new MigrationException("TERN image of " + ctx.mobile() + " is incomplete: " + what);
        }
        PreCreatedAgent a = agent;
        byte[] regs = registers;
        close("finished");
        try {
            a.complete(regs);
        } catch (RuntimeException e) {
            throw new MigrationException("completing agent " + ctx.mobile() + " from its TERN image failed: " + e, e);
        }
    }

    @Override
    public synchronized void abort() {
        if (stage != Stage.CLOSED) {
            close("aborted");
        }
    }

    private void fail(String why) {
        close("failed (" + why + ")");
    }

    /** The pre-created agent is dropped: the api offers no way to discard it, the core forgets it on rollback. */
    private void close(String why) {
        stage = Stage.CLOSED;
        closedBecause = why;
        agent = null;
        registers = null;
    }

    /** Why an image of type {@code image} cannot become an agent on a node running {@code local}, or null. */
    static String foreign(AgentType image, AgentType local) {
        if (local == null) {
            return "this node reports no agent type; it cannot take a TERN image";
        }
        if (image.equals(local)) {
            return null;
        }
        if (!image.bundle().equals(local.bundle())) {
            return "TERN image is of agent bundle " + printable(image.bundle()) + ", this node runs "
                    + local.bundle() + ": TERN moves raw pages and needs the same agent on both nodes";
        }
        if (!image.version().equals(local.version())) {
            return "TERN image is of " + image.bundle() + " version " + printable(image.version())
                    + ", this node runs version " + local.version()
                    + ": TERN moves raw pages and needs the same agent bundle version on both nodes (use NAIVE across versions)";
        }
        return String.format("TERN image has agent layout hash %016x, this node's %s %s has %016x: the image layout"
                + " differs, so raw pages cannot be written into this node's agent", image.layoutHash(), local.bundle(),
                local.version(), local.layoutHash());
    }

    /** Text from another node, made safe for a log line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.append(s.length() > 80 ? "...'" : "'").toString();
    }
}

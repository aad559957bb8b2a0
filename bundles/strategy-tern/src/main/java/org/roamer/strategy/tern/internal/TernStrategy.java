/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.strategy.tern.internal;

import java.util.Objects;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * The seed's TERN approach (Fig. 8A): the agent's whole image, taken by the runtime without the agent's
 * help at any message boundary, is streamed as "arguments and environment", sizes, data pages, stack
 * pages and finally registers ({@link TernFormat}). The target pre-creates an agent of the declared sizes
 * and writes every page straight into it as it arrives ({@link TernRestoreSession}); no file, no copy of
 * the whole image. Works only between nodes running the same agent bundle version and layout.
 *
 * <p>Thread-safe: the settings are one immutable snapshot, read once per capture.
 */
@Component(service = MigrationStrategy.class, property = MigrationStrategy.NAME_PROPERTY + "="
        + TernStrategy.NAME, configurationPid = TernStrategy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TernStrategy.Config.class)
public final class TernStrategy implements MigrationStrategy {
    /** The strategy's name and service property value. */
    public static final String NAME = "tern";
    static final String PID = "org.roamer.strategy.tern";

    static final int DEFAULT_PAGE_SIZE = 4096;
    static final int MIN_PAGE_SIZE = 64;
    static final int MAX_PAGE_SIZE = 1 << 20;
    static final int MAX_PAGES_PER_CHUNK = 1024;

    private static final StrategyTraits TRAITS = new StrategyTraits(true, false, true, false,
            "whole agent image streamed page by page into an agent pre-created at the target (same agent version)");

    /** Configuration of the TERN-like strategy; a change applies to migrations captured afterwards. */
    @ObjectClassDefinition(id = PID, name = "Roamer TERN-like migration strategy", description = "Streams the whole agent image in pages into an agent pre-created at the target."
            + " Only the source side uses these settings; a target accepts any page size.")
    public @interface Config {
        @AttributeDefinition(name = "Page size (bytes)", min = "64", max = "1048576", description = "Size of one data or stack page. A page that does not fit the migration's chunk"
                + " limit is split.")
        int pageSize() default DEFAULT_PAGE_SIZE;

        @AttributeDefinition(name = "Pages per chunk", min = "1", max = "1024", description = "Pages sent in one TRANSFER_DATA chunk (as many as fit the chunk limit at most)."
                + " 1 copies page by page as the seed does; more means fewer, larger frames.")
        int pagesPerChunk() default 1;
    }

    /** @param pageSize bytes per page @param pagesPerChunk pages per chunk */
    record Settings(int pageSize, int pagesPerChunk) {
        Settings {
            if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("TERN page size " + pageSize + " outside " + MIN_PAGE_SIZE + ".."
                        + MAX_PAGE_SIZE);
            }
            if (pagesPerChunk < 1 || pagesPerChunk > MAX_PAGES_PER_CHUNK) {
                throw new IllegalArgumentException("TERN pages per chunk " + pagesPerChunk + " outside 1.."
                        + MAX_PAGES_PER_CHUNK);
            }
        }

        static Settings from(Config c) {
            return new Settings(c.pageSize(), c.pagesPerChunk());
        }

        /** Page bytes per chunk under a chunk limit: whole pages when one fits, else a split page. */
        int run(int maxChunkBytes) {
            int room = maxChunkBytes - TernFormat.PAGE_OVERHEAD;
            long wanted = (long) pageSize * pagesPerChunk;
            if (wanted <= room) {
                return (int) wanted;
            }
            return room >= pageSize ? room / pageSize * pageSize : room;
        }
    }

    private volatile Settings settings;

    /** Called by DS with the configuration, or its defaults when there is none. */
    @Activate
    public TernStrategy(Config config) {
        this(Settings.from(config));
    }

    /** With the default settings (4096-byte pages, one per chunk). */
    TernStrategy() {
        this(new Settings(DEFAULT_PAGE_SIZE, 1));
    }

    TernStrategy(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Modified
    void modified(Config config) {
        settings = Settings.from(config);
    }

    Settings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Capture and restore only compute (pages copied in memory, no file). */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public StrategyTraits traits() {
        return TRAITS;
    }

    /**
     * Fig. 8A at the source: (1) arguments and environment, (4) sizes, (5) data pages, (6) stack pages, (9)
     * registers. Steps 2, 3, 7 and 8 (stub, pre-creating the agent, channels, READY) belong to the core and
     * the target. Everything is checked before the first chunk is emitted.
     */
    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(out, "out");
        Settings s = settings;
        AgentImage image = imageOf(agent, ctx);
        long total = (long) image.data().length + image.stack().length + image.registers().length;
        if (total > ctx.maxImageBytes()) {
            throw new MigrationException("TERN image of " + ctx.mobile() + " has " + total
                    + " bytes, over this migration's limit of " + ctx.maxImageBytes());
        }
        if (ctx.maxChunkBytes() <= TernFormat.PAGE_OVERHEAD) {
            throw new MigrationException(
                    "chunk limit of " + ctx.maxChunkBytes() + " bytes leaves no room for a TERN page");
        }
        if (image.registers().length > ctx.maxChunkBytes() - TernFormat.REGISTERS_OVERHEAD) {
            throw new MigrationException("TERN registers of " + ctx.mobile() + " (" + image.registers().length
                    + " bytes) do not fit one chunk of at most " + ctx.maxChunkBytes() + " bytes");
        }
        byte[] args = TernFormat.args(ctx.migrationId(), ctx.epoch(), ctx.mobile(), image.type());
        if (args.length > ctx.maxChunkBytes()) {
            throw new MigrationException("TERN arguments chunk of " + args.length + " bytes exceeds the chunk limit of "
                    + ctx.maxChunkBytes());
        }
        int run = s.run(ctx.maxChunkBytes());
        out.accept(args);
        byte[] sizes = TernFormat.sizes(TernFormat.crcOf(args), image.data().length, image.stack().length,
                image.registers().length);
        out.accept(sizes);
        int previous = emitPages(TernFormat.crcOf(sizes), TernFormat.DATA, image.data(), run, out);
        previous = emitPages(previous, TernFormat.STACK, image.stack(), run, out);
        out.accept(TernFormat.registers(previous, image.registers()));
    }

    /** Emits a segment's pages, each chained to the chunk before it; returns the CRC32C of the last one emitted. */
    private static int emitPages(int previous, byte kind, byte[] segment, int run, ChunkSink out)
            throws MigrationException {
        for (int offset = 0; offset < segment.length; offset += run) {
            byte[] page = TernFormat.page(previous, kind, offset, segment, offset,
                    Math.min(run, segment.length - offset));
            previous = TernFormat.crcOf(page);
            out.accept(page);
        }
        return previous;
    }

    private static AgentImage imageOf(MigratingAgent agent, MigrationContext ctx) throws MigrationException {
        AgentImage image;
        try {
            image = agent.image();
        } catch (RuntimeException e) {
            throw new MigrationException("the runtime could not capture the image of agent " + ctx.mobile() + ": " + e,
                    e);
        }
        if (image == null || image.type() == null || image.data() == null || image.stack() == null
                || image.registers() == null) {
            throw new MigrationException("the runtime returned an incomplete image of agent " + ctx.mobile());
        }
        return image;
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
        return new TernRestoreSession(Objects.requireNonNull(target, "target"), Objects.requireNonNull(ctx, "ctx"));
    }
}

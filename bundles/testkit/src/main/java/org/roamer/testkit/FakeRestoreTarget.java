/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.roamer.api.MobileId;
import org.roamer.api.frame.FrameLimits;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreTarget;

/**
 * The target USS as a strategy rebuilds an agent through it, with the core's checks:
 * <ul>
 * <li>{@link #restoreVariables}: the variables must be of the migrating mobile;</li>
 * <li>{@link #restoreImage}: the image's {@link AgentType} must equal {@link #localAgentType()} (bundle,
 * version and layout hash), and its segments must decode ({@link FakeAgentLayout}) to the migrating mobile
 * — or, {@link #withOpaqueImages() taking opaque images}, merely be present;</li>
 * <li>{@link #preCreate}: equal type, non-negative sizes whose sum is at most {@link #maxPreCreateBytes()}
 * (the core's limit is its data frame payload, 1 MiB by default); pages must fall inside their segment;
 * {@link PreCreatedAgent#complete} decodes the segments like {@code restoreImage};</li>
 * <li>an agent is restored at most once; as the SPI says, only one of the three paths may be used per session
 * (the kit is stricter than the core here: a second {@code preCreate} is refused too);</li>
 * <li>the restored-size limit, {@link #maxRestoredBytes()} (SPI 1.2): {@code restoreImage} of a larger image,
 * {@code preCreate} of larger segments and {@code complete} of a larger whole are refused, as the core refuses them
 * — and recorded as violations, because a strategy that honours the limit refuses such a transfer itself, with its
 * own reason, before it hands the target (or allocates) more than that.</li>
 * </ul>
 * After {@link #close()} (the session finished or aborted) every call is a violation. Refusals are
 * {@link MigrationException}s, like the core's; contract violations the core would not notice (use after close,
 * writes after completion) are also recorded in {@link #violations()}.
 *
 * <p>It records what was restored: {@link #path()}, {@link #restoredVariables()}, {@link #restoredImage()},
 * {@link #restoredState()}. Not thread-safe.
 */
public final class FakeRestoreTarget implements RestoreTarget {
    /** How an agent was (or is being) rebuilt. */
    public enum Path {
        /** {@link RestoreTarget#restoreVariables}: NAIVE-like. */
        VARIABLES,
        /** {@link RestoreTarget#restoreImage}: Condor-like. */
        IMAGE,
        /** {@link RestoreTarget#preCreate} then pages and {@link PreCreatedAgent#complete}: TERN-like. */
        PRE_CREATED
    }

    /** The core's default limit on pre-created segments: one data frame's payload. */
    public static final long DEFAULT_MAX_PRE_CREATE_BYTES = FrameLimits.DEFAULT.maxDataPayload();
    /** The core's default restored-size limit: 64 data frames' payload (64 MiB). */
    public static final long DEFAULT_MAX_RESTORED_BYTES = 64L * FrameLimits.DEFAULT.maxDataPayload();

    private final MobileId expected;
    private AgentType localType = FakeAgentLayout.TYPE;
    private long maxPreCreateBytes = DEFAULT_MAX_PRE_CREATE_BYTES;
    private long maxRestoredBytes = DEFAULT_MAX_RESTORED_BYTES;
    private boolean opaqueImages;
    private int failAtOperation = -1;
    private MigrationException failure;

    private int operations;
    private Path path;
    private boolean restored;
    private boolean closed;
    private MigrationVariables variables;
    private AgentImage image;
    private FakeAgentState state;
    private int pagesWritten;
    private final List<String> violations = new ArrayList<>();

    /** A target expecting an agent of this mobile, running {@link FakeAgentLayout#TYPE}. */
    public FakeRestoreTarget(MobileId expected) {
        this.expected = Objects.requireNonNull(expected, "expected");
    }

    /** This node runs another agent type (a heterogeneous node). */
    public FakeRestoreTarget withLocalType(AgentType type) {
        this.localType = Objects.requireNonNull(type, "type");
        return this;
    }

    /** Another limit for pre-created segments. */
    public FakeRestoreTarget withMaxPreCreateBytes(long max) {
        this.maxPreCreateBytes = max;
        return this;
    }

    /** Another restored-size limit ({@link #maxRestoredBytes()}). */
    public FakeRestoreTarget withMaxRestoredBytes(long max) {
        this.maxRestoredBytes = max;
        return this;
    }

    /**
     * Takes images as opaque bytes, for a strategy's own tests that move images of their own choosing (see
     * {@link OpaqueAgent}) rather than a {@link FakeAgent}'s. {@link #restoreImage} and
     * {@link PreCreatedAgent#complete} then check only what the core checks before it looks inside an image (all
     * three segments present, the type equal to {@link #localAgentType()}), neither decode the segments with the
     * {@link FakeAgentLayout} nor check the mobile in them, and leave {@link #restoredState()} {@code null}. Every
     * other check stays: one restore per migration and one path per session, {@code preCreate}'s type and size
     * limit, pages inside their segment, no use after {@link #close()}, {@link #failingAtOperation}.
     *
     * <p>The image is recorded as the strategy gave it, without a copy: the image passed to
     * {@code restoreImage}, or the pre-created segments as the pages were written into them with the registers
     * passed to {@code complete}. So a harness that measures a strategy's allocations through this target counts
     * only what the core allocates too (the pre-created segments).
     */
    public FakeRestoreTarget withOpaqueImages() {
        this.opaqueImages = true;
        return this;
    }

    /**
     * Makes the target's {@code index}-th operation (0 = first; operations are {@code restoreVariables},
     * {@code restoreImage}, {@code preCreate}, {@code writeData}, {@code writeStack} and {@code complete}) throw
     * this exception, as a node that runs out of room or shuts down would.
     */
    public FakeRestoreTarget failingAtOperation(int index, MigrationException e) {
        this.failAtOperation = index;
        this.failure = e;
        return this;
    }

    // ------------------------------------------------------------------ RestoreTarget

    @Override
    public AgentType localAgentType() {
        checkOpen("localAgentType()");
        return localType;
    }

    @Override
    public long maxRestoredBytes() {
        checkOpen("maxRestoredBytes()");
        return maxRestoredBytes;
    }

    @Override
    public void restoreVariables(MigrationVariables v) throws MigrationException {
        operation("restoreVariables()");
        choose(Path.VARIABLES);
        if (v == null) {
            throw new MigrationException("no variables");
        }
        if (!v.mobile().equals(expected)) {
            throw new MigrationException("variables are of mobile " + v.mobile() + ", expected " + expected);
        }
        variables = v;
        restored = true;
    }

    @Override
    public void restoreImage(AgentImage img) throws MigrationException {
        operation("restoreImage()");
        choose(Path.IMAGE);
        rebuild(img);
    }

    @Override
    public PreCreatedAgent preCreate(AgentType type, int dataSize, int stackSize) throws MigrationException {
        operation("preCreate()");
        if (type == null || !type.equals(localType)) {
            throw new MigrationException("agent type " + FakeAgentLayout.describe(type) + " differs from this node's "
                    + FakeAgentLayout.describe(localType));
        }
        if (dataSize >= 0 && stackSize >= 0) {
            overLimit("preCreate() of segments", dataSize + (long) stackSize);
        }
        if (dataSize < 0 || stackSize < 0 || dataSize + (long) stackSize > maxPreCreateBytes) {
            throw new MigrationException("declared segment sizes " + dataSize + "+" + stackSize + " exceed "
                    + maxPreCreateBytes);
        }
        choose(Path.PRE_CREATED);
        return new Pages(type, new byte[dataSize], new byte[stackSize]);
    }

    private final class Pages implements PreCreatedAgent {
        private final AgentType type;
        private final byte[] data;
        private final byte[] stack;
        private boolean complete;

        Pages(AgentType type, byte[] data, byte[] stack) {
            this.type = type;
            this.data = data;
            this.stack = stack;
        }

        @Override
        public void writeData(int offset, byte[] page) throws MigrationException {
            operation("writeData()");
            write(data, offset, page, "data");
        }

        @Override
        public void writeStack(int offset, byte[] page) throws MigrationException {
            operation("writeStack()");
            write(stack, offset, page, "stack");
        }

        private void write(byte[] segment, int offset, byte[] page, String name) throws MigrationException {
            if (complete) {
                violations.add(name + " page written after complete()");
                throw new MigrationException("the pre-created agent is already complete");
            }
            if (page == null || offset < 0 || page.length > segment.length - offset) {
                throw new MigrationException(name + " page at " + offset + " (+" + (page == null ? "null" : page.length)
                        + ") outside segment of " + segment.length + " bytes");
            }
            System.arraycopy(page, 0, segment, offset, page.length);
            pagesWritten++;
        }

        @Override
        public void complete(byte[] registers) throws MigrationException {
            operation("complete()");
            if (complete) {
                violations.add("complete() called twice");
                throw new MigrationException("the agent was already restored in this migration");
            }
            if (registers == null) {
                throw new MigrationException("no registers");
            }
            rebuild(new AgentImage(type, data, stack, registers));
            complete = true;
        }
    }

    private void rebuild(AgentImage img) throws MigrationException {
        if (restored) {
            throw new MigrationException("the agent was already restored in this migration");
        }
        if (img == null) {
            throw new MigrationException("no image");
        }
        if (img.data() != null && img.stack() != null && img.registers() != null) {
            overLimit(path == Path.PRE_CREATED ? "complete() of an agent" : "restoreImage() of an image",
                    (long) img.data().length + img.stack().length + img.registers().length);
        }
        if (opaqueImages) {
            FakeAgentLayout.checkRestorable(img, localType);
            image = img;
        } else {
            FakeAgentState s = FakeAgentLayout.decode(img, localType, expected);
            image = new AgentImage(img.type(), img.data().clone(), img.stack().clone(), img.registers().clone());
            state = s;
        }
        restored = true;
    }

    /** Refuses, and records as a violation, a restore of more than {@link #maxRestoredBytes()}. */
    private void overLimit(String what, long bytes) throws MigrationException {
        if (bytes > maxRestoredBytes) {
            violations.add(what + " " + bytes + " bytes, over the target's maxRestoredBytes() of " + maxRestoredBytes
                    + ": the strategy must read the limit and refuse the transfer itself");
            throw new MigrationException("restored agent image of " + bytes + " bytes exceeds this node's limit of "
                    + maxRestoredBytes + " bytes");
        }
    }

    private void operation(String method) throws MigrationException {
        checkOpen(method);
        if (operations++ == failAtOperation) {
            throw failure;
        }
    }

    private void choose(Path p) throws MigrationException {
        if (restored) {
            throw new MigrationException("the agent was already restored in this migration");
        }
        if (path != null) {
            throw new MigrationException("this session already used " + path + "; only one restore path per session");
        }
        path = p;
    }

    private void checkOpen(String method) {
        if (closed) {
            String v = method + " called after the restore session finished or aborted";
            violations.add(v);
            throw new IllegalStateException(v);
        }
    }

    // ------------------------------------------------------------------ the kit's side

    /** The session finished or aborted: the target is no longer valid for the strategy. */
    public void close() {
        closed = true;
    }

    /** The migrating mobile. */
    public MobileId expectedMobile() {
        return expected;
    }

    /** Whether an agent was completely restored. */
    public boolean restored() {
        return restored;
    }

    /** The path the strategy chose, or {@code null} when it used none (yet). */
    public Path path() {
        return path;
    }

    /** The variables restored on {@link Path#VARIABLES}, else {@code null}. */
    public MigrationVariables restoredVariables() {
        return variables;
    }

    /**
     * The image restored on {@link Path#IMAGE} or {@link Path#PRE_CREATED} (a copy taken then; taking
     * {@link #withOpaqueImages() opaque images}, the image as given), else {@code null}.
     */
    public AgentImage restoredImage() {
        return image;
    }

    /** The restored image decoded, else {@code null} (always when taking {@link #withOpaqueImages() opaque images}). */
    public FakeAgentState restoredState() {
        return state;
    }

    /** Pages written into a pre-created agent. */
    public int pagesWritten() {
        return pagesWritten;
    }

    /** Operations counted for {@link #failingAtOperation}. */
    public int operations() {
        return operations;
    }

    /** Contract violations seen, in order. */
    public List<String> violations() {
        return List.copyOf(violations);
    }
}

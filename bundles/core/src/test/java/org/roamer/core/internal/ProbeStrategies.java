/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.roamer.api.ActiveCall;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.PreCreatedAgent;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/** Minimal strategies for exercising the core's protocol without the plug-in bundles. */
final class ProbeStrategies {
    private ProbeStrategies() {
    }

    /** Like NAIVE: agent-chosen variables, only at a stable point, non-blocking. Encodes profile flag, calls count, delivered. */
    static final class Vars implements MigrationStrategy {
        private final String name;
        volatile boolean failRestore;
        /** Mobiles whose restores fail (a per-mobile {@link #failRestore}, for concurrent moves). */
        final java.util.Set<String> failRestoreOf = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Vars(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public StrategyTraits traits() {
            return new StrategyTraits(false, true, false, true, "test variables");
        }

        /** Like NAIVE, small captures and restores run on the transport thread; {@link Image} keeps the default. */
        @Override
        public boolean nonBlocking() {
            return true;
        }

        @Override
        public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
            MigrationVariables v = agent.variables();
            try {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(b);
                d.writeUTF(v.mobile().value());
                d.writeBoolean(v.profile().mobTerm());
                d.writeUTF(String.join(",", v.profile().capabilities()));
                d.writeUTF(String.join(",", v.profile().applications()));
                d.writeLong(v.delivered());
                d.writeInt(v.calls().size());
                for (ActiveCall c : v.calls()) {
                    d.writeUTF(c.callId());
                    d.writeUTF(c.type().name());
                    d.writeUTF(c.peers().get(0).value());
                    d.writeBoolean(c.originating());
                }
                out.accept(b.toByteArray());
            } catch (IOException e) {
                throw new MigrationException(e.getMessage());
            }
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) {
            return new RestoreSession() {
                byte[] chunk;

                @Override
                public void accept(byte[] c) {
                    chunk = c;
                }

                @Override
                public void finish() throws MigrationException {
                    if (failRestore || failRestoreOf.contains(ctx.mobile().value())) {
                        throw new MigrationException("restore failure injected by the test");
                    }
                    try {
                        DataInputStream d = new DataInputStream(new ByteArrayInputStream(chunk));
                        MobileId m = new MobileId(d.readUTF());
                        boolean mt = d.readBoolean();
                        Profile p = new Profile(mt, set(d.readUTF()), set(d.readUTF()), null);
                        long delivered = d.readLong();
                        int n = d.readInt();
                        List<ActiveCall> calls = new java.util.ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            calls.add(new ActiveCall(d.readUTF(), org.roamer.api.CallType.valueOf(d.readUTF()),
                                    List.of(new MobileId(d.readUTF())), d.readBoolean(), null));
                        }
                        target.restoreVariables(new MigrationVariables(m, p, calls, null, delivered));
                    } catch (IOException e) {
                        throw new MigrationException(e.getMessage());
                    }
                }

                @Override
                public void abort() {
                }
            };
        }

        private static java.util.Set<String> set(String s) {
            return s.isEmpty() ? java.util.Set.of() : new java.util.HashSet<>(Arrays.asList(s.split(",")));
        }
    }

    /**
     * A strategy that hands name-independent work to {@code inner} under its own name: traits, capture and restore.
     * A test overrides what it changes. Not delegated: {@code nonBlocking} (the interface's default: steps run on a
     * worker) and the outcome hooks.
     */
    abstract static class Wrapper implements MigrationStrategy {
        final String name;
        final MigrationStrategy inner;

        Wrapper(String name, MigrationStrategy inner) {
            this.name = name;
            this.inner = inner;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public StrategyTraits traits() {
            return inner.traits();
        }

        @Override
        public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
            inner.capture(agent, ctx, out);
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            return inner.beginRestore(target, ctx);
        }
    }

    /**
     * A restore session that hands every step to {@code inner}; a test overrides the step it holds, changes or
     * counts.
     */
    static class ForwardingSession implements RestoreSession {
        final RestoreSession inner;

        ForwardingSession(RestoreSession inner) {
            this.inner = inner;
        }

        @Override
        public void accept(byte[] chunk) throws MigrationException {
            inner.accept(chunk);
        }

        @Override
        public void finish() throws MigrationException {
            inner.finish();
        }

        @Override
        public void abort() {
            inner.abort();
        }
    }

    /**
     * Wraps another strategy under its own name and records the outcome hooks (SPI 1.1) the core calls: which,
     * with what, on which thread, in order. Can block its capture until released, and make its hooks throw.
     */
    static final class Recording implements MigrationStrategy {
        /** One hook call. {@code hook} is "finished" or "departed". */
        record Call(String hook, MigrationContext ctx, boolean committed, MobileId mobile, org.roamer.api.NodeId node,
                java.nio.file.Path workDirectory, String thread) {
        }

        final String name;
        final MigrationStrategy delegate;
        final java.util.List<Call> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean throwFromHooks;
        volatile boolean failRestore;
        /** When set, capture waits for it (and counts down {@link #capturing} first). */
        volatile java.util.concurrent.CountDownLatch holdCapture;
        final java.util.concurrent.CountDownLatch capturing = new java.util.concurrent.CountDownLatch(1);

        Recording(String name, MigrationStrategy delegate) {
            this.name = name;
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public StrategyTraits traits() {
            return delegate.traits();
        }

        @Override
        public boolean nonBlocking() {
            return delegate.nonBlocking();
        }

        @Override
        public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
            java.util.concurrent.CountDownLatch hold = holdCapture;
            if (hold != null) {
                capturing.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delegate.capture(agent, ctx, out);
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            if (failRestore) {
                throw new MigrationException("restore refused by the test");
            }
            return delegate.beginRestore(target, ctx);
        }

        @Override
        public void finished(MigrationContext ctx, boolean committed) {
            calls.add(new Call("finished", ctx, committed, ctx.mobile(), ctx.source(), ctx.workDirectory(),
                    Thread.currentThread().getName()));
            if (throwFromHooks) {
                throw new IllegalStateException("finished() failure injected by the test");
            }
        }

        @Override
        public void departed(MobileId mobile, org.roamer.api.NodeId node, java.nio.file.Path workDirectory) {
            calls.add(new Call("departed", null, false, mobile, node, workDirectory, Thread.currentThread().getName()));
            if (throwFromHooks) {
                throw new IllegalStateException("departed() failure injected by the test");
            }
        }

        java.util.List<Call> calls(String hook) {
            return calls.stream().filter(c -> c.hook().equals(hook)).toList();
        }
    }

    /** Like TERN: whole image, any message boundary, pages written into a pre-created agent. */
    static final class Image implements MigrationStrategy {
        private final int page;

        Image() {
            this(16);
        }

        /** @param page bytes of the data segment per chunk */
        Image(int page) {
            this.page = page;
        }

        @Override
        public String name() {
            return "image";
        }

        @Override
        public StrategyTraits traits() {
            return new StrategyTraits(true, false, true, false, "test image");
        }

        @Override
        public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
            AgentImage img = agent.image();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try {
                DataOutputStream d = new DataOutputStream(b);
                d.writeUTF(img.type().bundle());
                d.writeUTF(img.type().version());
                d.writeLong(img.type().layoutHash());
                d.writeInt(img.data().length);
                d.writeInt(img.stack().length);
            } catch (IOException e) {
                throw new MigrationException(e.getMessage());
            }
            out.accept(b.toByteArray());
            for (int i = 0; i < img.data().length; i += page) {
                out.accept(Arrays.copyOfRange(img.data(), i, Math.min(img.data().length, i + page)));
            }
            out.accept(img.stack());
            out.accept(img.registers());
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) {
            return new RestoreSession() {
                PreCreatedAgent agent;
                int dataSize;
                int written;
                int stage;
                byte[] registers;

                @Override
                public void accept(byte[] c) throws MigrationException {
                    try {
                        if (agent == null) {
                            DataInputStream d = new DataInputStream(new ByteArrayInputStream(c));
                            AgentType t = new AgentType(d.readUTF(), d.readUTF(), d.readLong());
                            dataSize = d.readInt();
                            agent = target.preCreate(t, dataSize, d.readInt());
                        } else if (written < dataSize) {
                            agent.writeData(written, c);
                            written += c.length;
                        } else if (stage == 0) {
                            agent.writeStack(0, c);
                            stage = 1;
                        } else {
                            registers = c;
                        }
                    } catch (IOException e) {
                        throw new MigrationException("garbled image header");
                    }
                }

                @Override
                public void finish() throws MigrationException {
                    if (registers == null) {
                        throw new MigrationException("image incomplete");
                    }
                    agent.complete(registers);
                }

                @Override
                public void abort() {
                }
            };
        }
    }

    /**
     * A strategy that restores through a script the test writes: it calls the {@link RestoreTarget} as a strategy may,
     * with the regular restore of the captured variables at hand (named {@code probe}).
     */
    static final class Scripted extends ProbeStrategies.Wrapper {
        interface Script {
            void run(RestoreTarget target, MigrationContext ctx, Restore vars) throws MigrationException;
        }

        /** The regular restore of the captured variables. */
        interface Restore {
            void run() throws MigrationException;
        }

        volatile Script script;

        Scripted() {
            super("probe", new ProbeStrategies.Vars("vars"));
        }

        @Override
        public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
            return new ProbeStrategies.ForwardingSession(inner.beginRestore(target, ctx)) {
                @Override
                public void finish() throws MigrationException {
                    script.run(target, ctx, inner::finish);
                }
            };
        }
    }
}

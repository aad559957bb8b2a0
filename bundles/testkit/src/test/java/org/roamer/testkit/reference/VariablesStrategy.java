/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.testkit.reference;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.roamer.api.ActiveCall;
import org.roamer.api.CallType;
import org.roamer.api.MobileId;
import org.roamer.api.Profile;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.MigrationVariables;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * A NAIVE-like reference strategy for the kit's own tests: the agent's migration variables in one CRC-sealed
 * binary chunk, bound to its migration (id and epoch), at stable points only.
 */
public final class VariablesStrategy implements MigrationStrategy {
    private final StrategyTraits traits;

    public VariablesStrategy() {
        this(false);
    }

    /** @param claimsIndependence declare independentOfAgentLogic=true (a lie) */
    public VariablesStrategy(boolean claimsIndependence) {
        this.traits = new StrategyTraits(claimsIndependence, true, false, true,
                "reference NAIVE-like: sealed binary migration variables");
    }

    @Override
    public String name() {
        return "ref-variables";
    }

    @Override
    public StrategyTraits traits() {
        return traits;
    }

    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        if (!agent.atStablePoint()) {
            throw new MigrationException(
                    "agent " + agent.mobile() + " is " + agent.status() + ", not at a stable point");
        }
        MigrationVariables v;
        try {
            v = agent.variables();
        } catch (IllegalStateException e) {
            throw new MigrationException("no stable variables: " + e.getMessage(), e);
        }
        byte[] chunk = Wire.seal(Wire.bytes(d -> {
            d.writeByte(1);
            d.writeLong(ctx.migrationId());
            d.writeLong(ctx.epoch());
            d.writeUTF(v.mobile().value());
            Profile p = v.profile();
            d.writeBoolean(p.mobTerm());
            for (Set<String> set : List.of(p.capabilities(), p.applications())) {
                d.writeByte(set.size());
                for (String s : set) {
                    d.writeUTF(s);
                }
            }
            d.writeUTF(p.forwardTo() == null ? "" : p.forwardTo().value());
            d.writeUTF(v.radioPort() == null ? "" : v.radioPort());
            d.writeLong(v.delivered());
            d.writeByte(v.calls().size());
            for (ActiveCall c : v.calls()) {
                d.writeUTF(c.callId());
                d.writeByte(c.type().ordinal());
                d.writeByte(c.peers().size());
                for (MobileId m : c.peers()) {
                    d.writeUTF(m.value());
                }
                d.writeBoolean(c.originating());
                d.writeUTF(c.radioPort() == null ? "" : c.radioPort());
            }
        }));
        if (chunk.length > ctx.maxChunkBytes() || chunk.length > ctx.maxImageBytes()) {
            throw new MigrationException("variables take " + chunk.length + " bytes, over the limits");
        }
        out.accept(chunk);
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) {
        return new RestoreSession() {
            private MigrationVariables vars;
            private String closed;

            @Override
            public void accept(byte[] chunk) throws MigrationException {
                if (closed != null) {
                    throw new MigrationException("restore is " + closed);
                }
                if (vars != null) {
                    closed = "failed";
                    throw new MigrationException("a second chunk");
                }
                try {
                    vars = decode(Wire.open(chunk, true), ctx);
                } catch (MigrationException e) {
                    closed = "failed";
                    throw e;
                }
            }

            @Override
            public void finish() throws MigrationException {
                if (closed != null || vars == null) {
                    throw new MigrationException("nothing to restore (" + closed + ")");
                }
                closed = "finished";
                target.restoreVariables(vars);
            }

            @Override
            public void abort() {
                closed = "aborted";
                vars = null;
            }
        };
    }

    private static MigrationVariables decode(byte[] body, MigrationContext ctx) throws MigrationException {
        MobileId expected = ctx.mobile();
        try {
            DataInputStream d = new DataInputStream(new ByteArrayInputStream(body));
            if (d.readByte() != 1) {
                throw new MigrationException("unknown version");
            }
            long migration = d.readLong();
            long epoch = d.readLong();
            if (migration != ctx.migrationId() || epoch != ctx.epoch()) {
                throw new MigrationException("variables of migration " + migration + " (epoch " + epoch + "), not of "
                        + ctx.migrationId() + " (epoch " + ctx.epoch() + ")");
            }
            MobileId mobile = new MobileId(d.readUTF());
            if (!mobile.equals(expected)) {
                throw new MigrationException("variables of " + mobile + ", expected " + expected);
            }
            boolean mt = d.readBoolean();
            List<Set<String>> sets = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                int n = d.readUnsignedByte();
                Set<String> set = new TreeSet<>();
                for (int i = 0; i < n; i++) {
                    set.add(d.readUTF());
                }
                sets.add(set);
            }
            String fwd = d.readUTF();
            String port = d.readUTF();
            long delivered = d.readLong();
            int calls = d.readUnsignedByte();
            List<ActiveCall> list = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                String id = d.readUTF();
                int t = d.readUnsignedByte();
                if (t >= CallType.values().length) {
                    throw new MigrationException("call type " + t);
                }
                int np = d.readUnsignedByte();
                List<MobileId> peers = new ArrayList<>();
                for (int j = 0; j < np; j++) {
                    peers.add(new MobileId(d.readUTF()));
                }
                boolean orig = d.readBoolean();
                String rp = d.readUTF();
                list.add(new ActiveCall(id, CallType.values()[t], peers, orig, rp.isEmpty() ? null : rp));
            }
            if (d.available() != 0) {
                throw new MigrationException("trailing bytes");
            }
            return new MigrationVariables(mobile, new Profile(mt, sets.get(0), sets.get(1),
                    fwd.isEmpty() ? null : new MobileId(fwd)), list, port.isEmpty() ? null : port, delivered);
        } catch (IOException e) {
            throw new MigrationException("truncated variables: " + e, e);
        } catch (IllegalArgumentException e) {
            throw new MigrationException("invalid variables: " + e.getMessage(), e);
        }
    }
}

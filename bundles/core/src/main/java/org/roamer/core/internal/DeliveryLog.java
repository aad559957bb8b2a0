/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.roamer.api.DeliveryListener;
import org.roamer.api.MobileId;
import org.roamer.api.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An audit trail of deliveries, off unless configured ({@code etc/org.roamer.deliverylog.cfg}): one line per
 * application message an agent of this container handled, {@code <ms since epoch> <mobile> <node> <epoch>
 * <sender> <seq>}, appended with one {@code write} each on the agent's thread, so that a line survives the
 * process being killed right after (the page cache keeps it). Costs one system call per delivery: for tests
 * and soak runs that check histories offline (exactly once, in order, one agent per epoch), not for production
 * load. Stops at {@code max.mb} and says so in the log.
 */
@Component(configurationPid = "org.roamer.deliverylog", configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = DeliveryLog.Config.class)
public final class DeliveryLog implements DeliveryListener {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLog.class);

    @ObjectClassDefinition(name = "Roamer delivery log", description = "Audit trail of deliveries (tests, soak runs)")
    public @interface Config {
        @AttributeDefinition(description = "The file; empty: karaf.data/roamer/deliveries.log")
        String file() default "";

        @AttributeDefinition(description = "Stop logging beyond this size (MiB)")
        long max_mb() default 256;
    }

    private final Path file;
    private final long max;
    private final FileChannel out;
    private long written;
    private boolean full;

    @Activate
    public DeliveryLog(Config c) throws IOException {
        this(Path.of(
                c.file().isBlank() ? System.getProperty("karaf.data", "data") + "/roamer/deliveries.log" : c.file()),
                c.max_mb() * 1024 * 1024);
    }

    DeliveryLog(Path file, long maxBytes) throws IOException {
        this.file = file;
        this.max = maxBytes;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        this.written = out.size();
        LOG.info("delivery log: {}", file);
    }

    @Override
    public synchronized void delivered(MobileId mobile, NodeId node, long epoch, String sender, long seq) {
        if (full) {
            return;
        }
        byte[] line = (System.currentTimeMillis() + " " + mobile.value() + " " + node.value() + " " + epoch + " "
                + sender.replace(' ', '_').replace('\n', '_') + " " + seq + "\n").getBytes(StandardCharsets.UTF_8);
        if (written + line.length > max) {
            full = true;
            LOG.warn("delivery log {} reached {} bytes: no more lines", file, max);
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                out.write(b);
            }
            written += line.length;
        } catch (IOException e) {
            full = true;
            LOG.error("delivery log {} failed: no more lines", file, e);
        }
    }

    @Deactivate
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("closing the delivery log {}: {}", file, e.getMessage());
        }
    }
}

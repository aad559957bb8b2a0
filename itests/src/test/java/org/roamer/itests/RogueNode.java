/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.roamer.api.NodeAddress;
import org.roamer.api.frame.Frame;
import org.roamer.api.frame.FrameCodec;

/**
 * An authenticated node acting outside its role: a credential that the network's own CA signed (made with the
 * distribution's {@code bin/roamer-pki}), used by a plain JDK TLS 1.3 client to send frames it has no right to.
 */
final class RogueNode {
    private static final Path SCRIPT = Path.of("..", "karaf-assembly", "src", "main", "karaf", "assembly", "bin",
            "roamer-pki").toAbsolutePath().normalize();

    private RogueNode() {
    }

    /** A credential of the network's CA in {@code pki} for a USS of {@code cluster}, as a client SSL context. */
    static SSLContext credential(Path pki, String name, String cluster) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                new ArrayList<>(List.of("bash", SCRIPT.toString(), pki.toString(), "node",
                        name, "--role", "user-signaling-server", "--cluster", cluster)))
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("roamer-pki failed: " + out);
        }
        char[] password = Files.readString(pki.resolve("password")).trim().toCharArray();
        KeyStore keys = load(pki.resolve(name + ".p12"), password);
        KeyStore trust = load(pki.resolve("trust.p12"), password);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore load(Path file, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    /** Sends frames to a node over mutual TLS with the rogue's credential (the handshake succeeds). */
    static void send(SSLContext ctx, String address, Frame... frames) throws Exception {
        NodeAddress to = NodeAddress.parse(address);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(to.host(), to.port())) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            for (Frame f : frames) {
                out.write(FrameCodec.encode(f));
            }
            out.flush();
            Thread.sleep(500); // let the node read them before the link closes
        }
    }
}

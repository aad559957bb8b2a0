/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tls.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

import org.roamer.api.spi.transport.Signed;

/**
 * What a migration ticket costs on a network of authenticated links (issue 8): tickets are sealed with HMAC-SHA256
 * under the two USSs' keys (two seals at the LS, one check at each end); the signed design they replaced signed
 * with the LS's credential and checked at the source. Measures, in one run: the HMAC, and with credentials from
 * {@code bin/roamer-pki} (EC P-256) signing, checking a certificate seen before and one never seen (the CA check
 * too), beside a floor: SHA-256 of the same bytes. Also the size of a signed ticket in a frame. Run: {@code bench/tls.sh --tickets [count]}. Prints numbers; asserts nothing.
 */
public final class TicketCostBench {
    private TicketCostBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("roamer-ticket-bench");
        Pki pki = new Pki(dir);
        Credentials ls = pki.credentials("ls1", "--role", "location-server");
        Credentials c1 = pki.credentials("c1", "--role", "user-signaling-server", "--cluster", "c1");
        byte[] data = String.join("\n", "roamer-ticket/1", "m123456", "4242", "17", "uss-c1", "c1", "uss-c2", "c2",
                "127.0.0.1:7202").getBytes(StandardCharsets.UTF_8);
        Signed signed = ls.sign(data);
        String json = "{\"mobile\":\"m123456\",\"migration\":4242,\"epoch\":17,\"sourceNode\":\"uss-c1\","
                + "\"sourceCluster\":\"c1\",\"targetNode\":\"uss-c2\",\"targetCluster\":\"c2\",\"targetAddr\":"
                + "\"127.0.0.1:7202\",\"signature\":\"" + Base64.getEncoder().encodeToString(signed.signature())
                + "\",\"certificate\":\"" + Base64.getEncoder().encodeToString(signed.certificate()) + "\"}";
        System.out.printf("ticket: JDK %s, %d CPUs; certificate %d B, signature %d B, ticket as JSON %d B%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                signed.certificate().length, signed.signature().length, json.getBytes(StandardCharsets.UTF_8).length);
        for (int round = 0; round < 2; round++) { // the first round warms up
            long[] hmac = new long[n];
            javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256");
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
                m.init(key);
                m.doFinal(data);
                hmac[i] = System.nanoTime() - t0;
            }
            long[] floor = new long[n];
            long[] sign = new long[n];
            long[] verifyKnown = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                MessageDigest.getInstance("SHA-256").digest(data);
                long t1 = System.nanoTime();
                Signed s = ls.sign(data);
                long t2 = System.nanoTime();
                c1.verify(data, s);
                long t3 = System.nanoTime();
                floor[i] = t1 - t0;
                sign[i] = t2 - t1;
                verifyKnown[i] = t3 - t2;
            }
            int fresh = Math.max(1, n / 20);
            long[] verifyNew = new long[fresh];
            for (int i = 0; i < fresh; i++) {
                Credentials again = Credentials.load(dir.resolve("c1.p12"), dir.resolve("trust.p12"), pki.password());
                long t0 = System.nanoTime();
                again.verify(data, signed); // a node that never saw this certificate: the CA check too
                verifyNew[i] = System.nanoTime() - t0;
            }
            if (round == 1) {
                print("floor: SHA-256 of the ticket", floor);
                print("HMAC-SHA256 seal (what tickets use)", hmac);
                print("LS signs a ticket", sign);
                print("a node checks it (certificate known)", verifyKnown);
                print("a node checks it (new certificate)", verifyNew);
            }
        }
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%-40s p50 %7.1f us  p90 %7.1f us  p99 %7.1f us  (%d)%n", what, s[s.length / 2] / 1e3,
                s[(int) (s.length * 0.9)] / 1e3, s[(int) (s.length * 0.99)] / 1e3, s.length);
    }
}

package org.roamer.directory.zookeeper.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network's CA and node certificates made with the JDK's keytool, the way {@code run.sh} makes them: each
 * node gets a PKCS#12 key store with its key and a certificate for 127.0.0.1 and localhost signed by the CA,
 * and a trust store with the CA.
 */
final class TestPki {
    static final String PASSWORD = "test-password";
    private final Path dir;

    TestPki(Path dir, String caName) throws IOException, InterruptedException {
        this.dir = dir;
        Files.createDirectories(dir);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + caName,
                "-ext", "bc:c", "-validity", "30", "-keystore", dir.resolve("ca.p12").toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), "-file",
                dir.resolve("ca.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(), "-keystore",
                trustStore().toString());
    }

    Path trustStore() {
        return dir.resolve("trust.p12");
    }

    /** A node's key store, signed by this CA. */
    Path node(String name) throws IOException, InterruptedException {
        Path ks = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "30", "-keystore", ks.toString());
        Path csr = dir.resolve(name + ".csr");
        Path pem = dir.resolve(name + ".pem");
        keytool("-certreq", "-alias", "node", "-keystore", ks.toString(), "-file", csr.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), "-infile",
                csr.toString(), "-outfile", pem.toString(), "-validity", "30", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-ext", "KU=digitalSignature", "-ext", "EKU=serverAuth,clientAuth");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(), "-keystore",
                ks.toString());
        keytool("-importcert", "-noprompt", "-alias", "node", "-file", pem.toString(), "-keystore", ks.toString());
        return ks;
    }

    Tls tls(String name) throws IOException, InterruptedException {
        return new Tls(node(name), trustStore(), PASSWORD);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}

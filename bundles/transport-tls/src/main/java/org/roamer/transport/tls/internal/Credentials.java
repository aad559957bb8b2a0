package org.roamer.transport.tls.internal;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.roamer.api.spi.transport.Peer;

/**
 * A container's TLS credentials: its key and certificate (a PKCS#12 key store with one key entry) and the
 * network's CA (a PKCS#12 trust store). Both directions of every link use TLS 1.3 with both ends authenticated by
 * the CA; nothing else is trusted (not the JDK's default CAs). Immutable.
 *
 * <p>A certificate's subject names what its holder may be: {@code CN} the container, one {@code OU} per role
 * ({@value Peer#LOCATION_SERVER}, {@value Peer#USER_SIGNALING_SERVER}), one {@code L} (locality: a cluster is a
 * location area) per cluster, e.g. {@code CN=c1, OU=user-signaling-server, L=c1}.
 */
final class Credentials {
    static final String PROTOCOL = "TLSv1.3";

    final SslContext server;
    final SslContext client;
    /** Who this container is, as its own certificate says. */
    final Peer self;

    private Credentials(SslContext server, SslContext client, Peer self) {
        this.server = server;
        this.client = client;
        this.self = self;
    }

    /**
     * Loads the key store and trust store.
     *
     * @throws IOException              a file that cannot be read, or a wrong password
     * @throws GeneralSecurityException a store that is not PKCS#12, has no key entry or no CA certificate
     */
    static Credentials load(Path keyStore, Path trustStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keys = read(keyStore, password);
        String alias = null;
        for (String a : Collections.list(keys.aliases())) {
            if (keys.isKeyEntry(a)) {
                if (alias != null) {
                    throw new GeneralSecurityException(keyStore + " holds more than one key entry (" + alias + ", " + a
                            + "); a container has one credential");
                }
                alias = a;
            }
        }
        if (alias == null) {
            throw new GeneralSecurityException(keyStore + " holds no key entry");
        }
        Certificate own = keys.getCertificate(alias);
        if (!(own instanceof X509Certificate x)) {
            throw new GeneralSecurityException(keyStore + ": the key entry '" + alias + "' has no X.509 certificate");
        }
        Peer self = peerOf(x);
        KeyStore trust = read(trustStore, password);
        boolean anyCa = false;
        for (String a : Collections.list(trust.aliases())) {
            anyCa |= trust.isCertificateEntry(a);
        }
        if (!anyCa) {
            throw new GeneralSecurityException(trustStore + " holds no trusted certificate");
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SslContext server = SslContextBuilder.forServer(kmf).trustManager(tmf).clientAuth(ClientAuth.REQUIRE)
                .protocols(PROTOCOL).sslProvider(SslProvider.JDK).build();
        // the peer is authenticated by the network's CA and its role by its certificate's subject; the address
        // dialled is not in the certificate (nodes move between hosts without new credentials)
        SslContext client = SslContextBuilder.forClient().keyManager(kmf).trustManager(tmf).protocols(PROTOCOL)
                .sslProvider(SslProvider.JDK).endpointIdentificationAlgorithm(null).build();
        return new Credentials(server, client, self);
    }

    private static KeyStore read(Path file, char[] password) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no file " + file);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    /** The peer of an established session: its certificate's subject. */
    static Peer peerOf(SSLSession session) throws SSLPeerUnverifiedException, GeneralSecurityException {
        Certificate[] chain = session.getPeerCertificates();
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) {
            throw new SSLPeerUnverifiedException("no X.509 peer certificate");
        }
        return peerOf(x);
    }

    /** Reads {@code CN}, {@code OU} and {@code L} of a certificate's subject. */
    static Peer peerOf(X509Certificate certificate) throws GeneralSecurityException {
        X500Principal subject = certificate.getSubjectX500Principal();
        String cn = null;
        Set<String> roles = new LinkedHashSet<>();
        Set<String> clusters = new LinkedHashSet<>();
        try {
            for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
                String value = String.valueOf(rdn.getValue());
                switch (rdn.getType().toUpperCase(java.util.Locale.ROOT)) {
                    case "CN" -> {
                        if (cn != null) {
                            throw new GeneralSecurityException("certificate subject names two CNs: " + subject);
                        }
                        cn = value;
                    }
                    case "OU" -> roles.add(value);
                    case "L" -> clusters.add(value);
                    default -> {
                        // O and others: descriptive only
                    }
                }
            }
        } catch (InvalidNameException e) {
            throw new GeneralSecurityException("unreadable certificate subject: " + subject, e);
        }
        if (cn == null || cn.isBlank()) {
            throw new GeneralSecurityException("certificate subject names no CN: " + subject);
        }
        return new Peer(cn, roles, clusters);
    }
}

/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.transport.tls.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;

import org.roamer.api.spi.transport.Peer;
import org.roamer.api.spi.transport.Signed;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

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

    /** Verified certificates kept, so that a Location Server's tickets are not checked against the CA each time. */
    private static final int VERIFIED_CACHE = 256;

    final SslContext server;
    final SslContext client;
    /** Who this container is, as its own certificate says. */
    final Peer self;
    private final PrivateKey key;
    private final byte[] certificate;
    private final Set<TrustAnchor> anchors;
    /** SHA-256 of a certificate checked against the CA → who it names (bounded; cleared when full). */
    private final Map<String, Peer> verified = new ConcurrentHashMap<>();

    private Credentials(SslContext server, SslContext client, Peer self, PrivateKey key, byte[] certificate,
            Set<TrustAnchor> anchors) {
        this.server = server;
        this.client = client;
        this.self = self;
        this.key = key;
        this.certificate = certificate;
        this.anchors = anchors;
    }

    /** Signs with this container's key: ECDSA or RSA (the key's algorithm) with SHA-256. */
    Signed sign(byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance(algorithm(key.getAlgorithm()));
        s.initSign(key);
        s.update(data);
        return new Signed(s.sign(), certificate);
    }

    /**
     * Checks that the certificate was issued by the network's CA and is valid now, and that the signature over
     * {@code data} is its key's.
     *
     * @return who signed
     */
    Peer verify(byte[] data, Signed signed) throws GeneralSecurityException {
        byte[] der = signed.certificate();
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        Peer signer = verified.get(digest);
        if (signer == null) {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false); // no revocation lists: docs/security.md
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
            signer = peerOf(cert);
            if (verified.size() >= VERIFIED_CACHE) {
                verified.clear();
            }
            verified.put(digest, signer);
        } else {
            cert.checkValidity(); // still within its dates
        }
        Signature s = Signature.getInstance(algorithm(cert.getPublicKey().getAlgorithm()));
        s.initVerify(cert.getPublicKey());
        s.update(data);
        if (!s.verify(signed.signature())) {
            throw new SignatureException("the signature is not " + signer.name() + "'s over these data");
        }
        return signer;
    }

    private static String algorithm(String keyAlgorithm) throws NoSuchAlgorithmException {
        return switch (keyAlgorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new NoSuchAlgorithmException("no signature for a " + keyAlgorithm + " key");
        };
    }

    /**
     * Loads the key store and trust store.
     *
     * @throws IOException              a file that cannot be read, or a wrong password
     * @throws GeneralSecurityException a store that is not PKCS#12, has no key entry or no CA certificate
     */
    static Credentials load(Path keyStore, Path trustStore, char[] password)
            throws IOException, GeneralSecurityException {
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
        Set<TrustAnchor> anchors = new LinkedHashSet<>();
        for (String a : Collections.list(trust.aliases())) {
            if (trust.isCertificateEntry(a) && trust.getCertificate(a) instanceof X509Certificate ca) {
                anchors.add(new TrustAnchor(ca, null));
            }
        }
        if (anchors.isEmpty()) {
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
        return new Credentials(server, client, self, (PrivateKey) keys.getKey(alias, password), x.getEncoded(),
                Set.copyOf(anchors));
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

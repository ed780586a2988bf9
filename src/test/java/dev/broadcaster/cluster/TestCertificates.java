package dev.broadcaster.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A throwaway certificate authority and server certificates signed by it, made at test time with the JDK's
 * {@code keytool} (EC P-256, valid two days) in a directory of their own: PEM files for {@code redis-server}, and a
 * PKCS#12 trust store holding the authority for the nodes' JVMs.
 */
final class TestCertificates {

    static final String PASSWORD = "changeit";

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A new authority in a new directory under {@code target/}. */
    static TestCertificates authority() {
        try {
            Files.createDirectories(Path.of("target"));
            TestCertificates certificates = new TestCertificates(Files.createTempDirectory(Path.of("target"), "tls-"));
            certificates.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=broadcaster test CA", "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
            certificates.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
            certificates.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore",
                    "trust.p12");
            return certificates;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The authority's certificate, PEM. */
    Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A trust store with the authority alone. */
    Path trustStore() {
        return dir.resolve("trust.p12");
    }

    /** The JVM options that make a node trust this authority (and only it). */
    List<String> trustingJvmOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore().toAbsolutePath(),
                "-Djavax.net.ssl.trustStorePassword=" + PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    /**
     * A server certificate named {@code name} signed by the authority, for the subject alternative names {@code san}
     * (e.g. {@code ip:127.0.0.1,dns:localhost}); returns its certificate and private key as PEM files.
     */
    Path[] server(String name, String san) {
        try {
            String store = name + ".p12";
            keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                    "-validity", "2", "-keystore", store);
            keytool("-certreq", "-alias", name, "-keystore", store, "-file", name + ".csr");
            keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-infile", name + ".csr", "-outfile",
                    name + ".pem", "-ext", "san=" + san, "-validity", "2");
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(store))) {
                keys.load(in, PASSWORD.toCharArray());
            }
            Key key = keys.getKey(name, PASSWORD.toCharArray());
            Path keyPem = dir.resolve(name + ".key");
            Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            return new Path[] {dir.resolve(name + ".pem"), keyPem};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", arguments) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

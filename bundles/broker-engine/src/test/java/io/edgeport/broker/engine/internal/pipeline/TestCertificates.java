package io.edgeport.broker.engine.internal.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/** A self-signed key pair made with the JDK's keytool (no test dependency on a crypto library). */
final class TestCertificates {

    final PrivateKey key;
    final X509Certificate cert;

    private TestCertificates(PrivateKey key, X509Certificate cert) {
        this.key = key;
        this.cert = cert;
    }

    static TestCertificates create(Path dir, String dname) throws Exception {
        Path store = dir.resolve("k" + System.nanoTime() + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", dname, "-validity", "2", "-storetype", "PKCS12", "-keystore",
                store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        return new TestCertificates((PrivateKey) ks.getKey("k", "changeit".toCharArray()),
                (X509Certificate) ks.getCertificate("k"));
    }
}

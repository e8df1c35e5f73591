package io.edgeport.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test certificate authority made with the openssl command (as users make theirs): {@code ca.crt}, a server
 * certificate for 127.0.0.1/localhost ({@code server.crt}, {@code server.key}) and client certificates, PEM with
 * PKCS#8 keys, valid for 2 days, in one folder.
 */
public final class OpenSslCa {

    public final Path dir;

    private OpenSslCa(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA and the server certificate in {@code dir}. */
    public static OpenSslCa create(Path dir) throws Exception {
        OpenSslCa ca = new OpenSslCa(Files.createDirectories(dir));
        ca.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Edgeport Test CA",
                "-keyout", ca.file("ca.key"), "-out", ca.file("ca.crt"));
        ca.issue("server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        return ca;
    }

    /** Makes {@code name.crt} and {@code name.key} for a client with the common name {@code name}. */
    public OpenSslCa client(String name) throws Exception {
        issue(name, "/CN=" + name, "extendedKeyUsage=clientAuth\n");
        return this;
    }

    public Path path(String name) {
        return dir.resolve(name);
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private void issue(String who, String subject, String extensions) throws Exception {
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", file(who + ".key"), "-out",
                file(who + ".csr"));
        Files.writeString(dir.resolve(who + ".ext"), extensions);
        run("x509", "-req", "-in", file(who + ".csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", file(who + ".ext"), "-out", file(who + ".crt"));
    }

    private void run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: "
                    + new String(out, StandardCharsets.UTF_8));
        }
    }
}

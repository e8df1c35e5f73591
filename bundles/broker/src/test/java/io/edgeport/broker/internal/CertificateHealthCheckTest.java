package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;

/** The TLS certificate check on a certificate made by openssl (as an operator makes one), seen at three moments. */
class CertificateHealthCheckTest {

    private static Result at(Path cert, Instant now) {
        FormattingResultLog log = new FormattingResultLog();
        CertificateHealthCheck.check(log, "certfile", cert, now);
        return new Result(log);
    }

    private static String text(Result r) {
        StringBuilder b = new StringBuilder();
        r.forEach(e -> b.append(e.getStatus()).append(' ').append(e.getMessage()).append('\n'));
        return b.toString();
    }

    @Test
    void validSoonToExpireExpiredAndUnreadable() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "certs-" + System.nanoTime()));
        Path cert = dir.resolve("server.crt");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.resolve("server.key").toString(), "-out",
                cert.toString(), "-days", "100", "-subj", "/CN=gateway.example").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        Instant now = Instant.now();
        Result ok = at(cert, now);
        assertThat(ok.getStatus()).isEqualTo(Result.Status.OK);
        assertThat(text(ok)).contains("'CN=gateway.example' valid until").contains("(99 days)");

        Result soon = at(cert, now.plus(Duration.ofDays(80)));
        assertThat(soon.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(text(soon)).contains("expires on").contains("in 19 days");

        Result expired = at(cert, now.plus(Duration.ofDays(101)));
        assertThat(expired.getStatus()).isEqualTo(Result.Status.CRITICAL);
        assertThat(text(expired)).contains("'CN=gateway.example' expired on");

        Path junk = Files.writeString(dir.resolve("junk.crt"), "not a certificate");
        assertThat(at(junk, now).getStatus()).isEqualTo(Result.Status.CRITICAL);
        assertThat(at(dir.resolve("missing.crt"), now).getStatus()).isEqualTo(Result.Status.CRITICAL);
    }
}

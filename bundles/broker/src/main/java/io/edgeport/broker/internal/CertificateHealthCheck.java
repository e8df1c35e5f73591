package io.edgeport.broker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.function.Supplier;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;

/**
 * The certificates of the TLS listeners (Apache Felix Health Checks, tags {@code broker-core} and {@code edgeport}):
 * the server certificate chain (certfile) and the CAs that sign client certificates (cafile), each with its subject
 * and expiry. CRITICAL when one has expired or cannot be read, WARN within {@value #WARN_DAYS} days of its end. No TLS
 * listener: nothing to check.
 */
final class CertificateHealthCheck implements HealthCheck {

    static final String NAME = "TLS certificates";
    static final int WARN_DAYS = 30;

    private final Supplier<BrokerRun> run;
    private final Clock clock;

    CertificateHealthCheck(Supplier<BrokerRun> run, Clock clock) {
        this.run = run;
        this.clock = clock;
    }

    @Override
    public Result execute() {
        BrokerRun r = run.get();
        if (r == null) {
            return new Result(Result.Status.OK, "The broker is not running: no TLS listener");
        }
        Settings s = r.settings;
        FormattingResultLog out = new FormattingResultLog();
        if (s.tlsPort() <= 0 && s.wssPort() <= 0) {
            out.info("No TLS listener (tls_port and wss_port are 0)");
            return new Result(out);
        }
        check(out, "certfile", s.certfile(), clock.instant());
        if (s.cafile() != null) {
            check(out, "cafile", s.cafile(), clock.instant());
        }
        return new Result(out);
    }

    static void check(FormattingResultLog out, String key, Path file, Instant now) {
        if (file == null) {
            return;
        }
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | CertificateException e) {
            out.critical("{} {} cannot be read: {}", key, file, e.getMessage());
            return;
        }
        if (certs.isEmpty()) {
            out.critical("{} {} holds no certificate", key, file);
        }
        for (Certificate c : certs) {
            if (!(c instanceof X509Certificate x)) {
                continue;
            }
            Instant end = x.getNotAfter().toInstant();
            long days = Duration.between(now, end).toDays();
            String who = x.getSubjectX500Principal().getName();
            if (end.isBefore(now)) {
                out.critical("{} {}: '{}' expired on {}", key, file.getFileName(), who, end.truncatedTo(ChronoUnit.DAYS));
            } else if (days < WARN_DAYS) {
                out.warn("{} {}: '{}' expires on {} (in {} days)", key, file.getFileName(), who,
                        end.truncatedTo(ChronoUnit.DAYS), days);
            } else {
                out.info("{} {}: '{}' valid until {} ({} days)", key, file.getFileName(), who,
                        end.truncatedTo(ChronoUnit.DAYS), days);
            }
        }
    }
}

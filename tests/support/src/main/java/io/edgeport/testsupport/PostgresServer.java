package io.edgeport.testsupport;

import io.edgeport.testsupport.net.Ports;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throw-away PostgreSQL server for one test class: {@code @RegisterExtension static PostgresServer PG = ...}.
 * initdb into a temp directory, start on a free loopback port with fsync off, stop and delete after the class.
 *
 * <p>Binaries come from {@code /usr/lib/postgresql/15/bin} (system property {@code edgeport.test.postgres.bin} to
 * change). Without them the tests fail, unless {@code -Dedgeport.test.postgres=skip}: CI installs PostgreSQL, so a
 * silently skipped suite would hide a broken sink. As root (initdb refuses root) the server runs as user postgres.
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {

    private final Path bin = Path.of(System.getProperty("edgeport.test.postgres.bin", "/usr/lib/postgresql/15/bin"));
    private Path dir;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(bin.resolve("postgres"))) {
            assumeFalse("skip".equals(System.getProperty("edgeport.test.postgres")),
                    "PostgreSQL tests skipped (-Dedgeport.test.postgres=skip)");
            fail("PostgreSQL 15 is not installed: " + bin.resolve("postgres") + " is missing. Install it (Debian:"
                    + " apt-get install postgresql-15), set -Dedgeport.test.postgres.bin=DIR, or skip these tests"
                    + " with -Dedgeport.test.postgres=skip.");
        }
        dir = Files.createTempDirectory("edgeport-pg");
        if (isRoot()) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        port = Ports.free();
        run(asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--locale=C", "-N"));
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (dir == null) {
            return;
        }
        try {
            run(asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop"));
        } catch (IllegalStateException e) {
            // already stopped by a test
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** @return the JDBC URL of the {@code postgres} database (user postgres, no password) */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public int port() {
        return port;
    }

    public void start() throws IOException, InterruptedException {
        run(asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("log").toString(), "-w", "-o", "-p " + port + " -k " + dir
                        + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start"));
    }

    /** Stops the server the fast way: open connections are terminated. */
    public void stop() throws IOException, InterruptedException {
        run(asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                "stop"));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asPostgres(String... command) {
        List<String> c = new ArrayList<>();
        if (isRoot()) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(List.of(command));
        return c;
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + new String(out));
        }
    }
}

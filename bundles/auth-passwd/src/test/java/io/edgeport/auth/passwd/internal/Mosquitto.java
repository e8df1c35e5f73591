package io.edgeport.auth.passwd.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.edgeport.testsupport.MosquittoBroker;

/**
 * The real Mosquitto 2.0.11 tools (Debian packages mosquitto and mosquitto-clients, which CI installs). A missing
 * binary fails the test with a clear message instead of skipping it. Every process is bounded in time.
 */
final class Mosquitto {

    static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    static final Path PUB = Path.of("/usr/bin/mosquitto_pub");

    private Mosquitto() {
    }

    static Path require(Path binary) {
        if (!Files.isExecutable(binary)) {
            fail(binary + " is missing: install the Debian packages mosquitto and mosquitto-clients (2.0.11);"
                    + " these interoperability tests must not be skipped");
        }
        return binary;
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        require(Path.of(command.get(0)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command.get(0));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** mosquitto_passwd with the given arguments; fails the test unless it exits 0. */
    static String passwd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PASSWD.toString()));
        cmd.addAll(List.of(args));
        Result r = run(cmd);
        if (r.exit() != 0) {
            fail("mosquitto_passwd " + args[0] + " exited " + r.exit() + ": " + r.output());
        }
        return r.output();
    }

    /** A new file made by {@code mosquitto_passwd -c -b [options] file user password}; returns its only line. */
    static String line(Path dir, String user, String password, String... options) throws Exception {
        Path f = Files.createTempFile(dir, "mp", ".pw");
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("-c", "-b", f.toString(), user, password));
        passwd(args.toArray(String[]::new));
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        if (lines.size() != 1) {
            fail("expected one line from mosquitto_passwd, got " + lines.size());
        }
        return lines.get(0);
    }

    /** A broker on an ephemeral loopback port with a password file; close() stops it. */
    static final class Broker implements AutoCloseable {
        final int port;
        private final MosquittoBroker broker;

        Broker(Path dir, Path passwordFile, boolean allowAnonymous) throws Exception {
            broker = new MosquittoBroker(dir, "password_file " + passwordFile + "\nallow_anonymous " + allowAnonymous
                    + "\n");
            port = broker.port;
        }

        /** @return mosquitto_pub's exit code: 0 connected and published, 5 refused (not authorised) */
        int publish(String user, String password) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(require(PUB).toString(), "-h", "127.0.0.1", "-p",
                    String.valueOf(port), "-t", "edgeport/test", "-m", "x"));
            if (user != null) {
                cmd.addAll(List.of("-u", user));
            }
            if (password != null) {
                cmd.addAll(List.of("-P", password));
            }
            return run(cmd).exit();
        }

        String log() throws IOException {
            return broker.log();
        }

        @Override
        public void close() throws InterruptedException {
            broker.close();
        }
    }
}

package io.edgeport.testsupport;

import io.edgeport.testsupport.net.Ports;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A real Mosquitto 2.0.11 (Debian package mosquitto, which CI installs) on an ephemeral loopback port, for tests that
 * need the broker users have. Persistence off, up to a million queued messages per client; more mosquitto.conf lines
 * can be given.
 * A missing binary fails the test instead of skipping it.
 */
public final class MosquittoBroker implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    public final int port;
    private final Process process;
    private final Path log;

    /** Anonymous clients allowed. */
    public MosquittoBroker(Path dir) throws Exception {
        this(dir, "allow_anonymous true\n");
    }

    /** @param config mosquitto.conf lines besides the listener (e.g. allow_anonymous, password_file) */
    public MosquittoBroker(Path dir, String config) throws Exception {
        this(dir, Ports.free(), config);
    }

    /**
     * On a given port (to start it again where its clients expect it). {@code config} may contain its own
     * {@code persistence} lines (with {@code persistence_location} under the test's folder); else persistence is off.
     * A {@code listener} line in {@code config} replaces the plain one on {@code port} (a TLS listener).
     */
    public MosquittoBroker(Path dir, int port, String config) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            fail(BINARY + " is missing: install the Debian package mosquitto; this test must not be skipped");
        }
        this.port = port;
        log = dir.resolve("mosquitto-" + port + ".log");
        process = launch(dir, port, config, log);
        try {
            await("mosquitto listening on port " + port).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).failFast("mosquitto exited", () -> !process.isAlive())
                    .until(() -> listening(port));
        } catch (ConditionTimeoutException | TerminalFailureException notStarted) {
            close();
            fail("mosquitto did not start (" + notStarted.getMessage() + "): " + Files.readString(log));
        }
    }

    /** @return whether something accepts connections on the loopback port */
    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static Process launch(Path dir, int port, String config, Path log) throws IOException {
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, (config.contains("listener ") ? "" : "listener " + port + " 127.0.0.1\n") + config
                + (config.contains("persistence ") ? "" : "persistence false\n")
                // "No limit" as a large number: Mosquitto 2.0.11 with max_queued_messages 0 resets QoS 1 publishers
                // now and then ("disconnected due to out of memory.", seen in the ACL and simulator tests).
                + "max_queued_messages 1000000\nlog_dest stdout\n"
                // As root, mosquitto switches to the user "mosquitto", who cannot read a 0600 file in a 0700 dir.
                + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        return new ProcessBuilder(BINARY.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * Starts Mosquitto on {@code config} and reports whether it refused it: exited with an error within 10 s (true),
     * or listens (false). Stopped either way.
     */
    public static boolean refuses(Path dir, String config) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            fail(BINARY + " is missing: install the Debian package mosquitto; this test must not be skipped");
        }
        int port = Ports.free();
        Process p = launch(dir, port, config, dir.resolve("mosquitto-" + port + ".log"));
        try {
            await("mosquitto exited or listening").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !p.isAlive() || listening(port));
            return !p.isAlive() && p.exitValue() != 0;
        } finally {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The first line of {@code mosquitto -h}, e.g. "mosquitto version 2.0.11". */
    public static String version() throws Exception {
        if (!Files.isExecutable(BINARY)) {
            fail(BINARY + " is missing: install the Debian package mosquitto; this test must not be skipped");
        }
        Process p = new ProcessBuilder(BINARY.toString(), "-h").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out.lines().findFirst().orElse("").trim();
    }

    /** Paho's URI of the listener. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The broker's process id (for CPU and memory readings). */
    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}

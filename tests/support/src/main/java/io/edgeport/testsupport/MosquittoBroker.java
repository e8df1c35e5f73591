package io.edgeport.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto 2.0.11 (Debian package mosquitto, which CI installs) on an ephemeral loopback port, for tests that
 * need the broker users have. Persistence off, no limit on queued messages; more mosquitto.conf lines can be given.
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
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        log = dir.resolve("mosquitto-" + port + ".log");
        Files.writeString(conf, (config.contains("listener ") ? "" : "listener " + port + " 127.0.0.1\n") + config
                + (config.contains("persistence ") ? "" : "persistence false\n")
                + "max_queued_messages 0\nlog_dest stdout\n"
                // As root, mosquitto switches to the user "mosquitto", who cannot read a 0600 file in a 0700 dir.
                + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    close();
                    fail("mosquitto did not start: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    /** Paho's URI of the listener. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
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

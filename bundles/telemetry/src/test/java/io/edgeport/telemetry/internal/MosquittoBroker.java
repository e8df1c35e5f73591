package io.edgeport.telemetry.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto 2.0.11 (Debian package mosquitto, which CI installs) on an ephemeral loopback port, as the broker
 * a sink channel talks to: persistent sessions, QoS 1, and no limit on queued messages. Missing binary = failure.
 */
final class MosquittoBroker implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    final int port;
    private final Process process;
    private final Path log;

    MosquittoBroker(Path dir) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            fail(BINARY + " is missing: install the Debian package mosquitto; this test must not be skipped");
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        log = dir.resolve("mosquitto-" + port + ".log");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                + "max_queued_messages 0\nlog_dest stdout\n"
                + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
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

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}

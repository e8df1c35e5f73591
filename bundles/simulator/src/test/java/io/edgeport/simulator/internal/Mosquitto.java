package io.edgeport.simulator.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto 2.0 broker (Debian package mosquitto, which CI installs) on an ephemeral loopback port, for
 * tests and the scale measurement. A missing binary is an error, not a skipped test. close() stops it.
 */
final class Mosquitto implements AutoCloseable {

    static final Path BROKER = Path.of("/usr/sbin/mosquitto");

    final int port;
    private final Process process;
    private final Path log;

    Mosquitto(Path dir) throws Exception {
        if (!Files.isExecutable(BROKER)) {
            throw new IllegalStateException(BROKER + " is missing: install the Debian package mosquitto");
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        log = dir.resolve("mosquitto-" + port + ".log");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                // The test subscriber must see every QoS 1 reading; the default limit of 1000 would drop some.
                + "max_queued_messages 0\nmax_connections -1\n"
                // A log file (flushed per line, unlike redirected stdout) with connects and disconnects only.
                + "log_dest file " + log + "\nlog_type error\nlog_type warning\nlog_type notice\n"
                + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        process = new ProcessBuilder(BROKER.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto-" + port + ".out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("mosquitto did not start: " + Files.readString(log));
                }
                Thread.sleep(20);
            }
        }
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    String log() throws IOException {
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

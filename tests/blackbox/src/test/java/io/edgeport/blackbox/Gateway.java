package io.edgeport.blackbox;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The exported gateway jar as a child process, in its own working directory, on free loopback ports. Settings are
 * passed as {@code -Dedgeport.broker.*} properties. {@link #stop()} sends SIGTERM, as an init system would;
 * {@link #kill9()} sends SIGKILL, as a power cut or the kernel's OOM killer would. After either, {@link #start()}
 * starts the gateway again on the same working (data) directory and the same ports.
 */
final class Gateway implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("gateway.jar", "../../run/target/gateway.jar"))
            .toAbsolutePath().normalize();
    /** The broker alone (run/broker.bndrun): no HTTP, console, telemetry or alerting. */
    static final Path BROKER_JAR = JAR.resolveSibling("broker.jar");
    static final long START_TIMEOUT_S = 90;
    /** A JVM ended by SIGTERM after its shutdown hooks ran exits with 128 + 15. */
    static final int SIGTERM_EXIT = 143;
    /** A process ended by SIGKILL: 128 + 9. */
    static final int SIGKILL_EXIT = 137;

    final Path dir;
    final int mqttPort;
    final int httpPort;
    final Map<String, String> settings = new LinkedHashMap<>();
    private Process process;
    private final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    private String readyLine;
    private final Path jar;

    Gateway(Path dir) throws IOException {
        this(dir, JAR);
    }

    Gateway(Path dir, Path jar) throws IOException {
        this.dir = dir;
        this.jar = jar;
        this.mqttPort = freePort();
        this.httpPort = freePort();
        settings.put("edgeport.broker.port", Integer.toString(mqttPort));
    }

    /**
     * JVM options instead of the tests' {@code -Xmx256m -XX:+UseSerialGC} (a benchmark may run the gateway as the
     * README starts it, with none).
     */
    Gateway jvm(List<String> options) {
        this.jvmOptions = options == null ? null : List.copyOf(options);
        return this;
    }

    Gateway with(String key, Object value) {
        settings.put(key.startsWith("edgeport.") ? key : "edgeport.broker." + key, String.valueOf(value));
        return this;
    }

    /** See {@link io.edgeport.testsupport.net.Ports#free()}: below the ephemeral range. */
    static int freePort() throws IOException {
        return io.edgeport.testsupport.net.Ports.free();
    }

    private List<String> jvmOptions;
    /** Copies the gateway's output into {@link #output}; {@link #stop()} waits for it to read the last lines. */
    private Thread reader;

    Gateway start() throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("jar not built: " + jar + " (run mvn install first)");
        }
        output.clear();
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx256m", "-XX:+UseSerialGC",
                "-Dorg.osgi.service.http.port=" + httpPort));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        if (jvmOptions != null) {
            cmd.subList(1, 3).clear();
            cmd.addAll(1, jvmOptions);
        }
        // the bnd launcher unpacks its own jars into java.io.tmpdir: under target/ like every test file
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        process = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith("Edgeport ready")) {
                        readyLine = line;
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // process ended
            }
        }, "gateway-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(START_TIMEOUT_S, TimeUnit.SECONDS)) {
            String log = log();
            close();
            throw new AssertionError("gateway not ready within " + START_TIMEOUT_S + " s; output:\n" + log);
        }
        return this;
    }

    String readyLine() {
        return readyLine;
    }

    String log() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** The generated console password; the console bundle writes it when it starts, which may follow the ready line. */
    String consolePassword() throws IOException {
        Path file = dir.resolve("data/console-password");
        await("the console password file").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.isRegularFile(file));
        return Files.readString(file).strip();
    }

    String consoleUrl(String path) {
        return "http://127.0.0.1:" + httpPort + "/system/console" + path;
    }

    /** Keeps the gateway's output next to the test reports, for post-mortems. */
    void saveLog(String name) {
        try {
            Path out = Path.of("target", "gateway-logs", name + ".log");
            Files.createDirectories(out.getParent());
            Files.writeString(out, log());
        } catch (IOException e) {
            // best effort
        }
    }

    /** @return whether the gateway's process is running */
    boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The gateway JVM's process id while it runs, else -1. */
    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /**
     * SIGKILL to the gateway JVM ({@link Process#destroyForcibly()} on Linux), then to every process it started: no
     * shutdown hook runs and nothing is flushed. Waits, bounded, until they are gone, so the ports and the store's
     * file locks are free for {@link #start()}.
     *
     * @return the exit code (137 = 128 + SIGKILL)
     */
    int kill9() throws InterruptedException {
        if (process == null) {
            return -1;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("gateway JVM " + process.pid() + " still alive 30 s after SIGKILL");
        }
        for (ProcessHandle d : descendants) {
            try {
                d.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("process " + d.pid() + " started by the gateway survived SIGKILL", e);
            }
        }
        int code = process.exitValue();
        process = null;
        if (reader != null) {
            reader.join(5_000); // the lines the gateway wrote while it stopped
        }
        saveLog(dir.getFileName().toString());
        return code;
    }

    /** SIGTERM, then wait: the gateway must stop by itself and flush its store. @return the exit code */
    int stop() throws InterruptedException {
        if (process == null) {
            return -1;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("gateway did not stop within 60 s after SIGTERM; output:\n" + log());
        }
        int code = process.exitValue();
        process = null;
        if (reader != null) {
            reader.join(5_000); // the lines the gateway wrote while it stopped
        }
        saveLog(dir.getFileName().toString());
        return code;
    }

    @Override
    public void close() {
        if (process != null) {
            saveLog(dir.getFileName().toString());
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }
}

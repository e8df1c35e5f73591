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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A real single-node Apache Kafka (KRaft: broker and controller in one process, no ZooKeeper) as a child JVM on free
 * loopback ports, for the Kafka sink's tests. The server's classes come from the calling test's class path (the test
 * module depends on {@code org.apache.kafka:kafka_2.13} in test scope). {@link #stop()} and {@link #start()} restart it
 * on the same ports and data; {@link #close()} kills it.
 */
public final class KafkaBroker implements AutoCloseable {

    /** A fixed cluster id (any base64 UUID does). */
    private static final String CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg";
    public final int port;
    private final int controllerPort;
    private final Path dir;
    private final Path config;
    private final Path log;
    private Process process;

    public KafkaBroker(Path dir) throws Exception {
        this.dir = Files.createDirectories(dir.toAbsolutePath());
        this.port = Ports.free();
        this.controllerPort = Ports.free();
        this.config = dir.resolve("server.properties");
        this.log = dir.resolve("kafka.log");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + this.dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "") + "\n");
        run(List.of("kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c", config.toString()), true);
        start();
    }

    /** {@code 127.0.0.1:port}, for bootstrap.servers. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts the server (again) and waits until it accepts connections. */
    public void start() throws Exception {
        process = run(List.of("kafka.Kafka", config.toString()), false);
        Process started = process;
        try {
            await("Kafka listening on port " + port).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).failFast("Kafka exited", () -> !started.isAlive())
                    .until(() -> listening(port));
        } catch (ConditionTimeoutException | TerminalFailureException notStarted) {
            close();
            fail("Kafka did not start (" + notStarted.getMessage() + "): " + Files.readString(log));
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

    /** Stops the server cleanly (SIGTERM), as an operator's restart does. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    private Process run(List<String> mainAndArgs, boolean wait) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (wait && (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)) {
            p.destroyForcibly();
            fail(String.join(" ", mainAndArgs) + " failed: " + Files.readString(log));
        }
        return p;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }
}

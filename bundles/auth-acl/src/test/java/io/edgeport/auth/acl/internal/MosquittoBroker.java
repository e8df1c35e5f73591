package io.edgeport.auth.acl.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto 2.0.11 ({@code /usr/sbin/mosquitto}) on an ephemeral loopback port, with a generated config,
 * password file and ACL file in a test folder. Every wait is bounded; {@link #close()} kills the process.
 * Fails (does not skip) when Mosquitto is not installed: CI installs it.
 */
final class MosquittoBroker implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    final Process process;
    final int port;
    final Path log;

    private MosquittoBroker(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static void requireInstalled() {
        assertTrue(Files.isExecutable(BINARY) && Files.isExecutable(PASSWD), "Mosquitto is required for this test:"
                + " apt-get install -y mosquitto mosquitto-clients (" + BINARY + ", " + PASSWD + ")");
    }

    /** The first line of {@code mosquitto -h}, e.g. "mosquitto version 2.0.11". */
    static String version() throws Exception {
        requireInstalled();
        Process p = new ProcessBuilder(BINARY.toString(), "-h").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out.lines().findFirst().orElse("").trim();
    }

    /** Writes the files and starts the broker; returns once it accepts connections, or fails with its log. */
    static MosquittoBroker start(Path dir, String acl, Map<String, String> users, boolean allowAnonymous)
            throws Exception {
        Process p = launch(dir, acl, users, allowAnonymous);
        int port = Integer.parseInt(Files.readString(dir.resolve("port")));
        Path log = dir.resolve("mosquitto.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("mosquitto exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new MosquittoBroker(p, port, log);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("mosquitto did not listen on " + port + " within 10 s:\n" + Files.readString(log));
    }

    /**
     * Starts mosquitto on the ACL and reports whether it refused the file: exited with an error within the bound
     * (true), or is still running and listening (false).
     */
    static boolean refusesAcl(Path dir, String acl) throws Exception {
        Process p = launch(dir, acl, Map.of("u", "p"), false);
        int port = Integer.parseInt(Files.readString(dir.resolve("port")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    return p.exitValue() != 0;
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return false;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            throw new AssertionError("mosquitto neither exited nor listened within 10 s");
        } finally {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static Process launch(Path dir, String acl, Map<String, String> users, boolean allowAnonymous)
            throws Exception {
        requireInstalled();
        Files.createDirectories(dir);
        Path passwd = dir.resolve("passwd");
        Files.deleteIfExists(passwd);
        boolean first = true;
        for (Map.Entry<String, String> u : users.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(PASSWD.toString()));
            if (first) {
                cmd.add("-c");
            }
            cmd.addAll(List.of("-b", passwd.toString(), u.getKey(), u.getValue()));
            first = false;
            Process pw = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("passwd.log").toFile()).start();
            if (!pw.waitFor(20, TimeUnit.SECONDS) || pw.exitValue() != 0) {
                pw.destroyForcibly();
                fail("mosquitto_passwd failed for " + u.getKey() + ": " + Files.readString(dir.resolve("passwd.log")));
            }
        }
        Path aclFile = dir.resolve("acl");
        Files.writeString(aclFile, acl, StandardCharsets.UTF_8);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("port"), Integer.toString(port));
        StringBuilder conf = new StringBuilder()
                .append("listener ").append(port).append(" 127.0.0.1\n")
                .append("allow_anonymous ").append(allowAnonymous).append('\n')
                .append("password_file ").append(passwd).append('\n')
                .append("acl_file ").append(aclFile).append('\n')
                .append("persistence false\n")
                .append("log_dest stderr\n")
                .append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n");
        if ("root".equals(System.getProperty("user.name"))) {
            // Run as root mosquitto would switch to the user "mosquitto", which cannot read the test folder.
            conf.append("user root\n");
        }
        Path confFile = dir.resolve("mosquitto.conf");
        Files.writeString(confFile, conf.toString());
        return new ProcessBuilder(BINARY.toString(), "-c", confFile.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}

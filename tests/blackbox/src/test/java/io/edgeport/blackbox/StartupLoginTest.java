package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

/**
 * Ready means ready: a device that logs in with a correct password the moment the MQTT port opens is accepted, on the
 * first start (the password realm is configured during that start) and after a restart (its configuration comes from
 * ConfigAdmin's store). Before, such a login got CONNACK 5 for up to ~1.3 s after the port opened, because the realm
 * registered its authenticator after the broker had opened its listeners.
 *
 * <p>The user is in {@code data/passwd} before the first start; anonymous clients are refused, so a login that no
 * realm vouches for is refused. The client tries to connect in a tight loop from before the port opens and sends its
 * CONNECT at once; the first CONNACK it gets must be 0.
 */
class StartupLoginTest {

    private static final String USER = "early";
    private static final String PASSWORD = "early-secret";

    @Test
    void aLoginTheMomentThePortOpensIsAcceptedOnFirstStartAndAfterARestart() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "startup-login")), "gw");
        Path passwd = Files.createDirectories(dir.resolve("data")).resolve("passwd");
        Clients.Result r = Clients.run(15, "mosquitto_passwd", "-c", "-b", passwd.toString(), USER, PASSWORD);
        assertThat(r.exitCode()).as(r.stderr()).isZero();

        for (String start : new String[] {"first start", "restart"}) {
            Gateway gw = new Gateway(dir).with("allow_anonymous", "false");
            ExecutorService starter = Executors.newSingleThreadExecutor();
            try {
                Future<Gateway> ready = starter.submit(gw::start); // returns at the ready line
                Attempt first = firstConnack(gw.mqttPort, ready, System.nanoTime() + TimeUnit.SECONDS.toNanos(90));
                ready.get(90, TimeUnit.SECONDS);
                assertThat(first.connectedBeforeReadyLine).as("%s: the login must race the start", start).isTrue();
                assertThat(first.returnCode).as("%s: first CONNACK (0 = accepted, 5 = not authorised); gateway "
                        + "log:%n%s", start, gw.log()).isZero();
                assertThat(gw.stop()).isEqualTo(Gateway.SIGTERM_EXIT);
            } finally {
                gw.close();
                starter.shutdownNow();
            }
        }
    }

    private record Attempt(int returnCode, boolean connectedBeforeReadyLine) {
    }

    /** Connects again and again until the port is open, then logs in; a connection closed without CONNACK is retried. */
    private static Attempt firstConnack(int port, Future<?> ready, long deadline) throws Exception {
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                } catch (ConnectException notYetOpen) {
                    if (ready.isDone()) {
                        ready.get(); // the start failed: show why
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    continue;
                }
                boolean beforeReady = !ready.isDone();
                s.setSoTimeout(60_000); // the broker may hold the CONNECT while it starts
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                out.write(connect("early-device", USER, PASSWORD));
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] connack = new byte[4];
                try {
                    in.readFully(connack);
                } catch (EOFException closedWithoutConnack) {
                    continue;
                }
                assertThat(connack[0] & 0xff).as("CONNACK packet type").isEqualTo(0x20);
                out.write(new byte[] {(byte) 0xe0, 0}); // DISCONNECT
                out.flush();
                return new Attempt(connack[3] & 0xff, beforeReady);
            }
        }
        throw new AssertionError("no CONNACK within the time limit");
    }

    /** An MQTT 3.1.1 CONNECT with clean session, keep-alive 60 s, username and password. */
    static byte[] connect(String clientId, String user, String password) throws IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 60});
        for (String field : new String[] {clientId, user, password}) {
            byte[] b = field.getBytes(StandardCharsets.UTF_8);
            body.write(b.length >> 8);
            body.write(b.length & 0xff);
            body.write(b);
        }
        byte[] payload = body.toByteArray();
        if (payload.length > 127) {
            throw new IllegalArgumentException("keep it short: one byte of remaining length");
        }
        byte[] packet = new byte[payload.length + 2];
        packet[0] = 0x10;
        packet[1] = (byte) payload.length;
        System.arraycopy(payload, 0, packet, 2, payload.length);
        return packet;
    }
}

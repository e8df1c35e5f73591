package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;

/**
 * Issue 13: connection floods. Connections beyond max_pending_connects that have not sent their CONNECT yet, and
 * connections from an address beyond its connect rate, are closed as soon as they are accepted; the broker goes on
 * serving clients that behave.
 */
class ConnectionLimitsTest {

    private Engine engine;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private int start(EngineSettings.Builder b) throws IOException {
        engine = RunningEngine.start(b.port(Listener.TCP, EngineSettings.ANY_PORT).allowAnonymous(true).build(),
                new TestHooks());
        return engine.boundPort(Listener.TCP);
    }

    /** Opens {@code n} connections that send nothing; returns how many the broker closed at once. */
    private int openSilent(int port, int n) throws IOException {
        List<Socket> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket("127.0.0.1", port);
            sockets.add(s);
            opened.add(s);
        }
        // The broker has accepted (and refused) them all once no more of them is closed for a while; the others wait
        // for their CONNECT, which the broker gives 10 s.
        Set<Socket> closed = new HashSet<>();
        await("the broker accepted (and refused) them all").during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5)).pollInSameThread().pollInterval(Duration.ofMillis(50))
                .until(() -> !closedMore(opened, closed));
        return closed.size();
    }

    /** Adds to {@code closed} the sockets the broker has closed by now; @return whether there were any. */
    private static boolean closedMore(List<Socket> opened, Set<Socket> closed) throws IOException {
        boolean more = false;
        for (Socket s : opened) {
            if (closed.contains(s)) {
                continue;
            }
            s.setSoTimeout(1);
            try {
                if (s.getInputStream().read() < 0) {
                    more |= closed.add(s);
                }
            } catch (SocketTimeoutException open) {
                // still open, waiting for its CONNECT
            } catch (IOException reset) {
                more |= closed.add(s);
            }
        }
        return more;
    }

    /** Connects and publishes once the broker lets a client in (a refused attempt closes at once and is retried). */
    private static void connectAndPublishOnceAdmitted(int port, String id, String what) {
        await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(MqttException.class).untilAsserted(() -> connectAndPublish(port, id));
    }

    private static void connectAndPublish(int port, String id) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(10);
        try {
            c.connect(o);
            c.publish("t", new byte[] { 1 }, 1, false);
            c.disconnect();
        } finally {
            c.close();
        }
    }

    @Test
    void connectionsWaitingForTheirConnectAreBounded() throws Exception {
        int port = start(EngineSettings.builder().maxPendingConnects(20));
        int closed = openSilent(port, 50);
        assertThat(closed).as("connections beyond the 20 waiting ones closed at once: %d", closed).isEqualTo(30);
        for (Socket s : sockets) {
            s.close(); // the waiting ones go away: room again
        }
        sockets.clear();
        connectAndPublishOnceAdmitted(port, "after-the-flood", "room again once the broker saw the closes");
    }

    @Test
    void oneAddressCannotConnectFasterThanItsRate() throws Exception {
        int port = start(EngineSettings.builder().connectRateLimit(5).limitLoopbackConnects(true));
        int closed = openSilent(port, 40);
        assertThat(closed).as("most of 40 connects at once refused at 5 per second").isGreaterThanOrEqualTo(25);
        connectAndPublishOnceAdmitted(port, "later", "admitted once the bucket filled again");
    }

    @Test
    void loopbackIsNotRateLimitedUnlessAsked() throws Exception {
        int port = start(EngineSettings.builder().connectRateLimit(5));
        assertThat(openSilent(port, 40)).isZero();
    }
}

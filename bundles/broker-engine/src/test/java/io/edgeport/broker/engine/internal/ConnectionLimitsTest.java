package io.edgeport.broker.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
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
    private int openSilent(int port, int n) throws IOException, InterruptedException {
        List<Socket> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket("127.0.0.1", port);
            sockets.add(s);
            opened.add(s);
        }
        Thread.sleep(500); // the broker has accepted (and refused) them all; its CONNECT timeout is 10 s
        int closed = 0;
        for (Socket s : opened) {
            s.setSoTimeout(50);
            try {
                if (s.getInputStream().read() < 0) {
                    closed++;
                }
            } catch (SocketTimeoutException open) {
                // still open, waiting for its CONNECT
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }

    private static void connectAndPublish(int port, String id) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(10);
        c.connect(o);
        c.publish("t", new byte[] { 1 }, 1, false);
        c.disconnect();
        c.close();
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
        Thread.sleep(200); // the broker sees the closes
        connectAndPublish(port, "after-the-flood");
    }

    @Test
    void oneAddressCannotConnectFasterThanItsRate() throws Exception {
        int port = start(EngineSettings.builder().connectRateLimit(5).limitLoopbackConnects(true));
        int closed = openSilent(port, 40);
        assertThat(closed).as("most of 40 connects at once refused at 5 per second").isGreaterThanOrEqualTo(25);
        Thread.sleep(1_200); // the bucket fills again
        connectAndPublish(port, "later");
    }

    @Test
    void loopbackIsNotRateLimitedUnlessAsked() throws Exception {
        int port = start(EngineSettings.builder().connectRateLimit(5));
        assertThat(openSilent(port, 40)).isZero();
    }
}

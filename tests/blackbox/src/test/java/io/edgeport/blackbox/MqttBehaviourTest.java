package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT behaviour of the exported gateway, seen by mosquitto_pub/sub and Paho. One gateway for the whole class. */
class MqttBehaviourTest {

    @TempDir
    static Path dir;
    static Gateway gw;
    static int wsPort;
    static final int SIZE_LIMIT = 1000;

    @BeforeAll
    static void start() throws Exception {
        wsPort = Gateway.freePort();
        gw = new Gateway(dir).with("websocket_port", wsPort).with("message_size_limit", SIZE_LIMIT)
                .with("sys_interval", 1).with("max_keepalive", 120).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) {
            assertThat(gw.stop()).as("exit code after SIGTERM").isIn(0, Gateway.SIGTERM_EXIT);
        }
    }

    String port() {
        return Integer.toString(gw.mqttPort);
    }

    @Test
    void readyLineNamesTheListenersAndTheConsole() {
        assertThat(gw.readyLine()).contains("mqtt://127.0.0.1:" + gw.mqttPort)
                .contains("ws://127.0.0.1:" + wsPort + "/mqtt")
                .contains("http://127.0.0.1:" + gw.httpPort + "/system/console");
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 2 })
    void mosquittoClientsRoundTripAtEveryQos(int qos) throws Exception {
        String topic = "rt/mosquitto/" + qos;
        try (MosquittoSub sub = new MosquittoSub("-h", "127.0.0.1", "-p", port(), "-t", topic, "-q",
                Integer.toString(qos), "-C", "3", "-W", "20", "-v").awaitSubscribed()) {
            for (int i = 1; i <= 3; i++) {
                Clients.Result r = Clients.run(10, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-t", topic, "-q",
                        Integer.toString(qos), "-m", "m" + i);
                assertThat(r.exitCode()).as(r.stderr()).isZero();
            }
            assertThat(sub.messages(topic + " ", 20)).containsExactly(topic + " m1", topic + " m2", topic + " m3");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 2 })
    void pahoRoundTripInOrderAtEveryQos(int qos) throws Exception {
        String topic = "rt/paho/" + qos;
        MqttClient sub = Clients.paho("tcp://127.0.0.1:" + port(), "paho-sub-" + qos, true);
        MqttClient pub = Clients.paho("tcp://127.0.0.1:" + port(), "paho-pub-" + qos, true);
        try {
            int n = 200;
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch all = new CountDownLatch(n);
            sub.subscribe(topic, qos, (t, m) -> {
                got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
                all.countDown();
            });
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(Integer.toString(i));
                pub.publish(topic, Integer.toString(i).getBytes(StandardCharsets.UTF_8), qos, false);
            }
            assertThat(all.await(20, TimeUnit.SECONDS)).as("received %s of %s", got.size(), n).isTrue();
            if (qos > 0) {
                assertThat(got).containsExactlyElementsOf(sent);
            } else {
                assertThat(got).hasSize(n);
            }
        } finally {
            Clients.close(sub);
            Clients.close(pub);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 2 })
    void retainedMessageReachesLateSubscribersWithTheRetainFlag(int qos) throws Exception {
        String topic = "retained/q" + qos;
        Clients.Result p = Clients.run(10, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-t", topic, "-q",
                Integer.toString(qos), "-r", "-m", "kept-" + qos);
        assertThat(p.exitCode()).isZero();
        // A live subscriber sees the message with RETAIN=0 ...
        try (MosquittoSub live = new MosquittoSub("-h", "127.0.0.1", "-p", port(), "-t", topic + "/live", "-q", "2",
                "-C", "1", "-W", "20", "-F", "%r %t %p").awaitSubscribed()) {
            Clients.run(10, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-t", topic + "/live", "-q",
                    Integer.toString(qos), "-r", "-m", "now");
            assertThat(live.messages("0 " + topic, 20)).containsExactly("0 " + topic + "/live now");
        }
        // ... a late subscriber at every QoS gets the stored one with RETAIN=1.
        for (int subQos = 0; subQos <= 2; subQos++) {
            Clients.Result s = Clients.run(15, "mosquitto_sub", "-h", "127.0.0.1", "-p", port(), "-t", topic, "-q",
                    Integer.toString(subQos), "-C", "1", "-W", "10", "-F", "%r %t %p");
            assertThat(s.lines()).as("subscriber at QoS %s", subQos).containsExactly("1 " + topic + " kept-" + qos);
        }
        // An empty retained message clears it.
        Clients.run(10, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-t", topic, "-q", Integer.toString(qos),
                "-r", "-n");
        Clients.Result none = Clients.run(10, "mosquitto_sub", "-h", "127.0.0.1", "-p", port(), "-t", topic, "-C",
                "1", "-W", "2");
        assertThat(none.lines()).isEmpty();
    }

    @Test
    void retainedQos0ReplacesRetainedQos1() throws Exception {
        Clients.run(10, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-t", "retained/mix", "-q", "1", "-r",
                "-m", "B");
        // A QoS 0 publish has no acknowledgement: the same client's QoS 1 marker afterwards tells that the broker
        // has processed everything that client sent before it.
        MqttClient c = Clients.paho("tcp://127.0.0.1:" + port(), "mix-writer", true);
        try {
            c.publish("retained/mix", "A".getBytes(StandardCharsets.UTF_8), 0, true);
            c.publish("retained/mix-marker", "m".getBytes(StandardCharsets.UTF_8), 1, false);
        } finally {
            Clients.close(c);
        }
        Clients.Result s = Clients.run(15, "mosquitto_sub", "-h", "127.0.0.1", "-p", port(), "-t", "retained/mix",
                "-C", "1", "-W", "10");
        assertThat(s.lines()).containsExactly("A");
    }

    @Test
    void lastWillIsPublishedWhenAClientDiesWithoutDisconnect() throws Exception {
        MqttClient watcher = Clients.paho("tcp://127.0.0.1:" + port(), "will-watcher", true);
        try {
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch will = new CountDownLatch(1);
            watcher.subscribe("status/dev-1/health", 1, (t, m) -> {
                got.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
                will.countDown();
            });
            // A device that connects with a Last Will and then loses its connection: the socket closes without a
            // DISCONNECT packet, as when power or the network goes.
            try (java.net.Socket device = new java.net.Socket("127.0.0.1", gw.mqttPort)) {
                device.getOutputStream().write(Clients.connectWithWill("dev-1", "status/dev-1/health", "offline", 1));
                byte[] connack = device.getInputStream().readNBytes(4);
                assertThat(connack).containsExactly(0x20, 0x02, 0x00, 0x00);
                // Like the seed's devices it listens for commands before it dies: SUBSCRIBE commands/dev-1/# QoS 0.
                byte[] topic = "commands/dev-1/#".getBytes(StandardCharsets.UTF_8);
                java.io.ByteArrayOutputStream sub = new java.io.ByteArrayOutputStream();
                sub.write(0x82);
                sub.write(2 + 2 + topic.length + 1);
                sub.write(0);
                sub.write(1);
                sub.write(topic.length >> 8);
                sub.write(topic.length & 0xff);
                sub.writeBytes(topic);
                sub.write(0);
                device.getOutputStream().write(sub.toByteArray());
                assertThat(device.getInputStream().readNBytes(5)).startsWith(0x90, 0x03, 0x00, 0x01);
            }
            assertThat(will.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(got).containsExactly("status/dev-1/health offline");
        } finally {
            Clients.close(watcher);
        }
    }

    @Test
    void persistentSessionGetsWhatWasPublishedWhileOffline() throws Exception {
        String uri = "tcp://127.0.0.1:" + port();
        MqttClient c = Clients.paho(uri, "persistent-1", false);
        c.subscribe("queue/p1", 1);
        c.disconnect();
        c.close();
        for (int i = 0; i < 5; i++) {
            Clients.run(10, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-t", "queue/p1", "-q", "1", "-m",
                    "q" + i);
        }
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch five = new CountDownLatch(5);
        MqttClient again = new MqttClient(uri, "persistent-1", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        again.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                got.add(new String(m.getPayload(), StandardCharsets.UTF_8));
                five.countDown();
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o.setCleanSession(false);
        again.connect(o);
        try {
            assertThat(five.await(15, TimeUnit.SECONDS)).as("got %s", got).isTrue();
            assertThat(got).containsExactly("q0", "q1", "q2", "q3", "q4");
        } finally {
            Clients.close(again);
        }
    }

    @Test
    void sysTopicsCarryBrokerStatistics() throws Exception {
        Clients.Result r = Clients.run(15, "mosquitto_sub", "-h", "127.0.0.1", "-p", port(), "-t",
                "$SYS/broker/version", "-t", "$SYS/broker/uptime", "-t", "$SYS/broker/clients/connected", "-C", "3",
                "-W", "10", "-v");
        assertThat(r.lines()).hasSize(3);
        assertThat(r.lines()).anySatisfy(l -> assertThat(l).startsWith("$SYS/broker/version edgeport"));
        assertThat(r.lines()).anySatisfy(l -> assertThat(l).matches("\\$SYS/broker/uptime \\d+ seconds"));
        assertThat(r.lines()).anySatisfy(l -> assertThat(l).matches("\\$SYS/broker/clients/connected \\d+"));
    }

    @Test
    void wildcardSubscriptionsNeverSeeSysTopics() throws Exception {
        // $SYS is republished every second here; a '#' subscriber must not see it (MQTT-4.7.2-1), '$SYS/#' must.
        Process all = Clients.sub("-h", "127.0.0.1", "-p", port(), "-t", "#", "-t", "+/broker/#", "-v", "-W", "4");
        Clients.Result sys = Clients.run(15, "mosquitto_sub", "-h", "127.0.0.1", "-p", port(), "-t", "$SYS/#", "-C",
                "5", "-W", "10", "-v");
        assertThat(sys.lines()).hasSize(5).allSatisfy(l -> assertThat(l).startsWith("$SYS/broker/"));
        assertThat(Clients.lines(all, 10)).noneSatisfy(l -> assertThat(l).startsWith("$"));
    }

    @Test
    void keepaliveAboveMaxKeepaliveIsRefusedInTheConnack() throws Exception {
        Clients.Result tooLong = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-k", "600", "-t",
                "k/t", "-m", "x");
        assertThat(tooLong.exitCode()).isNotZero();
        assertThat(tooLong.stderr()).containsIgnoringCase("identifier rejected");
        Clients.Result ok = Clients.run(15, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-k", "60", "-t",
                "k/t", "-m", "x");
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    }

    @Test
    void clientsCannotWriteSysTopics() throws Exception {
        // QoS 1: mosquitto_pub returns after the PUBACK, so the broker has dealt with the forgery before we look
        // (a refused PUBLISH is acknowledged and dropped)
        Clients.Result forged = Clients.run(10, "mosquitto_pub", "-h", "127.0.0.1", "-p", port(), "-t",
                "$SYS/broker/version", "-q", "1", "-m", "forged");
        assertThat(forged.exitCode()).as(forged.stderr()).isZero();
        Clients.Result r = Clients.run(15, "mosquitto_sub", "-h", "127.0.0.1", "-p", port(), "-t",
                "$SYS/broker/version", "-C", "1", "-W", "10");
        assertThat(r.lines()).singleElement().asString().startsWith("edgeport");
    }

    @Test
    void oversizedPublishDisconnectsTheClientAndIsNotDelivered() throws Exception {
        MqttClient sub = Clients.paho("tcp://127.0.0.1:" + port(), "size-sub", true);
        MqttClient pub = Clients.paho("tcp://127.0.0.1:" + port(), "size-pub", true);
        try {
            List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch one = new CountDownLatch(1);
            sub.subscribe("size/#", 1, (t, m) -> {
                sizes.add(m.getPayload().length);
                one.countDown();
            });
            pub.publish("size/ok", new byte[SIZE_LIMIT], 1, false);
            assertThat(one.await(10, TimeUnit.SECONDS)).isTrue();
            try {
                pub.publish("size/big", new byte[SIZE_LIMIT * 200], 1, false);
            } catch (org.eclipse.paho.client.mqttv3.MqttException expected) {
                // the broker closes the connection
            }
            await("the oversized publisher disconnected").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !pub.isConnected());
            // a later message through the same subscription: once it is here, the refused one would have been too
            CountDownLatch marker = new CountDownLatch(1);
            sub.subscribe("size-marker", 1, (t, m) -> marker.countDown());
            sub.publish("size-marker", new byte[1], 1, false);
            assertThat(marker.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(sizes).containsExactly(SIZE_LIMIT);
        } finally {
            Clients.close(sub);
            Clients.close(pub);
        }
    }

    @Test
    void webSocketListenerCarriesMqtt() throws Exception {
        MqttClient ws = Clients.paho("ws://127.0.0.1:" + wsPort + "/mqtt", "ws-client", true);
        MqttClient tcp = Clients.paho("tcp://127.0.0.1:" + port(), "tcp-client", true);
        try {
            CountDownLatch got = new CountDownLatch(1);
            ws.subscribe("ws/t", 1, (t, m) -> got.countDown());
            tcp.publish("ws/t", "via tcp".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            Clients.close(ws);
            Clients.close(tcp);
        }
    }

    /**
     * max_queued_messages (1000 by default) paces a publisher that is faster than its subscriber: the broker holds
     * back the publisher's PUBACKs instead of queueing without bound (Moquette) or dropping acknowledged messages
     * (Mosquitto). Paho on both sides; the subscriber acknowledges by hand, slowly. Checked by counts: how far the
     * publisher's acknowledgements ever ran ahead of what the subscriber had received, and that every message arrived
     * once, in order.
     */
    @Test
    void aSlowSubscriberPacesAFastPublisherWithoutLosingAnything() throws Exception {
        String topic = "paced/one";
        int n = 3000;
        int publisherWindow = 500;
        org.eclipse.paho.client.mqttv3.MqttAsyncClient pub = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
                "tcp://127.0.0.1:" + port(), "paced-pub", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        org.eclipse.paho.client.mqttv3.MqttAsyncClient sub = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
                "tcp://127.0.0.1:" + port(), "paced-sub", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        java.util.concurrent.ExecutorService acker = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            List<Integer> got = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger maxAhead = new java.util.concurrent.atomic.AtomicInteger();
            CountDownLatch all = new CountDownLatch(n);
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(publisherWindow);
            sub.setManualAcks(true);
            sub.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String t, MqttMessage m) {
                    got.add(Integer.parseInt(new String(m.getPayload(), StandardCharsets.UTF_8)));
                    all.countDown();
                    int id = m.getId();
                    acker.execute(() -> {
                        try {
                            Thread.sleep(1); // pacing of the slow subscriber: ~1,000 msg/s, below the publisher
                            sub.messageArrivedComplete(id, 1);
                        } catch (Exception e) {
                            // the test fails on the count below
                        }
                    });
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setMaxInflight(publisherWindow);
            sub.connect(o).waitForCompletion(10_000);
            sub.subscribe(topic, 1).waitForCompletion(10_000);
            pub.connect(o).waitForCompletion(10_000);
            for (int i = 0; i < n; i++) {
                assertThat(window.tryAcquire(30, TimeUnit.SECONDS)).as("PUBACK of message %s", i - publisherWindow)
                        .isTrue();
                pub.publish(topic, Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false, null,
                        new org.eclipse.paho.client.mqttv3.IMqttActionListener() {
                            @Override
                            public void onSuccess(org.eclipse.paho.client.mqttv3.IMqttToken token) {
                                maxAhead.accumulateAndGet(acked.incrementAndGet() - got.size(), Math::max);
                                window.release();
                            }

                            @Override
                            public void onFailure(org.eclipse.paho.client.mqttv3.IMqttToken token, Throwable e) {
                                window.release();
                            }
                        });
            }
            assertThat(all.await(60, TimeUnit.SECONDS)).as("received %s of %s", got.size(), n).isTrue();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(i);
            }
            assertThat(got).as("every message once, in order").isEqualTo(expected);
            assertThat(window.tryAcquire(publisherWindow, 30, TimeUnit.SECONDS)).as("every PUBACK came").isTrue();
            assertThat(acked.get()).isEqualTo(n);
            // Unpaced, the publisher had all 3000 acknowledged while the subscriber had a few hundred. Paced: at most
            // max_queued_messages + the subscriber's in-flight window + one read batch of the publisher's window.
            assertThat(maxAhead.get()).as("PUBACKs ahead of deliveries").isLessThan(1000 + 20 + publisherWindow + 100);
        } finally {
            acker.shutdownNow();
            for (org.eclipse.paho.client.mqttv3.MqttAsyncClient c : List.of(pub, sub)) {
                try {
                    c.disconnectForcibly(1_000);
                } catch (Exception e) {
                    // already gone
                }
                c.close();
            }
        }
    }
}

package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * Alarms on the exported gateway with its first-start rules (temperature −10..50 °C with 1 °C hysteresis, humidity
 * 0..100 %, pressure 800..1200 hPa, offline): raised once and cleared, acknowledged over MQTT, raised for exactly the
 * devices a fault-injecting fleet made misbehave, offline after a silent device's keepalive, and delivered to a
 * webhook exactly once although the receiver was down. Alarms are read through the console's JSON API.
 */
class AlertingTest {

    private static final Pattern ALARM = Pattern.compile("\\{\"id\":\"([^\"]+)\",\"rule\":\"([^\"]+)\",\"type\":\"([^\"]+)\","
            + "\"device\":\"([^\"]+)\"[^}]*?\"state\":\"([^\"]+)\"[^}]*?\"acknowledged\":(true|false)");

    record Alarm(String id, String rule, String type, String device, String state, boolean acknowledged) {
    }

    @TempDir
    Path dir;

    /** The alarms page registers when the alerting bundle is active, which may follow the console. */
    static Console alarmsPage(Gateway gw) throws Exception {
        Console console = new Console(gw);
        console.awaitUp();
        await("the alarms page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> console.get("/alarms/alarms.json", console.admin()).statusCode() == 200);
        return console;
    }

    static List<Alarm> alarms(Console console, boolean history) throws Exception {
        var r = console.get("/alarms/alarms.json" + (history ? "?history=10000" : ""), console.admin());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<Alarm> out = new ArrayList<>();
        Matcher m = ALARM.matcher(r.body());
        while (m.find()) {
            out.add(new Alarm(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5),
                    Boolean.parseBoolean(m.group(6))));
        }
        return out;
    }

    private static MqttClient device(int port, String id) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(1000);
        c.connect(o);
        return c;
    }

    private static void reading(MqttClient c, String device, double value, long seq) throws Exception {
        c.publish("sensors/lab/temperature/" + device + "/reading", ("{\"device_id\":\"" + device
                + "\",\"measurement\":\"temperature\",\"value\":" + value + ",\"seq\":" + seq + "}")
                .getBytes(StandardCharsets.UTF_8), 1, false);
    }

    @Test
    void thresholdAlarmIsRaisedOnceClearedWithHysteresisAndAcknowledgedOverMqtt() throws Exception {
        try (Gateway gw = new Gateway(dir).start()) {
            Console console = alarmsPage(gw);
            MqttClient c = device(gw.mqttPort, "bb-publisher");
            List<String> notifications = Collections.synchronizedList(new ArrayList<>());
            MqttClient watcher = device(gw.mqttPort, "bb-watcher");
            watcher.subscribe("alerts/#", 1, (topic, m) -> notifications.add(topic + " "
                    + new String(m.getPayload(), StandardCharsets.UTF_8)));
            // The engine subscribes when the gateway starts; probe until a first alarm proves it listens.
            long[] seq = {0};
            await("the engine raises the probe's alarm").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        reading(c, "bb-probe", 99, seq[0]++);
                        return alarms(console, true).stream().anyMatch(a -> a.device().equals("bb-probe"));
                    });
            reading(c, "bb-a", 20, 0);
            reading(c, "bb-a", 60, 1); // raise
            reading(c, "bb-a", 70, 2); // still raised: no second alarm
            reading(c, "bb-a", 49.5, 3); // inside, but not by the hysteresis: still raised
            reading(c, "bb-b", 20, 0);
            reading(c, "bb-b", 50, 1); // exactly on the limit: normal
            await("bb-a raised").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> alarms(console, false).stream().anyMatch(a -> a.device().equals("bb-a")));
            Alarm raised = alarms(console, false).stream().filter(a -> a.device().equals("bb-a")).findFirst()
                    .orElseThrow();
            // The engine's command subscription starts a moment after its reading subscription: repeat the
            // (idempotent) acknowledgement until it is seen.
            await("acknowledged over MQTT").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        c.publish("alerts/ack/" + raised.id(), "operator-1".getBytes(StandardCharsets.UTF_8), 1, false);
                        return alarms(console, false).stream()
                                .anyMatch(a -> a.id().equals(raised.id()) && a.acknowledged());
                    });
            // Over HTTP, as a script does: without the CSRF header a plain answer saying what to send; with it the
            // alarm is acknowledged by the console user.
            reading(c, "bb-c", 20, 0);
            reading(c, "bb-c", 60, 1);
            await("bb-c raised").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> alarms(console, false).stream().anyMatch(a -> a.device().equals("bb-c")));
            String other = alarms(console, false).stream().filter(a -> a.device().equals("bb-c")).findFirst()
                    .orElseThrow().id();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest.Builder ack = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    gw.consoleUrl("/alarms/ack?id=" + other))).header("Authorization", console.admin())
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
            var refused = http.send(ack.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("X-Requested-By").doesNotContain("reload the page");
            var done = http.send(ack.header("X-Requested-By", "script").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(done.body()).contains("\"acknowledged\":true").contains("\"acknowledged_by\":\"admin\"");

            reading(c, "bb-a", 48, 4); // back inside by more than the hysteresis: cleared
            await("bb-a cleared").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> alarms(console, false).stream().noneMatch(a -> a.device().equals("bb-a")));

            List<Alarm> history = alarms(console, true);
            assertThat(history).filteredOn(a -> a.device().equals("bb-a")).as("one alarm, raised once, cleared")
                    .singleElement().satisfies(a -> {
                        assertThat(a.rule()).isEqualTo("temperature");
                        assertThat(a.state()).isEqualTo("cleared");
                        assertThat(a.acknowledged()).isTrue();
                    });
            assertThat(history).filteredOn(a -> a.device().equals("bb-b")).isEmpty();
            await("MQTT notifications").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> notifications.stream().anyMatch(n -> n.startsWith(
                            "alerts/major/bb-a") && n.contains("\"transition\":\"cleared\"")));
            assertThat(notifications).filteredOn(n -> n.startsWith("alerts/major/bb-a ") && n.contains(
                    "\"transition\":\"raised\"")).hasSize(1);
            watcher.disconnect();
            c.disconnect();
        }
    }

    @Test
    void aFaultInjectingFleetRaisesAlarmsForExactlyTheDevicesThatSentOutliers() throws Exception {
        try (Gateway gw = new Gateway(dir).start(); Telemetry.Observer observer = new Telemetry.Observer(gw.mqttPort)) {
            Console console = alarmsPage(gw);
            MqttClient c = device(gw.mqttPort, "probe-publisher");
            long[] seq = {0};
            await("the engine raises the probe's alarm").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        reading(c, "fi-probe", 99, seq[0]++);
                        return alarms(console, true).stream().anyMatch(a -> a.device().equals("fi-probe"));
                    });
            String pid = Telemetry.createFactoryConfiguration(console, "io.edgeport.simulator.fleet", Map.of("name",
                    "faulty", "devices", "9", "interval.ms", "50", "start.jitter.ms", "50", "fault.outlier.rate",
                    "0.01"));
            await("900 readings and outliers from 3 devices").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200)).until(() -> observer.distinct() >= 900
                            && outlierDevices(observer).size() >= 3);
            Telemetry.deleteConfiguration(console, pid);
            observer.awaitQuiet(1_500);
            Set<String> expected = outlierDevices(observer);
            expected.remove("fi-probe"); // the probe's readings are outliers too, but not the fleet's
            assertThat(expected).isNotEmpty();
            try {
                await("an alarm for every device that sent an outlier").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(() -> thresholdAlarmDevices(console)
                                .containsAll(expected));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + ": expected " + expected + ", alarms for "
                        + thresholdAlarmDevices(console) + ", values " + observer.values.entrySet().stream()
                        .filter(en -> expected.contains(en.getKey())).map(en -> en.getKey() + "=" + en.getValue()
                        .stream().filter(v -> v < -10 || v > 100 && v < 800 || v > 1200 || v < 800 && v > 100)
                        .toList()).toList());
            }
            // the pipeline is drained (the fleet stopped): nothing else may come
            await("no other threshold alarm").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200)).until(() -> thresholdAlarmDevices(console).equals(expected));
            assertThat(thresholdAlarmDevices(console)).isEqualTo(expected);
            c.disconnect();
        }
    }

    private static Set<String> outlierDevices(Telemetry.Observer observer) {
        Map<String, double[]> limits = Map.of("temperature", new double[] { -10, 50 }, "humidity",
                new double[] { 0, 100 }, "pressure", new double[] { 800, 1200 });
        Set<String> out = new TreeSet<>();
        observer.values.forEach((device, values) -> {
            double[] l = limits.get(observer.measurements.get(device));
            synchronized (values) {
                if (l != null && values.stream().anyMatch(v -> v < l[0] || v > l[1])) {
                    out.add(device);
                }
            }
        });
        return out;
    }

    private static Set<String> thresholdAlarmDevices(Console console) throws Exception {
        return alarms(console, true).stream().filter(a -> a.type().equals("threshold"))
                .map(Alarm::device).filter(d -> !d.equals("fi-probe")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The retained status of every device on status/+/health, as a new subscriber sees it now. */
    private static Map<String, String> statuses(int port) throws Exception {
        Map<String, String> out = new java.util.concurrent.ConcurrentHashMap<>();
        String id = "status-reader-" + System.nanoTime();
        MqttClient c = device(port, id);
        try {
            c.subscribe("status/+/health", 1, (topic, m) -> {
                Matcher s = Pattern.compile("\"status\":\"([^\"]+)\"").matcher(new String(m.getPayload(),
                        StandardCharsets.UTF_8));
                out.put(topic.split("/")[1], s.find() ? s.group(1) : "?");
            });
            // The retained messages come right after the SUBACK: a marker published after it comes after them.
            CountDownLatch marker = new CountDownLatch(1);
            c.subscribe("marker/" + id, 1, (topic, m) -> marker.countDown());
            c.publish("marker/" + id, new byte[] {1}, 1, false);
            assertThat(marker.await(10, TimeUnit.SECONDS)).as("the marker after the retained statuses").isTrue();
        } finally {
            c.disconnect();
            c.close();
        }
        return out;
    }

    /**
     * Issue 15: every clean restart raised and cleared one MAJOR offline alarm per simulated device. The gateway's own
     * simulator announces a planned stop ("stopped"), which raises nothing.
     */
    @Test
    void aCleanRestartWithTheDemoFleetRaisesNoOfflineAlarm() throws Exception {
        try (Gateway gw = new Gateway(dir).with("edgeport.demo.devices", 6).start()) {
            Console console = alarmsPage(gw);
            await("6 demo devices online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> statuses(gw.mqttPort).values().stream()
                            .filter("online"::equals).count() == 6);
            assertThat(gw.stop()).isIn(0, Gateway.SIGTERM_EXIT);
            gw.start();
            Console again = alarmsPage(gw);
            await("6 demo devices online again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> statuses(gw.mqttPort).values().stream()
                            .filter("online"::equals).count() == 6);
            // any alarm the restart might raise would be evaluated within 2 s
            await("no offline alarm from the planned restart").during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> alarms(again, true).stream().noneMatch(a -> a.type().equals("offline")));
            assertThat(alarms(again, true)).as("no alarm from a planned restart")
                    .noneMatch(a -> a.type().equals("offline"));
            assertThat(gw.log()).doesNotContain("Alarm raised");
        }
    }

    @Test
    void aSilentDeviceRaisesAnOfflineAlarmAfterItsKeepalive() throws Exception {
        try (Gateway gw = new Gateway(dir).start()) {
            Console console = alarmsPage(gw);
            // A first device proves that the engine listens to status/+/health (its Last Will fires at once).
            long start;
            try (Socket s = new Socket()) {
                int[] n = {0};
                await("the engine raises an offline alarm for a probe").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(() -> {
                            try (Socket probe = rawDevice(gw.mqttPort, "ka-probe-" + n[0]++, 60)) {
                                probe.setSoLinger(true, 0); // after its CONNACK (the broker has its Will): a reset
                            } // closed without DISCONNECT: the will fires
                            return alarms(console, false).stream().anyMatch(a -> a.type().equals("offline"));
                        });
                s.connect(new InetSocketAddress("127.0.0.1", gw.mqttPort));
                s.getOutputStream().write(connect("ka-silent", 2));
                s.getOutputStream().write(publishRetained("status/ka-silent/health",
                        "{\"device_id\":\"ka-silent\",\"status\":\"online\"}"));
                s.getOutputStream().flush();
                start = System.nanoTime();
                // ... and then says nothing: no PINGREQ. The broker must give up after 1.5 x keepalive.
                await("offline alarm for the silent device").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200)).until(() -> alarms(console, false).stream()
                                .anyMatch(a -> a.device().equals("ka-silent") && a.type().equals("offline")));
            }
            System.out.printf("offline alarm %d ms after the last packet of a device with keepalive 2 s"
                    + " (Mosquitto-style limit 3 s)%n", (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static Socket rawDevice(int port, String id, int keepalive) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write(connect(id, keepalive));
        s.getOutputStream().flush();
        s.getInputStream().readNBytes(4); // CONNACK
        return s;
    }

    /** MQTT 3.1.1 CONNECT, clean session, with a retained QoS 1 Last Will "offline" on status/{id}/health. */
    static byte[] connect(String clientId, int keepalive) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, "MQTT");
        v.write(4);
        v.write(0x02 | 0x04 | 0x08 | 0x20);
        v.write(keepalive >> 8);
        v.write(keepalive & 0xff);
        writeString(v, clientId);
        writeString(v, "status/" + clientId + "/health");
        writeString(v, "{\"device_id\":\"" + clientId + "\",\"status\":\"offline\"}");
        return packet(0x10, v.toByteArray());
    }

    static byte[] publishRetained(String topic, String payload) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, topic);
        v.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(0x31, v.toByteArray());
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xff);
        out.writeBytes(b);
    }

    private static byte[] packet(int header, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Test
    void aWebhookReceiverThatWasDownGetsEveryAlarmEventExactlyOnce() throws Exception {
        int port = Gateway.freePort();
        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        try (Gateway gw = new Gateway(dir).start()) {
            Console console = alarmsPage(gw);
            Telemetry.createFactoryConfiguration(console, "io.edgeport.alerting.webhook", Map.of("name", "bb",
                    "url", "http://127.0.0.1:" + port + "/hook", "retry.max.ms", "1000"));
            // A new webhook starts with the next alarm: wait until it is registered.
            await("the webhook registered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains("Alarm notifier webhook-bb registered"));
            MqttClient c = device(gw.mqttPort, "wh-publisher");
            // The receiver is down while these alarms are raised and cleared.
            reading(c, "wh-1", 60, 0);
            reading(c, "wh-2", -30, 0);
            reading(c, "wh-1", 20, 1);
            await("three alarm transitions").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> alarms(console, true).stream()
                            .filter(a -> a.device().startsWith("wh-")).count() == 2
                            && alarms(console, false).stream().filter(a -> a.device().startsWith("wh-")).count() == 1);
            await("a failed delivery to the receiver that is down").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains("Alarm notifier webhook-bb failed on event"));
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/hook", ex -> {
                String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
                ex.getRequestBody().readAllBytes();
                received.computeIfAbsent(key == null ? "?" : key, k -> new AtomicInteger()).incrementAndGet();
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            server.start();
            try {
                await("the three events delivered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> received.size() >= 3);
                // anything repeated would arrive within 1.5 s
                await("no event repeated").during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> received.size() == 3 && received.values().stream().allMatch(n -> n.get() == 1));
            } finally {
                server.stop(0);
            }
            c.disconnect();
        }
        assertThat(received.keySet()).hasSize(3).allMatch(k -> k.endsWith(".raised") || k.endsWith(".cleared"));
        assertThat(received.values()).as("each event exactly once").allMatch(n -> n.get() == 1);
    }
}

package io.edgeport.auth.acl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.Decision;
import io.edgeport.testsupport.MosquittoBroker;

/**
 * Differential test: the same ACL in a real Mosquitto 2.0.11 and in {@link AclEvaluator}; for every principal
 * (username, client id) × topic, what Mosquitto does must equal what we decide.
 * <ul>
 * <li>SUBSCRIBE: the SUBACK return code (0x80 = refused).</li>
 * <li>PUBLISH: a refused PUBLISH is dropped silently; a privileged spy ({@code topic read #}, {@code $SYS/#}) sees
 * what got through. A barrier message from a privileged publisher marks the end (deliveries to one subscriber are
 * in order).</li>
 * <li>RECEIVE: every principal subscribes to {@code #} and {@code $SYS/#} (never refused by 2.0.11), a privileged
 * publisher sends each topic once, and we record who got what.</li>
 * </ul>
 * Everything is bounded in time; Mosquitto listens on an ephemeral loopback port.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MosquittoDifferentialTest {

    static final String SPY = "edgeport_spy";
    static final String ADMIN = "edgeport_admin";
    /** Appended to each test ACL: the observers. Patterns apply to them too, which changes nothing they need. */
    static final String OBSERVERS = "\nuser " + SPY + "\ntopic read #\ntopic read $SYS/#\nuser " + ADMIN
            + "\ntopic readwrite #\ntopic write $SYS/#\n";
    static final long WAIT_MS = 10_000;

    @TempDir
    Path tmp;

    record Principal(String user, String clientId) {
        String identity() {
            return user == null ? "" : user;
        }

        @Override
        public String toString() {
            return (user == null ? "<anonymous>" : user) + "/" + clientId;
        }
    }

    @org.junit.jupiter.api.BeforeAll
    static void mosquittoIsTheReference() throws Exception {
        String version = MosquittoBroker.version();
        System.out.println("Reference broker: " + version);
        // The rules were read from v2.0.11 (v2.0.20 still grants every SUBSCRIBE in acl_file); pin the reference.
        assertThat(version).as("the reference must be Mosquitto 2.0.11").contains("2.0.11");
    }

    @Test
    void seedAcl() throws Exception {
        List<Principal> principals = List.of(
                new Principal("sensor_device_01", "sensor_device_01"),
                new Principal("sensor_device_02", "sensor_device_02"),
                new Principal("backend_service", "backend_service"),
                // A '/' in the client id is substituted as it is: this one reads under commands/sensor_device_01/.
                new Principal("backend_service", "sensor_device_01/sub"),
                // Dangerous client ids: own rules still apply, patterns deny.
                new Principal("sensor_device_02", "evil#1"),
                new Principal("mallory", "mallory"),
                new Principal("mallory", "dev+x"));
        List<String> filters = List.of("sensors/#", "sensors/+/temp", "#", "+/+", "commands/+/reboot",
                "commands/sensor_device_01/#", "$SYS/#", "$share/g/sensors/#", "actuators/+",
                "status/sensor_device_01/#");
        List<String> topics = List.of("sensors/a/b/sensor_device_01/t", "sensors/a/b/sensor_device_01",
                "sensors/a/b/sensor_device_02/t", "sensors/x/sensor_device_01/t", "sensors//y/sensor_device_01/t",
                "status/sensor_device_01/up", "status/sensor_device_01", "status/sensor_device_02/up",
                "commands/sensor_device_01/reboot", "commands/sensor_device_01", "commands/sensor_device_02/reboot",
                "commands/sensor_device_01/sub/x", "commands/mallory/go", "commands/backend_service/x",
                "actuators/valve/1", "actuators", "other/topic", "$SYS/broker/connection/sensor_device_01/state",
                "$SYS/custom", "/leading/slash");
        run("seed-acl", false, principals, filters, topics);
    }

    @Test
    void extendedAcl() throws Exception {
        List<Principal> principals = List.of(
                new Principal(null, "anon1"),
                new Principal(null, "anon/2"),
                new Principal(null, "anon+3"),
                new Principal("alice", "alice"),
                new Principal("bob", "bob-1"),
                new Principal("bob", "bob+"),
                new Principal("carol", "carol"),
                new Principal("eve/x", "eve"),
                new Principal("pl+us", "plus"));
        List<String> filters = List.of("#", "public/#", "alice/private/+", "$SYS/#", "users/+/locked/#",
                "$share/g/#");
        List<String> topics = List.of("public/a", "public/rw", "public/secret/x", "public/drop", "anon/anon1/x",
                "anon/anon/2/x", "alice/x", "alice/private/x", "shared/alice-second", "with space/x",
                "$SYS/broker/connection/a/state", "$SYS/x", "bob/in", "x/in", "bob/blocked", "users/alice/x",
                "users/bob/locked/x", "users/bob/x", "users/carol/a", "users/eve/x/y", "users/eve/y",
                "dev/bob-1/out", "dev/alice/out", "dev/alicealice/mixed", "dev/carolcarol/mixed", "dev/eveeve/x/mixed",
                "dev/plus/out");
        run("extended-acl", true, principals, filters, topics);
    }

    /** Which files Mosquitto refuses to start with must be exactly the files our parser refuses. */
    @Test
    void refusesTheSameFiles() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("indented-comment", "  # not a comment in column 1\n");
        cases.put("tab-separated", "topic\tread a/b\n");
        cases.put("unknown-access", "topic foo bar\n");
        cases.put("uppercase-access", "topic READ a\n");
        cases.put("hash-not-last", "topic read a/#/b\n");
        cases.put("plus-in-level", "topic read a+/b\n");
        cases.put("pattern-bad-filter", "pattern read a/%c#\n");
        cases.put("user-without-name", "user\n");
        cases.put("uppercase-keyword", "User bob\n");
        cases.put("topic-alone", "topic\n");
        cases.put("unknown-keyword", "auth_plugin x\n");
        cases.put("error-after-good-lines", "user a\ntopic read a/#\nbogus\n");
        cases.put("one-argument", "topic read\n");
        cases.put("blank-lines", "\n\n   \n\t\n");
        cases.put("spaces-in-topic", "topic readwrite with space/x\n");
        cases.put("comment", "#comment\n# another\n");
        cases.put("pattern-without-markers", "pattern read a/b\n");
        cases.put("crlf", "user a\r\ntopic read a/#\r\n");
        cases.put("leading-spaces", "   topic   read   a/b  \n");
        cases.put("user-with-space", "user a b\ntopic read x\n");
        cases.put("empty", "");
        List<String> mismatches = new ArrayList<>();
        int refused = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path parseDir = Files.createDirectories(tmp.resolve("parse-" + c.getKey()));
            boolean theirs = MosquittoBroker.refuses(parseDir, MosquittoAcl.config(parseDir, c.getValue(),
                    Map.of("u", "p"), false));
            refused += theirs ? 1 : 0;
            boolean ours;
            try {
                AclParser.parse(new StringReader(c.getValue()), c.getKey());
                ours = false;
            } catch (AclParseException e) {
                ours = true;
            }
            if (theirs != ours) {
                mismatches.add(c.getKey() + ": mosquitto " + (theirs ? "refuses" : "accepts") + ", we "
                        + (ours ? "refuse" : "accept"));
            }
        }
        System.out.printf("Differential parse: %d files compared with Mosquitto (%d refused by it), %d mismatches%n",
                cases.size(), refused, mismatches.size());
        assertThat(mismatches).isEmpty();
    }

    private void run(String resource, boolean allowAnonymous, List<Principal> principals, List<String> filters,
            List<String> topics) throws Exception {
        String acl;
        try (InputStream in = getClass().getResourceAsStream("/" + resource)) {
            acl = new String(in.readAllBytes(), StandardCharsets.UTF_8) + OBSERVERS;
        }
        AclModel model = AclParser.parse(new StringReader(acl), resource);
        Map<String, String> users = new LinkedHashMap<>();
        for (Principal p : principals) {
            if (p.user() != null) {
                users.put(p.user(), "pw-" + p.user());
            }
        }
        users.put(SPY, "pw-" + SPY);
        users.put(ADMIN, "pw-" + ADMIN);
        List<String> mismatches = new ArrayList<>();
        Map<String, Integer> tally = new java.util.TreeMap<>();
        int cells = 0;
        Path brokerDir = Files.createDirectories(tmp.resolve(resource));
        try (MosquittoBroker broker = new MosquittoBroker(brokerDir, MosquittoAcl.config(brokerDir, acl, users,
                allowAnonymous))) {
            String url = "tcp://127.0.0.1:" + broker.port;

            // SUBSCRIBE: the SUBACK code per filter.
            for (Principal p : principals) {
                MqttClient c = connect(url, p.user(), p.clientId(), null);
                try {
                    for (String f : filters) {
                        boolean granted = subscribe(c, f);
                        cells++;
                        compare(mismatches, tally, model, p, f, Action.SUBSCRIBE, granted);
                    }
                } finally {
                    close(c);
                }
            }

            // PUBLISH: what the spy sees.
            Set<String> spied = ConcurrentHashMap.newKeySet();
            MqttClient spy = connect(url, SPY, SPY, spied);
            MqttClient admin = connect(url, ADMIN, ADMIN, null);
            try {
                subscribeAll(spy);
                for (int i = 0; i < principals.size(); i++) {
                    Principal p = principals.get(i);
                    MqttClient c = connect(url, p.user(), p.clientId(), null);
                    try {
                        for (String t : topics) {
                            c.publish(t, ("P|" + i + "|" + t).getBytes(StandardCharsets.UTF_8), 1, false);
                        }
                    } finally {
                        close(c);
                    }
                }
                barrier(admin, spied, "B1");
                for (int i = 0; i < principals.size(); i++) {
                    for (String t : topics) {
                        cells++;
                        compare(mismatches, tally, model, principals.get(i), t, Action.PUBLISH,
                                spied.contains("P|" + i + "|" + t));
                    }
                }

                // RECEIVE: who gets what the admin publishes.
                List<MqttClient> receivers = new ArrayList<>();
                List<Set<String>> received = new ArrayList<>();
                try {
                    for (Principal p : principals) {
                        Set<String> got = ConcurrentHashMap.newKeySet();
                        MqttClient c = connect(url, p.user(), p.clientId(), got);
                        receivers.add(c);
                        received.add(got);
                        subscribeAll(c);
                    }
                    for (String t : topics) {
                        admin.publish(t, ("R|" + t).getBytes(StandardCharsets.UTF_8), 1, false);
                    }
                    barrier(admin, spied, "B2");
                    // Deliveries to the other subscribers were queued before the barrier; not every receiver may
                    // read the barrier itself, so they have all arrived once no receiver gets anything new for 500 ms.
                    AtomicInteger deliveries = new AtomicInteger(-1);
                    await("deliveries to the receivers settle").atMost(Duration.ofMillis(WAIT_MS))
                            .during(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(50)).until(() -> {
                                int now = received.stream().mapToInt(Set::size).sum();
                                return deliveries.getAndSet(now) == now;
                            });
                    for (String t : topics) {
                        if (!spied.contains("R|" + t)) {
                            // The admin may not publish there (e.g. $SYS): nothing to observe.
                            assertThat(AclEvaluator.evaluate(model, ADMIN, ADMIN, t, Action.PUBLISH))
                                    .as("admin publish %s", t).isEqualTo(Decision.DENY);
                            continue;
                        }
                        for (int i = 0; i < principals.size(); i++) {
                            cells++;
                            compare(mismatches, tally, model, principals.get(i), t, Action.RECEIVE,
                                    received.get(i).contains("R|" + t));
                        }
                    }
                } finally {
                    receivers.forEach(MosquittoDifferentialTest::close);
                }
            } finally {
                close(spy);
                close(admin);
            }
        }
        System.out.printf("Differential %s: %d cells compared with Mosquitto (%s), %d mismatches%n", resource,
                cells, tally, mismatches.size());
        assertThat(mismatches).as("cells where we differ from Mosquitto 2.0.11 (%d compared)", cells).isEmpty();
    }

    private static void compare(List<String> mismatches, Map<String, Integer> tally, AclModel model, Principal p,
            String topic, Action action,
            boolean mosquittoAllowed) {
        Decision ours = AclEvaluator.evaluate(model, p.identity(), p.clientId(), topic, action);
        Decision theirs = mosquittoAllowed ? Decision.ALLOW : Decision.DENY;
        tally.merge(action + " " + theirs, 1, Integer::sum);
        if (ours != theirs) {
            mismatches.add(action + " " + p + " '" + topic + "': mosquitto " + theirs + ", we " + ours);
        }
    }

    private static void subscribeAll(MqttClient c) throws MqttException {
        assertThat(subscribe(c, "#")).isTrue();
        assertThat(subscribe(c, "$SYS/#")).isTrue();
    }

    private static boolean subscribe(MqttClient c, String filter) throws MqttException {
        int granted;
        try {
            granted = c.subscribeWithResponse(filter, 1).getGrantedQos()[0];
        } catch (MqttException e) {
            if (e.getReasonCode() != MqttException.REASON_CODE_SUBSCRIBE_FAILED) {
                throw e;
            }
            granted = 0x80;
        }
        return granted != 0x80;
    }

    private static void barrier(MqttClient admin, Set<String> spied, String marker) throws Exception {
        admin.publish("edgeport/barrier", marker.getBytes(StandardCharsets.UTF_8), 1, false);
        await("barrier " + marker + " reached the spy").atMost(Duration.ofMillis(WAIT_MS))
                .pollInterval(Duration.ofMillis(10)).until(() -> spied.contains(marker));
    }

    private static MqttClient connect(String url, String user, String clientId, Set<String> sink)
            throws MqttException {
        MqttClient c = new MqttClient(url, clientId, new MemoryPersistence());
        c.setTimeToWait(WAIT_MS);
        if (sink != null) {
            c.setCallback(new MqttCallback() {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    sink.add(new String(message.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }

                @Override
                public void connectionLost(Throwable cause) {
                }
            });
        }
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(60);
        // Paho frees an in-flight slot after the token completes: a sync loop can outrun the default of 10.
        o.setMaxInflight(1000);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(("pw-" + user).toCharArray());
        }
        c.connect(o);
        return c;
    }

    private static void close(MqttClient c) {
        try {
            if (c.isConnected()) {
                c.disconnect(2000);
            }
            c.close();
        } catch (MqttException ignored) {
            // best effort: the broker is killed at the end anyway
        }
    }
}

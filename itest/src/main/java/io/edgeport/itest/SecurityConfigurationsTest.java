package io.edgeport.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;
import io.edgeport.testsupport.net.Ports;

/**
 * The security providers' factory configurations on a real Felix: a password realm
 * ({@code io.edgeport.auth.passwd}, a file made with Mosquitto's own mosquitto_passwd) and an ACL authorizer
 * ({@code io.edgeport.auth.acl}) created, changed and deleted through ConfigAdmin while a client stays connected; a bad
 * change leaves the provider as it was and shows a WARN health check "Configuration ...".
 */
class SecurityConfigurationsTest {

    static final String PASSWD_PID = "io.edgeport.auth.passwd";
    static final String ACL_PID = "io.edgeport.auth.acl";
    static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectService
    ConfigurationAdmin configAdmin;

    int port;
    MqttClient bystander;
    Path dir;

    @BeforeEach
    void broker() throws Exception {
        dir = Files.createDirectories(Path.of("target", "itest-security", RUN + "-" + System.nanoTime()));
        port = Ports.free();
        Broker.configure(configAdmin, port, Map.of());
        bystander = Broker.connect(port, "bystander-" + RUN);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Broker.close(bystander);
        Broker.deleteFactoryConfigurations(configAdmin, PASSWD_PID, ACL_PID);
        Broker.deleteConfiguration(configAdmin);
    }

    /** Writes a password file with Mosquitto's mosquitto_passwd, as users make them. */
    private Path passwords(String name, String user, String password) throws Exception {
        Path file = dir.resolve(name);
        Process p = new ProcessBuilder("mosquitto_passwd", "-c", "-b", file.toString(), user, password)
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("mosquitto_passwd ended").isTrue();
        assertThat(p.exitValue()).as("mosquitto_passwd: " + new String(p.getInputStream().readAllBytes())).isZero();
        return file;
    }

    private boolean connects(String user, String password) {
        try {
            Broker.close(Broker.connect(port, "c-" + System.nanoTime(), user, password));
            return true;
        } catch (MqttException refused) {
            return false;
        }
    }

    /**
     * Publishes {@code denied} then {@code allowed} at QoS 1 from a client subscribed to both (a refused publish is
     * acknowledged and dropped, as Mosquitto does; every delivery is checked for read access) and returns what it got
     * once {@code allowed} arrived: whatever came before it.
     */
    private java.util.List<String> delivered(String denied, String allowed) throws Exception {
        java.util.List<String> got = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        MqttClient client = Broker.connect(port, "acl-" + System.nanoTime());
        try {
            client.subscribe(new String[] { denied, allowed }, new int[] { 1, 1 },
                    new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] { (t, m) -> got.add(t),
                        (t, m) -> got.add(t) });
            client.publish(denied, "1".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
            client.publish(allowed, "1".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
            Await.until(allowed + " delivered", WAIT, () -> got.contains(allowed));
            synchronized (got) {
                return java.util.List.copyOf(got);
            }
        } finally {
            Broker.close(client);
        }
    }

    private static boolean registered(Class<?> type, String filter) throws Exception {
        return !Broker.context().getServiceReferences(type, filter).isEmpty();
    }

    private static boolean problemShown(String name) throws Exception {
        return Broker.configurationProblem(name) != null;
    }

    private static Dictionary<String, Object> props(Object... keyValues) {
        Dictionary<String, Object> p = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put((String) keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void aPasswordRealmIsCreatedChangedAndDeletedWhileClientsRun() throws Exception {
        String realm = "it-" + RUN;
        Path first = passwords("first", "meter", "m3ter-secret-1");
        Path second = passwords("second", "pump", "pump-secret-2");
        Configuration c = configAdmin.createFactoryConfiguration(PASSWD_PID, "?");
        c.update(props("realm", realm, "password_file", first.toAbsolutePath().toString()));
        Await.until("the realm authenticates meter", WAIT, () -> connects("meter", "m3ter-secret-1"));
        assertThat(connects("meter", "wrong")).as("a wrong password").isFalse();

        c.update(props("realm", realm, "password_file", first.toAbsolutePath().toString(), "unknown_user",
                "maybe"));
        Await.until("the bad change shown", WAIT, () -> problemShown(PASSWD_PID + "~" + realm));
        assertThat(connects("meter", "m3ter-secret-1")).as("the realm as it was still serves").isTrue();

        c.update(props("realm", realm, "password_file", second.toAbsolutePath().toString()));
        Await.until("the other file in force", WAIT, () -> connects("pump", "pump-secret-2"));
        assertThat(connects("meter", "m3ter-secret-1")).as("meter is not in the other file").isFalse();
        Await.until("the problem gone", WAIT, () -> !problemShown(PASSWD_PID + "~" + realm));

        String pid = c.getPid();
        c.delete();
        Await.until("the realm gone", WAIT, () -> !registered(Authenticator.class, "(service.pid=" + pid + ")"));
        assertThat(bystander.isConnected()).as("the broker and its clients were never disturbed").isTrue();
    }

    @Test
    void anAclIsCreatedChangedAndDeletedWhileClientsRun() throws Exception {
        Path acl = Files.writeString(dir.resolve("acl"), "topic readwrite open/#\n");
        Path other = Files.writeString(dir.resolve("acl-other"), "topic readwrite other/#\n");
        Configuration c = configAdmin.createFactoryConfiguration(ACL_PID, "?");
        c.update(props("acl_file", acl.toAbsolutePath().toString(), "reload.interval.ms", 0L));
        Await.until("the authorizer registered", WAIT, () -> registered(Authorizer.class, "(service.pid="
                + c.getPid() + ")"));
        assertThat(delivered("closed/x", "open/x")).as("the ACL in force: open/# only").containsExactly("open/x");
        c.update(props("acl_file", other.toAbsolutePath().toString(), "reload.interval.ms", 0L, "subscribe.mode",
                "SOMETIMES"));
        Await.until("the bad change shown", WAIT, () -> problemShown(ACL_PID + "~" + acl.toAbsolutePath()));

        c.update(props("acl_file", other.toAbsolutePath().toString(), "reload.interval.ms", 0L));
        Await.until("the problem gone", WAIT, () -> !problemShown(ACL_PID + "~" + acl.toAbsolutePath()));
        assertThat(delivered("open/x", "other/x")).as("the other file in force").containsExactly("other/x");

        String pid = c.getPid();
        c.delete();
        Await.until("the authorizer gone", WAIT, () -> !registered(Authorizer.class, "(service.pid=" + pid + ")"));
        assertThat(bystander.isConnected()).as("the broker and its clients were never disturbed").isTrue();
    }
}

package io.edgeport.itest;

import io.edgeport.testsupport.net.Ports;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.alerting.AlarmEvent;
import io.edgeport.api.alerting.AlarmNotifier;

/**
 * Alarm rules and notifiers on a real Felix: a rule added, changed and removed through ConfigAdmin takes effect at
 * once; a durable notifier that is unregistered and registered again gets the events it missed, in order, once.
 */
class AlertingRulesTest {

    static final String RULE_PID = "io.edgeport.alerting.rule";
    static final AtomicInteger N = new AtomicInteger();
    static final String RUN = Long.toString(System.currentTimeMillis(), 36);

    @InjectService
    ConfigurationAdmin configAdmin;

    int port;
    MqttClient publisher;
    final Registrations registrations = new Registrations();
    final List<Configuration> rules = new ArrayList<>();
    long seq;

    /** Every event a notifier got, as "transition device rule". */
    static final class Recorder implements AlarmNotifier {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void notify(AlarmEvent e) {
            events.add(e.transition() + " " + e.alarm().device() + " " + e.alarm().rule());
        }

        long count(String prefix) {
            synchronized (events) {
                return events.stream().filter(s -> s.startsWith(prefix)).count();
            }
        }
    }

    @BeforeEach
    void broker() throws Exception {
        port = Ports.free();
        Broker.configure(configAdmin, port, Map.of());
        publisher = Broker.connect(port, "alerting-itest");
    }

    @AfterEach
    void cleanUp() throws Exception {
        registrations.close();
        for (Configuration c : rules) {
            try {
                c.delete();
            } catch (IllegalStateException e) {
                // deleted by the test
            }
        }
        Broker.close(publisher);
        Broker.deleteConfiguration(configAdmin);
    }

    private Configuration rule(String name, String measurement, String min, String max) throws Exception {
        Configuration c = configAdmin.getFactoryConfiguration(RULE_PID, name, "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("name", name);
        p.put("type", "threshold");
        p.put("measurement", measurement);
        p.put("min", min);
        p.put("max", max);
        c.update(p);
        rules.add(c);
        return c;
    }

    private ServiceRegistration<AlarmNotifier> register(Recorder r, String name) {
        ServiceRegistration<AlarmNotifier> reg = Broker.context().registerService(AlarmNotifier.class, r,
                new Hashtable<>(Map.of(AlarmNotifier.NAME, name)));
        registrations.add(reg);
        return reg;
    }

    private void reading(String device, String measurement, double value) throws Exception {
        publisher.publish("sensors/lab/" + measurement + "/" + device + "/reading", ("{\"device_id\":\"" + device
                + "\",\"measurement\":\"" + measurement + "\",\"value\":" + value + ",\"seq\":" + seq++ + "}")
                .getBytes(StandardCharsets.UTF_8), 1, false);
    }

    /** The engine subscribes asynchronously: publish an out-of-range reading until its alarm comes. */
    private void awaitEngine(Recorder r, String device, String measurement) throws Exception {
        Await.until("the alerting engine raised an alarm for " + device, Duration.ofSeconds(30), () -> {
            if (r.count("RAISED " + device) > 0) {
                return true;
            }
            reading(device, measurement, 1000);
            return false;
        });
    }

    @Test
    void ruleAddedChangedAndRemovedAtRuntime() throws Exception {
        String m = "m" + RUN + N.incrementAndGet();
        String name = "r" + RUN + N.incrementAndGet();
        Recorder r = new Recorder();
        register(r, "itest-" + name);
        Configuration c = rule(name, m, "0", "10");
        awaitEngine(r, "probe-" + name, m);

        reading("d1", m, 20); // above 10: raised
        Await.until("raised", Duration.ofSeconds(30), () -> r.count("RAISED d1 " + name) == 1);

        Dictionary<String, Object> p = c.getProperties();
        p.put("max", "30"); // changed: 20 is normal now, the next reading clears
        c.update(p);
        Await.until("the change applied", Duration.ofSeconds(30), () -> {
            if (r.count("CLEARED d1 " + name) == 1) {
                return true;
            }
            reading("d1", m, 20); // again until the changed rule clears
            return false;
        });
        reading("d1", m, 25);
        reading("d1", m, 40); // above the new max
        Await.until("raised again above the new limit", Duration.ofSeconds(30),
                () -> r.count("RAISED d1 " + name) == 2);

        c.delete(); // removed: its alarms are cleared, and it raises nothing more
        Await.until("cleared with the rule", Duration.ofSeconds(30), () -> r.count("CLEARED d1 " + name) == 2);
        reading("d2", m, 1000);
        reading("d1", m, 1000);
        Await.during("nothing raised by the removed rule", Duration.ofSeconds(1),
                () -> r.count("RAISED d2 " + name) == 0 && r.count("RAISED d1 " + name) == 2);
        assertThat(r.count("RAISED d2 " + name)).isZero();
        assertThat(r.count("RAISED d1 " + name)).isEqualTo(2);
    }

    @Test
    void durableNotifierGetsWhatItMissedWhileUnregistered() throws Exception {
        String m = "m" + RUN + N.incrementAndGet();
        String name = "r" + RUN + N.incrementAndGet();
        rule(name, m, "0", "10");
        Recorder first = new Recorder();
        ServiceRegistration<AlarmNotifier> reg = register(first, "itest-durable-" + name);
        awaitEngine(first, "probe-" + name, m);
        reg.unregister(); // the notifier bundle is stopped or updated
        // A second notifier, to know when the engine has done its work. Registered before the readings: a new
        // notifier starts after the last event, so one registered after the engine was fast never saw them (flaky).
        Recorder watcher = new Recorder();
        register(watcher, "itest-watch-" + name);

        reading("x1", m, 50);
        reading("x2", m, 60);
        reading("x1", m, 5);
        Await.until("engine processed the readings", Duration.ofSeconds(30),
                () -> watcher.count("CLEARED x1 " + name) == 1);

        Recorder second = new Recorder();
        register(second, "itest-durable-" + name); // same name: resumes where the first stopped
        Await.until("missed events delivered", Duration.ofSeconds(30), () -> second.count("CLEARED x1 " + name) == 1);
        Await.during("nothing delivered twice", Duration.ofMillis(500), () -> {
            synchronized (second.events) {
                return second.events.stream().filter(e -> e.contains(" x")).count() == 3;
            }
        });
        List<String> got;
        synchronized (second.events) {
            got = new ArrayList<>(second.events);
        }
        assertThat(got).filteredOn(s -> s.contains(" x")).containsExactly("RAISED x1 " + name,
                "RAISED x2 " + name, "CLEARED x1 " + name);
        assertThat(first.events).noneMatch(s -> s.contains(" x"));
    }
}

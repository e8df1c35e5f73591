package io.edgeport.itest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.apache.felix.hc.api.Result;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.alerting.AlarmNotifier;
import io.edgeport.testsupport.net.Ports;

/**
 * The webhook alarm action's factory configuration (io.edgeport.alerting.webhook) created, updated and deleted through
 * ConfigAdmin while an MQTT client stays connected, under the gateway's rule for an unusable configuration: a bad
 * update leaves the running webhook as it was and shows the problem as a WARN health check "Configuration ..."; a good
 * one replaces the webhook and removes the check; a first configuration that is bad registers no webhook.
 */
class WebhookConfigurationsTest {

    static final String PID = "io.edgeport.alerting.webhook";
    static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectService
    ConfigurationAdmin configAdmin;

    int port;
    MqttClient bystander;

    @BeforeEach
    void broker() throws Exception {
        port = Ports.free();
        Broker.configure(configAdmin, port, Map.of());
        bystander = Broker.connect(port, "bystander-" + RUN);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Broker.close(bystander);
        Broker.deleteFactoryConfigurations(configAdmin, PID);
        Broker.deleteConfiguration(configAdmin);
    }

    private static BundleContext context() {
        return Broker.context();
    }

    /** @return the webhook notifier registered under {@code name}, or null */
    private static ServiceReference<AlarmNotifier> notifier(String name) throws Exception {
        var refs = context().getServiceReferences(AlarmNotifier.class, "(" + AlarmNotifier.NAME + "=webhook-" + name
                + ")");
        return refs.isEmpty() ? null : refs.iterator().next();
    }

    private static Result problem(String name) throws Exception {
        return Broker.configurationProblem(PID + "~" + name);
    }

    private static Dictionary<String, Object> webhook(String name, String url) {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("name", name);
        p.put("url", url);
        return p;
    }

    @Test
    void aBadUpdateKeepsTheRunningWebhookAndShowsTheProblemUntilAGoodOneComes() throws Exception {
        String name = "ops-" + RUN;
        Configuration c = configAdmin.createFactoryConfiguration(PID, "?");
        c.update(webhook(name, "http://127.0.0.1:9/alarms"));
        ServiceReference<AlarmNotifier> first = Await.value("webhook-" + name + " registered", WAIT,
                () -> notifier(name));
        assertThat(problem(name)).isNull();

        c.update(webhook(name, "ftp://127.0.0.1/alarms"));
        Result warn = Await.value("the problem shown", WAIT, () -> problem(name));
        assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(warn.toString()).contains("url: must be an http:// or https:// URL")
                .contains("previous settings");
        ServiceReference<AlarmNotifier> kept = notifier(name);
        assertThat(kept).as("the webhook as it was still serves").isNotNull();
        assertThat(kept.getProperty("service.id")).isEqualTo(first.getProperty("service.id"));

        c.update(webhook(name, "http://127.0.0.1:9/other"));
        Await.until("a good update replaces the webhook", WAIT, () -> {
            ServiceReference<AlarmNotifier> now = notifier(name);
            return now != null && !now.getProperty("service.id").equals(first.getProperty("service.id"));
        });
        Await.until("and removes the problem", WAIT, () -> problem(name) == null);

        c.delete();
        Await.until("deleted: no webhook, no problem", WAIT, () -> notifier(name) == null && problem(name) == null);
        assertThat(bystander.isConnected()).as("the broker and its clients were never disturbed").isTrue();
    }

    @Test
    void aBadFirstConfigurationRegistersNoWebhookAndSaysWhy() throws Exception {
        String name = "bad-" + RUN;
        Configuration c = configAdmin.createFactoryConfiguration(PID, "?");
        c.update(webhook(name, "not a url"));
        Result warn = Await.value("the problem shown", WAIT, () -> problem(name));
        assertThat(warn.toString()).contains("url: ").contains("no webhook registered");
        assertThat(notifier(name)).isNull();

        c.update(webhook(name, "https://127.0.0.1:9/alarms"));
        Await.value("fixed: the webhook is registered", WAIT, () -> notifier(name));
        Await.until("and the problem is gone", WAIT, () -> problem(name) == null);
    }
}

package io.edgeport.itest;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import io.edgeport.api.broker.BrokerService;

/** Test helpers: configure the broker through ConfigAdmin and wait until it listens where asked. */
final class Broker {

    static final String PID = "io.edgeport.broker";
    static final long WAIT_MS = 30_000;

    private Broker() {
    }

    static BundleContext context() {
        return FrameworkUtil.getBundle(Broker.class).getBundleContext();
    }

    /** Replaces the broker configuration (persistence off unless given) and waits for the broker on {@code port}. */
    static BrokerService configure(ConfigurationAdmin ca, int port, Map<String, Object> extra) throws Exception {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("port", port);
        props.put("persistence", false);
        props.put("sys_interval", 0);
        extra.forEach(props::put);
        Configuration c = ca.getConfiguration(PID, "?");
        c.update(props);
        return awaitListening("mqtt://127.0.0.1:" + port);
    }

    static BrokerService awaitListening(String uri) throws Exception {
        BundleContext ctx = context();
        String port = uri.substring(uri.lastIndexOf(':') + 1);
        try {
            return Await.value("the broker listening on " + uri, Duration.ofMillis(WAIT_MS), () -> {
                // Ask for the service only once its properties carry the new port: getService on the delayed
                // component before ConfigAdmin delivered the configuration makes SCR build it with the old one (and
                // fail). A ServiceTracker would call getService at once.
                for (org.osgi.framework.ServiceReference<BrokerService> ref : ctx.getServiceReferences(
                        BrokerService.class, "(port=" + port + ")")) {
                    BrokerService b = ctx.getService(ref);
                    if (b != null && b.listeners().contains(uri)) {
                        return b;
                    }
                }
                return null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; threads:\n" + threadDump(), e);
        }
    }

    /** What every thread is doing, for a failure message: a wait that times out says too little on its own. */
    static String threadDump() {
        StringBuilder b = new StringBuilder();
        for (java.lang.management.ThreadInfo t : java.lang.management.ManagementFactory.getThreadMXBean()
                .dumpAllThreads(true, true)) {
            b.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                b.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                b.append(" owned by ").append(t.getLockOwnerName());
            }
            b.append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                b.append("\tat ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * Deletes the broker configuration and waits until SCR has handed the deletion to the broker component. Without
     * the wait a test that creates the next configuration at once races SCR: when the deletion event finds the new
     * configuration already there, SCR takes it with the new configuration's change count (1), which is not above the
     * deleted one's, and ignores it and the update event after it, so the broker never moves to the new port (seen on
     * CI: "broker did not start listening … within 30000 ms" in the test after a deletion).
     */
    static void deleteConfiguration(ConfigurationAdmin ca) throws Exception {
        Configuration c = ca.getConfiguration(PID, "?");
        c.delete();
        BundleContext ctx = context();
        Await.until("the broker without its deleted configuration", Duration.ofMillis(WAIT_MS),
                () -> ctx.getServiceReferences(BrokerService.class, "(service.pid=" + PID + ")").isEmpty());
    }

    /** Deletes every factory configuration of {@code factoryPids} a test left. */
    static void deleteFactoryConfigurations(ConfigurationAdmin ca, String... factoryPids) throws Exception {
        for (String pid : factoryPids) {
            Configuration[] left = ca.listConfigurations("(service.factoryPid=" + pid + ")");
            if (left != null) {
                for (Configuration c : left) {
                    c.delete();
                }
            }
        }
    }

    /**
     * @param name what the configuration rule names the component by ({@code pid~name} for factory configurations)
     * @return what its "Configuration ..." health check says now, or null when no problem is shown
     */
    static org.apache.felix.hc.api.Result configurationProblem(String name) throws Exception {
        String value = ("Configuration " + name).replace("\\", "\\\\").replace("*", "\\*").replace("(", "\\(")
                .replace(")", "\\)");
        BundleContext ctx = context();
        var refs = ctx.getServiceReferences(org.apache.felix.hc.api.HealthCheck.class, "("
                + org.apache.felix.hc.api.HealthCheck.NAME + "=" + value + ")");
        if (refs.isEmpty()) {
            return null;
        }
        var ref = refs.iterator().next();
        org.apache.felix.hc.api.HealthCheck check = ctx.getService(ref);
        try {
            return check == null ? null : check.execute();
        } finally {
            ctx.ungetService(ref);
        }
    }

    static MqttClient connect(int port, String clientId) throws MqttException {
        return connect(port, clientId, null, null);
    }

    static MqttClient connect(int port, String clientId, String user, String password) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setConnectionTimeout(5);
        o.setAutomaticReconnect(false);
        // Paho's client-side in-flight limit (10) is about the client, not the broker under test.
        o.setMaxInflight(1000);
        if (user != null) {
            o.setUserName(user);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        c.connect(o);
        return c;
    }

    static void close(MqttClient c) {
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnect(1000);
            }
            c.close(true);
        } catch (MqttException e) {
            // already gone
        }
    }
}

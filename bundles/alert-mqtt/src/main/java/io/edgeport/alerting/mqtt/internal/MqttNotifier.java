package io.edgeport.alerting.mqtt.internal;

import java.nio.charset.StandardCharsets;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmEvent;
import io.edgeport.api.alerting.AlarmNotifier;
import io.edgeport.api.alerting.Transition;
import io.edgeport.api.broker.BrokerService;
import io.edgeport.commons.alerting.AlarmJson;

/**
 * The MQTT action. Raised: the alarm's JSON, retained. Acknowledged while raised: the updated JSON, retained.
 * Cleared: the cleared JSON (not retained, for live subscribers), then an empty retained message that removes the
 * stored one. Acknowledged after the clear: the JSON, not retained.
 *
 * <p>Durable (named {@value #NAME}): alarms raised while the broker is reconfigured or this bundle is updated are
 * published when it is back. The broker is a dynamic reference read once per call; without one the call throws and
 * the engine retries with back-off.
 */
@Component(configurationPid = MqttNotifierConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = AlarmNotifier.NAME + "=" + MqttNotifier.NAME)
@Designate(ocd = MqttNotifierConfig.class)
public final class MqttNotifier implements AlarmNotifier {

    static final String NAME = "mqtt";
    private static final Logger LOG = LoggerFactory.getLogger(MqttNotifier.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile BrokerService broker;

    static final String DEFAULT_TOPIC = "alerts/{severity}/{device}";
    private volatile String template = DEFAULT_TOPIC;
    private volatile int qos = 1;
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public MqttNotifier(org.osgi.framework.BundleContext context, MqttNotifierConfig config) {
        problems = new io.edgeport.commons.config.ConfigProblems(context, MqttNotifierConfig.PID, MqttNotifier.class);
        apply(config);
    }

    /** Without a framework (tests): problems are only logged. */
    MqttNotifier(MqttNotifierConfig config) {
        this(null, config);
    }

    /** A changed configuration: used when it is valid; otherwise alarms go on as before (the gateway's rule). */
    @org.osgi.service.component.annotations.Modified
    void modified(MqttNotifierConfig config) {
        apply(config);
    }

    @org.osgi.service.component.annotations.Deactivate
    void deactivate() {
        problems.close();
    }

    private void apply(MqttNotifierConfig config) {
        String t = config.topic() == null || config.topic().isBlank() ? DEFAULT_TOPIC : config.topic().trim();
        if (t.contains("#") || t.contains("+")) {
            problems.rejected("topic: '" + t + "' must not contain the wildcards + or #", "alarms go on to "
                    + template);
            return;
        }
        problems.accepted();
        this.template = t;
        this.qos = config.qos() == 2 ? 2 : 1;
        LOG.info("MQTT alarm notifier: topic {}, QoS {}", template, qos);
    }

    /** The topic of an alarm; values that would be wildcards or levels are replaced by '_'. */
    static String topic(String template, Alarm a) {
        return template.replace("{severity}", level(a.severity().label())).replace("{device}", level(a.device()))
                .replace("{rule}", level(a.rule())).replace("{measurement}", level(a.measurement()))
                .replace("{id}", level(a.id()));
    }

    private static String level(String s) {
        String v = s.replace('/', '_').replace('+', '_').replace('#', '_').replace('\0', '_');
        return v.isEmpty() ? "_" : v;
    }

    @Override
    public void notify(AlarmEvent event) {
        BrokerService b = broker;
        if (b == null) {
            throw new IllegalStateException("the broker is not running");
        }
        Alarm a = event.alarm();
        String topic = topic(template, a);
        byte[] json = AlarmJson.of(event).getBytes(StandardCharsets.UTF_8);
        if (event.transition() == Transition.CLEARED) {
            b.publish(topic, json, qos, false);
            b.publish(topic, new byte[0], qos, true);
        } else {
            b.publish(topic, json, qos, a.active());
        }
    }
}

package io.edgeport.alerting.mqtt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Where alarms are published (optional configuration). */
@ObjectClassDefinition(name = "Edgeport alarm notifier: MQTT", description = "Publishes every alarm as JSON, retained"
        + " while it is raised; the retained message is removed when the alarm clears.")
public @interface MqttNotifierConfig {

    String PID = "io.edgeport.alerting.mqtt";

    @AttributeDefinition(name = "topic", description = "Topic template; placeholders {severity} {device} {rule}"
            + " {measurement} {id}. With several rules per device and severity add {rule}, or a clear of one alarm"
            + " removes the retained message of another.")
    String topic() default "alerts/{severity}/{device}";

    @AttributeDefinition(name = "qos", description = "QoS 1 or 2 (QoS 0 retained messages are not kept by Moquette"
            + " 0.17).")
    int qos() default 1;
}

package io.edgeport.alerting.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of the alerting engine (optional configuration; the defaults need none). */
@ObjectClassDefinition(name = "Edgeport alerting engine", description = "Where alarms are kept and which topics carry"
        + " device status and acknowledgements. Rules are separate configurations (Edgeport alarm rule).")
public @interface EngineConfig {

    String PID = "io.edgeport.alerting";

    @AttributeDefinition(name = "db.url", description = "JDBC URL of the H2 alarm database; empty: the file"
            + " alerting.mv.db in the data directory (edgeport.data).", required = false)
    String db_url() default "";

    @AttributeDefinition(name = "status.topic", description = "Topic filter of device status messages (retained"
            + " online/offline, Last Will); the '+' level is the device id.")
    String status_topic() default "status/+/health";

    @AttributeDefinition(name = "ack.topic", description = "Topic filter of MQTT acknowledgements; the last level is"
            + " the alarm id, the payload (optional) who acknowledges. Empty: off.", required = false)
    String ack_topic() default "alerts/ack/+";

    @AttributeDefinition(name = "tick.ms", description = "How often stale rules are checked, 100..60000 ms.")
    long tick_ms() default 1000;
}

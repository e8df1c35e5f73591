package io.edgeport.alerting.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One alarm rule. DS maps {@code for_seconds()} to the key {@code for.seconds}. Checked by {@link Rule#from}; an
 * invalid rule is logged and not evaluated.
 */
@ObjectClassDefinition(name = "Edgeport alarm rule", description = "One alarm rule: a threshold on a measurement, a"
        + " device going offline, a device that stopped sending, or a value changing too fast. Changes apply at once.")
public @interface RuleConfig {

    String PID = "io.edgeport.alerting.rule";

    @AttributeDefinition(name = "name", description = "Unique rule name; alarms refer to it. Renaming a rule makes it"
            + " a new rule.")
    String name();

    @AttributeDefinition(name = "type", options = { @Option(label = "threshold: value outside min..max",
            value = "threshold"), @Option(label = "offline: status topic says offline (Last Will)", value = "offline"),
            @Option(label = "stale: no reading for stale.seconds", value = "stale"),
            @Option(label = "rate: change per minute above rate.limit", value = "rate") })
    String type() default "threshold";

    @AttributeDefinition(name = "severity", options = { @Option(label = "critical", value = "critical"),
            @Option(label = "major", value = "major"), @Option(label = "minor", value = "minor"),
            @Option(label = "warning", value = "warning") })
    String severity() default "major";

    @AttributeDefinition(name = "enabled", description = "Unchecked: the rule is kept but not evaluated.")
    boolean enabled() default true;

    @AttributeDefinition(name = "measurement", description = "Measurement the rule applies to, e.g. temperature;"
            + " empty: every measurement.", required = false)
    String measurement() default "";

    @AttributeDefinition(name = "topic", description = "MQTT topic filter the reading's topic (for offline: the"
            + " status topic) must match; empty: any (offline: status/+/health).", required = false)
    String topic() default "";

    @AttributeDefinition(name = "min", description = "threshold: lowest normal value (inclusive); empty: none.",
            required = false)
    String min() default "";

    @AttributeDefinition(name = "max", description = "threshold: highest normal value (inclusive); empty: none.",
            required = false)
    String max() default "";

    @AttributeDefinition(name = "hysteresis", description = "threshold/rate: a raised alarm clears only once the"
            + " value is this far back inside the limit (>= 0).")
    double hysteresis() default 0;

    @AttributeDefinition(name = "for.seconds", description = "threshold/rate: raise only when the condition has held"
            + " this many seconds (by reading time stamps); 0: at once.")
    long for_seconds() default 0;

    @AttributeDefinition(name = "consecutive", description = "threshold/rate: raise only after this many consecutive"
            + " readings meet the condition (>= 1).")
    int consecutive() default 1;

    @AttributeDefinition(name = "stale.seconds", description = "stale: raise when a device has sent no matching"
            + " reading for more than this many seconds (>= 1).")
    long stale_seconds() default 300;

    @AttributeDefinition(name = "rate.limit", description = "rate: largest normal change per minute (absolute,"
            + " in the measurement's unit).")
    double rate_limit() default 10;

    @AttributeDefinition(name = "message", description = "Message template; placeholders {rule} {device}"
            + " {measurement} {value} {unit} {limit} {min} {max} {rate} {seconds} {severity} {topic}. Empty: a text"
            + " per rule type.", required = false)
    String message() default "";
}

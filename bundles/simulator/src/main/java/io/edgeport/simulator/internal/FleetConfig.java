package io.edgeport.simulator.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One simulated fleet of building sensors. DS maps {@code broker_url()} to the property key {@code broker.url}.
 * Every value is checked by {@link FleetSettings#from(FleetConfig)}; a bad one keeps this fleet stopped.
 */
@ObjectClassDefinition(name = "Edgeport device simulator fleet", description = "A fleet of simulated sensors; every"
        + " device is a real MQTT client that publishes readings, keeps a retained health status with a Last Will and"
        + " answers commands. One configuration = one fleet.")
public @interface FleetConfig {

    String PID = "io.edgeport.simulator.fleet";

    @AttributeDefinition(name = "name", description = "Fleet name, part of every device id; letters, digits, '-', '_'"
            + " and '.'.")
    String name() default "fleet";

    @AttributeDefinition(name = "broker.url", description = "tcp://host:port or mqtt://host:port. Empty: the first"
            + " mqtt:// listener of the gateway's own broker (0.0.0.0 and :: become 127.0.0.1).", required = false)
    String broker_url() default "";

    @AttributeDefinition(name = "devices", description = "Number of devices, 1..20000.")
    int devices() default 10;

    @AttributeDefinition(name = "id.prefix", description = "Prefix of every device id (and MQTT client id):"
            + " <prefix><name>-<type>-<nnnn>.", required = false)
    String id_prefix() default "sim-";

    @AttributeDefinition(name = "locations", description = "Locations the devices are spread over (round-robin), used"
            + " in the {location} placeholder of the topic.")
    String[] locations() default { "building-a/floor-1", "building-a/floor-2" };

    @AttributeDefinition(name = "types", description = "Sensor types, assigned round-robin.", options = {
            @Option(label = "temperature (°C)", value = "temperature"),
            @Option(label = "humidity (%)", value = "humidity"),
            @Option(label = "pressure (hPa)", value = "pressure") })
    String[] types() default { "temperature", "humidity", "pressure" };

    @AttributeDefinition(name = "interval.ms", description = "Milliseconds between two readings of one device, >= 10.")
    long interval_ms() default 1000;

    @AttributeDefinition(name = "qos", description = "QoS of the readings.", options = {
            @Option(label = "0 at most once", value = "0"), @Option(label = "1 at least once", value = "1"),
            @Option(label = "2 exactly once", value = "2") })
    int qos() default 1;

    @AttributeDefinition(name = "topic", description = "Topic of the readings: literal levels and whole-level"
            + " placeholders {location}, {type}, {device}, as the telemetry pipeline reads them. A location with '/'"
            + " fills one {location} level with several, or several {location} levels one part each.")
    String topic() default "sensors/{location}/{type}/{device}/reading";

    @AttributeDefinition(name = "username", description = "MQTT username of every device (empty: none).",
            required = false)
    String username() default "";

    @AttributeDefinition(name = "password", type = AttributeType.PASSWORD, description = "MQTT password of every"
            + " device; needs a username.", required = false)
    String password() default "";

    @AttributeDefinition(name = "clean.session", description = "false: persistent sessions (QoS 1/2 readings and"
            + " command subscriptions survive a reconnect).")
    boolean clean_session() default false;

    @AttributeDefinition(name = "keepalive.s", description = "MQTT keep-alive in seconds, 0..65535 (0 = off).")
    int keepalive_s() default 30;

    @AttributeDefinition(name = "fault.outlier.rate", description = "Probability 0..1 that a reading is out of the"
            + " valid range (e.g. 80 °C).")
    double fault_outlier_rate() default 0;

    @AttributeDefinition(name = "fault.dropout.rate", description = "Probability 0..1, per device and minute, of an"
            + " abrupt network drop (no DISCONNECT, the broker sends the Last Will).")
    double fault_dropout_rate() default 0;

    @AttributeDefinition(name = "fault.dropout.s", description = "Seconds a dropped device stays away before it"
            + " reconnects, 0..86400.")
    int fault_dropout_s() default 10;

    @AttributeDefinition(name = "start.jitter.ms", description = "Connects are spread at random over this many"
            + " milliseconds; -1 = interval.ms.")
    long start_jitter_ms() default -1;
}

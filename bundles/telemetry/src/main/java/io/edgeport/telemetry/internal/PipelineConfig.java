package io.edgeport.telemetry.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Edgeport telemetry pipeline", description = "How MQTT messages become readings for"
        + " the storage sinks. The broker stores every message on these topics before it acknowledges it; each sink"
        + " reads them from the store at its own position, which moves only after the sink committed them.")
@interface PipelineConfig {

    @AttributeDefinition(name = "Topics", description = "MQTT topic filters the sinks read unless a sink names its"
            + " own.")
    String[] topics() default { "sensors/#" };

    @AttributeDefinition(name = "Sink CPU priority (nice)", description = "Storage sinks run at this lower CPU"
            + " priority (Linux nice, 0-19): on a busy gateway the broker, and so the devices, come first; a sink uses"
            + " what is left and catches up when the devices are quiet (the message store keeps what it has not"
            + " stored yet). 0 = the broker's priority.", min = "0", max = "19")
    int sink_nice() default 10;

    @AttributeDefinition(name = "Health: lag warning (MB)", description = "The health check 'Telemetry sinks' warns"
            + " when a sink is this many MB of the message store behind (it stores slower than the devices publish, or"
            + " was stopped). A sink that fails to store is CRITICAL whatever its lag.", min = "1")
    int health_lag_warn_mb() default 64;

    @AttributeDefinition(name = "Topic templates", description = "Topic layouts, tried in order, that name the"
            + " location, type and device where the payload does not: placeholders {location} (may repeat: levels"
            + " are joined with '/'), {type}, {device}, {*}.")
    String[] templates() default { "sensors/{location}/{type}/{device}/reading",
        "sensors/{location}/{location}/{type}/{device}/reading" };
}

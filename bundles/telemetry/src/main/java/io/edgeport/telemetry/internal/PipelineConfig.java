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

    @AttributeDefinition(name = "Topic templates", description = "Topic layouts, tried in order, that name the"
            + " location, type and device where the payload does not: placeholders {location} (may repeat: levels"
            + " are joined with '/'), {type}, {device}, {*}.")
    String[] templates() default { "sensors/{location}/{type}/{device}/reading",
        "sensors/{location}/{location}/{type}/{device}/reading" };
}

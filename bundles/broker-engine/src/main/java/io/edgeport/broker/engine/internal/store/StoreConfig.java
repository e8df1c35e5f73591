package io.edgeport.broker.engine.internal.store;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Edgeport message store", description = "The log of accepted messages that the"
        + " gateway's own consumers (storage sinks, alerting, bridges) read in process, each at its own position, in"
        + " <edgeport.data>/messages. It keeps what a consumer has not read yet, within these limits; whatever the"
        + " limits delete before a consumer read it is logged and counted, never dropped silently.")
@interface StoreConfig {

    String PID = "io.edgeport.store";

    @AttributeDefinition(name = "Retention size (MB)", description = "Most disk the log may use for consumers that"
            + " lag behind (a sink whose database is down, a stopped bundle); beyond it the oldest messages go.",
            min = "32")
    long retention_size_mb() default 1024;

    @AttributeDefinition(name = "Retention age (hours)", description = "Messages older than this go even if a"
            + " consumer has not read them.", min = "1")
    long retention_age_hours() default 168;
}

package io.edgeport.sink.jdbc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Edgeport JDBC telemetry sink", description = "Stores telemetry readings and rejected"
        + " messages in an SQL database: embedded H2 (default) or PostgreSQL. One configuration = one sink = one"
        + " durable broker session.")
public @interface JdbcSinkConfig {

    String PID = "io.edgeport.sink.jdbc";

    @AttributeDefinition(name = "name", description = "The sink's stable name; it names the broker session, so keep"
            + " it when you change other settings. Unique per configuration.")
    String name() default "default";

    @AttributeDefinition(name = "url", required = false, description = "JDBC URL: jdbc:h2:... or"
            + " jdbc:postgresql://host:port/db. Empty: an embedded H2 database ${edgeport.data}/telemetry.")
    String url() default "";

    @AttributeDefinition(name = "user", required = false, description = "Database user.")
    String user() default "";

    @AttributeDefinition(name = "password", required = false, type = AttributeType.PASSWORD,
            description = "Database password.")
    String password() default "";

    @AttributeDefinition(name = "table", description = "Table of readings; dead letters go to <table>_rejected. A"
            + " plain SQL identifier (letters, digits, _; not starting with a digit).")
    String table() default SinkSettings.DEFAULT_TABLE;

    @AttributeDefinition(name = "batch.size", description = "Most readings per transaction (1..4096: the broker keeps at most 4096 messages in flight to a sink).")
    int batch_size() default 1000;

    @AttributeDefinition(name = "flush.ms", description = "How long the pipeline waits for a batch to fill, in ms"
            + " (0..60000).")
    long flush_ms() default 50;

    @AttributeDefinition(name = "retry.max.ms", description = "Longest pause between retries of a failed batch, in ms"
            + " (100..3600000).")
    long retry_max_ms() default 30000;

    @AttributeDefinition(name = "topics", required = false, description = "MQTT topic filters this sink wants; empty:"
            + " the pipeline's filters.")
    String[] topics() default {};
}

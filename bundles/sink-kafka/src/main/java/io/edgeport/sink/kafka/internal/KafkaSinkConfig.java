package io.edgeport.sink.kafka.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One Kafka sink (factory PID {@code io.edgeport.sink.kafka}). */
@ObjectClassDefinition(name = "Edgeport Kafka telemetry sink", description = "Sends readings to a Kafka topic: key ="
        + " the device id, value = the reading as JSON; idempotent producer with acks=all. The sink's position in the"
        + " message store moves only when Kafka acknowledged a batch: Kafka down, the sink waits and catches up.")
@interface KafkaSinkConfig {

    String PID = "io.edgeport.sink.kafka";

    @AttributeDefinition(name = "name", description = "The sink's stable name (its position in the message store:"
            + " sink-<name>). Unique per configuration.")
    String name() default "kafka";

    @AttributeDefinition(name = "bootstrap.servers", description = "host:port of Kafka brokers, comma separated")
    String bootstrap_servers() default "127.0.0.1:9092";

    @AttributeDefinition(name = "topic", description = "Kafka topic of the readings")
    String topic() default "edgeport-readings";

    @AttributeDefinition(name = "client.id", required = false, description = "Kafka client id; empty: edgeport-<name>")
    String client_id() default "";

    @AttributeDefinition(name = "linger.ms", description = "How long the producer waits to fill a request (0..10000)")
    int linger_ms() default 5;

    @AttributeDefinition(name = "batch.size", description = "Most readings per batch handed to the sink (1..4096)")
    int batch_size() default 1000;

    @AttributeDefinition(name = "flush.ms", description = "How long the pipeline waits for a batch to fill, in ms"
            + " (0..60000)")
    long flush_ms() default 50;

    @AttributeDefinition(name = "retry.max.ms", description = "Longest pause between retries of a failed batch, in ms"
            + " (100..3600000)")
    long retry_max_ms() default 30000;

    @AttributeDefinition(name = "topics", required = false, description = "MQTT topic filters this sink wants; empty:"
            + " the pipeline's filters")
    String[] topics() default {};

    @AttributeDefinition(name = "producer.properties", required = false, description = "More Kafka producer settings,"
            + " key=value each (security.protocol, ssl.truststore.location, sasl.mechanism, ...); acks,"
            + " enable.idempotence and the serializers cannot be changed")
    String[] producer_properties() default {};
}

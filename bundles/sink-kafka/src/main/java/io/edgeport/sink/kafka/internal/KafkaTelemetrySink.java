package io.edgeport.sink.kafka.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.api.telemetry.TelemetrySink;

/**
 * Sends each batch to Kafka and returns once Kafka acknowledged every record of it (acks=all), so the pipeline
 * commits the sink's position only then; a batch that is not acknowledged throws and comes again. The producer is
 * idempotent: its own resends (lost acknowledgements, a broker restart) store nothing twice.
 */
final class KafkaTelemetrySink implements TelemetrySink, AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();
    private final KafkaSinkSettings settings;
    private final KafkaProducer<String, byte[]> producer;
    private volatile String lastError = "";
    private volatile long lastErrorAt;
    private volatile long sent;
    /** When the current batch began to wait for Kafka beyond 5 s; 0 while Kafka answers. */
    private long waitingSince;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaTelemetrySink.class);

    KafkaTelemetrySink(KafkaSinkSettings settings) {
        this.settings = settings;
        // Kafka parses class names with the thread's context class loader: ours sees the embedded client.
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(KafkaTelemetrySink.class.getClassLoader());
        try {
            this.producer = new KafkaProducer<>(settings.producerProperties(), new StringSerializer(),
                    new ByteArraySerializer());
        } finally {
            t.setContextClassLoader(before);
        }
    }

    KafkaSinkSettings settings() {
        return settings;
    }

    @Override
    public void store(List<Reading> batch) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        try {
            for (Reading r : batch) {
                acks.add(producer.send(new ProducerRecord<>(settings.topic(), r.deviceId(), json(r))));
            }
            for (Future<RecordMetadata> f : acks) {
                while (true) {
                    try {
                        f.get(5, TimeUnit.SECONDS);
                        break;
                    } catch (TimeoutException slow) {
                        if (waitingSince == 0) { // one line per outage; the producer retries by itself
                            waitingSince = System.currentTimeMillis();
                            LOG.warn("Kafka sink '{}': {} does not acknowledge; readings wait in the message store",
                                    settings.name(), settings.bootstrapServers());
                        }
                        lastError = "no acknowledgement from " + settings.bootstrapServers() + " for "
                                + (System.currentTimeMillis() - waitingSince) / 1000 + " s";
                    }
                }
            }
            if (waitingSince != 0) {
                LOG.info("Kafka sink '{}': {} acknowledges again after {} s", settings.name(),
                        settings.bootstrapServers(), (System.currentTimeMillis() - waitingSince) / 1000);
                waitingSince = 0;
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            failed(cause);
            throw new IOException("Kafka did not take the batch: " + cause.getMessage(), cause);
        } catch (RuntimeException e) {
            failed(e); // e.g. no metadata within max.block.ms: Kafka cannot be reached
            throw e;
        }
        sent += batch.size();
        lastError = "";
    }

    private void failed(Throwable e) {
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        lastErrorAt = System.currentTimeMillis();
    }

    String lastError() {
        return lastError;
    }

    long lastErrorAt() {
        return lastErrorAt;
    }

    long sent() {
        return sent;
    }

    /** The reading as JSON: the fields of {@link Reading}, the timestamp in ISO-8601, seq only when the device sent one. */
    static byte[] json(Reading r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("device", r.deviceId());
            g.writeStringField("location", r.location());
            g.writeStringField("measurement", r.measurement());
            g.writeNumberField("value", r.value());
            g.writeStringField("unit", r.unit());
            g.writeStringField("timestamp", r.timestamp().toString());
            if (r.hasSequence()) {
                g.writeNumberField("seq", r.sequence());
            }
            g.writeStringField("topic", r.topic());
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}

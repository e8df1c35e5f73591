package io.edgeport.sink.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.testsupport.KafkaBroker;

/** The sink against a real Kafka 4.4 (KRaft, child process): exactly the readings stored, across a Kafka restart. */
class KafkaSinkTest {

    static KafkaBroker kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaBroker(Path.of("target", "kafka-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    static KafkaSinkConfig config(Map<String, Object> values) {
        return (KafkaSinkConfig) java.lang.reflect.Proxy.newProxyInstance(KafkaSinkConfig.class.getClassLoader(),
                new Class<?>[] {KafkaSinkConfig.class}, (proxy, m, args) -> {
                    if (m.getName().equals("annotationType")) {
                        return KafkaSinkConfig.class;
                    }
                    Object v = values.get(m.getName());
                    return v != null ? v : m.getDefaultValue();
                });
    }

    private static KafkaTelemetrySink sink(String topic) {
        return new KafkaTelemetrySink(KafkaSinkSettings.from(config(Map.of("bootstrap_servers", kafka.bootstrap(),
                "topic", topic))));
    }

    private static Reading reading(String device, long seq) {
        return new Reading("sensors/lab/temperature/" + device + "/reading", device, "lab", "temperature", 21.5 + seq,
                "°C", Instant.parse("2026-12-05T10:00:00Z").plusMillis(seq), seq);
    }

    /** Every record of the topic: key and value. */
    private static List<ConsumerRecord<String, String>> records(String topic, long expected) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrap());
        p.put("group.id", "verify-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            assertThat(end).as("records in the topic").isEqualTo(expected);
            long deadline = System.currentTimeMillis() + 60_000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void aBatchIsInKafkaWhenStoreReturnsKeyedByDeviceAsJson() throws Exception {
        try (KafkaTelemetrySink sink = sink("readings-a")) {
            sink.store(List.of(reading("d1", 1), reading("d2", 1), reading("d1", 2)));
        }
        List<ConsumerRecord<String, String>> got = records("readings-a", 3);
        assertThat(got).extracting(ConsumerRecord::key).containsExactly("d1", "d2", "d1");
        assertThat(got.get(0).value()).isEqualTo("{\"device\":\"d1\",\"location\":\"lab\",\"measurement\":"
                + "\"temperature\",\"value\":22.5,\"unit\":\"°C\",\"timestamp\":\"2026-12-05T10:00:00.001Z\","
                + "\"seq\":1,\"topic\":\"sensors/lab/temperature/d1/reading\"}");
    }

    @Test
    void aKafkaRestartUnderLoadStoresEveryReadingExactlyOnce() throws Exception {
        int batches = 300;
        int perBatch = 50;
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger retries = new AtomicInteger();
        Thread load;
        try (KafkaTelemetrySink sink = sink("readings-b")) {
            load = new Thread(() -> {
                try {
                    for (int b = 0; b < batches; b++) {
                        List<Reading> batch = new ArrayList<>();
                        for (int i = 0; i < perBatch; i++) {
                            batch.add(reading("d" + (i % 5), (long) b * perBatch + i));
                        }
                        while (true) { // as the pipeline does: the same batch again until it is stored
                            try {
                                sink.store(batch);
                                break;
                            } catch (Exception e) {
                                retries.incrementAndGet();
                                Thread.sleep(200); // the pipeline's retry back-off: pacing of the load
                            }
                        }
                        done.incrementAndGet();
                        Thread.sleep(5); // pacing of the load, not a wait
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            load.start();
            await("50 batches stored before the restart").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(10)).until(() -> done.get() >= 50);
            kafka.stop();
            // An outage under load: it lasts until the sink noticed it (no acknowledgement, or a failed batch).
            await("the sink noticed that Kafka is down").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !sink.lastError().isEmpty());
            kafka.start();
            load.join(180_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(done.get()).isEqualTo(batches);
        Map<Long, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, String> r : records("readings-b", (long) batches * perBatch)) {
            String v = r.value();
            long seq = Long.parseLong(v.substring(v.indexOf("\"seq\":") + 6, v.indexOf(",\"topic\"")));
            seen.merge(seq, 1, Integer::sum);
        }
        assertThat(seen).hasSize(batches * perBatch);
        assertThat(seen.values()).allMatch(n -> n == 1);
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> KafkaSinkSettings.from(config(Map.of("bootstrap_servers", "nohost"))))
                .hasMessage("bootstrap.servers: 'nohost' is not host:port");
        assertThatThrownBy(() -> KafkaSinkSettings.from(config(Map.of("topic", "a b"))))
                .hasMessageStartingWith("topic: 'a b' is not a Kafka topic name");
        assertThatThrownBy(() -> KafkaSinkSettings.from(config(Map.of("producer_properties",
                new String[] {"acks=1"})))).hasMessage("producer.properties: acks is set by the sink");
        assertThat(KafkaSinkSettings.from(config(Map.of("producer_properties",
                new String[] {"security.protocol=SSL"}))).producerProperties()).containsEntry("security.protocol",
                "SSL").containsEntry("acks", "all").containsEntry("enable.idempotence", "true");
    }
}

package io.edgeport.sink.kafka.internal;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import io.edgeport.api.telemetry.TelemetrySink;

/** A Kafka sink's configuration, checked: {@link #from} refuses a bad one with {@code key: reason}. */
record KafkaSinkSettings(String name, String bootstrapServers, String topic, String clientId, int lingerMs,
                         int batchSize, long flushMs, long retryMaxMs, List<String> topics, Map<String, String> extra) {

    /** What the sink's guarantees rest on: not for the operator to change. */
    static final List<String> FIXED = List.of("acks", "enable.idempotence", "key.serializer", "value.serializer",
            "bootstrap.servers", "client.id");

    static KafkaSinkSettings from(KafkaSinkConfig c) {
        String name = c.name() == null ? "" : c.name().strip();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name: '" + name + "' is not 1-64 letters, digits, '.', '_', '-'");
        }
        String servers = c.bootstrap_servers() == null ? "" : c.bootstrap_servers().strip();
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("bootstrap.servers: at least one host:port is needed");
        }
        for (String s : servers.split(",")) {
            if (!s.strip().matches("[^:\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("bootstrap.servers: '" + s.strip() + "' is not host:port");
            }
        }
        String topic = c.topic() == null ? "" : c.topic().strip();
        if (!topic.matches("[A-Za-z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("topic: '" + topic + "' is not a Kafka topic name (1-249 letters,"
                    + " digits, '.', '_', '-')");
        }
        String clientId = c.client_id() == null || c.client_id().isBlank() ? "edgeport-" + name : c.client_id().strip();
        range("linger.ms", c.linger_ms(), 0, 10_000);
        range("batch.size", c.batch_size(), 1, 4096);
        range("flush.ms", c.flush_ms(), 0, 60_000);
        range("retry.max.ms", c.retry_max_ms(), 100, 3_600_000);
        Map<String, String> extra = new TreeMap<>();
        for (String line : c.producer_properties() == null ? new String[0] : c.producer_properties()) {
            if (line == null || line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("producer.properties: '" + line + "' is not key=value");
            }
            String key = line.substring(0, eq).strip();
            if (FIXED.contains(key)) {
                throw new IllegalArgumentException("producer.properties: " + key + " is set by the sink");
            }
            extra.put(key, line.substring(eq + 1).strip());
        }
        List<String> topics = new ArrayList<>();
        for (String t : c.topics() == null ? new String[0] : c.topics()) {
            if (t != null && !t.isBlank()) {
                topics.add(t.strip());
            }
        }
        return new KafkaSinkSettings(name, servers, topic, clientId, c.linger_ms(), c.batch_size(), c.flush_ms(),
                c.retry_max_ms(), List.copyOf(topics), Map.copyOf(extra));
    }

    private static void range(String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + ": " + v + " is not between " + min + " and " + max);
        }
    }

    /**
     * The producer's settings: idempotent with acks=all (a batch is stored exactly once even when the producer
     * resends it after a lost acknowledgement), a resend window of 10 minutes, and at most 10 s blocked when Kafka
     * cannot be reached (the pipeline then retries the batch with back-off).
     */
    Properties producerProperties() {
        Properties p = new Properties();
        p.putAll(extra);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("max.in.flight.requests.per.connection", "5");
        p.put("linger.ms", Integer.toString(lingerMs));
        p.putIfAbsent("delivery.timeout.ms", "600000");
        p.putIfAbsent("request.timeout.ms", "30000");
        p.putIfAbsent("max.block.ms", "10000");
        p.putIfAbsent("reconnect.backoff.max.ms", "2000");
        return p;
    }

    Hashtable<String, Object> serviceProperties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(TelemetrySink.NAME, name);
        p.put(TelemetrySink.BATCH_SIZE, batchSize);
        p.put(TelemetrySink.FLUSH_MS, flushMs);
        p.put(TelemetrySink.RETRY_MAX_MS, retryMaxMs);
        if (!topics.isEmpty()) {
            p.put(TelemetrySink.TOPICS, topics.toArray(String[]::new));
        }
        return p;
    }
}

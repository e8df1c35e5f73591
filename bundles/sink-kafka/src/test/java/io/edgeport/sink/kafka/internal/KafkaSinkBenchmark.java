package io.edgeport.sink.kafka.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.edgeport.api.telemetry.Reading;
import io.edgeport.testsupport.KafkaBroker;

/**
 * Kafka sink throughput (bench/kafka.sh): batches of readings stored one after the other, as the pipeline hands them
 * over (each store() returns when Kafka acknowledged it, acks=all), against a local single-node Kafka 4.4. Prints
 * readings per second; no assertion.
 */
public final class KafkaSinkBenchmark {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        try (KafkaBroker kafka = new KafkaBroker(Path.of("target", "kafka-bench-" + UUID.randomUUID()));
             KafkaTelemetrySink sink = new KafkaTelemetrySink(KafkaSinkSettings.from(KafkaSinkTest.config(
                     Map.of("bootstrap_servers", kafka.bootstrap(), "topic", "bench"))))) {
            List<List<Reading>> batches = new ArrayList<>();
            Instant t = Instant.now();
            for (int b = 0; b < 100; b++) {
                List<Reading> batch = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++) {
                    String device = "sensor_device_" + (i % 200);
                    batch.add(new Reading("sensors/hall/temperature/" + device + "/reading", device, "hall",
                            "temperature", 20 + i % 10, "°C", t, (long) b * batchSize + i));
                }
                batches.add(batch);
            }
            sink.store(batches.get(0)); // warm-up: metadata, connections
            long stored = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            for (int i = 0; System.nanoTime() < end; i++) {
                sink.store(batches.get(i % batches.size()));
                stored += batchSize;
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("Kafka sink: %,d readings in %.1f s = %,.0f readings/s (batches of %d, acks=all,"
                    + " idempotent)%n", stored, s, stored / s, batchSize);
        }
    }
}

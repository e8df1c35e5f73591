package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

import io.edgeport.testsupport.KafkaBroker;

/**
 * The Kafka sink feature in the exported gateway against a real Kafka 4.4 (KRaft, child process), configured through
 * the console: devices publish readings, Kafka is restarted under load, and the topic holds exactly the readings the
 * gateway acknowledged, each once.
 */
class KafkaSinkTest {

    @Test
    void exactlyThePublishedReadingsLandAcrossAKafkaRestart() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "kafka-sink-" + UUID.randomUUID()).toAbsolutePath());
        try (KafkaBroker kafka = new KafkaBroker(dir.resolve("kafka"));
             Gateway gw = new Gateway(Files.createDirectories(dir.resolve("gw")))
                     .with("edgeport.features.boot", "telemetry,sink-kafka").start()) {
            Telemetry.createFactoryConfiguration(new Console(gw), "io.edgeport.sink.kafka", Map.of("name", "plant",
                    "bootstrap.servers", kafka.bootstrap(), "topic", "plant-readings"));
            await("the Kafka sink").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains("Kafka telemetry sink 'plant'"));

            int devices = 4;
            AtomicBoolean stop = new AtomicBoolean();
            BitSet[] acked = new BitSet[devices];
            List<Thread> fleet = new ArrayList<>();
            List<MqttClient> clients = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                BitSet mine = acked[d] = new BitSet();
                String id = "k" + d;
                MqttClient c = Clients.paho("tcp://127.0.0.1:" + gw.mqttPort, id, true);
                clients.add(c);
                Thread t = new Thread(() -> {
                    try {
                        for (int seq = 0; !stop.get(); seq++) {
                            c.publish("sensors/hall/temperature/" + id + "/reading", ("{\"value\":" + (20 + seq % 10)
                                    + ",\"unit\":\"°C\",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8), 1,
                                    false);
                            synchronized (mine) {
                                mine.set(seq);
                            }
                            TimeUnit.MILLISECONDS.sleep(5); // pacing of the device
                        }
                    } catch (MqttException | InterruptedException e) {
                        // stopped
                    }
                });
                t.start();
                fleet.add(t);
            }
            // Each phase lasts until every device had more readings acknowledged (and the sink said what it saw).
            int[] start = AckedReadings.acknowledged(acked);
            await("400 readings of each device acknowledged").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> AckedReadings.eachAtLeast(acked, start, 400));
            kafka.stop();
            // Kafka down: the devices go on, the sink waits
            int[] down = AckedReadings.acknowledged(acked);
            String sink = "Kafka sink 'plant': " + kafka.bootstrap();
            await("the sink waiting for Kafka").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains(sink + " does not acknowledge"));
            await("400 readings of each device acknowledged while Kafka is down").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> AckedReadings.eachAtLeast(acked, down, 400));
            kafka.start();
            int[] back = AckedReadings.acknowledged(acked);
            await("the sink storing again").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> gw.log().contains(sink + " acknowledges again"));
            await("400 readings of each device acknowledged after the restart").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> AckedReadings.eachAtLeast(acked, back, 400));
            stop.set(true);
            for (Thread t : fleet) {
                t.join(10_000);
            }
            clients.forEach(Clients::close);
            int total = 0;
            for (BitSet b : acked) {
                total += b.cardinality();
            }
            int expected = total;

            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrap());
            p.put("group.id", "verify");
            p.put("auto.offset.reset", "earliest");
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(),
                    new StringDeserializer())) {
                TopicPartition tp = new TopicPartition("plant-readings", 0);
                c.assign(List.of(tp));
                await(expected + " records in Kafka").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> c.endOffsets(List.of(tp)).get(tp) >= expected);
                long end = c.endOffsets(List.of(tp)).get(tp);
                Map<String, BitSet> landed = new HashMap<>();
                int records = 0;
                while (c.position(tp) < end) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                        String v = r.value();
                        int seq = Integer.parseInt(v.substring(v.indexOf("\"seq\":") + 6, v.indexOf(",\"topic\"")));
                        BitSet b = landed.computeIfAbsent(r.key(), k -> new BitSet());
                        assertThat(b.get(seq)).as("%s seq %d landed twice", r.key(), seq).isFalse();
                        b.set(seq);
                        records++;
                    }
                }
                for (int d = 0; d < devices; d++) {
                    assertThat(landed.get("k" + d)).as("device k%d", d).isEqualTo(acked[d]);
                }
                assertThat(records).isEqualTo(expected);
            }
            assertThat(gw.log()).as("no stack trace").doesNotContain("\tat ");
        }
    }

}

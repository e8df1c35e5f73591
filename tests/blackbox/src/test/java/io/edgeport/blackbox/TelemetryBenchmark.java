package io.edgeport.blackbox;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import io.edgeport.testsupport.PostgresServer;

/**
 * End-to-end telemetry throughput (issue 4): readings/s from an MQTT PUBLISH (QoS 1) to a committed row, into the
 * embedded H2 database and into PostgreSQL. Starts the exported gateway in a temp directory, P Paho publishers send
 * readings as fast as the broker acknowledges them (at most 500 in flight each) for D seconds, then the benchmark
 * waits until every acknowledged reading is a row and prints the rates. Not a test: run bench/telemetry.sh.
 *
 * <p>Arguments: {@code h2|postgresql [seconds=60] [publishers=4]}.
 */
public final class TelemetryBenchmark {

    private static final Pattern ROWS = Pattern.compile("\"rows\":(\\d+)");

    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "h2";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int publishers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path dir = Files.createTempDirectory("edgeport-bench");
        PostgresServer pg = null;
        if (target.equals("postgresql")) {
            pg = new PostgresServer();
            pg.beforeAll(null);
        }
        Gateway gateway = new Gateway(dir);
        try (Gateway gw = gateway) {
            gw.start();
            Console console = new Console(gw);
            console.awaitUp();
            String sink = "default";
            if (pg != null) {
                // Only the PostgreSQL sink: the default H2 sink is deleted so that it does not share the machine.
                for (String pid : Telemetry.pids(console, "io.edgeport.sink.jdbc")) {
                    Telemetry.deleteConfiguration(console, pid);
                }
                Telemetry.createFactoryConfiguration(console, "io.edgeport.sink.jdbc", Map.of("name", "pg", "url",
                        pg.url(), "user", "postgres"));
                sink = "pg";
            }
            final PostgresServer server = pg;
            Counter rows = server != null ? () -> pgRows(server) : () -> h2Rows(console);
            // Probe until the sink's session exists.
            MqttAsyncClient probe = client(gw.mqttPort, "probe");
            long end0 = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rows.count() == 0 && System.nanoTime() < end0) {
                probe.publish("sensors/lab/temperature/probe/reading",
                        "{\"device_id\":\"probe\",\"value\":1,\"seq\":0}".getBytes(StandardCharsets.UTF_8), 1, false)
                        .waitForCompletion(5_000);
                Thread.sleep(200); // benchmark pacing: the probe again until the sink stored it
            }
            long base = rows.count();
            System.out.printf("sink '%s' subscribed (%d probe rows); %d publishers for %d s%n", sink, base,
                    publishers, seconds);

            AtomicLong acked = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            long stopAt = start + TimeUnit.SECONDS.toNanos(seconds);
            for (int p = 0; p < publishers; p++) {
                MqttAsyncClient c = client(gw.mqttPort, "bench-pub-" + p);
                String device = "bench-" + p;
                String topic = "sensors/bench/temperature/" + device + "/reading";
                Thread t = new Thread(() -> publish(c, topic, device, stopAt, acked), "pub-" + p);
                threads.add(t);
                t.start();
            }
            long lastReport = start;
            long lastRows = base;
            while (threads.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(5_000); // benchmark pacing: one progress report every 5 s
                long now = System.nanoTime();
                long r = rows.count();
                System.out.printf("  t=%3ds acknowledged %,d  rows %,d  (%,.0f rows/s last 5 s)%n",
                        TimeUnit.NANOSECONDS.toSeconds(now - start), acked.get(), r - base,
                        (r - lastRows) / ((now - lastReport) / 1e9));
                lastReport = now;
                lastRows = r;
            }
            long publishedNanos = System.nanoTime() - start;
            long total = acked.get();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long r;
            while ((r = rows.count() - base) < total && System.nanoTime() < deadline) {
                Thread.sleep(100); // benchmark pacing: polls the row count at 100 ms, not a test wait
            }
            long doneNanos = System.nanoTime() - start;
            System.out.printf("%s: %,d readings acknowledged by the broker in %.1f s (%,.0f/s); %,d rows committed"
                    + " %.1f s after the first publish: %,.0f readings/s end to end; %s%n", target, total,
                    publishedNanos / 1e9, total / (publishedNanos / 1e9), r, doneNanos / 1e9, r / (doneNanos / 1e9),
                    r == total ? "nothing lost" : (total - r) + " MISSING");
            gw.stop();
        } catch (Exception | Error e) {
            String log = gateway.log();
            System.out.println("FAILED: " + e + "\n--- gateway log (tail) ---\n"
                    + log.substring(Math.max(0, log.length() - 6000)));
            throw e;
        } finally {
            if (pg != null) {
                pg.afterAll(null);
            }
        }
    }

    interface Counter {
        long count() throws Exception;
    }

    private static MqttAsyncClient client(int port, String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(1000);
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    private static void publish(MqttAsyncClient c, String topic, String device, long stopAt, AtomicLong acked) {
        Semaphore window = new Semaphore(500);
        IMqttActionListener done = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken t) {
                acked.incrementAndGet();
                window.release();
            }

            @Override
            public void onFailure(IMqttToken t, Throwable e) {
                window.release();
            }
        };
        long seq = 0;
        try {
            while (System.nanoTime() < stopAt) {
                window.acquire();
                String json = "{\"device_id\":\"" + device + "\",\"measurement\":\"temperature\",\"value\":"
                        + (20 + seq % 10) + ",\"unit\":\"°C\",\"timestamp\":\"2026-11-27T10:00:00Z\",\"seq\":" + seq
                        + "}";
                c.publish(topic, json.getBytes(StandardCharsets.UTF_8), 1, false, null, done);
                seq++;
            }
            window.acquire(500);
            c.disconnect().waitForCompletion(10_000);
            c.close();
        } catch (Exception e) {
            System.out.println(device + ": " + e);
        }
    }

    /** The sink's row count from stats.json: a COUNT(*) (devices.json scans the table and slowed the run). */
    private static long h2Rows(Console console) throws Exception {
        HttpResponse<String> r = console.get("/telemetry/stats.json?sink=default", console.admin());
        Matcher m = ROWS.matcher(r.body());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long pgRows(PostgresServer pg) throws Exception {
        try (Connection c = new org.postgresql.Driver().connect(pg.url() + "?user=postgres", new java.util.Properties());
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM readings")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }
}

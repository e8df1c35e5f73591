package io.edgeport.sink.jdbc.internal;

import io.edgeport.testsupport.PostgresServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.edgeport.api.telemetry.Reading;

/**
 * Rough throughput of {@link JdbcStore#store}: N readings (100 devices) in batches of 1000, into a fresh H2 file
 * database and into a throw-away PostgreSQL 15 (fsync off, as in the tests), then the same readings again
 * (redelivery: everything is a duplicate). Not a test (surefire runs *Test only); run with
 * {@code java -cp ... io.edgeport.sink.jdbc.internal.JdbcSinkBenchmark [N]}. Each figure is the second of two runs on
 * new tables, so that the JIT is warm.
 */
public final class JdbcSinkBenchmark {

    private static final int BATCH = 1000;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        List<List<Reading>> batches = batches(n);
        Path dir = Files.createTempDirectory("edgeport-bench");
        try {
            String h2 = "jdbc:h2:file:" + dir.resolve("telemetry");
            run("H2 " + org.h2.engine.Constants.FULL_VERSION, h2, batches, n);
            PostgresServer pg = new PostgresServer();
            pg.beforeAll(null);
            try {
                run("PostgreSQL 15, reWriteBatchedInserts (default)", pg.url(), batches, n);
                run("PostgreSQL 15, reWriteBatchedInserts=false", pg.url() + "?reWriteBatchedInserts=false", batches,
                        n);
            } finally {
                pg.afterAll(null);
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<List<Reading>> batches(int n) {
        Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
        List<List<Reading>> out = new ArrayList<>();
        List<Reading> b = new ArrayList<>(BATCH);
        for (int i = 0; i < n; i++) {
            String dev = "dev-" + (i % 100);
            b.add(new Reading("site/" + dev + "/temperature", dev, "building-a/floor-1", "temperature", 20 + i % 50 / 10.0,
                    "°C", t0.plusMillis(i * 10L), i / 100));
            if (b.size() == BATCH) {
                out.add(b);
                b = new ArrayList<>(BATCH);
            }
        }
        if (!b.isEmpty()) {
            out.add(b);
        }
        return out;
    }

    private static int tables;

    private static void run(String label, String url, List<List<Reading>> batches, int n) throws Exception {
        for (int round = 0; round < 2; round++) {
            JdbcStore store = new JdbcStore(Configs.settings(url, "bench_" + ++tables, "user", "postgres"));
            try {
                store.store(batches.get(0).subList(0, 1)); // connect and create the schema outside the clock
                long t = System.nanoTime();
                for (List<Reading> b : batches) {
                    store.store(b);
                }
                double fresh = n / ((System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                for (List<Reading> b : batches) {
                    store.store(b);
                }
                double again = n / ((System.nanoTime() - t) / 1e9);
                if (round == 1) {
                    System.out.printf("%-50s %,10.0f rows/s new, %,10.0f rows/s redelivered (%,d rows, batches of %d)%n",
                            label, fresh, again, n, BATCH);
                }
            } finally {
                store.close();
            }
        }
    }
}

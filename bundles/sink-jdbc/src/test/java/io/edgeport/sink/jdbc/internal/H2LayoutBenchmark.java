package io.edgeport.sink.jdbc.internal;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * H2 only: rows/s, bytes allocated per row (this thread) and MVStore page reads per row for index layouts and settings
 * of the readings table, written as {@link JdbcStore} writes them (plain INSERT batch + position MERGE, commit,
 * CHECKPOINT, WRITE_DELAY=0, REUSE_SPACE=FALSE). The variants alternate within one run, each repeated, so that they are
 * comparable on a shared machine. Not a test; run with {@code java -Xmx256m -cp ... H2LayoutBenchmark [rows] [repeats]
 * [variant,...]}.
 */
public final class H2LayoutBenchmark {

    /** @param indexes the unique constraint and indexes of the readings table; null for the sink's own schema */
    record Variant(String name, String urlSuffix, int batch, List<String> indexes) {
    }

    static final String OLD_KEY = "CONSTRAINT `$T_key` UNIQUE (`device_id`, `measurement`, `ts`, `seq`)";
    static final String NEW_KEY = "CONSTRAINT `$T_key` UNIQUE (`device_id`, `ts`, `measurement`, `seq`)";
    static final String DEVICE_TS = "CREATE INDEX `$T_device_ts` ON `$T` (`device_id`, `ts`)";

    static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

    static {
        add(new Variant("old", "", 1000, List.of(OLD_KEY, DEVICE_TS)));
        add(new Variant("current", "", 1000, null)); // what Dialect.H2.schema creates
        add(new Variant("old-cache64", ";CACHE_SIZE=65536", 1000, List.of(OLD_KEY, DEVICE_TS)));
        add(new Variant("old-b4000", "", 4000, List.of(OLD_KEY, DEVICE_TS)));
        add(new Variant("new", "", 1000, List.of(NEW_KEY)));
        add(new Variant("new-cache64", ";CACHE_SIZE=65536", 1000, List.of(NEW_KEY)));
        add(new Variant("new-b4000", "", 4000, List.of(NEW_KEY)));
        add(new Variant("new-page2k", ";PAGE_SIZE=2048", 1000, List.of(NEW_KEY)));
        add(new Variant("new-noanalyze", ";ANALYZE_AUTO=0", 1000, List.of(NEW_KEY)));
        add(new Variant("oldkey-only", "", 1000, List.of(OLD_KEY)));
        add(new Variant("devts-only", "", 1000, List.of(DEVICE_TS)));
        add(new Variant("none", "", 1000, List.of()));
    }

    private static void add(Variant v) {
        VARIANTS.put(v.name(), v);
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Variant> variants = new ArrayList<>();
        if (args.length > 2) {
            for (String s : args[2].split(",")) {
                variants.add(VARIANTS.get(s));
            }
        } else {
            variants.addAll(VARIANTS.values());
        }
        List<Object[]> rows = rows(n);
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "h2-layout");
        try {
            // warm-up of the JIT, not reported
            for (Variant v : variants) {
                run(v, dir.resolve("warm-" + v.name()), rows.subList(0, Math.min(n, 20_000)));
            }
            Map<String, List<double[]>> results = new LinkedHashMap<>();
            for (int r = 0; r < repeats; r++) {
                for (Variant v : variants) {
                    double[] m = run(v, dir.resolve(v.name() + "-" + r), rows);
                    results.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(m);
                    System.out.printf("  %-14s run %d: %,8.0f rows/s %,7.0f B/row %6.2f page reads/row%n", v.name(), r,
                            m[0], m[1], m[2]);
                }
            }
            System.out.printf("%-14s %10s %10s %12s  (%,d rows, %s, median of %d)%n", "variant", "rows/s",
                    "B/row", "reads/row", n,
                    Boolean.getBoolean("e2e") ? "4 devices (-De2e)" : "100 devices", repeats);
            for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
                System.out.printf("%-14s %,10.0f %,10.0f %12.2f%n", e.getKey(), median(e.getValue(), 0),
                        median(e.getValue(), 1), median(e.getValue(), 2));
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double median(List<double[]> l, int i) {
        double[] a = l.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return a[a.length / 2];
    }

    static List<Object[]> rows(int n) {
        Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
        List<Object[]> out = new ArrayList<>(n);
        if (Boolean.getBoolean("e2e")) {
            // what bench/telemetry.sh publishes: 4 devices, one fixed timestamp, seq counting up per device
            Object ts = JdbcStore.utc(Instant.parse("2026-11-27T10:00:00Z"));
            for (int i = 0; i < n; i++) {
                String dev = "bench-" + (i % 4);
                out.add(new Object[] { dev, "", "temperature", 20 + i / 4 % 10, "°C", ts, (long) (i / 4),
                        "sensors/bench/temperature/" + dev + "/reading" });
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            String dev = "dev-" + (i % 100);
            out.add(new Object[] { dev, "building-a/floor-1", "temperature", 20 + i % 50 / 10.0, "°C",
                    JdbcStore.utc(t0.plusMillis(i * 10L)), (long) (i / 100), "site/" + dev + "/temperature" });
        }
        return out;
    }

    private static double[] run(Variant v, Path file, List<Object[]> rows) throws SQLException {
        Dialect d = Dialect.H2;
        String table = "readings";
        try (Connection c = d.connect("jdbc:h2:file:" + file + v.urlSuffix(), new Properties())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String ddl : schema(d, table, v.indexes())) {
                    s.execute(ddl);
                }
            }
            c.commit();
            String insert = d.fastInsertReading(table);
            String position = d.upsertPosition(table);
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long reads0 = fileReads(c);
            long bytes0 = mx.getCurrentThreadAllocatedBytes();
            long t = System.nanoTime();
            for (int from = 0; from < rows.size(); from += v.batch()) {
                List<Object[]> batch = rows.subList(from, Math.min(rows.size(), from + v.batch()));
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    for (Object[] r : batch) {
                        for (int i = 0; i < r.length; i++) {
                            ps.setObject(i + 1, r[i]);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement(position)) {
                    ps.setString(1, "bench");
                    ps.setLong(2, from);
                    ps.executeUpdate();
                }
                c.commit();
                d.afterCommit(c);
            }
            double secs = (System.nanoTime() - t) / 1e9;
            long bytes = mx.getCurrentThreadAllocatedBytes() - bytes0;
            long reads = fileReads(c) - reads0;
            return new double[] { rows.size() / secs, (double) bytes / rows.size(), (double) reads / rows.size() };
        }
    }

    /** The sink's schema, or its tables with the given unique constraint and indexes on the readings table. */
    private static List<String> schema(Dialect d, String table, List<String> indexes) {
        List<String> schema = d.schema(table);
        if (indexes == null) {
            return schema;
        }
        List<String> out = new ArrayList<>();
        String create = schema.get(0).replaceFirst(",\\s*CONSTRAINT [^\\n]*\\)\\s*$", ")");
        for (String x : indexes) {
            if (x.startsWith("CONSTRAINT")) {
                create = create.substring(0, create.lastIndexOf(')')) + ",\n  " + d.sql(x, table) + ")";
            }
        }
        out.add(create);
        for (String x : indexes) {
            if (!x.startsWith("CONSTRAINT")) {
                out.add(d.sql(x, table));
            }
        }
        out.addAll(schema.subList(schema.size() - 2, schema.size())); // _rejected and _position
        return out;
    }

    private static long fileReads(Connection c) throws SQLException {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                            + " WHERE SETTING_NAME = 'info.FILE_READ'")) {
                return rs.next() ? Long.parseLong(rs.getString(1)) : -1;
            }
        }
    }

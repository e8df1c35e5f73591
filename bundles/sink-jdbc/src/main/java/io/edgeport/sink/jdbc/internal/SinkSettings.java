package io.edgeport.sink.jdbc.internal;

import io.edgeport.commons.text.Printable;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.regex.Pattern;

import io.edgeport.api.telemetry.TelemetrySink;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * A validated {@link JdbcSinkConfig}: every check names the configuration key it refers to. Immutable.
 *
 * @param url the JDBC URL, never empty
 * @param password never logged or shown: {@link #toString()} leaves it out
 */
record SinkSettings(String name, String url, String user, String password, Dialect dialect, String table,
        int batchSize, long flushMs, long retryMaxMs, List<String> topics) {

    static final String DEFAULT_TABLE = "readings";
    static final String DATA_DIR_PROPERTY = DataDirectory.PROPERTY;
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    /** PostgreSQL silently truncates identifiers to 63 bytes; the longest name derived from the table is this. */
    private static final String LONGEST_SUFFIX = "_rejected_key";

    /**
     * @param dataDir the framework property {@value #DATA_DIR_PROPERTY}, or null for "data"
     * @throws IllegalArgumentException naming the key of the first invalid value
     */
    static SinkSettings from(JdbcSinkConfig c, String dataDir) {
        String name = trim(c.name());
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: must not be empty");
        }
        String url = trim(c.url());
        if (url.isEmpty()) {
            url = defaultUrl(dataDir);
        }
        Dialect dialect = Dialect.forUrl(url);
        String table = trim(c.table());
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("table: must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most"
                    + " 63 characters), not '" + Printable.of(table) + "'");
        }
        if (table.length() + LONGEST_SUFFIX.length() > 63) {
            throw new IllegalArgumentException("table: must be at most " + (63 - LONGEST_SUFFIX.length())
                    + " characters (the names derived from it, such as " + table + LONGEST_SUFFIX
                    + ", must fit the 63 characters PostgreSQL keeps)");
        }
        int batch = c.batch_size();
        if (batch < 1 || batch > 4096) {
            throw new IllegalArgumentException("batch.size: must be 1..4096, not " + batch);
        }
        long flush = c.flush_ms();
        if (flush < 0 || flush > 60_000) {
            throw new IllegalArgumentException("flush.ms: must be 0..60000, not " + flush);
        }
        long retry = c.retry_max_ms();
        if (retry < 100 || retry > 3_600_000) {
            throw new IllegalArgumentException("retry.max.ms: must be 100..3600000, not " + retry);
        }
        String[] t = c.topics() == null ? new String[0] : c.topics();
        List<String> topics = Arrays.stream(t).map(SinkSettings::trim).filter(s -> !s.isEmpty()).toList();
        for (String f : topics) {
            if (f.indexOf('\u0000') >= 0 || f.length() > 65535) {
                throw new IllegalArgumentException("topics: invalid filter '" + Printable.of(f) + "'");
            }
        }
        return new SinkSettings(name, url, trim(c.user()), c.password() == null ? "" : c.password(), dialect, table,
                batch, flush, retry, topics);
    }

    /** {@code jdbc:h2:file:<absolute ${edgeport.data}>/telemetry}. */
    static String defaultUrl(String dataDir) {
        return "jdbc:h2:file:" + DataDirectory.of(dataDir).resolve("telemetry");
    }

    /** The properties of the registered {@link TelemetrySink} service. */
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

    /** The URL without its query string (it may carry a password). */
    String safeUrl() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }

    /** Without the password, and without the URL's query string (it may carry one too). */
    @Override
    public String toString() {
        return "sink '" + name + "' (" + safeUrl() + ", table " + table
                + ", batch.size " + batchSize + ", flush.ms " + flushMs + ", retry.max.ms " + retryMaxMs
                + (topics.isEmpty() ? "" : ", topics " + topics) + ")";
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }
}

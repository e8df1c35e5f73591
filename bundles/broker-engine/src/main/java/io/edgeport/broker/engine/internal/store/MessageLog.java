package io.edgeport.broker.engine.internal.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreCursor;
import io.edgeport.api.store.StoreStatistics;
import io.edgeport.api.store.StoredMessage;
import io.edgeport.broker.engine.Topics;

/**
 * The message log: every message the broker accepted on a topic that some in-process consumer wants, in acceptance
 * order, each consumer (sink, rule engine, bridge) at its own named position. This is what makes the store the spine
 * of the gateway: consumers read what the broker stored, in process, at their own pace, instead of holding MQTT
 * sessions on the broker.
 *
 * <p>Writes go through a {@link Wal} of their own (folder {@code messages/} beside the broker store), written by the
 * same group commit as the broker's state log, so a QoS 1/2 message is acknowledged only when its record is durable.
 * Readers see only durable records: a consumer never acts on a message that a crash could still take back.
 *
 * <p>Consumers register with their topic filters ({@link #consumer}); a registration is durable and outlives the
 * consumer's service (a sink bundle being updated keeps its place and the log keeps what it has not read), like an
 * MQTT persistent session, until {@link #remove} (its configuration deleted). Only messages that match some registered
 * consumer are logged; with no consumer the log costs nothing. A new consumer starts at the end of the log.
 *
 * <p>Positions are byte positions in the log, after the record ({@link StoredMessage#position()}): a consumer commits
 * the position of the last message it has made durable on its side; the log rewrites its position file at most every
 * {@link #POSITION_SAVE_MS} (and at registration, removal and close). After a crash a consumer resumes from the last
 * saved position (at least once); one that keeps its position in its own transaction (the JDBC sink) seeks to it and
 * gets exactly once.
 *
 * <p>Retention: a segment is deleted when every consumer has read past it; beyond {@code retentionBytes} of log, or
 * for segments older than {@code retentionMillis}, the oldest segments are deleted even if a consumer has not read
 * them: never silently — each affected consumer's lost messages are counted, logged and reported
 * ({@link #droppedForRetention()}).
 */
public final class MessageLog implements MessageStore, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(MessageLog.class);
    static final byte MESSAGE = 1;
    static final String POSITIONS = "consumers.dat";
    static final long SEGMENT_BYTES = 16L * 1024 * 1024;
    /** Committed positions reach the disk at least this often. */
    static final long POSITION_SAVE_MS = 200;
    /** How many of the newest messages, and how many payload bytes, stay in memory for readers that keep up. */
    static final int TAIL_MESSAGES = 65_536;
    static final long TAIL_BYTES = 32L * 1024 * 1024;
    /** How often the maintenance thread looks whether positions or retention are due. */
    static final long MAINTENANCE_MS = 50;
    /** Retention is applied at most this often. */
    static final long RETENTION_CHECK_MS = 1_000;
    private static final int POSITIONS_MAGIC = 0x45504d4c; // "EPML"
    /** A consumer name: what sinks, rules and bridges are called (also a file-safe word). */
    static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final Path dir;
    private final Wal wal;
    private volatile boolean fsync;
    private final Clock clock;
    private volatile long retentionBytes;
    private volatile long retentionMillis;
    private final long positionSaveMillis;
    private final Map<String, Registration> consumers = new LinkedHashMap<>();
    /** Every registered consumer's filters: what {@link #wanted} checks on each publish. */
    private volatile String[] filters = new String[0];
    private final Object signal = new Object();
    /** The newest messages as objects: caught-up readers take them from here (shared, so decoded once). */
    private final Tail tail = new Tail(TAIL_MESSAGES, TAIL_BYTES);
    private boolean positionsDirty;
    private long positionsSavedAt;
    private long retentionCheckedAt; // maintenance thread only
    /** Runs {@link #maintain}: position saves and retention. */
    private final java.util.concurrent.ScheduledExecutorService maintenance = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "edgeport-message-log");
                t.setDaemon(true);
                return t;
            });
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong appendedMessages = new AtomicLong();
    /**
     * Most bytes appended and not yet written before {@link #append} refuses: only reached while the disk refuses
     * writes (full, failing), so that memory stays bounded whatever the clients send; an eighth of the heap, at most
     * 64 MB.
     */
    private volatile long maxUnwritten = Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 8);
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean writeFailing;
    /** Why the last write failed, "" after a good one. */
    private volatile String writeError = "";
    /** Room left on the disk for the broker's state; -1: 5 % of the disk, at most 64 MB. */
    private volatile long reserveBytes = -1;
    private final java.nio.file.FileStore fileStore;
    private long refusedLogged; // guarded by refused's monitor
    private long refusedLoggedAt;
    private volatile boolean closed;

    /** A consumer's durable registration. */
    private static final class Registration {
        final String name;
        List<String> filters;
        long committed;
        Cursor open;

        Registration(String name, List<String> filters, long committed) {
            this.name = name;
            this.filters = filters;
            this.committed = committed;
        }
    }

    private MessageLog(Path dir, Wal wal, boolean fsync, Clock clock, long retentionBytes, long retentionMillis,
                       long positionSaveMillis) throws IOException {
        this.positionSaveMillis = positionSaveMillis;
        this.dir = dir;
        this.fileStore = Files.getFileStore(dir);
        this.wal = wal;
        this.fsync = fsync;
        this.clock = clock;
        this.retentionBytes = retentionBytes;
        this.retentionMillis = retentionMillis;
    }

    /**
     * Opens (or creates) the log in {@code dir}. Only the last segment is checked (a crash leaves at most its tail
     * torn); earlier segments were complete when the next one began.
     *
     * @param retentionBytes most log kept for consumers that lag, in bytes (at least two segments are kept)
     * @param retentionMillis oldest log kept for consumers that lag
     */
    public static MessageLog open(Path dir, boolean fsync, long retentionBytes, long retentionMillis, Clock clock)
            throws IOException {
        return open(dir, fsync, retentionBytes, retentionMillis, clock, SEGMENT_BYTES, POSITION_SAVE_MS);
    }

    /**
     * @param positionSaveMillis how often committed positions are saved (tests of consumers that must cope with a
     *        store that lost their last commits pass a long time and {@link #abandon} the log)
     */
    public static MessageLog open(Path dir, boolean fsync, long retentionBytes, long retentionMillis, Clock clock,
                                  long segmentBytes, long positionSaveMillis) throws IOException {
        Files.createDirectories(dir);
        List<Long> starts = Wal.segments(dir);
        Wal wal = Wal.open(dir, starts.isEmpty() ? 0 : starts.get(starts.size() - 1), fsync, segmentBytes, (type, body) -> {
            // only the tail is checked; records are read by consumers
        });
        MessageLog log;
        try {
            log = new MessageLog(dir, wal, fsync, clock, retentionBytes, retentionMillis, positionSaveMillis);
            log.loadPositions();
        } catch (IOException | RuntimeException e) {
            wal.close();
            throw e;
        }
        log.maintenance.scheduleWithFixedDelay(log::maintain, MAINTENANCE_MS, MAINTENANCE_MS, TimeUnit.MILLISECONDS);
        return log;
    }

    // ---- writing ----------------------------------------------------------------------------------------------------

    /** Whether some registered consumer wants messages on {@code topic}. Cheap; called for every publish. */
    public boolean wanted(String topic) {
        String[] all = filters;
        if (all.length == 0 || topic.startsWith("$")) {
            return false;
        }
        for (String f : all) {
            if (Topics.matches(f, topic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Appends a message (to memory; {@link #flush} writes it). Thread-safe.
     *
     * @return the position after its record
     */
    public long append(long timestampMillis, String clientId, String topic, int qos, boolean retain,
                       io.netty.buffer.ByteBuf payload) {
        byte[] bytes = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), bytes);
        return append(timestampMillis, clientId, topic, qos, retain, bytes);
    }

    /**
     * Same as the other append, with the payload as bytes; the log keeps {@code payload}: do not change it.
     *
     * @return the position after its record, or -1 when the log refused it: it cannot write (disk full) and holds
     *         the most it may keep in memory ({@link #refusedMessages()}); the caller must not acknowledge it
     */
    public long append(long timestampMillis, String clientId, String topic, int qos, boolean retain, byte[] payload) {
        String client = clientId == null ? "" : clientId;
        if (wal.bufferedBytes() >= maxUnwritten) {
            refuse();
            return -1;
        }
        appendedMessages.incrementAndGet();
        synchronized (tail) {
            long start = wal.appendedPosition();
            long end = wal.append(MESSAGE, out -> out.putLong(timestampMillis).putByte(qos | (retain ? 0x80 : 0))
                    .putString(client).putString(topic).putBytes(payload));
            tail.add(start, new StoredMessage(end, java.time.Instant.ofEpochMilli(timestampMillis), client, topic,
                    qos, retain, payload));
            return end;
        }
    }

    private void refuse() {
        long n = refused.incrementAndGet();
        synchronized (refused) {
            long now = System.nanoTime();
            if (refusedLoggedAt == 0 || now - refusedLoggedAt >= TimeUnit.MINUTES.toNanos(1)) {
                LOG.warn("Message log: cannot write to {} and holds {} KB unwritten: {} messages refused (QoS 1/2"
                        + " publishers are disconnected unacknowledged and send again later) since the last line",
                        dir, maxUnwritten >> 10, n - refusedLogged);
                refusedLogged = n;
                refusedLoggedAt = now;
            }
        }
    }

    /**
     * Refuses to write into the last {@link #reserveBytes} of the disk: that room is for the broker's own state, whose
     * checkpoints must never fail (see DurableState), and for the databases beside it. Messages wait in memory
     * meanwhile (bounded by {@link #maxUnwritten}) and their publishers wait for their acknowledgements.
     */
    private void keepReserve() throws IOException {
        int pending = wal.bufferedBytes();
        if (pending == 0) {
            return;
        }
        java.nio.file.FileStore fs = fileStore;
        long free = fs.getUsableSpace();
        long reserve = reserveBytes();
        if (free - pending < reserve) {
            throw new IOException(String.format(java.util.Locale.ROOT, "disk full: %.1f MB free on the disk of %s,"
                    + " less than the %.1f MB kept for the broker's state", free / 1048576.0, dir, reserve / 1048576.0));
        }
    }

    /** @return whether the last write failed (disk full, I/O error): nothing appended since is durable yet */
    public boolean writeFailing() {
        return writeFailing;
    }

    /** @return why the last write failed, "" when it did not */
    public String writeError() {
        return writeError;
    }

    /** @return bytes the log leaves free on its disk for the broker's own state (see {@link #keepReserve}) */
    public long reserveBytes() throws IOException {
        java.nio.file.FileStore fs = fileStore;
        return reserveBytes >= 0 ? reserveBytes : Math.min(64L * 1024 * 1024, fs.getTotalSpace() / 20);
    }

    /** @return bytes free on the log's disk */
    public long usableBytes() throws IOException {
        return fileStore.getUsableSpace();
    }

    /** @return most bytes of log kept for consumers that lag */
    public long retentionBytes() {
        return retentionBytes;
    }

    /** @return messages refused since the log was opened because it could not write (see {@link #append}) */
    public long refusedMessages() {
        return refused.get();
    }

    /** For tests: most bytes held unwritten before appends are refused. */
    public void maxUnwritten(long bytes) {
        this.maxUnwritten = bytes;
    }

    /**
     * Writes what was appended (the group committer calls this in each round) and wakes readers.
     */
    public long flush() throws IOException {
        long before = wal.durablePosition();
        long end;
        try {
            keepReserve();
            end = wal.flush();
            writeFailing = false;
            writeError = "";
        } catch (IOException | RuntimeException e) {
            writeFailing = true;
            writeError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw e;
        }
        if (end != before) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
        return end;
    }

    /**
     * Saves positions and applies retention when they are due: on a thread of its own, never on the group committer's,
     * whose rounds hold the devices' acknowledgements (retention may read a whole segment to count what it drops).
     */
    private void maintain() {
        try {
            long now = System.nanoTime();
            boolean save;
            synchronized (consumers) {
                save = !closed && positionsDirty
                        && now - positionsSavedAt >= TimeUnit.MILLISECONDS.toNanos(positionSaveMillis);
            }
            if (save) {
                savePositions();
            }
            if (now - retentionCheckedAt >= TimeUnit.MILLISECONDS.toNanos(RETENTION_CHECK_MS)) {
                retentionCheckedAt = now;
                applyRetention();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.warn("Message log: saving positions or applying retention failed: {}", e.toString());
            }
        }
    }

    /** Changes the retention limits; they apply at the next check (about a second). */
    public void setRetention(long bytes, long millis) {
        if (bytes < 1 || millis < 1) {
            throw new IllegalArgumentException("retention limits must be positive: " + bytes + " bytes, " + millis
                    + " ms");
        }
        this.retentionBytes = bytes;
        this.retentionMillis = millis;
    }

    /** Whether writes are forced to the device ({@code persistence_sync fsync}), as the broker's store does. */
    public void setFsync(boolean fsync) {
        this.fsync = fsync;
        wal.setFsync(fsync);
    }

    /** @return the folder of the log */
    public Path directory() {
        return dir;
    }

    /** @return the position after the last durable record: where a new consumer starts */
    public long end() {
        return wal.durablePosition();
    }

    /** Messages appended since the log was opened. */
    public long appendedMessages() {
        return appendedMessages.get();
    }

    /** Messages that consumers lost to retention since the log was opened. */
    public long droppedForRetention() {
        return dropped.get();
    }

    // ---- consumers --------------------------------------------------------------------------------------------------

    /**
     * Registers (or finds) the consumer {@code name} and opens it. A new consumer starts at the end of the log; a
     * known one where it committed last, with its filters replaced by {@code topicFilters} (they apply to what is
     * logged from now on). One open cursor per name: opening again closes the previous cursor.
     */
    @Override
    public Cursor open(String name, Collection<String> topicFilters) throws IOException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("consumer name must match " + NAME + ": '" + name + "'");
        }
        List<String> list = List.copyOf(topicFilters);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("consumer '" + name + "' names no topic filter");
        }
        for (String f : list) {
            if (!Topics.isValidFilter(f)) {
                throw new IllegalArgumentException("consumer '" + name + "': not a valid topic filter: '" + f + "'");
            }
        }
        Cursor cursor;
        boolean changed;
        synchronized (consumers) {
            if (closed) {
                throw new IllegalStateException("message log closed");
            }
            Registration r = consumers.get(name);
            changed = r == null || !r.filters.equals(list);
            if (r == null) {
                r = new Registration(name, list, wal.appendedPosition());
                consumers.put(name, r);
            } else {
                r.filters = list;
            }
            if (r.open != null) {
                r.open.closed = true;
            }
            cursor = new Cursor(r);
            r.open = cursor;
            if (changed) {
                rebuildFilters();
            }
        }
        if (changed) {
            savePositions();
        }
        return cursor;
    }

    /** Forgets a consumer and its position (its configuration was deleted); what only it wanted may be deleted. */
    @Override
    public void remove(String name) throws IOException {
        boolean removed;
        synchronized (consumers) {
            Registration r = consumers.remove(name);
            removed = r != null;
            if (r != null && r.open != null) {
                r.open.closed = true;
            }
            rebuildFilters();
        }
        if (removed) {
            savePositions();
        }
    }

    @Override
    public StoreStatistics statistics() {
        long end = wal.durablePosition();
        List<StoreStatistics.ConsumerPosition> list = new ArrayList<>();
        synchronized (consumers) {
            for (Registration r : consumers.values()) {
                list.add(new StoreStatistics.ConsumerPosition(r.name, r.committed, Math.max(0, end - r.committed),
                        r.open != null));
            }
        }
        return new StoreStatistics(end, appendedMessages.get(), dropped.get(), list);
    }

    /** Registered consumers and their committed positions (for statistics). */
    public Map<String, Long> positions() {
        Map<String, Long> out = new LinkedHashMap<>();
        synchronized (consumers) {
            consumers.values().forEach(r -> out.put(r.name, r.committed));
        }
        return out;
    }

    private void rebuildFilters() {
        List<String> all = new ArrayList<>();
        for (Registration r : consumers.values()) {
            for (String f : r.filters) {
                if (!all.contains(f)) {
                    all.add(f);
                }
            }
        }
        filters = all.toArray(new String[0]);
    }

    /** A consumer's reading position: one thread at a time. */
    public final class Cursor implements StoreCursor {
        private final Registration registration;
        private final Wal.Reader reader;
        private final String[] own;
        private volatile boolean closed;

        private Cursor(Registration r) {
            this.registration = r;
            this.reader = wal.reader(r.committed);
            this.own = r.filters.toArray(new String[0]);
        }

        @Override
        public String name() {
            return registration.name;
        }

        /**
         * Reads up to {@code max} messages that match this consumer's filters, waiting up to {@code timeoutMillis}
         * for the first one.
         *
         * @return the messages, in log order; empty on timeout
         */
        @Override
        public List<StoredMessage> poll(int max, long timeoutMillis) throws IOException, InterruptedException {
            List<StoredMessage> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                check();
                long committed = committed();
                if (committed > reader.position()) {
                    reader.seek(committed); // retention moved this consumer past messages that are gone
                }
                int tailRead = fromTail(out, max);
                if (!out.isEmpty()) {
                    return out;
                }
                if (tailRead > 0) {
                    continue; // only messages for other consumers: look again
                }
                long skippedBefore = reader.skipped();
                Wal.Record r;
                while (tailRead < 0 && out.size() < max && (r = reader.next()) != null) {
                    if (r.type() != MESSAGE) {
                        continue;
                    }
                    ByteBuffer b = r.body();
                    long ts = b.getLong();
                    int flags = b.get() & 0xff;
                    String client = Wal.getString(b);
                    String topic = Wal.getString(b);
                    if (!matchesAny(topic)) {
                        continue;
                    }
                    out.add(new StoredMessage(r.end(), java.time.Instant.ofEpochMilli(ts), client, topic,
                            flags & 0x03, (flags & 0x80) != 0, Wal.getBytes(b)));
                }
                if (reader.skipped() != skippedBefore) {
                    LOG.debug("Consumer '{}' skipped {} bytes of the message log that were no longer there",
                            registration.name, reader.skipped() - skippedBefore);
                }
                if (!out.isEmpty()) {
                    return out;
                }
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    return out;
                }
                synchronized (signal) {
                    if (wal.durablePosition() <= reader.position() && !closed) {
                        TimeUnit.NANOSECONDS.timedWait(signal, Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
                    }
                }
            }
        }

        /**
         * Takes durable messages from the in-memory tail when the reader's position is in it.
         *
         * @return -1 when the position is not in the tail, 0 when nothing durable follows it, 1 when it moved on
         */
        private int fromTail(List<StoredMessage> out, int max) {
            long durableEnd = wal.durablePosition();
            long at = reader.position();
            synchronized (tail) {
                int i = tail.indexOf(at);
                if (i < 0) {
                    return -1;
                }
                long next = at;
                for (; i < tail.size() && out.size() < max; i++) {
                    StoredMessage m = tail.get(i);
                    if (m.position() > durableEnd) {
                        break;
                    }
                    next = m.position();
                    if (matchesAny(m.topic())) {
                        out.add(m);
                    }
                }
                if (next != at) {
                    reader.seek(next);
                }
                return next == at ? 0 : 1;
            }
        }

        private boolean matchesAny(String topic) {
            for (String f : own) {
                if (Topics.matches(f, topic)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Records that everything up to {@code position} (a {@link StoredMessage#position()} this cursor returned, or
         * one the consumer kept itself) is done: the log may delete it. Saved within {@link #POSITION_SAVE_MS}.
         */
        @Override
        public void commit(long position) {
            check();
            synchronized (consumers) {
                if (position > registration.committed) {
                    registration.committed = position;
                    positionsDirty = true;
                }
            }
        }

        /** @return the last committed position */
        @Override
        public long committed() {
            synchronized (consumers) {
                return registration.committed;
            }
        }

        /**
         * Continues reading from {@code position}: for a consumer that keeps its position in its own storage (in the
         * same transaction as its data) and is ahead of the log's saved one after a crash. Also commits it.
         */
        @Override
        public void seek(long position) {
            check();
            reader.seek(position);
            commit(position);
        }

        /** Bytes of log this consumer has not read. */
        @Override
        public long lagBytes() {
            return Math.max(0, wal.durablePosition() - reader.position());
        }

        private void check() {
            if (closed || MessageLog.this.closed) {
                throw new IllegalStateException("consumer '" + registration.name + "' is closed");
            }
        }

        @Override
        public void close() {
            closed = true;
            synchronized (consumers) {
                if (registration.open == this) {
                    registration.open = null;
                }
            }
            synchronized (signal) {
                signal.notifyAll();
            }
            try {
                reader.close();
            } catch (IOException e) {
                LOG.debug("Closing consumer '{}': {}", registration.name, e.toString());
            }
        }
    }

    /** A ring of the newest messages with their start positions, in log order; guarded by its own monitor. */
    private static final class Tail {
        private final long[] starts;
        private final StoredMessage[] messages;
        private final long maxBytes;
        private int head;
        private int size;
        private long bytes;

        Tail(int capacity, long maxBytes) {
            this.starts = new long[capacity];
            this.messages = new StoredMessage[capacity];
            this.maxBytes = maxBytes;
        }

        void add(long start, StoredMessage m) {
            while (size > 0 && (size == starts.length || bytes + m.payload().length > maxBytes)) {
                StoredMessage old = messages[head];
                bytes -= old.payload().length;
                messages[head] = null;
                head = (head + 1) % starts.length;
                size--;
            }
            int slot = (head + size) % starts.length;
            starts[slot] = start;
            messages[slot] = m;
            bytes += m.payload().length;
            size++;
        }

        int size() {
            return size;
        }

        StoredMessage get(int i) {
            return messages[(head + i) % starts.length];
        }

        /** @return the index of the message that starts at {@code position}, or -1 */
        int indexOf(long position) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long s = starts[(head + mid) % starts.length];
                if (s < position) {
                    lo = mid + 1;
                } else if (s > position) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }
    }

    // ---- retention --------------------------------------------------------------------------------------------------

    void applyRetention() throws IOException {
        List<Long> starts = wal.segments();
        if (starts.size() < 2) {
            return;
        }
        long min = Long.MAX_VALUE;
        synchronized (consumers) {
            for (Registration r : consumers.values()) {
                min = Math.min(min, r.committed);
            }
        }
        long end = wal.appendedPosition();
        long keepFrom = min == Long.MAX_VALUE ? end : min;
        // beyond the limits: the oldest segments go even if someone still needs them
        long cutoffMillis = clock.millis() - retentionMillis;
        long cut = -1;
        String setting = null;
        for (int i = 0; i < starts.size() - 1; i++) { // never the segment being written
            boolean tooBig = end - starts.get(i) > retentionBytes;
            boolean tooOld = lastModified(starts.get(i)) < cutoffMillis;
            if (!tooBig && !tooOld) {
                break;
            }
            cut = starts.get(i + 1);
            setting = tooBig ? "store_retention_bytes" : "store_retention_age";
        }
        if (cut > keepFrom) {
            dropForRetention(cut, setting);
            keepFrom = cut;
        }
        wal.deleteBefore(keepFrom);
    }

    private long lastModified(long segmentStart) {
        try {
            FileTime t = Files.getLastModifiedTime(dir.resolve(String.format("%020d.wal", segmentStart)));
            return t.toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Moves every consumer that has not read up to {@code cut} there, counting and logging what each loses. */
    private void dropForRetention(long cut, String setting) throws IOException {
        List<Registration> behind = new ArrayList<>();
        synchronized (consumers) {
            for (Registration r : consumers.values()) {
                if (r.committed < cut) {
                    behind.add(r);
                }
            }
        }
        for (Registration r : behind) {
            long lost = 0;
            List<String> own = r.filters;
            try (Wal.Reader reader = wal.reader(r.committed)) {
                Wal.Record rec;
                while (reader.position() < cut && (rec = reader.next()) != null) {
                    if (rec.type() == MESSAGE) {
                        ByteBuffer b = rec.body();
                        b.getLong();
                        b.get();
                        Wal.getString(b);
                        String topic = Wal.getString(b);
                        for (String f : own) {
                            if (Topics.matches(f, topic)) {
                                lost++;
                                break;
                            }
                        }
                    }
                }
            }
            synchronized (consumers) {
                if (r.committed < cut) {
                    r.committed = cut;
                    positionsDirty = true;
                }
            }
            if (lost > 0) {
                dropped.addAndGet(lost);
                LOG.warn("Message log: {} messages consumer '{}' had not read were deleted ({} reached); it continues"
                        + " after them", lost, r.name, setting);
            }
        }
    }

    // ---- positions file ---------------------------------------------------------------------------------------------

    private void loadPositions() throws IOException {
        Path file = dir.resolve(POSITIONS);
        if (!Files.exists(file)) {
            return;
        }
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) {
            throw new IOException(file + " is cut short");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        ByteBuffer b = ByteBuffer.wrap(all);
        if (b.getInt(all.length - 4) != (int) crc.getValue() || b.getInt() != POSITIONS_MAGIC) {
            throw new IOException(file + " is damaged (checksum)");
        }
        long end = wal.appendedPosition();
        int n = b.getInt();
        for (int i = 0; i < n; i++) {
            String name = Wal.getString(b);
            long position = b.getLong();
            int count = b.getInt();
            List<String> filters = new ArrayList<>(count);
            for (int j = 0; j < count; j++) {
                filters.add(Wal.getString(b));
            }
            if (position > end) {
                // records the consumer had read were lost with the OS (power cut with persistence_sync write)
                LOG.warn("Message log: consumer '{}' was at position {}, after the end of the log ({}): it continues"
                        + " at the end", name, position, end);
                position = end;
            }
            consumers.put(name, new Registration(name, List.copyOf(filters), position));
        }
        rebuildFilters();
    }

    /**
     * Writes every registration to a new file and moves it over the old one. Serialised: registrations (caller's
     * thread), maintenance and close each write the same temporary file.
     */
    synchronized void savePositions() throws IOException {
        byte[] bytes;
        synchronized (consumers) {
            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream out = new java.io.DataOutputStream(raw);
            out.writeInt(POSITIONS_MAGIC);
            out.writeInt(consumers.size());
            for (Registration r : consumers.values()) {
                writeString(out, r.name);
                out.writeLong(r.committed);
                out.writeInt(r.filters.size());
                for (String f : r.filters) {
                    writeString(out, f);
                }
            }
            CRC32C crc = new CRC32C();
            crc.update(raw.toByteArray());
            out.writeInt((int) crc.getValue());
            bytes = raw.toByteArray();
            positionsDirty = false;
            positionsSavedAt = System.nanoTime();
        }
        Path tmp = dir.resolve(POSITIONS + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (fsync) {
                ch.force(true);
            }
        }
        try {
            Files.move(tmp, dir.resolve(POSITIONS), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(POSITIONS), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeString(java.io.DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** Stops without writing anything more, neither log nor positions: what a crash does (tests). */
    public void abandon() throws IOException {
        synchronized (consumers) {
            closed = true;
            consumers.values().forEach(r -> {
                if (r.open != null) {
                    r.open.closed = true;
                }
            });
        }
        stopMaintenance();
        wal.flush(); // what was appended had reached the OS in a real run before anyone read it
        wal.abandon();
    }

    @Override
    public void close() throws IOException {
        synchronized (consumers) {
            closed = true;
            consumers.values().forEach(r -> {
                if (r.open != null) {
                    r.open.closed = true;
                }
            });
        }
        synchronized (signal) {
            signal.notifyAll();
        }
        stopMaintenance();
        try {
            wal.close();
        } finally {
            savePositions();
        }
    }

    private void stopMaintenance() {
        maintenance.shutdownNow();
        try {
            maintenance.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

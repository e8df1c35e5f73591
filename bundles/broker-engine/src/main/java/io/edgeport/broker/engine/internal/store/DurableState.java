package io.edgeport.broker.engine.internal.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.IQueueRepository;
import io.moquette.broker.IRetainedRepository;
import io.moquette.broker.ISessionsRepository;
import io.moquette.broker.ISubscriptionsRepository;
import io.moquette.broker.RetainedMessage;
import io.moquette.broker.SessionMessageQueue;
import io.moquette.broker.SessionRegistry;
import io.moquette.broker.subscriptions.Subscription;
import io.moquette.broker.subscriptions.Topic;
import io.moquette.persistence.H2QueueRepository;
import io.moquette.persistence.H2Builder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * The broker's durable state: Moquette's H2 MVStore (sessions, subscriptions, retained messages) plus our own queues
 * and in-flight records, made crash-safe by a write-ahead {@link Wal}.
 *
 * <p>Every change goes to the MVStore's maps (in memory) and, in the same step, as a record to the log; the log is
 * written in groups by {@link GroupCommit} before any acknowledgement that depends on it leaves the broker. The MVStore
 * itself is committed only at checkpoints ({@link #checkpoint()}: every {@code autosave_interval} seconds or every
 * {@link #CHECKPOINT_BYTES} of log), which also record the log position they cover; older log segments are then
 * deleted. Recovery opens the MVStore at its last checkpoint and replays the log from the position it recorded.
 * Replay is idempotent (records carry keys and indexes, not increments), so records that the checkpoint already holds
 * are harmless — which is what makes it safe to commit the MVStore while the broker keeps changing it.
 *
 * <p>Why a log rather than committing the MVStore before each acknowledgement: measured on this 2-core VM (see
 * docs/store.md), an MVStore commit every 10 messages ran at 53–142k msg/s but grew the file by 790 MB for 300,000
 * messages (each commit writes a new chunk that is kept for 45 s); one commit per message: 5–6k msg/s and 6.6 GB. The
 * log takes 1.4–2.5 M records/s in groups of 10 with no growth beyond its records.
 *
 * <p>Threading: the repositories are called on the broker's session loops; changes to the same key are serialised by
 * the log's lock (change + record as one step), so the log orders them as the maps saw them.
 */
public final class DurableState implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableState.class);

    static final byte QUEUE_CREATE = 1;
    static final byte QUEUE_PUT = 2;
    static final byte QUEUE_REMOVE = 3;
    static final byte QUEUE_DROP = 4;
    static final byte RETAIN_PUT = 5;
    static final byte RETAIN_DELETE = 6;
    static final byte SUB_ADD = 7;
    static final byte SUB_REMOVE = 8;
    static final byte SESSION_SAVE = 9;
    static final byte SESSION_DELETE = 10;
    static final byte INFLIGHT_PUT = 11;
    static final byte INFLIGHT_REMOVE = 12;
    static final byte QOS2_MARK = 13;
    static final byte QOS2_CLEAR = 14;
    /**
     * One step of a persistent session's in-flight window, as one record so that a crash keeps all of it or none:
     * [key][queue index taken, or NONE (Long.MIN_VALUE: indexes go below 0 when messages are put back in front)][key of the record it replaces, or ""][value]. A message leaves its queue in the
     * same record that puts it in flight (two records could be split by a flush and a kill between them: the message
     * in neither, lost — seen once in 25 crash-test kills); a PUBREL marker replaces its QoS 2 message the same way.
     */
    static final byte INFLIGHT_MOVE = 15;
    /** No queue index (indexes can be negative: messages put back in front of a queue). */
    static final long NONE = Long.MIN_VALUE;

    /** The MVStore file: Moquette's name, so data of earlier versions opens. */
    public static final String STORE_FILE = "moquette_store.h2";
    public static final String LOG_DIR = "log";
    static final String QUEUE_PREFIX = "edgeport_queue_";
    static final String META = "edgeport_meta";
    static final String CHECKPOINT_KEY = "log.checkpoint";
    /** A checkpoint is due after this much log, whatever the interval: bounds recovery time and disk use. */
    public static final long CHECKPOINT_BYTES = 8L * 1024 * 1024;
    static final long SEGMENT_BYTES = 16L * 1024 * 1024;
    static final int COMPACT_BELOW_FILL_RATE = 50;
    static final int COMPACT_WRITE_BYTES = 4 * 1024 * 1024;

    private final MVStore store;
    private final Wal wal;
    private final Clock clock;
    private final MVMap<String, Long> meta;
    private final MVMap<String, byte[]> inflight;
    private final MVMap<String, Long> qos2;
    private final IRetainedRepository retainedStore;
    private final ISubscriptionsRepository subscriptionsStore;
    private final ISessionsRepository sessionsStore;
    private final Map<String, DurableQueue> queues = new ConcurrentHashMap<>();
    private final AtomicLong inflightSeq = new AtomicLong();
    private final Object checkpointLock = new Object();
    private final Path logDir;
    private volatile long checkpointPosition;
    /** Log before this is deleted: the checkpoint before the last one, so one MVStore version of slack remains. */
    private volatile long keepLogFrom;
    private volatile long checkpointAt;
    /** What {@link #open} found and did, for its log line and for tests. */
    public final Recovery recovery = new Recovery();

    /** Figures of the last open. */
    public static final class Recovery {
        public long millis;
        public long storeMillis;
        public long replayMillis;
        public long records;
        public long bytes;
        public long migratedMessages;
        /** The store file needed log records that were no longer there. */
        public boolean logMissing;
    }

    private DurableState(MVStore store, Clock clock, Function<MVStore, H2Builder> moquette, Path logDir,
                         boolean fsync) throws IOException {
        this.store = store;
        this.clock = clock;
        this.logDir = logDir;
        this.meta = store.openMap(META);
        this.inflight = store.openMap("edgeport_inflight");
        this.qos2 = store.openMap("edgeport_qos2_received");
        H2Builder h2 = moquette.apply(store);
        this.retainedStore = h2.retainedRepository();
        this.subscriptionsStore = h2.subscriptionsRepository();
        this.sessionsStore = h2.sessionsRepository();
        for (String name : store.getMapNames()) {
            if (name.startsWith(QUEUE_PREFIX)) {
                String clientId = name.substring(QUEUE_PREFIX.length());
                queues.put(clientId, new DurableQueue(clientId, store.openMap(name)));
            }
        }
        if (!inflight.isEmpty()) {
            inflightSeq.set(seqOf(inflight.lastKey()));
        }
        long from = meta.getOrDefault(CHECKPOINT_KEY, 0L);
        long[] counts = new long[2];
        long t0 = System.nanoTime();
        Long firstSegment = Wal.firstSegment(logDir);
        if (firstSegment != null && firstSegment > from) {
            LOG.error("Broker store: the checkpoint in {} needs the store log from position {}, but the log starts at"
                    + " {}: the store file is older than the log (restored from a backup, or damaged); changes in"
                    + " between are missing", STORE_FILE, from, firstSegment);
            recovery.logMissing = true;
        }
        this.wal = Wal.open(logDir, from, fsync, SEGMENT_BYTES, (type, body) -> {
            counts[0]++;
            counts[1] += body.remaining() + Wal.HEADER;
            replay(type, body);
        });
        recovery.replayMillis = (System.nanoTime() - t0) / 1_000_000;
        recovery.records = counts[0];
        recovery.bytes = counts[1];
        checkpointPosition = from;
        keepLogFrom = from;
        checkpointAt = System.nanoTime();
    }

    /**
     * Opens the store in {@code dir} ({@value #STORE_FILE} and the {@value #LOG_DIR}/ folder), replaying the log.
     *
     * @param moquette Moquette's repositories on the MVStore (some of their classes are not public)
     * @param fsync force the log to the device at each commit (survives a power cut), not only to the OS
     */
    public static DurableState open(Path dir, Clock clock, Function<MVStore, H2Builder> moquette,
                                    boolean fsync) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        MVStore store = new MVStore.Builder().fileName(dir.resolve(STORE_FILE).toString()).autoCommitDisabled()
                .open();
        // H2's default chunk retention (45 s) is kept: freed space is reused after it, which bounds the file (a
        // retention of 0 would reuse chunks at once, but H2 then finds its newest chunk less reliably after a crash).
        long opened = System.nanoTime();
        try {
            DurableState state = new DurableState(store, clock, moquette, dir.resolve(LOG_DIR), fsync);
            state.recovery.migratedMessages = state.migrateMoquetteQueues();
            state.recovery.millis = (System.nanoTime() - t0) / 1_000_000;
            state.recovery.storeMillis = (opened - t0) / 1_000_000;
            return state;
        } catch (IOException | RuntimeException | Error e) {
            store.closeImmediately();
            throw e;
        }
    }

    // ---- log records ------------------------------------------------------------------------------------------------

    private void replay(byte type, ByteBuffer in) {
        switch (type) {
            case QUEUE_CREATE -> queueFor(Wal.getString(in));
            case QUEUE_PUT -> {
                DurableQueue q = queueFor(Wal.getString(in));
                long index = in.getLong();
                q.applyPut(index, Wal.getBytes(in));
            }
            case QUEUE_REMOVE -> {
                DurableQueue q = queues.get(Wal.getString(in));
                long index = in.getLong();
                if (q != null) {
                    q.applyRemove(index);
                }
            }
            case QUEUE_DROP -> dropQueue(Wal.getString(in));
            case RETAIN_PUT -> {
                String topic = Wal.getString(in);
                MqttQoS qos = MqttQoS.valueOf(in.get());
                retainedStore.retain(new Topic(topic), publish(topic, qos, true, Wal.getBytes(in)));
            }
            case RETAIN_DELETE -> retainedStore.cleanRetained(new Topic(Wal.getString(in)));
            case SUB_ADD -> {
                String clientId = Wal.getString(in);
                String filter = Wal.getString(in);
                subscriptionsStore.addNewSubscription(new Subscription(clientId, new Topic(filter),
                        MqttQoS.valueOf(in.get())));
            }
            case SUB_REMOVE -> {
                String clientId = Wal.getString(in);
                subscriptionsStore.removeSubscription(Wal.getString(in), clientId);
            }
            case SESSION_SAVE -> {
                String clientId = Wal.getString(in);
                int interval = in.getInt();
                long expireAt = in.getLong();
                sessionsStore.saveSession(expireAt < 0
                        ? new ISessionsRepository.SessionData(clientId, MqttVersion.MQTT_3_1_1, interval, clock)
                        : new ISessionsRepository.SessionData(clientId, Instant.ofEpochMilli(expireAt),
                                MqttVersion.MQTT_3_1_1, interval, clock));
            }
            case SESSION_DELETE -> sessionsStore.delete(
                    new ISessionsRepository.SessionData(Wal.getString(in), MqttVersion.MQTT_3_1_1, 0, clock));
            case INFLIGHT_PUT -> {
                String key = Wal.getString(in);
                inflight.put(key, Wal.getBytes(in));
                inflightSeq.accumulateAndGet(seqOf(key), Math::max);
            }
            case INFLIGHT_REMOVE -> inflight.remove(Wal.getString(in));
            case INFLIGHT_MOVE -> {
                String key = Wal.getString(in);
                long taken = in.getLong();
                String replaced = Wal.getString(in);
                DurableQueue q = taken == NONE ? null : queues.get(key.substring(0, key.lastIndexOf('\u0000')));
                if (q != null) {
                    q.applyRemove(taken);
                }
                if (!replaced.isEmpty()) {
                    inflight.remove(replaced);
                }
                inflight.put(key, Wal.getBytes(in));
                inflightSeq.accumulateAndGet(seqOf(key), Math::max);
            }
            case QOS2_MARK -> qos2.put(Wal.getString(in), 0L);
            case QOS2_CLEAR -> qos2.remove(Wal.getString(in));
            default -> throw new IllegalStateException("unknown store log record type " + type);
        }
    }

    private static MqttPublishMessage publish(String topic, MqttQoS qos, boolean retain, byte[] payload) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, retain, 0),
                new MqttPublishVariableHeader(topic, 0), Unpooled.wrappedBuffer(payload));
    }

    /** A message as the queues and in-flight records keep it: qos, topic, payload. */
    static byte[] encode(SessionRegistry.PublishedMessage m) {
        byte[] topic = m.getTopic().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuf p = m.getPayload();
        int len = p.readableBytes();
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + topic.length + len);
        b.put((byte) m.getPublishingQos().value()).putInt(topic.length).put(topic);
        p.getBytes(p.readerIndex(), b.array(), b.position(), len);
        return b.array();
    }

    static SessionRegistry.PublishedMessage decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        MqttQoS qos = MqttQoS.valueOf(b.get());
        String topic = new String(Wal.getBytes(b), java.nio.charset.StandardCharsets.UTF_8);
        return new SessionRegistry.PublishedMessage(new Topic(topic), qos,
                Unpooled.wrappedBuffer(bytes, b.position(), b.remaining()), false);
    }

    // ---- checkpoints ------------------------------------------------------------------------------------------------

    /** @return whether a checkpoint is due: {@code intervalMillis} passed or {@link #CHECKPOINT_BYTES} of log */
    public boolean checkpointDue(long intervalMillis) {
        return wal.bytesSince(checkpointPosition) >= CHECKPOINT_BYTES
                || (System.nanoTime() - checkpointAt) / 1_000_000 >= intervalMillis
                        && wal.appendedPosition() > checkpointPosition;
    }

    /**
     * Commits the MVStore with the log position it covers, then deletes the log segments no longer needed. Safe
     * while the broker runs; one at a time.
     */
    public void checkpoint() {
        synchronized (checkpointLock) {
            ensureRoomForCheckpoint();
            checkpointAt(wal.appendedPosition()); // every change before it was made before it was logged
        }
    }

    /** Free space a checkpoint needs at least, besides twice the log it covers. */
    static final long CHECKPOINT_MIN_FREE = 2L * 1024 * 1024;

    /**
     * A checkpoint writes to the MVStore, and H2 closes an MVStore for good when a write fails (every later call says
     * "closed" until the broker restarts), so a checkpoint waits until there is room: the log keeps every change
     * meanwhile, and the message log leaves a reserve on the disk for this ({@link MessageLog}).
     */
    private void ensureRoomForCheckpoint() {
        long free;
        try {
            free = Files.getFileStore(logDir).getUsableSpace();
        } catch (IOException e) {
            return; // cannot tell: try
        }
        if (free < CHECKPOINT_MIN_FREE + 2 * wal.bytesSince(checkpointPosition)) {
            throw new IllegalStateException("postponed: too little free space on the disk of " + logDir.getParent()
                    + " (the store log keeps every change until there is room)");
        }
    }

    /**
     * A checkpoint that records {@code position} but commits the maps as they are now, so it may hold changes whose
     * log records come after {@code position}: what happens when the broker changes the store during a checkpoint.
     */
    void checkpointAt(long position) {
        synchronized (checkpointLock) {
            meta.put(CHECKPOINT_KEY, position);
            long version = store.getCurrentVersion();
            store.commit();
            if (store.getCurrentVersion() == version) {
                // MVStore skips a commit when another thread is storing: then nothing here is on disk yet
                throw new IllegalStateException("the store's commit was skipped; the checkpoint is retried");
            }
            store.sync(); // the log before it may now go: the MVStore must be on the device first
            if (store.getChunksFillRate() < COMPACT_BELOW_FILL_RATE) {
                // live pages of sparse chunks move to a new one, so their space can be reused (bounded work)
                store.compact(COMPACT_BELOW_FILL_RATE, COMPACT_WRITE_BYTES);
                store.commit();
                store.sync();
            }
            long deleteBefore = keepLogFrom;
            keepLogFrom = checkpointPosition;
            checkpointPosition = position;
            checkpointAt = System.nanoTime();
            try {
                wal.deleteBefore(deleteBefore);
            } catch (IOException e) {
                LOG.warn("Cannot delete old store log segments: {}", e.toString());
            }
        }
    }

    /** The log, for the group committer ({@link Wal#flush()}). */
    public Wal log() {
        return wal;
    }

    private Thread checkpointer;
    private volatile boolean stopping;
    private final Object checkpointerSignal = new Object();

    /**
     * Starts the checkpoint thread: every second it checks {@link #checkpointDue(long)}. A thread of its own, never
     * interrupted (an interrupt during H2's file I/O closes its file channel), stopped by {@link #close()}.
     */
    public void startCheckpoints(long intervalMillis) {
        checkpointer = new Thread(() -> {
            String lastFailure = null;
            while (!stopping) {
                synchronized (checkpointerSignal) {
                    try {
                        checkpointerSignal.wait(1_000);
                    } catch (InterruptedException e) {
                        // only close() ends this thread
                    }
                }
                if (stopping) {
                    return;
                }
                try {
                    if (checkpointDue(intervalMillis)) {
                        checkpoint();
                        lastFailure = null;
                    }
                } catch (RuntimeException e) {
                    if (!e.toString().equals(lastFailure)) { // once per kind: a full disk fails every second
                        LOG.warn("Broker store checkpoint failed (the log keeps everything; retried every second):"
                                + " {}", e.toString());
                        lastFailure = e.toString();
                    }
                }
            }
        }, "edgeport-store-checkpoint");
        checkpointer.setDaemon(true);
        checkpointer.start();
    }

    /** Writes the log, checkpoints and closes everything (a clean stop: the next start replays nothing). */
    @Override
    public void close() throws IOException {
        stopping = true;
        if (checkpointer != null) {
            synchronized (checkpointerSignal) {
                checkpointerSignal.notifyAll();
            }
            try {
                checkpointer.join(60_000); // a checkpoint in progress finishes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean checkpointed = false;
        try {
            wal.flush();
            checkpoint();
            checkpointed = true;
        } finally {
            try {
                wal.close();
            } finally {
                if (checkpointed) {
                    store.close();
                } else {
                    store.closeImmediately(); // it could not be written (disk full?): the log replays at the start
                }
            }
        }
    }

    /** Drops what was not written, as kill -9 does (tests). */
    void crash() throws IOException {
        wal.abandon();
        store.closeImmediately();
    }

    // ---- queues -----------------------------------------------------------------------------------------------------

    private DurableQueue queueFor(String clientId) {
        return queues.computeIfAbsent(clientId, id -> new DurableQueue(id, store.openMap(QUEUE_PREFIX + id)));
    }

    private void dropQueue(String clientId) {
        DurableQueue q = queues.remove(clientId);
        if (store.hasMap(QUEUE_PREFIX + clientId)) {
            store.removeMap(QUEUE_PREFIX + clientId);
        }
        if (q != null) {
            q.closed = true;
        }
    }

    /** Queues of persistent sessions, one MVMap each, replacing Moquette's H2 queues. */
    public IQueueRepository queues() {
        return new IQueueRepository() {
            @Override
            public Set<String> listQueueNames() {
                return new java.util.HashSet<>(queues.keySet());
            }

            @Override
            public boolean containsQueue(String clientId) {
                return queues.containsKey(clientId);
            }

            @Override
            public SessionMessageQueue<SessionRegistry.EnqueuedMessage> getOrCreateQueue(String clientId) {
                DurableQueue q = queues.get(clientId);
                if (q != null) {
                    return q;
                }
                DurableQueue[] made = new DurableQueue[1];
                wal.appendAfter(() -> made[0] = queueFor(clientId), QUEUE_CREATE, o -> o.putString(clientId));
                return made[0];
            }

            @Override
            public void close() {
                // the store closes them
            }
        };
    }

    /** @return messages waiting in a persistent session's queue (0 when it has none) */
    public long queued(String clientId) {
        DurableQueue q = queues.get(clientId);
        return q == null ? 0 : q.size();
    }

    /** @return messages waiting in persistent queues */
    public long queuedMessages() {
        long n = 0;
        for (DurableQueue q : queues.values()) {
            n += q.size();
        }
        return n;
    }

    /**
     * One persistent session's queue. head/tail are indexes of the MVMap's keys; a message's index never changes, so
     * its log records can be replayed any number of times. Confined to the session's loop, as Moquette's queues are.
     */
    final class DurableQueue implements SessionMessageQueue<SessionRegistry.EnqueuedMessage> {
        private final String clientId;
        private final MVMap<Long, byte[]> map;
        private volatile long head;
        private volatile long tail;
        volatile boolean closed;
        /**
         * The index of the message {@link #dequeue()} handed out last, still in the map and not yet logged as removed:
         * its removal is logged with its in-flight record ({@link #putInflight}), or at the next dequeue. NONE if none.
         */
        private long taken = NONE;

        DurableQueue(String clientId, MVMap<Long, byte[]> map) {
            this.clientId = clientId;
            this.map = map;
            Long first = map.firstKey();
            this.head = first == null ? 0 : first;
            this.tail = first == null ? 0 : map.lastKey() + 1;
        }

        void applyPut(long index, byte[] bytes) {
            map.put(index, bytes);
            if (map.size() == 1) {
                head = index;
                tail = index + 1;
            } else {
                head = Math.min(head, index);
                tail = Math.max(tail, index + 1);
            }
        }

        void applyRemove(long index) {
            map.remove(index);
            if (index == head) {
                Long first = map.firstKey();
                head = first == null ? tail : first;
            }
        }

        long size() {
            return map.size();
        }

        /** @return messages not yet handed out */
        private long available() {
            return map.size() - (taken != NONE ? 1 : 0);
        }

        /** @return the index handed out by the last dequeue and not yet logged as removed (now the caller's), or NONE */
        long claimTaken() {
            long t = taken;
            taken = NONE;
            return t;
        }

        /** Logs the removal of a message handed out without an in-flight record (not done by Moquette's drain). */
        private void logTaken() {
            long t = claimTaken();
            if (t != NONE) {
                wal.appendAfter(() -> applyRemove(t), QUEUE_REMOVE, o -> o.putString(clientId).putLong(t));
            }
        }

        @Override
        public void enqueue(SessionRegistry.EnqueuedMessage message) {
            if (!(message instanceof SessionRegistry.PublishedMessage p)) {
                message.release();
                return;
            }
            try {
                byte[] bytes = encode(p);
                long index = tail;
                wal.appendAfter(() -> applyPut(index, bytes), QUEUE_PUT,
                        o -> o.putString(clientId).putLong(index).putBytes(bytes));
            } finally {
                message.release(); // the caller handed its reference over; we keep bytes
            }
        }

        /** Puts messages back in front of the queue, {@code first} first (recovery of in-flight messages). */
        void pushFront(List<byte[]> first) {
            for (int i = first.size() - 1; i >= 0; i--) {
                byte[] bytes = first.get(i);
                long index = (map.isEmpty() ? tail : head) - 1;
                wal.appendAfter(() -> applyPut(index, bytes), QUEUE_PUT,
                        o -> o.putString(clientId).putLong(index).putBytes(bytes));
            }
        }

        @Override
        public SessionRegistry.EnqueuedMessage dequeue() {
            if (closed) {
                return null;
            }
            logTaken();
            if (map.isEmpty()) {
                return null;
            }
            long index = head;
            byte[] bytes = map.get(index);
            if (bytes == null) {
                return null;
            }
            // Removed from the map (and the log) only with the message's in-flight record, in one log record: see
            // INFLIGHT_MOVE. Moquette puts every dequeued message in flight at once, on this loop.
            taken = index;
            return decode(bytes);
        }

        @Override
        public boolean isEmpty() {
            return closed || available() <= 0;
        }

        @Override
        public void closeAndPurge() {
            taken = NONE;
            wal.appendAfter(() -> dropQueue(clientId), QUEUE_DROP, o -> o.putString(clientId));
        }
    }

    /**
     * Moves messages from Moquette 0.17's own H2 queues (stores written by Edgeport before the log existed) into ours,
     * once. @return messages moved
     */
    private long migrateMoquetteQueues() {
        H2QueueRepository old = new H2QueueRepository(store);
        long moved = 0;
        for (String clientId : old.listQueueNames()) {
            SessionMessageQueue<SessionRegistry.EnqueuedMessage> from = old.getOrCreateQueue(clientId);
            SessionMessageQueue<SessionRegistry.EnqueuedMessage> to = queues().getOrCreateQueue(clientId);
            while (!from.isEmpty()) {
                SessionRegistry.EnqueuedMessage m = from.dequeue();
                if (m == null) {
                    break;
                }
                to.enqueue(m);
                moved++;
            }
            from.closeAndPurge();
        }
        if (moved > 0 || !old.listQueueNames().isEmpty()) {
            LOG.info("Moved {} queued message(s) from Moquette's queues into the store", moved);
        }
        return moved;
    }

    // ---- in-flight messages -----------------------------------------------------------------------------------------

    private static String inflightKey(String clientId, long seq) {
        String digits = Long.toString(seq); // zero-padded to 19 digits: keys sort in send order
        StringBuilder b = new StringBuilder(clientId.length() + 20).append(clientId).append('\u0000');
        for (int i = digits.length(); i < 19; i++) {
            b.append('0');
        }
        return b.append(digits).toString();
    }

    private static long seqOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('\u0000') + 1));
    }

    /**
     * Records a message sent to a persistent session under {@code packetId} and not yet acknowledged.
     *
     * @return its key for {@link #inflightRemove}
     */
    public long inflightPut(String clientId, int packetId, SessionRegistry.PublishedMessage m) {
        return inflightPut(clientId, packetId, m, -1);
    }

    /**
     * Records a message sent to a persistent session under {@code packetId} and not yet acknowledged, in place of the
     * record {@code replaced} (a key of this client, -1 for none). If the message is the one the client's queue handed
     * out last, its removal from the queue is part of the same record.
     *
     * @return its key for {@link #inflightRemove}
     */
    public long inflightPut(String clientId, int packetId, SessionRegistry.PublishedMessage m, long replaced) {
        byte[] message = encode(m);
        DurableQueue q = queues.get(clientId);
        long taken = q == null ? NONE : q.claimTaken();
        return putInflight(clientId,
                ByteBuffer.allocate(5 + message.length).put(WITH_ID).putInt(packetId).put(message).array(), q, taken,
                replaced);
    }

    private long putInflight(String clientId, byte[] bytes, DurableQueue q, long taken, long replaced) {
        long seq = inflightSeq.incrementAndGet();
        String key = inflightKey(clientId, seq);
        if (taken == NONE && replaced < 0) {
            wal.appendAfter(() -> inflight.put(key, bytes), INFLIGHT_PUT, o -> o.putString(key).putBytes(bytes));
            return seq;
        }
        String old = replaced < 0 ? "" : inflightKey(clientId, replaced);
        wal.appendAfter(() -> {
            if (taken != NONE) {
                q.applyRemove(taken);
            }
            if (!old.isEmpty()) {
                inflight.remove(old);
            }
            inflight.put(key, bytes);
        }, INFLIGHT_MOVE, o -> o.putString(key).putLong(taken).putString(old).putBytes(bytes));
        return seq;
    }

    public void inflightRemove(String clientId, long seq) {
        String key = inflightKey(clientId, seq);
        wal.appendAfter(() -> inflight.remove(key), INFLIGHT_REMOVE, o -> o.putString(key));
    }

    /** Forgets every in-flight record of a client (its session was discarded). */
    public void inflightDrop(String clientId) {
        dropClient(inflight, clientId, INFLIGHT_REMOVE);
    }

    /** Removes (and logs the removal of) every key of {@code map} that belongs to {@code clientId}. */
    private void dropClient(MVMap<String, ?> map, String clientId, byte removeRecord) {
        String from = clientId + '\u0000';
        List<String> keys = new ArrayList<>();
        for (java.util.Iterator<String> it = map.keyIterator(from); it.hasNext();) {
            String k = it.next();
            if (!k.startsWith(from)) {
                break;
            }
            keys.add(k);
        }
        for (String k : keys) {
            wal.appendAfter(() -> map.remove(k), removeRecord, o -> o.putString(k));
        }
    }

    /** A marker value: a QoS 2 message the client has (PUBREC received) whose PUBREL/PUBCOMP is still owed. */
    private static final byte MARKER = 0x7F;
    /** A message value with the packet id it was sent under: [WITH_ID][int id][encoded message]. */
    private static final byte WITH_ID = 0x7E;

    /**
     * Records that a persistent session's client received a QoS 2 message (PUBREC) and is owed its PUBREL, replacing
     * the message's record: after a restart the PUBREL is sent again, the message never.
     *
     * @return its key for {@link #inflightRemove}
     */
    public long inflightMarker(String clientId, int packetId) {
        return inflightMarker(clientId, packetId, -1);
    }

    /** {@link #inflightMarker(String, int)} in place of the record {@code replaced} (its QoS 2 message), atomically. */
    public long inflightMarker(String clientId, int packetId, long replaced) {
        return putInflight(clientId, ByteBuffer.allocate(5).put(MARKER).putInt(packetId).array(), null, NONE,
                replaced);
    }

    /**
     * Something a persistent session's client is owed from before a restart, under its packet id: a PUBREL
     * ({@code message} null) or a QoS 2 message to send again with DUP=1. {@code key} is its in-flight record.
     */
    public record Owed(int packetId, long key, SessionRegistry.PublishedMessage message) {
    }

    /** What {@link #requeueInflight()} did. */
    public record Requeued(int messages, Map<String, List<Owed>> owed) {
    }

    /**
     * At start: puts every recorded QoS 1 in-flight message back at the front of its session's queue, in the order it
     * was sent, and forgets those records (they come again with new packet ids; QoS 1 allows a duplicate). QoS 2
     * messages and owed PUBRELs stay recorded and are returned, per client in send order, for the caller to put back
     * into the sessions' in-flight windows under their packet ids: the client may already hold a QoS 2 message under
     * its id (PUBREC lost in the crash), and only the same id lets it recognise the resend (MQTT-4.4.0-1). Records of
     * clients without a persistent queue are dropped (their session ended).
     */
    public Requeued requeueInflight() {
        Map<String, List<byte[]>> byClient = new LinkedHashMap<>();
        Map<String, List<Owed>> owed = new LinkedHashMap<>();
        List<String> done = new ArrayList<>();
        List<String> keys = new ArrayList<>(inflight.keySet()); // ascending: client, then send order
        for (String k : keys) {
            String clientId = k.substring(0, k.lastIndexOf('\u0000'));
            byte[] v = inflight.get(k);
            boolean live = queues.containsKey(clientId);
            if (live && v.length == 5 && v[0] == MARKER) {
                owed.computeIfAbsent(clientId, c -> new ArrayList<>())
                        .add(new Owed(ByteBuffer.wrap(v, 1, 4).getInt(), seqOf(k), null));
                continue;
            }
            if (live && v.length > 5 && v[0] == WITH_ID && v[5] == MqttQoS.EXACTLY_ONCE.value()) {
                owed.computeIfAbsent(clientId, c -> new ArrayList<>()).add(new Owed(ByteBuffer.wrap(v, 1, 4).getInt(),
                        seqOf(k), decode(java.util.Arrays.copyOfRange(v, 5, v.length))));
                continue;
            }
            if (v[0] == WITH_ID) {
                byClient.computeIfAbsent(clientId, c -> new ArrayList<>()).add(java.util.Arrays.copyOfRange(v, 5,
                        v.length));
            } else if (v[0] != MARKER) {
                byClient.computeIfAbsent(clientId, c -> new ArrayList<>()).add(v); // written before packet ids
            }
            done.add(k);
        }
        int n = 0;
        for (Map.Entry<String, List<byte[]>> e : byClient.entrySet()) {
            DurableQueue q = queues.get(e.getKey());
            if (q != null) {
                q.pushFront(e.getValue());
                n += e.getValue().size();
            }
        }
        for (String k : done) {
            wal.appendAfter(() -> inflight.remove(k), INFLIGHT_REMOVE, o -> o.putString(k));
        }
        return new Requeued(n, owed);
    }

    // ---- QoS 2 packet ids received (PUBREC sent, PUBREL not yet received) ------------------------------------------

    private static String qos2Key(String clientId, int packetId) {
        return clientId + '\u0000' + packetId;
    }

    /** @return whether the client's QoS 2 PUBLISH with this id was received and its PUBREL has not come yet */
    public boolean qos2Received(String clientId, int packetId) {
        return qos2.containsKey(qos2Key(clientId, packetId));
    }

    public void qos2Mark(String clientId, int packetId) {
        String key = qos2Key(clientId, packetId);
        wal.appendAfter(() -> qos2.put(key, 0L), QOS2_MARK, o -> o.putString(key));
    }

    public void qos2Clear(String clientId, int packetId) {
        String key = qos2Key(clientId, packetId);
        if (qos2.containsKey(key)) {
            wal.appendAfter(() -> qos2.remove(key), QOS2_CLEAR, o -> o.putString(key));
        }
    }

    /** Forgets every QoS 2 packet id of a client (its session was discarded). */
    public void qos2Drop(String clientId) {
        dropClient(qos2, clientId, QOS2_CLEAR);
    }

    // ---- retained, subscriptions, sessions --------------------------------------------------------------------------

    public IRetainedRepository retained() {
        return new IRetainedRepository() {
            @Override
            public void cleanRetained(Topic topic) {
                String t = topic.toString();
                wal.appendAfter(() -> retainedStore.cleanRetained(topic), RETAIN_DELETE, o -> o.putString(t));
            }

            @Override
            public void retain(Topic topic, MqttPublishMessage msg) {
                String t = topic.toString();
                ByteBuf payload = msg.payload();
                int qos = msg.fixedHeader().qosLevel().value();
                wal.appendAfter(() -> retainedStore.retain(topic, msg), RETAIN_PUT,
                        o -> o.putString(t).putByte(qos).putBytes(payload));
            }

            @Override
            public boolean isEmpty() {
                return retainedStore.isEmpty();
            }

            @Override
            public List<RetainedMessage> retainedOnTopic(String topic) {
                return retainedStore.retainedOnTopic(topic);
            }
        };
    }

    public ISubscriptionsRepository subscriptions() {
        return new ISubscriptionsRepository() {
            @Override
            public Set<Subscription> listAllSubscriptions() {
                return subscriptionsStore.listAllSubscriptions();
            }

            @Override
            public void addNewSubscription(Subscription s) {
                String clientId = s.getClientId();
                String filter = s.getTopicFilter().toString();
                int qos = s.getRequestedQos().value();
                wal.appendAfter(() -> subscriptionsStore.addNewSubscription(s), SUB_ADD,
                        o -> o.putString(clientId).putString(filter).putByte(qos));
            }

            @Override
            public void removeSubscription(String topic, String clientId) {
                wal.appendAfter(() -> subscriptionsStore.removeSubscription(topic, clientId), SUB_REMOVE,
                        o -> o.putString(clientId).putString(topic));
            }
        };
    }

    public ISessionsRepository sessions() {
        return new ISessionsRepository() {
            @Override
            public java.util.Collection<SessionData> list() {
                return sessionsStore.list();
            }

            @Override
            public void saveSession(SessionData s) {
                String clientId = s.clientId();
                int interval = s.expiryInterval();
                long expireAt = s.expireAt().map(Instant::toEpochMilli).orElse(-1L);
                wal.appendAfter(() -> sessionsStore.saveSession(s), SESSION_SAVE,
                        o -> o.putString(clientId).putInt(interval).putLong(expireAt));
            }

            @Override
            public void delete(SessionData s) {
                String clientId = s.clientId();
                wal.appendAfter(() -> sessionsStore.delete(s), SESSION_DELETE, o -> o.putString(clientId));
            }
        };
    }
}

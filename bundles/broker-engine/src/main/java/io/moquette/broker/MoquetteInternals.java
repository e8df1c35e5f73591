package io.moquette.broker;

import io.edgeport.broker.engine.internal.session.DurableInflight;
import io.edgeport.broker.engine.internal.session.PacedQueue;
import io.edgeport.broker.engine.internal.session.ReceivedQos2;
import java.lang.reflect.Field;
import java.util.Map;

import io.moquette.BrokerConstants;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The only place where Edgeport reads private state of Moquette 0.17 by reflection. Pinned to 0.17 (the version this
 * wrapper bundle embeds): {@link #verify()} fails with a message that names the missing member, and a test calls it,
 * so an upgrade that renames a field breaks the build rather than silently disabling a fix.
 *
 * <ul>
 * <li>{@code MQTTConnection.lastPacketId}: the per-connection packet id counter (starts at 0 for every connection,
 * which is why a resumed session's new ids collide with those still in flight).</li>
 * <li>{@code Session.inflightWindow} and {@code Session.sessionQueue}: read at a clean stop to put unacknowledged
 * messages back into the persistent queue; the queue is wrapped by a {@link PacedQueue} once a client connected.</li>
 * <li>{@code BrokerInterceptor.executor}: replaced by an inline executor ({@link #runInterceptorsInline}).</li>
 * <li>{@code Session.inflightWindow} (final): replaced by a {@link DurableInflight} for persistent sessions, so messages
 * in flight to them are in the store until acknowledged.</li>
 * <li>{@code Session.qos2Receiving} (final): replaced by a {@link ReceivedQos2} (exactly-once for QoS 2 resends).</li>
 * <li>{@code H2Builder.mvStore}: set to the store Edgeport opened, to get Moquette's repositories (some package-private)
 * on it ({@link #h2}).</li>
 * <li>{@code Session.inflightTimeouts}: Moquette's resend timers, replaced by {@link #resendLongUnacknowledged}.</li>
 * <li>{@code Session.inflightSlots} and {@code MQTTConnection.bindedSession}: the free slots of the in-flight window,
 * which 0.17 fixes at {@code BrokerConstants.INFLIGHT_WINDOW_SIZE} (10); widened once per session object.</li>
 * <li>{@code SessionRegistry.pool}: every session, online and offline, for the operators' session list.</li>
 * <li>Not a field: the action descriptions {@code "PUB QoS0"} and {@code "PUB QoS1"} of {@code MQTTConnection}'s
 * session commands, by which {@link EventLoopSessions} releases the message those commands retain and then drop when
 * their connection is no longer bound (a Moquette upgrade must keep them, or that release stops happening).</li>
 * </ul>
 * The {@code MQTTConnection} of a channel is the channel attribute {@code "connection"}, set by Moquette's handler
 * when the channel becomes active.
 *
 * <p>Why in Moquette's package: besides the private fields above, it names the package-private {@code Session}
 * ({@code resendInflightNotAcked}, {@code InFlightPacket}), {@code MQTTConnection} ({@code sendPublish},
 * {@code sendIfWritableElseDrop}, {@code flush}, {@code pubrel}) and {@code SessionRegistry}'s in-flight types.
 */
public final class MoquetteInternals {

    private static final AttributeKey<Object> CONNECTION = AttributeKey.valueOf("connection");
    /** What {@link #field} could not find; declared before the fields so it exists when they are initialised. */
    private static final StringBuilder MISSING = new StringBuilder();
    private static final Field LAST_PACKET_ID = field(MQTTConnection.class, "lastPacketId");
    private static final Field INFLIGHT_WINDOW = field(Session.class, "inflightWindow");
    private static final Field SESSION_QUEUE = field(Session.class, "sessionQueue");
    private static final Field SESSION_POOL = field(SessionRegistry.class, "pool");
    private static final Field INFLIGHT_SLOTS = field(Session.class, "inflightSlots");
    private static final Field BOUND_SESSION = field(MQTTConnection.class, "bindedSession");
    private static final Field INFLIGHT_TIMEOUTS = field(Session.class, "inflightTimeouts");
    private static final Field INTERCEPTOR_EXECUTOR = field(io.moquette.interception.BrokerInterceptor.class,
            "executor");
    private static final Field QOS2_RECEIVING = field(Session.class, "qos2Receiving");
    private static final Field H2_STORE = field(io.moquette.persistence.H2Builder.class, "mvStore");
    /** Sessions whose in-flight window was already resized (Moquette reuses a persistent session's object). */
    private static final Map<Session, Boolean> RESIZED = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private MoquetteInternals() {
    }

    /** @throws IllegalStateException naming what is missing, when this is not the Moquette 0.17 we were built for */
    public static void verify() {
        if (MISSING.length() > 0) {
            throw new IllegalStateException(MISSING.toString());
        }
    }

    private static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | RuntimeException e) {
            MISSING.append("Moquette internals changed: ").append(owner.getName()).append('.').append(name)
                    .append(" not found (Edgeport's wrapper is written for Moquette 0.17: ").append(e).append("); ");
            return null;
        }
    }

    private static Object get(Field f, Object target) {
        verify();
        try {
            return f.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot read " + f, e);
        }
    }

    /**
     * The packet id counter of the Moquette connection on {@code channel}: the last id it handed out (0 = none yet;
     * it wraps from 65535 to 1). Moquette increments it on its session loop thread; it is atomic.
     *
     * @return null when the channel has no Moquette connection (not yet active)
     * @throws IllegalStateException when the Moquette version does not match
     */
    public static AtomicInteger packetIdCounter(Channel channel) {
        Object connection = channel.attr(CONNECTION).get();
        return connection instanceof MQTTConnection ? (AtomicInteger) get(LAST_PACKET_ID, connection) : null;
    }

    /**
     * Widens the in-flight window of the session bound to {@code connection} from Moquette's 10 to {@code window}
     * slots, once per session object (a persistent session keeps its object, and its widened window, across
     * reconnects). The slot counter is atomic; adding free slots at any time is safe.
     *
     * @return whether the window was widened now
     */
    static boolean widenInflightWindow(MQTTConnection connection, int window) {
        Object session = get(BOUND_SESSION, connection);
        if (!(session instanceof Session) || window <= BrokerConstants.INFLIGHT_WINDOW_SIZE) {
            return false;
        }
        if (RESIZED.putIfAbsent((Session) session, Boolean.TRUE) != null) {
            return false;
        }
        ((AtomicInteger) get(INFLIGHT_SLOTS, session)).addAndGet(window - BrokerConstants.INFLIGHT_WINDOW_SIZE);
        return true;
    }

    /**
     * Resends (as Moquette does, DUP set) the in-flight messages that were already in flight, as the same message under
     * the same id, at the previous call, and forgets Moquette's own resend timers, which outlive the acknowledgement
     * and then match a newer message that reuses the packet id. Called every 5 s; only on the session's own loop.
     *
     * @param previous what this returned last time (null at the first call)
     * @return the in-flight messages by id now, to pass next time
     */
    static Map<Integer, Object> resendLongUnacknowledged(Session session, Map<Integer, Object> previous) {
        @SuppressWarnings("unchecked")
        java.util.concurrent.DelayQueue<Session.InFlightPacket> timers =
                (java.util.concurrent.DelayQueue<Session.InFlightPacket>) get(INFLIGHT_TIMEOUTS, session);
        timers.clear();
        Map<Integer, Object> now = new java.util.HashMap<>(inflightWindow(session));
        if (previous != null) {
            for (Map.Entry<Integer, Object> e : now.entrySet()) {
                if (previous.get(e.getKey()) == e.getValue()) {
                    timers.add(new Session.InFlightPacket(e.getKey(), 0));
                }
            }
        }
        if (!timers.isEmpty()) {
            session.resendInflightNotAcked(); // resends exactly those (their timers are due) and re-arms them
        }
        return now;
    }

    /**
     * Makes the interceptor call its handlers on the calling thread. Moquette hands every event, and every publish
     * even when no handler wants publishes, to its interceptor thread: a thread hop (a futex wake-up) per message that
     * cost ~10 % of the broker's CPU at full speed. Edgeport's handlers only update maps and offer to queues, so they
     * run inline; a handler that throws is logged and does not disturb the broker.
     */
    static void runInterceptorsInline(io.moquette.interception.BrokerInterceptor interceptor) {
        java.util.concurrent.ExecutorService old =
                (java.util.concurrent.ExecutorService) get(INTERCEPTOR_EXECUTOR, interceptor);
        try {
            INTERCEPTOR_EXECUTOR.set(interceptor, new InlineExecutor());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot replace " + INTERCEPTOR_EXECUTOR, e);
        }
        old.shutdownNow();
    }

    /** Runs each task at once on the caller's thread; a task that throws is logged. */
    static final class InlineExecutor extends java.util.concurrent.AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            try {
                command.run();
            } catch (RuntimeException | LinkageError e) {
                org.slf4j.LoggerFactory.getLogger(MoquetteInternals.class).warn("Broker event handler failed", e);
            }
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public java.util.List<Runnable> shutdownNow() {
            shutdown = true;
            return java.util.List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
            return true;
        }
    }

    /** Not thread-safe (a HashMap): only on the session's own loop. */
    @SuppressWarnings("unchecked")
    static Map<Integer, SessionRegistry.EnqueuedMessage> inflightWindow(Session session) {
        return (Map<Integer, SessionRegistry.EnqueuedMessage>) get(INFLIGHT_WINDOW, session);
    }

    /** The session bound to a connection, or null before CONNECT was handled. */
    static Session boundSession(MQTTConnection connection) {
        Object session = get(BOUND_SESSION, connection);
        return session instanceof Session ? (Session) session : null;
    }

    /**
     * Puts a {@link PacedQueue} around the session's queue, once per session object (a persistent session keeps its
     * object, and its wrapper, across reconnects). Only on the session's own loop.
     */
    /** @return the registry's sessions by client id, online and offline (live, concurrent map) */
    @SuppressWarnings("unchecked")
    static Map<String, Session> sessionPool(SessionRegistry registry) {
        return (Map<String, Session>) get(SESSION_POOL, registry);
    }

    /**
     * @return messages queued in memory for a clean session's client (counted by its {@link PacedQueue}, which is in
     *         place once it connected); 0 for others
     */
    static long queuedInMemory(Session session) {
        return queue(session) instanceof PacedQueue p ? p.backlog() : 0;
    }

    static PacedQueue pacedQueue(Session session, int high) {
        SessionMessageQueue<SessionRegistry.EnqueuedMessage> q = queue(session);
        if (q instanceof PacedQueue) {
            return (PacedQueue) q;
        }
        PacedQueue paced = new PacedQueue(q, high);
        try {
            SESSION_QUEUE.set(session, paced);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot replace " + SESSION_QUEUE, e);
        }
        return paced;
    }

    @SuppressWarnings("unchecked")
    static SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue(Session session) {
        return (SessionMessageQueue<SessionRegistry.EnqueuedMessage>) get(SESSION_QUEUE, session);
    }

    /** Replaces a session's in-flight window; only before anything was put in it, on the session's loop. */
    static void replaceInflightWindow(Session session, Map<Integer, SessionRegistry.EnqueuedMessage> window) {
        verify();
        try {
            INFLIGHT_WINDOW.set(session, window);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot replace " + INFLIGHT_WINDOW, e);
        }
    }

    /** Replaces a session's QoS 2 receiving map; only before anything was put in it, on the session's loop. */
    static void replaceQos2Receiving(Session session, ReceivedQos2 map) {
        verify();
        try {
            QOS2_RECEIVING.set(session, map);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot replace " + QOS2_RECEIVING, e);
        }
    }

    /** Takes one slot of the session's in-flight window (a PUBREL put back after a restart occupies one). */
    static void takeInflightSlot(Session session) {
        ((AtomicInteger) get(INFLIGHT_SLOTS, session)).decrementAndGet();
    }

    /**
     * Sends what a persistent session owed before a restart (PUBRELs, QoS 2 messages with DUP=1 and their packet
     * ids), once, after its client reconnected. On the session's loop.
     */
    static void resendRestoredPubrels(Session session, MQTTConnection connection) {
        if (inflightWindow(session) instanceof DurableInflight d) {
            java.util.List<Integer> ids = d.takeRestored();
            for (int id : ids) {
                SessionRegistry.EnqueuedMessage owed = d.get(id);
                if (owed instanceof SessionRegistry.PublishedMessage p) {
                    // the same message under the same id, DUP=1: a client that already has it recognises it
                    connection.sendPublish(new io.netty.handler.codec.mqtt.MqttPublishMessage(
                            new io.netty.handler.codec.mqtt.MqttFixedHeader(
                                    io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH, true, p.getPublishingQos(),
                                    false, 0),
                            new io.netty.handler.codec.mqtt.MqttPublishVariableHeader(p.getTopic().toString(), id),
                            p.getPayload().retainedDuplicate()));
                } else if (owed instanceof SessionRegistry.PubRelMarker) {
                    connection.sendIfWritableElseDrop(MQTTConnection.pubrel(id));
                }
            }
            if (!ids.isEmpty()) {
                connection.flush();
            }
        }
    }

    /** The session's QoS 2 receiving map, when it is ours. */
    static ReceivedQos2 receivedQos2(Session session) {
        Object m = get(QOS2_RECEIVING, session);
        return m instanceof ReceivedQos2 r ? r : null;
    }

    /** Moquette's H2 repositories (some package-private classes) on {@code store}, which Edgeport opened. */
    public static io.moquette.persistence.H2Builder h2(org.h2.mvstore.MVStore store) {
        verify();
        io.moquette.persistence.H2Builder builder = new io.moquette.persistence.H2Builder(null,
                java.nio.file.Path.of("."), 0, java.time.Clock.systemDefaultZone());
        try {
            H2_STORE.set(builder, store);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot set " + H2_STORE, e);
        }
        return builder;
    }
}

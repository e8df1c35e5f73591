package io.moquette.broker;

import io.edgeport.broker.engine.internal.session.PacedQueue;
import io.edgeport.broker.engine.internal.session.RetainedGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.BrokerConstants;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.CTrieSubscriptionDirectory;
import io.moquette.broker.subscriptions.ISubscriptionsDirectory;
import io.moquette.interception.BrokerInterceptor;
import io.moquette.interception.InterceptHandler;
import io.edgeport.broker.engine.internal.store.DurableState;
import io.edgeport.broker.engine.internal.store.GroupCommit;
import io.edgeport.broker.engine.internal.pipeline.ChannelPipelines;
import io.edgeport.broker.engine.internal.pipeline.EdgeportAcceptor;
import io.moquette.persistence.MemorySessionsRepository;
import io.moquette.persistence.MemorySubscriptionsRepository;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.ssl.SslContext;

/**
 * Edgeport's way to run Moquette 0.17: the same components {@link Server#startServer(IConfig, List,
 * ISslContextCreator, IAuthenticator, IAuthorizatorPolicy)} wires, but with Edgeport's own acceptor (so callers can add
 * Netty handlers to every client pipeline, see {@link ChannelPipelines}), no telemetry, no class loading by name,
 * and a store that survives a crash ({@link DurableState}: acknowledgements wait for the store's group commit).
 *
 * <p>Retained messages follow MQTT 3.1.1 section 3.3.1.3, which Moquette 0.17 does not (see
 * {@link EdgeportPostOffice}): a QoS 0 retained PUBLISH (from a client, {@link #internalPublish} or a Last Will) is
 * stored instead of wiping the stored one, a will's retain flag is honoured, and the retained messages replayed after
 * a SUBACK carry RETAIN=1 at every QoS, once per topic when filters overlap.
 *
 * <p>Differences from {@link Server}: {@code authenticator_class}, {@code authorizator_class},
 * {@code intercept.handler}, {@code password_file} and {@code acl_file} are ignored (pass instances; null means allow
 * all); {@code persistent_queue_type} is always {@code h2} when persistence is on (the segmented queue keeps only one
 * client's queue across a restart); a session stored without an expiry instant, which is what a crash leaves behind,
 * is repaired at start instead of failing it.
 *
 * <p>Threading: {@link #start} and {@link #stop} are serialised on this object and must not be called from a Netty,
 * session-loop or interceptor thread. The other methods may be called from any thread while running and throw
 * {@link IllegalStateException} otherwise.
 *
 * <p>Why in Moquette's package (the package-private members it touches): it wires the package-private
 * {@code PostOffice}, {@code Authorizator}, {@code BrokerConfiguration}, {@code MQTTConnectionFactory},
 * {@code MemoryRetainedRepository} and {@code SessionEventLoopGroup}, the package-private constructors of
 * {@code SessionRegistry} and {@code NewNettyMQTTHandler}, calls {@code SessionRegistry.retrieve},
 * {@code listConnectedClients} and {@code dropSession}, and reads {@code Session.connected()} through the
 * package-private {@code Session}.
 */
public final class EdgeportServer {

    /** Listener names passed to {@link ChannelPipelines} and {@link #boundPort(String)}. */
    public static final String MQTT = "mqtt";
    public static final String MQTTS = "mqtts";
    public static final String WS = "ws";
    public static final String WSS = "wss";
    /**
     * Configuration key: how many QoS 1/2 messages may be in flight to one client (Mosquitto's
     * max_inflight_messages); Moquette 0.17 fixes it at 10.
     */
    public static final String MAX_INFLIGHT_PROPERTY = "edgeport_max_inflight_messages";
    /**
     * Configuration key: above this many messages queued for a connected client, the publishers feeding it get their
     * acknowledgements held until it caught up (see {@link PacedQueue}); Mosquitto's max_queued_messages, which drops
     * instead. 0 = no pacing.
     */
    public static final String MAX_QUEUED_PROPERTY = "edgeport_max_queued_messages";
    public static final int DEFAULT_MAX_QUEUED = 1000;
    /**
     * Configuration key: how far an acknowledged message must be stored. {@code write} (default): in the store log,
     * handed to the operating system (survives the broker process being killed); {@code fsync}: also forced to the
     * device (survives a power cut). Acknowledgements wait for the next group commit either way.
     */
    public static final String PERSISTENCE_SYNC_PROPERTY = "edgeport_persistence_sync";
    /** The store file and the store log's folder inside the persistence folder. */
    public static final String STORE_FILE = DurableState.STORE_FILE;
    public static final String STORE_LOG_DIR = DurableState.LOG_DIR;

    private static final Logger LOG = LoggerFactory.getLogger(EdgeportServer.class);
    private static final int INFINITE_EXPIRY = Integer.MAX_VALUE;

    private ScheduledExecutorService scheduler;
    private BrokerInterceptor interceptor;
    private DurableState store;
    private io.edgeport.broker.engine.internal.store.MessageLog messages;
    private GroupCommit commits;
    private EventLoopSessions loops;
    private SessionRegistry sessions;
    private PostOffice postOffice;
    private EdgeportAcceptor acceptor;
    private ISubscriptionsDirectory subscriptions;
    private ISubscriptionsRepository storedSubscriptions;
    private IRetainedRepository retained;
    /** What the public methods use while running; null when stopped. Published after a complete start. */
    private volatile Live live;

    private static final class Live {
        final SessionRegistry sessions;
        final PostOffice postOffice;
        final BrokerInterceptor interceptor;
        final ISubscriptionsDirectory subscriptions;
        final IRetainedRepository retained;
        final ISubscriptionsRepository storedSubscriptions;
        final DurableState store;

        Live(SessionRegistry sessions, PostOffice postOffice, BrokerInterceptor interceptor,
             ISubscriptionsDirectory subscriptions, IRetainedRepository retained,
             ISubscriptionsRepository storedSubscriptions, DurableState store) {
            this.storedSubscriptions = storedSubscriptions;
            this.store = store;
            this.sessions = sessions;
            this.postOffice = postOffice;
            this.interceptor = interceptor;
            this.subscriptions = subscriptions;
            this.retained = retained;
        }
    }

    /** Starts with a TLS context built by {@code sslCreator} (called only if a TLS listener is enabled). */
    public synchronized void start(IConfig config, List<? extends InterceptHandler> handlers,
                                   ISslContextCreator sslCreator, IAuthenticator authenticator,
                                   IAuthorizatorPolicy authorizatorPolicy, ChannelPipelines pipelines)
            throws IOException {
        SslContext ssl = null;
        if (sslCreator != null && (EdgeportAcceptor.port(config, IConfig.SSL_PORT_PROPERTY_NAME) != null
                || EdgeportAcceptor.port(config, IConfig.WSS_PORT_PROPERTY_NAME) != null)) {
            ssl = sslCreator.initSSLContext();
        }
        start(config, handlers, ssl, authenticator, authorizatorPolicy, pipelines);
    }

    /**
     * Starts the broker. If it throws, everything already started has been stopped again and the instance may be
     * started anew.
     *
     * @param sslContext the server TLS context for {@code ssl_port} / {@code secure_websocket_port}; null = no TLS
     *        (then enabling a TLS listener is an error)
     * @param authenticator null accepts everyone (subject to {@code allow_anonymous})
     * @param authorizatorPolicy null permits everything
     * @param pipelines builds every client connection's handlers (one instance per start)
     * @throws IOException when a listener cannot be bound or the store cannot be opened
     * @throws IllegalStateException when already running
     */
    public synchronized void start(IConfig config, List<? extends InterceptHandler> handlers, SslContext sslContext,
                                   IAuthenticator authenticator, IAuthorizatorPolicy authorizatorPolicy,
                                   ChannelPipelines pipelines) throws IOException {
        if (live != null || scheduler != null) {
            throw new IllegalStateException("already started");
        }
        try {
            doStart(config, handlers, sslContext, authenticator, authorizatorPolicy,
                    java.util.Objects.requireNonNull(pipelines, "pipelines"));
            live = new Live(sessions, postOffice, interceptor, subscriptions, retained, storedSubscriptions, store);
        } catch (IOException | RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    private void doStart(IConfig config, List<? extends InterceptHandler> handlers, SslContext sslContext,
                         IAuthenticator authenticator, IAuthorizatorPolicy policy, ChannelPipelines pipelines)
            throws IOException {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "moquette-scheduler");
            t.setDaemon(true);
            return t;
        });
        interceptor = new BrokerInterceptor(config, new ArrayList<>(handlers == null ? List.of() : handlers));
        MoquetteInternals.runInterceptorsInline(interceptor); // handlers must not block: they run on the I/O threads
        IAuthenticator auth = authenticator != null ? authenticator : (id, user, pwd) -> true;
        IAuthorizatorPolicy authz = policy != null ? policy : new io.moquette.broker.security.PermitAllAuthorizatorPolicy();
        Clock clock = Clock.systemDefaultZone();

        if (messages != null) {
            String messageSync = config.getProperty(PERSISTENCE_SYNC_PROPERTY, "write").trim().toLowerCase();
            messages.setFsync(messageSync.equals("fsync"));
        }
        ISessionsRepository sessionsRepository;
        ISubscriptionsRepository subscriptionsRepository;
        IQueueRepository queueRepository;
        if (config.boolProp(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, false)) {
            String dataPath = config.getProperty(IConfig.DATA_PATH_PROPERTY_NAME);
            if (dataPath == null || dataPath.isBlank()) {
                throw new IOException(IConfig.DATA_PATH_PROPERTY_NAME + " is required when persistence is enabled");
            }
            Path dir = Paths.get(dataPath);
            String sync = config.getProperty(PERSISTENCE_SYNC_PROPERTY, "write").trim().toLowerCase();
            if (!sync.equals("write") && !sync.equals("fsync")) {
                throw new IOException(PERSISTENCE_SYNC_PROPERTY + " must be write or fsync, not '" + sync + "'");
            }
            try {
                store = DurableState.open(dir, clock, MoquetteInternals::h2, sync.equals("fsync"));
            } catch (IOException | RuntimeException e) {
                throw new IOException("Cannot open the broker store " + dir.resolve(DurableState.STORE_FILE)
                        + " (corrupt, or in use by another process?): " + e, e);
            }
            String queueType = config.getProperty(IConfig.PERSISTENT_QUEUE_TYPE_PROPERTY_NAME);
            if (queueType != null && !"h2".equalsIgnoreCase(queueType)) {
                LOG.info("{}={} ignored: queues are kept in the broker store", IConfig.PERSISTENT_QUEUE_TYPE_PROPERTY_NAME,
                        queueType);
            }
            sessionsRepository = new PersistentSessionsOnly(store.sessions());
            subscriptionsRepository = store.subscriptions();
            queueRepository = store.queues();
            repairSessions(sessionsRepository, queueRepository);
            retained = store.retained();
        } else {
            sessionsRepository = new MemorySessionsRepository();
            subscriptionsRepository = new MemorySubscriptionsRepository();
            queueRepository = new MemoryQueueRepository();
            retained = new MemoryRetainedRepository();
        }
        subscriptions = new CTrieSubscriptionDirectory();
        subscriptions.init(subscriptionsRepository);
        storedSubscriptions = subscriptionsRepository;
        Authorizator authorizator = new Authorizator(authz);
        int expiry = config.getProperty(IConfig.PERSISTENT_CLIENT_EXPIRATION_PROPERTY_NAME) == null ? INFINITE_EXPIRY
                : (int) (config.durationProp(IConfig.PERSISTENT_CLIENT_EXPIRATION_PROPERTY_NAME).toMillis() / 1000);
        loops = new EventLoopSessions(interceptor, Runtime.getRuntime().availableProcessors());
        loops.reportTo(pipelines.peerErrors());
        sessions = new EdgeportSessionRegistry(subscriptions, sessionsRepository, queueRepository, authorizator,
                scheduler, clock, expiry, loops, store);
        if (store != null) {
            openStore(config);
        }
        if (store == null && messages != null) {
            // persistence off, but in-process consumers read the message log: acknowledgements still wait for it
            io.edgeport.broker.engine.internal.store.MessageLog m = messages;
            commits = new GroupCommit("edgeport-store-commit", this::barrier, m::flush);
        }
        postOffice = new EdgeportPostOffice(subscriptions, retained, new RetainedGate(retained), sessions, interceptor,
                authorizator, loops, messages);
        BrokerConfiguration brokerConfig = new BrokerConfiguration(config);
        MQTTConnectionFactory connections = new MQTTConnectionFactory(brokerConfig, auth, sessions, postOffice);
        acceptor = new EdgeportAcceptor();
        PostOffice office = postOffice;
        SessionRegistry registry = sessions;
        acceptor.bind(config, loops.group(), pipelines, new EdgeportMqttHandler(connections, pipelines.peerErrors()),
                new ChannelPipelines.ConnectedGates() {
                    @Override
                    public io.netty.channel.ChannelHandler newGate(int window, int queued) {
                        return new ConnectedGate(office, registry, window, queued);
                    }

                    @Override
                    public void connackUndeliverable(io.netty.channel.Channel channel) {
                        ConnectedGate.connackFailed(channel, registry);
                    }
                }, sslContext,
                brokerConfig.getBufferFlushMillis(), commits);
    }

    /**
     * After recovery: in-flight messages back into their queues, a checkpoint (so what recovery did is durable before
     * anyone is served), then the group committer and the periodic checkpoints ({@code autosave_interval}).
     */
    private void openStore(IConfig config) throws IOException {
        DurableState s = store;
        DurableState.Requeued requeue = s.requeueInflight();
        ((EdgeportSessionRegistry) sessions).restoreOwed(requeue.owed());
        s.log().flush();
        s.checkpoint();
        DurableState.Recovery r = s.recovery;
        int owed = requeue.owed().values().stream().mapToInt(java.util.List::size).sum();
        LoggerFactory.getLogger(DurableState.class).info("Broker store opened in {} ms: {} log record(s) ({} KB) "
                + "replayed, {} persistent session(s), {} queued message(s), {} unacknowledged QoS 1 message(s) put "
                + "back in their queues, {} QoS 2 message(s)/PUBREL(s) owed under their packet ids", r.millis,
                r.records, r.bytes / 1024, s.sessions().list().size(), s.queuedMessages(), requeue.messages(), owed);
        io.edgeport.broker.engine.internal.store.MessageLog m = messages;
        commits = new GroupCommit("edgeport-store-commit", this::barrier, () -> {
            s.log().flush();
            if (m != null) {
                m.flush();
            }
        });
        long autosaveMs = 1000L * Math.max(1, config.intProp(BrokerConstants.AUTOSAVE_INTERVAL_PROPERTY_NAME, 30));
        s.startCheckpoints(autosaveMs);
    }

    /**
     * Returns once every I/O thread (= session loop) ran what was queued to it before the call: a change routed to
     * another session's loop before an acknowledgement was written has then been made (and logged).
     */
    private void barrier() {
        EventLoopSessions l = loops;
        if (l == null) {
            return;
        }
        List<io.netty.util.concurrent.Future<?>> done = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor e : l.group()) {
            if (!e.isShuttingDown()) {
                try {
                    done.add(e.submit(NOOP));
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // the loop is stopping: nothing more will run there
                }
            }
        }
        for (io.netty.util.concurrent.Future<?> f : done) {
            f.awaitUninterruptibly(10_000);
        }
    }

    private static final Runnable NOOP = () -> { };

    /**
     * The log in-process consumers read (the engine factory's, shared by the engines it starts); call before start.
     * The server writes into it with its group commit but does not close it.
     */
    public void useMessageLog(io.edgeport.broker.engine.internal.store.MessageLog log) {
        this.messages = log;
    }

    /** A listener could not be bound (port in use, address not local): nothing to do with the store. */
    public static final class BindFailure extends IOException {
        private static final long serialVersionUID = 1L;

        public BindFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Stores only persistent sessions (expiry interval above 0). Moquette 0.17 writes every session into H2 at
     * CONNECT, clean ones included, and never deletes those rows ({@link #repairSessions} drops them at the next
     * start): for clean sessions that was an MVStore write per connection and H2 pages held in the heap for nothing.
     */
    static final class PersistentSessionsOnly implements ISessionsRepository {
        private final ISessionsRepository store;

        PersistentSessionsOnly(ISessionsRepository store) {
            this.store = store;
        }

        @Override
        public java.util.Collection<SessionData> list() {
            return store.list();
        }

        @Override
        public void saveSession(SessionData session) {
            if (session.expiryInterval() > 0) {
                store.saveSession(session);
            }
        }

        @Override
        public void delete(SessionData session) {
            store.delete(session);
        }
    }

    /**
     * Prepares the stored sessions for Moquette's start.
     * <ul>
     * <li>Moquette writes a persistent session's expiry instant only on a clean stop; after a crash the stored session
     * has none and Moquette's start fails ("Can't track for expiration a session without expiry instant"). Such a
     * session gets the expiry it would have got at a clean stop: now plus its expiry interval.</li>
     * <li>Moquette stores every session, clean ones included, and never deletes the rows; at start it ignores those
     * without a persistent queue. They are deleted here, or the store grows with every client id ever seen.</li>
     * </ul>
     * @return the number of sessions repaired (not counting deleted leftovers)
     */
    static int repairSessions(ISessionsRepository sessions, IQueueRepository queues) {
        int repaired = 0;
        int removed = 0;
        for (ISessionsRepository.SessionData s : sessions.list()) {
            if (!queues.containsQueue(s.clientId())) {
                sessions.delete(s);
                removed++;
            } else if (s.expireAt().isEmpty()) {
                sessions.saveSession(s.withExpirationComputed());
                repaired++;
            }
        }
        if (repaired > 0) {
            LoggerFactory.getLogger(DurableState.class).info("Repaired {} persistent session(s) stored without an "
                    + "expiry (the broker did not stop cleanly last time)", repaired);
        }
        LOG.debug("Deleted {} stored session(s) without a persistent queue", removed);
        return repaired;
    }

    /**
     * Stops the broker: listeners, scheduler, sessions, session loops (after them nothing changes the store), the group
     * committer, then the store (its log written and checkpointed, so the next start replays nothing; messages still in
     * flight stay recorded and are put back into their queues at the next start), interceptors. Idempotent; safe after
     * a failed or partial start.
     */
    public synchronized void stop() {
        live = null;
        if (acceptor != null) {
            quietly("listeners", acceptor::close);
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (sessions != null) {
            quietly("sessions", sessions::close);
        }
        if (loops != null) {
            quietly("session loops", loops::terminate); // nothing changes the store after this
        }
        if (commits != null) {
            quietly("group commit", commits::close);
        }
        if (messages != null) {
            io.edgeport.broker.engine.internal.store.MessageLog m = messages;
            quietly("message log", () -> {
                try {
                    m.flush(); // what was accepted reaches the log; the log stays open for the next engine
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        if (store != null) {
            DurableState s = store;
            quietly("store", () -> {
                try {
                    s.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        if (interceptor != null) {
            quietly("interceptors", interceptor::stop);
        }
        acceptor = null;
        scheduler = null;
        sessions = null;
        store = null;
        commits = null;
        interceptor = null;
        loops = null;
        postOffice = null;
        subscriptions = null;
        retained = null;
    }

    private static void quietly(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("Error while stopping the {}", what, e);
        }
    }

    public boolean isRunning() {
        return live != null;
    }

    private Live live() {
        Live l = live;
        if (l == null) {
            throw new IllegalStateException("broker is not running");
        }
        return l;
    }

    /**
     * Publishes as the broker itself: no authorization check and no {@code onPublish} notification. Takes ownership
     * of the message's payload (released here, also on failure).
     *
     * @throws IllegalStateException when not running
     */
    public RoutingResults internalPublish(MqttPublishMessage msg, String clientId) {
        return internalPublish(msg, clientId, "");
    }

    /** @param origin the client id the message log records ("" for the broker itself) */
    public RoutingResults internalPublish(MqttPublishMessage msg, String clientId, String origin) {
        Live l = live;
        try {
            if (l == null) {
                throw new IllegalStateException("broker is not running");
            }
            return ((EdgeportPostOffice) l.postOffice).internalPublish(msg, origin == null ? "" : origin);
        } finally {
            if (msg.refCnt() > 0) {
                msg.release();
            }
        }
    }

    /** @return connected clients (sessions in state CONNECTED) */
    public Collection<ClientDescriptor> listConnectedClients() {
        return live().sessions.listConnectedClients();
    }

    /**
     * Closes a connected client's connection (its will is published). Keeps its session.
     *
     * @return false when no such client is connected (offline sessions are left alone, never an exception)
     */
    public boolean disconnectClient(String clientId) {
        SessionRegistry reg = live().sessions;
        Session s = clientId == null ? null : reg.retrieve(clientId);
        if (s == null || !s.connected()) {
            return false;
        }
        try {
            return reg.dropSession(clientId, false);
        } catch (NullPointerException e) {
            // the client went offline between the check and the drop: Session.closeImmediately has no connection
            return false;
        }
    }

    public void addInterceptHandler(InterceptHandler handler) {
        live().interceptor.addInterceptHandler(handler);
    }

    public void removeInterceptHandler(InterceptHandler handler) {
        live().interceptor.removeInterceptHandler(handler);
    }

    /**
     * @param listenerName {@link #MQTT}, {@link #MQTTS}, {@link #WS} or {@link #WSS}
     * @return the port the listener is bound to (the real one when configured as 0), or -1 when it is not bound
     */
    public synchronized int boundPort(String listenerName) {
        return acceptor == null ? -1 : acceptor.boundPort(listenerName);
    }

    /** @return the number of subscriptions (client, filter) in the subscription tree, as $SYS reports */
    public int subscriptionCount() {
        return live().subscriptions.size();
    }

    /**
     * @return the number of retained messages. Moquette's stores have no count, so this scans and copies all
     *         retained messages: call it every few seconds at most.
     */
    public int retainedCount() {
        return live().retained.retainedOnTopic("#").size();
    }

    /** @return at most {@code limit} retained messages matching {@code filter}, sorted by topic */
    public java.util.List<io.edgeport.broker.engine.RetainedInfo> retained(String filter, int limit) {
        return live().retained.retainedOnTopic(filter).stream()
                .map(m -> new io.edgeport.broker.engine.RetainedInfo(m.getTopic().toString(), m.qosLevel().value(),
                        m.getPayload()))
                .sorted(java.util.Comparator.comparing(io.edgeport.broker.engine.RetainedInfo::topic)).limit(limit)
                .toList();
    }

    /** @return whether a session (online or offline) exists for the client id */
    public boolean hasSession(String clientId) {
        return clientId != null && live().sessions.retrieve(clientId) != null;
    }

    /**
     * @return sessions (online and offline) whose client id starts with {@code prefix}, sorted by client id, at most
     *         {@code limit}; subscriptions from the subscription store (a persistent session's survive restarts there)
     */
    public java.util.List<io.edgeport.broker.engine.SessionInfo> sessions(String prefix, int limit) {
        Live l = live();
        String p = prefix == null ? "" : prefix;
        java.util.List<Session> picked = ((EdgeportSessionRegistry) l.sessions).all().stream()
                .filter(s -> s.getClientID().startsWith(p))
                .sorted(java.util.Comparator.comparing(Session::getClientID)).limit(Math.max(0, limit)).toList();
        if (picked.isEmpty()) {
            return java.util.List.of();
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        picked.forEach(s -> ids.add(s.getClientID()));
        java.util.Map<String, java.util.List<io.edgeport.broker.engine.SessionInfo.Subscription>> subs =
                new java.util.HashMap<>();
        for (io.moquette.broker.subscriptions.Subscription sub : l.storedSubscriptions.listAllSubscriptions()) {
            if (ids.contains(sub.getClientId())) {
                subs.computeIfAbsent(sub.getClientId(), k -> new java.util.ArrayList<>())
                        .add(new io.edgeport.broker.engine.SessionInfo.Subscription(sub.getTopicFilter().toString(),
                                sub.getRequestedQos().value()));
            }
        }
        java.util.List<io.edgeport.broker.engine.SessionInfo> out = new java.util.ArrayList<>(picked.size());
        for (Session s : picked) {
            String id = s.getClientID();
            java.util.List<io.edgeport.broker.engine.SessionInfo.Subscription> list =
                    new java.util.ArrayList<>(subs.getOrDefault(id, java.util.List.of()));
            list.sort(java.util.Comparator.comparing(io.edgeport.broker.engine.SessionInfo.Subscription::topicFilter));
            boolean persistent = !s.isClean();
            long queued = persistent && l.store != null ? l.store.queued(id) : MoquetteInternals.queuedInMemory(s);
            out.add(new io.edgeport.broker.engine.SessionInfo(id, s.connected(), persistent, list, queued,
                    MoquetteInternals.inflightWindow(s).size()));
        }
        return out;
    }

    /**
     * Deletes a session (see {@link EdgeportSessionRegistry#purge}); waits up to 5 s for its session loop.
     *
     * @return false when there is no such session, or it is connecting at this moment
     */
    public boolean deleteSession(String clientId) {
        Live l = live();
        if (clientId == null || l.sessions.retrieve(clientId) == null) {
            return false;
        }
        ISubscriptionsRepository stored = l.storedSubscriptions;
        try {
            return ((EdgeportSessionRegistry) l.sessions).purge(clientId, id -> stored.listAllSubscriptions().stream()
                    .filter(sub -> id.equals(sub.getClientId())).toList())
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Deleting the session of " + clientId + " failed: " + e.getCause(), e);
        }
    }

    /** @return QoS 1/2 messages queued for all sessions now (persistent queues and clean sessions' backlogs) */
    public long queuedMessages() {
        Live l = live();
        long n = l.store != null ? l.store.queuedMessages() : 0;
        for (Session s : ((EdgeportSessionRegistry) l.sessions).all()) {
            if (s.isClean() || l.store == null) {
                n += MoquetteInternals.queuedInMemory(s);
            }
        }
        return n;
    }
}

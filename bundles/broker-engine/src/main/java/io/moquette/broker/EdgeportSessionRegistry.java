package io.moquette.broker;

import io.edgeport.broker.engine.internal.session.DurableInflight;
import io.edgeport.broker.engine.internal.session.ReceivedQos2;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

import io.edgeport.broker.engine.internal.store.DurableState;
import io.moquette.broker.subscriptions.ISubscriptionsDirectory;

/**
 * Moquette's session registry with durable in-flight windows and exactly-once QoS 2 reception: every persistent session
 * (restored at start or created at CONNECT) gets a {@link DurableInflight} before anything can be sent to it, every
 * session a {@link ReceivedQos2} (kept in the store for persistent ones), and a session that starts clean forgets the
 * records a previous session of its client id left in the store.
 *
 * <p>Why in Moquette's package (the package-private members it touches): it overrides the package-private
 * {@code SessionRegistry.createOrReopenSession}, calls the package-private constructor and {@code retrieve}, reads the
 * package-private {@code SessionCreationResult.session}/{@code mode} and {@code Session.isClean()}, and passes
 * {@code Authorizator} and {@code SessionEventLoopGroup}. Called on the client's session loop, like the method it wraps:
 * the window is in place before the CONNACK is written and before any other command for that client runs.
 */
final class EdgeportSessionRegistry extends SessionRegistry {

    private final DurableState store;
    private final ISubscriptionsDirectory subscriptionsDirectory;
    private final ISessionsRepository sessionsRepository;
    private final SessionEventLoopGroup loops;

    /**
     * At start: puts back what persistent sessions' clients are owed under their packet ids (PUBRELs, QoS 2 messages;
     * see {@link DurableState#requeueInflight}).
     */
    void restoreOwed(java.util.Map<String, java.util.List<DurableState.Owed>> owed) {
        owed.forEach((clientId, list) -> {
            Session s = retrieve(clientId);
            if (s != null && MoquetteInternals.inflightWindow(s) instanceof DurableInflight d) {
                for (DurableState.Owed o : list) {
                    d.restore(o.packetId(), o.key(), o.message());
                    MoquetteInternals.takeInflightSlot(s);
                }
            } else {
                list.forEach(o -> {
                    store.inflightRemove(clientId, o.key());
                    if (o.message() != null) {
                        o.message().release();
                    }
                });
            }
        });
    }

    EdgeportSessionRegistry(ISubscriptionsDirectory subscriptions, ISessionsRepository sessionsRepository,
                            IQueueRepository queueRepository, Authorizator authorizator,
                            ScheduledExecutorService scheduler, Clock clock, int globalExpirySeconds,
                            SessionEventLoopGroup loops, DurableState store) {
        super(subscriptions, sessionsRepository, queueRepository, authorizator, scheduler, clock, globalExpirySeconds,
                loops);
        this.store = store;
        this.subscriptionsDirectory = subscriptions;
        this.sessionsRepository = sessionsRepository;
        this.loops = loops;
        if (store != null) {
            for (ISessionsRepository.SessionData data : sessionsRepository.list()) {
                Session s = retrieve(data.clientId());
                if (s != null && !s.isClean()) {
                    MoquetteInternals.replaceInflightWindow(s, new DurableInflight(store, data.clientId()));
                    MoquetteInternals.replaceQos2Receiving(s, new ReceivedQos2(store, data.clientId()));
                }
            }
        }
    }

    /**
     * A connection that closes while its CONNECT is being answered (a peer that sends CONNECT and goes, or whose
     * CONNACK cannot be written) makes Moquette 0.17 clean the session up from a write listener while it is still
     * CONNECTING, and its state check throws SessionCorruptedException into Netty's listener log with a stack trace.
     * The session is left as it is (the next CONNECT of that client id takes it over); one DEBUG line.
     */
    @Override
    void connectionClosed(Session session) {
        if (session.assignState(Session.SessionStatus.DESTROYED, Session.SessionStatus.DESTROYED)) {
            return; // deleted by an operator (purge) while its connection was closing
        }
        try {
            super.connectionClosed(session);
        } catch (SessionCorruptedException e) {
            LOG_CLOSED.debug("Session of {} closed while it changed state: {}", session.getClientID(), e.getMessage());
        }
    }

    private static final org.slf4j.Logger LOG_CLOSED = org.slf4j.LoggerFactory.getLogger(EdgeportSessionRegistry.class);

    @Override
    SessionCreationResult createOrReopenSession(io.netty.handler.codec.mqtt.MqttConnectMessage msg, String clientId,
                                                String username) {
        SessionCreationResult result = super.createOrReopenSession(msg, clientId, username);
        if (result.mode != CreationModeEnum.CREATED_CLEAN_NEW) {
            // A resumed session keeps its maps. What is owed from before a restart keeps its packet ids: the new
            // connection's ids continue after them, so a queued message cannot take one of those ids.
            if (MoquetteInternals.inflightWindow(result.session) instanceof DurableInflight d) {
                int highest = d.highestRestored();
                io.netty.channel.Channel ch = EventLoopSessions.CURRENT_CHANNEL.get();
                java.util.concurrent.atomic.AtomicInteger counter = highest == 0 || ch == null ? null
                        : MoquetteInternals.packetIdCounter(ch);
                if (counter != null) {
                    counter.accumulateAndGet(highest, Math::max);
                }
            }
            return result;
        }
        boolean persistent = store != null && !result.session.isClean();
        if (store != null) {
            store.inflightDrop(clientId); // whatever an earlier session of this id left
            store.qos2Drop(clientId);
        }
        if (persistent) {
            MoquetteInternals.replaceInflightWindow(result.session, new DurableInflight(store, clientId));
        }
        MoquetteInternals.replaceQos2Receiving(result.session, new ReceivedQos2(persistent ? store : null, clientId));
        return result;
    }

    /** @return every session, online and offline (a live view of the registry) */
    java.util.Collection<Session> all() {
        return MoquetteInternals.sessionPool(this).values();
    }

    /**
     * Deletes a client's session on its session loop: its connection (if any) is closed, its subscriptions, queue,
     * in-flight and QoS 2 records are discarded, and it is forgotten by the sessions store.
     *
     * @param subscriptionsOfClient the client's stored subscriptions (also those a restart left out of the session)
     * @return completes with false when there is no session of that id or it is connecting at this moment
     */
    java.util.concurrent.CompletableFuture<Boolean> purge(String clientId,
            java.util.function.Function<String, java.util.Collection<io.moquette.broker.subscriptions.Subscription>>
                    subscriptionsOfClient) {
        java.util.concurrent.CompletableFuture<Boolean> done = new java.util.concurrent.CompletableFuture<>();
        PostOffice.RouteResult routed = loops.routeCommand(clientId, "delete session", () -> {
            try {
                done.complete(purgeOnLoop(clientId, subscriptionsOfClient));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
            return null;
        });
        if (!routed.isSuccess()) {
            done.complete(false);
        }
        return done;
    }

    private boolean purgeOnLoop(String clientId,
            java.util.function.Function<String, java.util.Collection<io.moquette.broker.subscriptions.Subscription>>
                    subscriptionsOfClient) {
        Session s = retrieve(clientId);
        if (s == null) {
            return false;
        }
        if (s.connected()) {
            try {
                s.closeImmediately();
            } catch (NullPointerException e) {
                // its connection went away meanwhile: it is disconnected
            }
        }
        if (!s.assignState(Session.SessionStatus.DISCONNECTED, Session.SessionStatus.DESTROYED)) {
            return false; // CONNECTING: a CONNECT of this client is being answered
        }
        java.util.Set<io.moquette.broker.subscriptions.Topic> filters = new java.util.HashSet<>();
        s.getSubscriptions().forEach(sub -> filters.add(sub.getTopicFilter()));
        subscriptionsOfClient.apply(clientId).forEach(sub -> filters.add(sub.getTopicFilter()));
        filters.forEach(f -> subscriptionsDirectory.removeSubscription(f, clientId));
        remove(clientId);
        sessionsRepository.delete(s.getSessionData());
        if (store != null) {
            store.inflightDrop(clientId);
            store.qos2Drop(clientId);
        }
        LOG_CLOSED.info("Session of {} deleted", clientId);
        return true;
    }
}

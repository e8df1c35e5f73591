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
}

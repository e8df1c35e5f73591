package io.moquette.broker;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

import io.edgeport.broker.engine.internal.store.DurableState;
import io.moquette.broker.subscriptions.ISubscriptionsDirectory;

/**
 * Moquette's session registry with durable in-flight windows: every persistent session (restored at start or created
 * at CONNECT) gets a {@link DurableInflight} before anything can be sent to it, and a session that starts clean forgets
 * the in-flight records a previous session of its client id left in the store.
 *
 * <p>Patches the package-private {@code SessionRegistry.createOrReopenSession} and reads the package-private
 * {@code SessionCreationResult.session}/{@code mode}. Called on the client's session loop, like the method it wraps:
 * the window is in place before the CONNACK is written and before any other command for that client runs.
 */
final class EdgeportSessionRegistry extends SessionRegistry {

    private final DurableState store;

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
                }
            }
        }
    }

    @Override
    SessionCreationResult createOrReopenSession(io.netty.handler.codec.mqtt.MqttConnectMessage msg, String clientId,
                                                String username) {
        SessionCreationResult result = super.createOrReopenSession(msg, clientId, username);
        if (store != null && result.mode == CreationModeEnum.CREATED_CLEAN_NEW) {
            store.inflightDrop(clientId); // whatever an earlier session of this id left
            if (!result.session.isClean()) {
                MoquetteInternals.replaceInflightWindow(result.session, new DurableInflight(store, clientId));
            }
        }
        return result;
    }
}

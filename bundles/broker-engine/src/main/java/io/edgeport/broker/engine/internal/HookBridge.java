package io.edgeport.broker.engine.internal;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.broker.engine.ConnectDecision;
import io.edgeport.broker.engine.ConnectInfo;
import io.edgeport.broker.engine.EngineHooks;
import io.edgeport.broker.engine.Listener;
import io.edgeport.broker.engine.internal.pipeline.ConnectContext;
import io.edgeport.broker.engine.internal.pipeline.DollarFilter;
import io.edgeport.broker.engine.internal.pipeline.PublishGuard;
import io.edgeport.broker.engine.internal.pipeline.TlsIdentity;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;

/**
 * Where Moquette and the Edgeport handlers ask their questions and the engine's {@link EngineHooks} answer them: the
 * authenticator and authorizator Moquette is started with (it has no setters), the pipeline's write and receive
 * policies and the Last Will check of clients without username.
 *
 * <p>Remembers the identity each client was accepted as (until {@link #forget}) and passes it to every later
 * question. Publishes are decided in the pipeline (a refused QoS 1/2 publish is still acknowledged there), so
 * {@link #canWrite} always allows. A hook that throws counts as "no" and is logged once per method.
 *
 * <p>Thread-safe; called on the I/O threads.
 */
final class HookBridge implements IAuthenticator, IAuthorizatorPolicy, PublishGuard.WritePolicy,
        DollarFilter.ReceivePolicy, BiPredicate<String, String> {

    private static final Logger LOG = LoggerFactory.getLogger(HookBridge.class);

    private final EngineHooks hooks;
    private final Map<String, String> identities = new ConcurrentHashMap<>();
    private final Map<String, Boolean> logged = new ConcurrentHashMap<>();

    HookBridge(EngineHooks hooks) {
        this.hooks = hooks;
    }

    EngineHooks hooks() {
        return hooks;
    }

    /** Moquette calls this only for clients that sent a username. */
    @Override
    public boolean checkValid(String clientId, String username, byte[] password) {
        ConnectContext ctx = ConnectContext.current();
        List<X509Certificate> chain = ctx == null ? List.of() : TlsIdentity.peerCertificates(ctx.channel());
        InetSocketAddress remote = ctx != null && ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a
                : null;
        String certified = ctx == null ? null : ctx.channel().attr(TlsIdentity.CERTIFICATE_IDENTITY).get();
        // Outside a pipeline (never in the engine) there is no listener to tell: the plain one.
        Listener listener = ctx == null ? Listener.TCP : listener(ctx.listener());
        ConnectInfo info = new ConnectInfo(clientId == null ? "" : clientId, username, password, chain, remote,
                listener, ctx == null ? null : ctx.willTopic(), certified);
        ConnectDecision decision;
        try {
            decision = hooks.authenticate(info);
        } catch (RuntimeException | LinkageError e) {
            failed("authenticate", e);
            return false;
        }
        if (decision == null || !decision.accepted()) {
            return false;
        }
        identities.put(info.clientId(), decision.identity());
        return true;
    }

    /** The Last Will of a client without username ({@code ConnectGuard} asks). */
    @Override
    public boolean test(String clientId, String willTopic) {
        try {
            return hooks.mayLeaveWill(clientId, willTopic);
        } catch (RuntimeException | LinkageError e) {
            failed("mayLeaveWill", e);
            return false;
        }
    }

    @Override
    public boolean mayPublish(String clientId, String username, String topic) {
        try {
            return hooks.mayPublish(clientId, identity(clientId, username), topic);
        } catch (RuntimeException | LinkageError e) {
            failed("mayPublish", e);
            return false;
        }
    }

    @Override
    public boolean mayReceive(String clientId, String username, String topic) {
        try {
            return hooks.mayReceive(clientId, identity(clientId, username), topic);
        } catch (RuntimeException | LinkageError e) {
            failed("mayReceive", e);
            return false;
        }
    }

    /** Decided in the pipeline before Moquette ({@link #mayPublish}); asking again would double the work. */
    @Override
    public boolean canWrite(Topic topic, String user, String client) {
        return true;
    }

    @Override
    public boolean canRead(Topic topic, String user, String client) {
        try {
            return hooks.maySubscribe(client, identity(client, user), topic.toString());
        } catch (RuntimeException | LinkageError e) {
            failed("maySubscribe", e);
            return false;
        }
    }

    /** The client's connection ended: its identity is asked for again at its next CONNECT. */
    void forget(String clientId) {
        if (clientId != null) {
            identities.remove(clientId);
        }
    }

    private String identity(String clientId, String username) {
        return clientId == null || clientId.isEmpty() ? username : identities.getOrDefault(clientId, username);
    }

    static Listener listener(String id) {
        for (Listener l : Listener.values()) {
            if (l.id().equals(id)) {
                return l;
            }
        }
        return Listener.TCP;
    }

    void failed(String method, Throwable e) {
        if (logged.putIfAbsent(method, Boolean.TRUE) == null) {
            LOG.error("Engine hook {}.{} threw; its answers count as 'no' (logged once)", hooks.getClass().getName(),
                    method, e);
        }
    }
}

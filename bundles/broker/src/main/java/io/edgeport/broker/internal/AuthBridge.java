package io.edgeport.broker.internal;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.auth.AccessRequest;
import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;
import io.edgeport.api.auth.ConnectRequest;
import io.edgeport.api.auth.Decision;
import io.edgeport.broker.engine.ConnectDecision;
import io.edgeport.broker.engine.ConnectInfo;

/**
 * The broker's security rules, answering the engine's questions ({@link BrokerHooks} forwards them): every question
 * goes to the provider services present at that moment, highest {@code service.ranking} first, so providers can come
 * and go while the broker runs.
 *
 * <p>Rules: the first ALLOW or DENY wins. Authentication: when every provider abstains, the client is accepted only
 * if anonymous access is allowed. Authorization: with no authorizer at all everything is allowed (Mosquitto without
 * acl_file); with at least one, abstaining everywhere means deny. Nobody may publish to a {@code $}-topic: those
 * belong to the broker. A provider that throws counts as DENY for that request and is logged once.
 */
final class AuthBridge {

    private static final Logger LOG = LoggerFactory.getLogger(AuthBridge.class);

    /** Lists in DS order: ascending ranking, so the best provider is last. */
    private final Supplier<List<Authenticator>> authenticators;
    private final Supplier<List<Authorizer>> authorizers;
    private final boolean allowAnonymous;
    private final Map<Class<?>, Boolean> loggedFailures = new ConcurrentHashMap<>();
    final AtomicLong providerFailures = new AtomicLong();
    final AtomicLong deniedPublishes = new AtomicLong();

    /** How long an authentication provider may take before its answer counts as a denial. */
    static final long AUTH_TIMEOUT_MS = 5_000;
    private final ExecutorService executor;

    /** Without an executor providers run on the calling thread, with no time limit (unit tests). */
    AuthBridge(Supplier<List<Authenticator>> authenticators, Supplier<List<Authorizer>> authorizers,
            boolean allowAnonymous) {
        this(authenticators, authorizers, allowAnonymous, null);
    }

    AuthBridge(Supplier<List<Authenticator>> authenticators, Supplier<List<Authorizer>> authorizers,
            boolean allowAnonymous, ExecutorService executor) {
        this.authenticators = authenticators;
        this.authorizers = authorizers;
        this.allowAnonymous = allowAnonymous;
        this.executor = executor;
    }

    /** The engine asks this only for clients that sent a username. */
    ConnectDecision authenticate(ConnectInfo c) {
        String clientId = c.clientId();
        String username = c.username();
        ConnectRequest request = new ConnectRequest(clientId, username, c.password(), c.peerCertificates(),
                c.remoteAddress(), c.listener().id());
        String certified = c.certificateIdentity();
        AuthResult result = certified != null && certified.equals(username) ? AuthResult.allow(certified)
                : authenticate(request);
        switch (result.outcome()) {
            case ALLOW -> {
                String identity = result.identity().isEmpty() ? username : result.identity();
                return willAllowed(identity, c) ? ConnectDecision.accept(identity) : ConnectDecision.refuse();
            }
            case DENY -> {
                LOG.info("Client '{}' (user '{}') refused: {}", clientId, username, result.reason());
                return ConnectDecision.refuse();
            }
            default -> {
                if (allowAnonymous) {
                    String identity = username == null ? "" : username;
                    return willAllowed(identity, c) ? ConnectDecision.accept(identity) : ConnectDecision.refuse();
                }
                LOG.info("Client '{}' (user '{}') refused: no authentication provider accepted it", clientId,
                        username);
                return ConnectDecision.refuse();
            }
        }
    }

    AuthResult authenticate(ConnectRequest request) {
        List<Authenticator> list = authenticators.get();
        for (int i = list.size() - 1; i >= 0; i--) {
            Authenticator a = list.get(i);
            try {
                AuthResult r = ask(a, request);
                if (r != null && r.outcome() != Decision.NO_OPINION) {
                    return r;
                }
            } catch (TimeoutException e) {
                failed(a, new IllegalStateException("no answer within " + AUTH_TIMEOUT_MS + " ms"));
                return AuthResult.deny("authentication provider " + a.getClass().getName() + " did not answer in time");
            } catch (RuntimeException | LinkageError e) {
                failed(a, e);
                return AuthResult.deny("authentication provider " + a.getClass().getName() + " failed");
            }
        }
        return AuthResult.abstain();
    }

    /** A provider gets {@link #AUTH_TIMEOUT_MS} to answer; it runs on its own thread so a hang cannot last longer. */
    private AuthResult ask(Authenticator a, ConnectRequest request) throws TimeoutException {
        if (executor == null) {
            return a.authenticate(request);
        }
        Future<AuthResult> f = executor.submit(() -> a.authenticate(request));
        try {
            return f.get(AUTH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new IllegalStateException("interrupted while authenticating", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof LinkageError le) {
                throw le;
            }
            throw new IllegalStateException(c);
        }
    }

    /** Mosquitto checks the Last Will topic like a publish when the client connects. */
    private boolean willAllowed(String identity, ConnectInfo c) {
        String will = c.willTopic();
        if (will == null) {
            return true;
        }
        if (will.startsWith("$") || !authorize(identity, c.clientId(), will, Action.PUBLISH)) {
            LOG.info("Client '{}' refused: not authorised to leave a Last Will on '{}'", c.clientId(), will);
            return false;
        }
        return true;
    }

    /** For clients without username (the engine does not authenticate them). */
    boolean mayLeaveWill(String clientId, String willTopic) {
        return !willTopic.startsWith("$") && authorize("", clientId, willTopic, Action.PUBLISH);
    }

    /** Asked before the message is routed; a refused QoS 1/2 publish is still acknowledged by the engine. */
    boolean mayPublish(String clientId, String identity, String topic) {
        if (topic.startsWith("$")) {
            deniedPublishes.incrementAndGet(); // $ topics belong to the broker
            return false;
        }
        if (authorizers.get().isEmpty()) {
            return true;
        }
        boolean ok = authorize(identity, clientId, topic, Action.PUBLISH);
        if (!ok) {
            deniedPublishes.incrementAndGet();
        }
        return ok;
    }

    /** Mosquitto's read check for every delivered message. */
    boolean mayReceive(String clientId, String identity, String topic) {
        return authorizers.get().isEmpty() || authorize(identity, clientId, topic, Action.RECEIVE);
    }

    boolean maySubscribe(String clientId, String identity, String filter) {
        return authorize(identity, clientId, filter, Action.SUBSCRIBE);
    }

    /** @param identity what the client was accepted as (the engine passes it), or its username */
    boolean authorize(String identity, String client, String topic, Action action) {
        List<Authorizer> list = authorizers.get();
        if (list.isEmpty()) {
            return true;
        }
        AccessRequest request = new AccessRequest(identity, client == null ? "" : client, topic, action);
        for (int i = list.size() - 1; i >= 0; i--) {
            Authorizer a = list.get(i);
            try {
                Decision d = a.authorize(request);
                if (d == Decision.ALLOW) {
                    return true;
                }
                if (d == Decision.DENY) {
                    return false;
                }
            } catch (RuntimeException | LinkageError e) {
                failed(a, e);
                return false;
            }
        }
        return false;
    }

    private void failed(Object provider, Throwable e) {
        providerFailures.incrementAndGet();
        if (loggedFailures.putIfAbsent(provider.getClass(), Boolean.TRUE) == null) {
            LOG.error("Security provider {} threw; treating its answers as 'deny' (logged once per provider)",
                    provider.getClass().getName(), e);
        }
    }
}

package io.edgeport.itest;

import io.edgeport.testsupport.net.Ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;

import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.Action;
import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.Authorizer;
import io.edgeport.api.auth.Decision;

/**
 * Authentication and authorization providers are whiteboard services: they take effect for new connections and
 * requests as they come and go, connected clients stay connected, and with nobody vouching a client is refused.
 */
class SecurityProvidersTest {

    @InjectService
    ConfigurationAdmin configAdmin;

    int port;
    final Registrations registrations = new Registrations();

    @BeforeEach
    void broker() throws Exception {
        port = Ports.free();
        Broker.configure(configAdmin, port, Map.of("allow_anonymous", "false"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        registrations.close();
        Broker.deleteConfiguration(configAdmin);
    }

    private <S> ServiceRegistration<S> register(Class<S> type, S service, int ranking) {
        ServiceRegistration<S> r = Broker.context().registerService(type, service,
                new Hashtable<>(Map.of(Constants.SERVICE_RANKING, ranking)));
        registrations.add(r);
        return r;
    }

    private static int reasonCode(ThrowingRunnable r) {
        try {
            r.run();
        } catch (MqttException e) {
            return e.getReasonCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("connection was accepted");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void withoutProvidersEveryoneIsRefusedAndTheBrokerKeepsRunning() {
        assertThat(reasonCode(() -> Broker.connect(port, "anon"))).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(reasonCode(() -> Broker.connect(port, "alice", "alice", "secret")))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
    }

    @Test
    void authenticatorsAreAskedByRankingAndSwapWhileClientsStayConnected() throws Exception {
        Authenticator alice = req -> "alice".equals(req.username())
                && "secret".equals(new String(req.password(), StandardCharsets.UTF_8))
                        ? AuthResult.allow("alice") : AuthResult.abstain();
        Authenticator denyMallory = req -> "mallory".equals(req.username()) ? AuthResult.deny("banned")
                : AuthResult.abstain();
        Authenticator allowAll = req -> AuthResult.allow(req.username());

        ServiceRegistration<Authenticator> a = register(Authenticator.class, alice, 10);
        MqttClient c = Broker.connect(port, "alice-1", "alice", "secret");
        try {
            assertThat(reasonCode(() -> Broker.connect(port, "alice-2", "alice", "wrong")))
                    .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);

            // A lower-ranked allow-all cannot override a higher-ranked deny.
            register(Authenticator.class, denyMallory, 20);
            register(Authenticator.class, allowAll, 0);
            assertThat(reasonCode(() -> Broker.connect(port, "m", "mallory", "x")))
                    .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
            Broker.close(Broker.connect(port, "bob", "bob", "anything"));

            // Provider removed: already connected clients stay, new ones are judged without it.
            a.unregister();
            assertThat(c.isConnected()).isTrue();
            c.publish("still/here", new byte[] { 1 }, 1, false);
        } finally {
            Broker.close(c);
        }
    }

    @Test
    void throwingAuthenticatorCountsAsDenialNotAsCrash() throws Exception {
        register(Authenticator.class, req -> {
            throw new IllegalStateException("provider bug");
        }, 10);
        register(Authenticator.class, req -> AuthResult.allow(req.username()), 0);
        assertThat(reasonCode(() -> Broker.connect(port, "x", "x", "y")))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        registrations.get(0).unregister();
        Broker.close(Broker.connect(port, "x", "x", "y"));
    }

    @Test
    void authorizerDecidesPublishesAndFailsClosedWhenAllAbstain() throws Exception {
        register(Authenticator.class, req -> AuthResult.allow(req.username()), 0);
        MqttClient sub = Broker.connect(port, "sub", "reader", "pw");
        MqttClient pub = Broker.connect(port, "pub", "writer", "pw");
        try {
            List<String> got = new CopyOnWriteArrayList<>();
            CountDownLatch marker = new CountDownLatch(1);
            sub.subscribe("#", 0, (t, m) -> {
                got.add(t);
                if (t.equals("open/marker")) {
                    marker.countDown();
                }
            });
            Authorizer noSecrets = r -> r.action() == Action.PUBLISH && r.topic().startsWith("secret/")
                    ? Decision.DENY : Decision.NO_OPINION;
            Authorizer allowRest = r -> Decision.ALLOW;
            ServiceRegistration<Authorizer> deny = register(Authorizer.class, noSecrets, 10);
            register(Authorizer.class, allowRest, 0);
            pub.publish("secret/plan", new byte[] { 1 }, 0, false);
            pub.publish("open/news", new byte[] { 1 }, 0, false);
            pub.publish("open/marker", new byte[] { 1 }, 0, false);
            assertThat(marker.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(got).containsExactly("open/news", "open/marker");

            deny.unregister();
            CountDownLatch secret = new CountDownLatch(1);
            sub.subscribe("secret/#", 0, (t, m) -> secret.countDown());
            pub.publish("secret/plan", new byte[] { 2 }, 0, false);
            assertThat(secret.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            Broker.close(sub);
            Broker.close(pub);
        }
    }

    @Test
    void nobodyPublishesToSysTopics() throws Exception {
        register(Authenticator.class, req -> AuthResult.allow(req.username()), 0);
        MqttClient sub = Broker.connect(port, "sub", "u", "p");
        MqttClient pub = Broker.connect(port, "pub", "u", "p");
        try {
            List<String> got = new CopyOnWriteArrayList<>();
            CountDownLatch marker = new CountDownLatch(1);
            sub.subscribe("$SYS/#", 0, (t, m) -> got.add(t));
            sub.subscribe("marker", 0, (t, m) -> marker.countDown());
            pub.publish("$SYS/broker/uptime", "forged".getBytes(StandardCharsets.UTF_8), 0, false);
            pub.publish("marker", new byte[] { 1 }, 0, false);
            assertThat(marker.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(got).isEmpty();
        } finally {
            Broker.close(sub);
            Broker.close(pub);
        }
    }
}

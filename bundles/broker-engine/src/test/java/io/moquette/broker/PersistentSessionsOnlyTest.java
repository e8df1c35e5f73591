package io.moquette.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;

import org.junit.jupiter.api.Test;

import io.moquette.persistence.MemorySessionsRepository;
import io.netty.handler.codec.mqtt.MqttVersion;

/** Clean sessions (expiry 0) are not written to the store; persistent ones are, and deletes reach it. */
class PersistentSessionsOnlyTest {

    @Test
    void onlyPersistentSessionsReachTheStore() {
        MemorySessionsRepository store = new MemorySessionsRepository();
        EdgeportServer.PersistentSessionsOnly repo = new EdgeportServer.PersistentSessionsOnly(store);
        Clock clock = Clock.systemUTC();
        ISessionsRepository.SessionData clean = new ISessionsRepository.SessionData("clean", MqttVersion.MQTT_3_1_1, 0,
                clock);
        ISessionsRepository.SessionData persistent = new ISessionsRepository.SessionData("kept",
                MqttVersion.MQTT_3_1_1, 3600, clock);
        repo.saveSession(clean);
        repo.saveSession(persistent);
        assertThat(repo.list()).extracting(ISessionsRepository.SessionData::clientId).containsExactly("kept");
        repo.delete(persistent);
        assertThat(store.list()).isEmpty();
    }
}

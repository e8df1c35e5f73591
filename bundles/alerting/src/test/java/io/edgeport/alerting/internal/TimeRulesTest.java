package io.edgeport.alerting.internal;

import static io.edgeport.alerting.internal.Fixtures.rule;
import static io.edgeport.alerting.internal.Fixtures.temp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.edgeport.api.alerting.Alarm;

/** Stale, rate and offline rules; the engine's clock is moved by hand. */
class TimeRulesTest {

    @TempDir
    Path dir;
    EngineFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new EngineFixture(dir);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void staleExactlyAtTheLimitIsNotStaleOneSecondMoreIs() throws Exception {
        f.engine.putRule(rule("name", "stale", "type", "stale", "stale.seconds", 120));
        f.engine.readings(List.of(temp("d1", 20, 0)));
        f.clock.advance(Duration.ofSeconds(120));
        f.engine.tick();
        assertThat(f.engine.active()).isEmpty();
        f.clock.advance(Duration.ofSeconds(1));
        f.engine.tick();
        f.engine.tick();
        assertThat(f.engine.active()).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo("stale");
            assertThat(a.device()).isEqualTo("d1");
            assertThat(a.measurement()).isEmpty();
            assertThat(a.limit()).isEqualTo(120);
            assertThat(a.message()).isEqualTo("d1 has sent no reading for more than 120 s");
        });
        f.engine.readings(List.of(temp("d1", 20, 500)));
        assertThat(f.engine.active()).isEmpty();
        assertThat(f.events()).containsExactly("raised d1", "cleared d1");
    }

    @Test
    void aGatewayClockJumpingBackIsNotStaleAndJumpingForwardIs() throws Exception {
        f.engine.putRule(rule("name", "stale", "type", "stale", "stale.seconds", 60, "measurement", "temperature"));
        f.engine.readings(List.of(temp("d1", 20, 0)));
        f.clock.advance(Duration.ofHours(-2));
        f.engine.tick();
        assertThat(f.engine.active()).isEmpty();
        f.clock.advance(Duration.ofHours(4));
        f.engine.tick();
        assertThat(f.engine.active()).extracting(Alarm::measurement).containsExactly("temperature");
    }

    @Test
    void staleSurvivesARestartThroughTheLastSeenTimes() throws Exception {
        f.engine.putRule(rule("name", "stale", "type", "stale", "stale.seconds", 60));
        f.engine.readings(List.of(temp("d1", 20, 0)));
        f.restart();
        f.engine.putRule(rule("name", "stale", "type", "stale", "stale.seconds", 60));
        f.clock.advance(Duration.ofSeconds(61));
        f.engine.tick();
        assertThat(f.engine.active()).extracting(Alarm::device).containsExactly("d1");
    }

    @Test
    void rateOfChangePerMinute() throws Exception {
        f.engine.putRule(rule("name", "rate", "type", "rate", "measurement", "temperature", "rate.limit", 10,
                "hysteresis", 2));
        f.engine.readings(List.of(temp("d1", 20, 0), temp("d1", 25, 30))); // 10 per minute: exactly the limit
        assertThat(f.engine.active()).isEmpty();
        f.engine.readings(List.of(temp("d1", 30.5, 60))); // 11 per minute
        assertThat(f.engine.active()).singleElement().satisfies(a -> {
            assertThat(a.value()).isCloseTo(11, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(a.limit()).isEqualTo(10);
        });
        f.engine.readings(List.of(temp("d1", 35, 90))); // 9 per minute: not yet 10 - 2
        assertThat(f.engine.active()).hasSize(1);
        f.engine.readings(List.of(temp("d1", 39, 120))); // 8 per minute: cleared
        assertThat(f.engine.active()).isEmpty();
    }

    @Test
    void rateIgnoresReadingsThatAreNotLaterThanThePreviousOne() throws Exception {
        f.engine.putRule(rule("name", "rate", "type", "rate", "rate.limit", 10));
        f.engine.readings(List.of(temp("d1", 20, 60), temp("d1", 90, 60))); // same time stamp: no division by 0
        f.engine.readings(List.of(temp("d1", 20, 0))); // clock jumped back: new base only
        assertThat(f.engine.active()).isEmpty();
        f.engine.readings(List.of(temp("d1", 20.5, 60)));
        assertThat(f.engine.active()).isEmpty();
        f.engine.readings(List.of(temp("d1", 40, 61)));
        assertThat(f.engine.active()).hasSize(1);
    }

    @Test
    void offlineFromTheStatusTopic() throws Exception {
        f.engine.putRule(rule("name", "offline", "type", "offline", "severity", "critical"));
        f.engine.status("status/d1/health", "d1", false);
        assertThat(f.engine.active()).isEmpty();
        f.engine.status("status/d1/health", "d1", true);
        f.engine.status("status/d1/health", "d1", true); // the retained copy after a reconnect
        assertThat(f.engine.active()).singleElement().satisfies(a -> {
            assertThat(a.message()).isEqualTo("d1 is offline");
            assertThat(a.value()).isNaN();
        });
        f.engine.status("status/other/d1", "d1", true); // another topic: not this rule's
        f.engine.status("status/d1/health", "d1", false);
        assertThat(f.events()).containsExactly("raised d1", "cleared d1");
    }

    @Test
    void aPlannedStopRaisesNothingClearsOfflineAndForgetsTheDeviceForStaleRules() throws Exception {
        f.engine.putRule(rule("name", "offline", "type", "offline"));
        f.engine.putRule(rule("name", "stale", "type", "stale", "stale.seconds", 60));
        f.engine.readings(List.of(temp("d1", 20, 0), temp("d2", 20, 0)));
        f.engine.status("status/d1/health", "d1", true); // d1 dropped off: offline alarm
        f.engine.stopped("status/d2/health", "d2"); // d2 was stopped on purpose: nothing
        assertThat(f.engine.active()).extracting(Alarm::device).containsExactly("d1");
        f.engine.stopped("status/d1/health", "d1"); // then d1 is stopped too: its offline alarm clears
        assertThat(f.engine.active()).isEmpty();

        // Neither stopped device goes stale, not even after a restart (their last-seen times are gone).
        f.restart();
        f.engine.putRule(rule("name", "stale", "type", "stale", "stale.seconds", 60));
        f.clock.advance(Duration.ofSeconds(120));
        f.engine.tick();
        assertThat(f.engine.active()).isEmpty();
        // A stopped device that sends again is tracked again.
        f.engine.readings(List.of(temp("d2", 20, 120)));
        f.clock.advance(Duration.ofSeconds(61));
        f.engine.tick();
        assertThat(f.engine.active()).extracting(Alarm::device).containsExactly("d2");
        assertThat(AlertingInput.stopped("{\"device_id\":\"d\",\"status\":\"stopped\"}".getBytes())).isTrue();
        assertThat(AlertingInput.stopped("{\"status\":\"offline\"}".getBytes())).isFalse();
    }

    @Test
    void anOperatorClearsAnAlarmByHandAndItIsRaisedAgainWhileItsConditionHolds() throws Exception {
        f.engine.putRule(rule("name", "offline", "type", "offline"));
        f.engine.status("status/d1/health", "d1", true);
        Alarm raised = f.engine.active().get(0);
        assertThat(f.engine.clear("no-such-id", "admin")).isEmpty();
        assertThat(f.engine.clear(raised.id(), "admin")).get().satisfies(a -> {
            assertThat(a.state()).isEqualTo(io.edgeport.api.alerting.AlarmState.CLEARED);
            assertThat(a.clearedAt()).isNotNull();
        });
        assertThat(f.engine.active()).isEmpty();
        assertThat(f.engine.clear(raised.id(), "admin")).as("cleared already").isEmpty();
        f.engine.status("status/d1/health", "d1", true); // still offline: a new alarm
        assertThat(f.engine.active()).singleElement().satisfies(a -> assertThat(a.id()).isNotEqualTo(raised.id()));
        assertThat(f.events()).containsExactly("raised d1", "cleared d1", "raised d1");
    }
}

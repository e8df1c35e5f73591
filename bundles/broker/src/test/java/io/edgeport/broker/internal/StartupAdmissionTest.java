package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.edgeport.broker.internal.StartupAdmission.Pending;

/** When the broker starts admitting clients: driven poll by poll with explicit times, no threads. */
class StartupAdmissionTest {

    private static final long T0 = 1_000_000_000L;
    private static final Pending STARTING = new Pending(false, List.of());
    private static final Pending REALM_MISSING = new Pending(true, List.of("passwd (io.edgeport.auth.passwd~default)"));
    private static final Pending READY = new Pending(true, List.of());

    private final AdmissionGate gate = new AdmissionGate(false);
    private final AtomicInteger announced = new AtomicInteger();

    private StartupAdmission admission(Pending... answers) {
        ArrayDeque<Pending> queue = new ArrayDeque<>(List.of(answers));
        return new StartupAdmission(gate, () -> queue.size() > 1 ? queue.poll() : queue.peek(), Duration.ofSeconds(30),
                T0, announced::incrementAndGet);
    }

    private static long at(long ms) {
        return T0 + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void holdsUntilTheStartIsOverAndEveryConfiguredProviderIsInPlace() {
        StartupAdmission a = admission(STARTING, STARTING, REALM_MISSING, REALM_MISSING, READY);
        assertThat(a.poll(at(0))).isFalse();
        assertThat(a.poll(at(20))).isFalse();
        assertThat(a.poll(at(40))).isFalse();
        assertThat(a.poll(at(60))).isFalse();
        assertThat(gate.isOpen()).isFalse();
        assertThat(announced).hasValue(0);

        assertThat(a.poll(at(80))).isTrue();
        assertThat(gate.isOpen()).isTrue();
        assertThat(announced).hasValue(1);
    }

    @Test
    void admitsAnywayOnceTheTimeLimitHasPassed() {
        StartupAdmission a = admission(REALM_MISSING);
        assertThat(a.poll(at(29_999))).isFalse();
        assertThat(gate.isOpen()).isFalse();
        assertThat(a.poll(at(30_000))).isTrue();
        assertThat(gate.isOpen()).isTrue();
        assertThat(announced).hasValue(1);
    }

    @Test
    void opensOnceAndAnnouncesOnce() {
        StartupAdmission a = admission(READY, REALM_MISSING);
        assertThat(a.poll(at(0))).isTrue();
        assertThat(a.poll(at(20))).as("a provider going away later does not close the gate").isTrue();
        assertThat(a.poll(at(40_000))).isTrue();
        assertThat(gate.isOpen()).isTrue();
        assertThat(announced).hasValue(1);
    }

    @Test
    void aProbeThatThrowsCountsAsNotReady() {
        AtomicInteger calls = new AtomicInteger();
        StartupAdmission a = new StartupAdmission(gate, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("SCR is stopping");
            }
            return READY;
        }, Duration.ofSeconds(30), T0, announced::incrementAndGet);
        assertThat(a.poll(at(0))).isFalse();
        assertThat(a.poll(at(20))).isTrue();
        assertThat(announced).hasValue(1);
    }

    @Test
    void closedBeforeReadyNeverOpens() {
        StartupAdmission a = admission(REALM_MISSING);
        a.close();
        a.poll(at(60_000));
        assertThat(gate.isOpen()).isFalse();
        assertThat(announced).hasValue(0);
    }

    @Test
    void theTimerThreadOpensTheGateByItself() throws Exception {
        StartupAdmission a = new StartupAdmission(gate, () -> READY, Duration.ofSeconds(30), System.nanoTime(),
                announced::incrementAndGet);
        a.start();
        await("the timer thread opened the gate").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(gate::isOpen);
        assertThat(announced).hasValue(1);
        a.close();
    }
}

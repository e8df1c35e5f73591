package io.edgeport.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A sink's worker lowers its own CPU priority, and only its own. */
@EnabledOnOs(OS.LINUX)
class LowPriorityTest {

    @Test
    void lowersTheCallingThreadOnly() throws Exception {
        AtomicInteger seen = new AtomicInteger(-1);
        AtomicInteger applied = new AtomicInteger();
        Thread t = new Thread(() -> {
            applied.set(LowPriority.apply(7) ? 1 : 0);
            seen.set(LowPriority.current());
        });
        t.start();
        t.join(10_000);
        assertThat(applied.get()).as("renice worked").isEqualTo(1);
        assertThat(seen.get()).isEqualTo(7);
        assertThat(LowPriority.current()).as("this thread is untouched").isZero();
    }

    @Test
    void zeroDoesNothing() {
        assertThat(LowPriority.apply(0)).isFalse();
        assertThat(LowPriority.current()).isZero();
    }
}

package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.Listener;

/** The gate outlives the engines: whichever comes first, opening or attaching, the engine ends up admitting. */
class AdmissionGateTest {

    private FakeEngine engine() {
        return new FakeEngine(EngineSettings.builder().port(Listener.TCP, 1883).build(), null);
    }

    @Test
    void anEngineAttachedToAClosedGateIsAdmittedWhenItOpens() {
        AdmissionGate gate = new AdmissionGate(false);
        FakeEngine first = engine();
        gate.attach(first);
        assertThat(first.admitted).hasValue(0);
        FakeEngine second = engine(); // a configuration change replaced the engine while the gate was closed
        gate.attach(second);
        gate.open();
        gate.open();
        assertThat(second.admitted).hasValue(1);
        assertThat(first.admitted).hasValue(0);
    }

    @Test
    void anEngineAttachedToAnOpenGateIsAdmittedAtOnce() {
        AdmissionGate gate = new AdmissionGate(false);
        gate.open();
        FakeEngine late = engine();
        gate.attach(late);
        assertThat(late.admitted).hasValue(1);
        assertThat(gate.isOpen()).isTrue();
        gate.attach(null);
    }
}

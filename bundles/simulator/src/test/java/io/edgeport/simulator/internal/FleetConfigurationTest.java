package io.edgeport.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A fleet's configuration changed (the gateway's rule): a bad change leaves the fleet as it was; a good one takes
 * effect on the same component; a fleet whose first configuration was bad starts once a good one comes.
 */
class FleetConfigurationTest {

    private static final Map<String, Object> PID = Map.of("service.pid", "io.edgeport.simulator.fleet~hall");

    @Test
    void aBadChangeLeavesTheFleetAsItWasAndAGoodOneTakesEffect() {
        FleetDirectory directory = new FleetDirectory();
        FleetComponent c = new FleetComponent(Configs.fleet("name", "hall", "devices", 3), PID, new Sequences(),
                directory);
        try {
            assertThat(c.stats().state()).isEqualTo("waiting for a broker");
            assertThat(c.stats().devices()).isEqualTo(3);

            c.modified(Configs.fleet("name", "hall", "devices", 5, "qos", 7));
            assertThat(c.stats().devices()).as("the previous settings stay").isEqualTo(3);
            assertThat(c.stats().state()).isEqualTo("waiting for a broker");

            c.modified(Configs.fleet("name", "hall", "devices", 5));
            assertThat(c.stats().devices()).isEqualTo(5);
            assertThat(directory.fleets()).containsExactly(c);
        } finally {
            c.deactivate();
        }
    }

    @Test
    void aFleetWhoseFirstConfigurationWasBadStartsWhenAGoodOneComes() {
        FleetComponent c = new FleetComponent(Configs.fleet("name", "hall", "qos", 7), PID, new Sequences(),
                new FleetDirectory());
        try {
            assertThat(c.stats().state()).isEqualTo("invalid configuration");
            c.modified(Configs.fleet("name", "hall", "devices", 2));
            assertThat(c.stats().state()).isEqualTo("waiting for a broker");
            assertThat(c.stats().devices()).isEqualTo(2);
            assertThat(c.stats().lastError()).isEmpty();
        } finally {
            c.deactivate();
        }
    }
}

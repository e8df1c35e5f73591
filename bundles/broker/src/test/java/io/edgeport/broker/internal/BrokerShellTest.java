package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.edgeport.api.broker.ClientSession;

class BrokerShellTest {

    private record S(String clientId, boolean connected, boolean persistent, List<Subscription> subscriptions,
                     long queued, int inflight) implements ClientSession {
    }

    @Test
    void oneLinePerSessionWithItsState() {
        String out = BrokerShell.table(List.of(
                new S("night-shift", false, true, List.of(new ClientSession.Subscription("plant/#", 1),
                        new ClientSession.Subscription("alarms/+", 2)), 4, 0),
                new S("probe", true, false, List.of(), 0, 3)));
        assertThat(out.lines()).containsExactly(
                "night-shift  offline persistent  queued 4  in flight 0  subscriptions plant/# (QoS 1), alarms/+ (QoS 2)",
                "probe  connected clean  queued 0  in flight 3  subscriptions -");
    }

    @Test
    void saysWhenThereIsNoneAndWhenTheListIsCut() {
        assertThat(BrokerShell.table(List.of())).isEqualTo("no session");
        List<ClientSession> many = new ArrayList<>();
        for (int i = 0; i <= BrokerShell.LIMIT; i++) {
            many.add(new S("c" + i, true, false, List.of(), 0, 0));
        }
        List<String> lines = BrokerShell.table(many).lines().toList();
        assertThat(lines).hasSize(BrokerShell.LIMIT + 1);
        assertThat(lines.get(BrokerShell.LIMIT)).startsWith("(the first " + BrokerShell.LIMIT);
    }
}

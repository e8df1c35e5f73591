package io.edgeport.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.edgeport.broker.engine.EngineCounters;

class BrokerInventoryTest {

    @Test
    void printsTheListenersCountersAndEveryPeerErrorReason() {
        Map<String, Long> errors = new LinkedHashMap<>();
        errors.put("malformed_packet", 4211L);
        errors.put("tls_handshake", 0L);
        EngineCounters c = new EngineCounters(3, 5, 1, 10, 11, 100, 110, 7, 8, 70, 80, 2, 4, 6, errors);
        StringWriter w = new StringWriter();
        BrokerInventory.print(new PrintWriter(w), List.of("mqtt://127.0.0.1:1883"), c);
        assertThat(w.toString()).contains("Listeners: mqtt://127.0.0.1:1883")
                .contains("Clients: 3 connected (5 at most), 1 persistent sessions offline")
                .contains("7 received, 8 sent, 2 dropped").containsPattern("malformed_packet\\s+4,211")
                .containsPattern("tls_handshake\\s+0");
    }
}

package io.edgeport.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: the peer-error counters are on the web console (Status → Edgeport broker), not only in $SYS. */
class BrokerStatusPageTest {

    @TempDir
    Path dir;

    @Test
    void theConsoleShowsThePeerErrorsByReason() throws Exception {
        try (Gateway gw = new Gateway(dir).start()) {
            Console console = new Console(gw);
            console.awaitUp();
            try (Socket s = new Socket("127.0.0.1", gw.mqttPort)) {
                s.getOutputStream().write(new byte[] { 0x30, 0x02, 0, 0 }); // a PUBLISH before CONNECT
                s.getOutputStream().flush();
                s.setSoTimeout(5_000);
                assertThat(s.getInputStream().read()).as("closed by the broker").isEqualTo(-1);
            }
            var r = console.get("/status-edgeport-broker.txt", console.admin());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("Peer errors since the start").containsPattern("not_connect_first\\s+1");
        }
    }
}

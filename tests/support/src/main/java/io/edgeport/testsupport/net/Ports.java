package io.edgeport.testsupport.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers that a test starts, in another process (Mosquitto, PostgreSQL, the gateway) or in
 * the framework (the in-framework tests copy this package with -conditionalpackage: it uses nothing but java.*).
 */
public final class Ports {

    private Ports() {
    }

    /**
     * A free port below Linux's ephemeral range (32768-60999). A port the kernel hands out for port 0 comes from that
     * range, and between the probe and the server's own bind an outgoing connection of a test running in parallel
     * could take it as its source port (seen once on CI: "Address already in use" for a TLS listener).
     */
    public static int free() throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 200; i++) {
            try (ServerSocket s = new ServerSocket(random.nextInt(20_000, 32_000), 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

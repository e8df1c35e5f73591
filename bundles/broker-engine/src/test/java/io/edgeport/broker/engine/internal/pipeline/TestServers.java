package io.edgeport.broker.engine.internal.pipeline;

import java.nio.file.Path;
import java.util.Properties;

/** What the in-process server tests share: the broker properties they all start from. */
final class TestServers {

    private TestServers() {
    }

    /**
     * @return loopback, a port the system picks, no telemetry, the store on or off, data under {@code tmp}; a test
     *         adds what it is about
     */
    static Properties properties(Path tmp, boolean persistence) {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", "0");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", Boolean.toString(persistence));
        p.setProperty("data_path", tmp.resolve("data").toString());
        return p;
    }
}

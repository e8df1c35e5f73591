package io.edgeport.broker.internal;

import java.util.function.Supplier;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;

import io.edgeport.broker.engine.Listener;

/**
 * Health of the broker's client listeners (Apache Felix Health Checks, tags {@code broker-core} and {@code edgeport}):
 * CRITICAL when the broker is not running or a configured listener (TCP, TLS, WebSocket, secure WebSocket) is not
 * bound to its port.
 */
final class ListenerHealthCheck implements HealthCheck {

    static final String NAME = "MQTT listeners";

    private final Supplier<BrokerRun> run;

    ListenerHealthCheck(Supplier<BrokerRun> run) {
        this.run = run;
    }

    @Override
    public Result execute() {
        BrokerRun r = run.get();
        if (r == null) {
            return new Result(Result.Status.CRITICAL, "The broker is not running (see the log for why)");
        }
        FormattingResultLog out = new FormattingResultLog();
        Settings s = r.settings;
        check(out, r, Listener.TCP, s.port(), s.bindAddress());
        check(out, r, Listener.TLS, s.tlsPort(), s.bindAddress());
        check(out, r, Listener.WEBSOCKET, s.websocketPort(), s.bindAddress());
        check(out, r, Listener.WSS, s.wssPort(), s.bindAddress());
        // not r.statistics(): that scans every retained message
        out.info("{} client(s) connected", r.engine().connectedClients().size());
        return new Result(out);
    }

    private static void check(FormattingResultLog out, BrokerRun r, Listener l, int port, String bind) {
        if (port <= 0) {
            return; // off
        }
        int bound = r.engine().boundPort(l);
        if (bound <= 0) {
            out.critical("The {} listener ({}:{}) is not bound", l, bind, port);
        } else {
            out.info("The {} listener is bound to {}:{}", l, bind, bound);
        }
    }
}

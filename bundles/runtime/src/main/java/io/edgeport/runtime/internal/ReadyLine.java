package io.edgeport.runtime.internal;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;

import io.edgeport.api.broker.BrokerService;

/**
 * Prints one line to standard output once the broker and the HTTP server are up: the listeners and the console
 * address. Operators and the black-box tests wait for it. "Up" for the broker means it admits clients
 * ({@link BrokerService#READY_CONDITION}: the security providers configured at start are in place), so a login right
 * after the line is never refused for want of a provider. Printed again whenever either comes back after a change.
 */
@Component(immediate = true)
public final class ReadyLine {

    static final String PREFIX = "Edgeport ready";

    @Activate
    public ReadyLine(@Reference BrokerService broker, @Reference HttpServiceRuntime http,
            @Reference(target = "(" + Condition.CONDITION_ID + "=" + BrokerService.READY_CONDITION + ")")
            Condition admitting, Map<String, Object> unused) {
        System.out.println(line(broker.listeners(), endpoints(http), ManagementFactory.getRuntimeMXBean().getUptime()));
        System.out.flush();
    }

    /**
     * The HTTP runtime's endpoints. While the HTTP service restarts (a console restart refreshes every bundle) its
     * runtime DTO may not be complete yet: ask again for a moment rather than fail the component, which would leave
     * the gateway without its ready line.
     */
    private static List<String> endpoints(HttpServiceRuntime http) {
        RuntimeException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                List<String> out = endpointsNow(http);
                if (!out.isEmpty()) {
                    return out;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (last != null) {
            org.slf4j.LoggerFactory.getLogger(ReadyLine.class).debug("HTTP endpoints unknown: {}", last.toString());
        }
        return List.of();
    }

    static String line(List<String> listeners, List<String> http, long uptimeMs) {
        String console = http.isEmpty() ? "(no HTTP endpoint)" : http.get(0).replaceAll("/$", "") + "/system/console";
        return PREFIX + " in " + uptimeMs + " ms: MQTT " + String.join(" ", listeners) + " | console " + console;
    }

    private static List<String> endpointsNow(HttpServiceRuntime http) {
        Object v = http.getRuntimeDTO().serviceDTO.properties.get(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT);
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            out.add(s);
        } else if (v instanceof String[] a) {
            out.addAll(List.of(a));
        } else if (v instanceof Iterable<?> it) {
            it.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }
}

package io.edgeport.runtime.internal;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;

import io.edgeport.api.broker.BrokerService;

/**
 * Prints one line to standard output once the broker and the HTTP server are up and the launcher started every
 * bundle ({@link WhenStarted}): the listeners and the console address. Operators and the black-box tests wait for it. "Up" for the broker means it admits clients
 * ({@link BrokerService#READY_CONDITION}: the security providers configured at start are in place), so a login right
 * after the line is never refused for want of a provider. Printed again whenever either comes back after a change.
 */
@Component(immediate = true)
public final class ReadyLine {

    static final String PREFIX = "Edgeport ready";

    /**
     * The HTTP runtime is referenced only once it announces its endpoint: Felix HTTP registers the runtime service
     * first and adds {@code osgi.http.endpoint} when Jetty listens (on the same thread, so waiting for it here would
     * hold up the very start it waits for).
     */
    private final WhenStarted started;

    @Activate
    public ReadyLine(BundleContext context, @Reference BrokerService broker,
            @Reference(target = "(" + HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT + "=*)")
            ServiceReference<HttpServiceRuntime> http,
            @Reference(target = "(" + Condition.CONDITION_ID + "=" + BrokerService.READY_CONDITION + ")")
            Condition admitting) {
        List<String> endpoints = endpoints(http.getProperty(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT));
        started = WhenStarted.run(context, () -> {
            System.out.println(line(broker.listeners(), endpoints, ManagementFactory.getRuntimeMXBean().getUptime()));
            System.out.flush();
        });
    }

    @Deactivate
    void deactivate() {
        started.close();
    }

    static String line(List<String> listeners, List<String> http, long uptimeMs) {
        String console = http.isEmpty() ? "(no HTTP endpoint)" : http.get(0).replaceAll("/$", "") + "/system/console";
        return PREFIX + " in " + uptimeMs + " ms: MQTT " + String.join(" ", listeners) + " | console " + console;
    }

    /** The value of {@code osgi.http.endpoint}: a String, String[] or collection. */
    static List<String> endpoints(Object v) {
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

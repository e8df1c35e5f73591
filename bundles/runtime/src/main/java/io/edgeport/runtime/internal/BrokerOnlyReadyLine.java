package io.edgeport.runtime.internal;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condition.Condition;

import io.edgeport.api.broker.BrokerService;

/**
 * The ready line of a runtime without HTTP (the broker-only appliance, {@code run/broker.bndrun}, which sets the
 * framework property {@code edgeport.http=none}): printed once the broker admits clients
 * ({@link BrokerService#READY_CONDITION}), without waiting for an HTTP server
 * that will never come. In the gateway {@link ReadyLine} prints it and this component stays silent.
 */
@Component(immediate = true)
public final class BrokerOnlyReadyLine {

    static final String HTTP_PROPERTY = "edgeport.http";

    @Activate
    public BrokerOnlyReadyLine(BundleContext context, @Reference BrokerService broker,
            @Reference(target = "(" + Condition.CONDITION_ID + "=" + BrokerService.READY_CONDITION + ")")
            Condition admitting) {
        started = "none".equals(context.getProperty(HTTP_PROPERTY)) ? WhenStarted.run(context, () -> {
            System.out.println(ReadyLine.line(broker.listeners(), List.of(),
                    ManagementFactory.getRuntimeMXBean().getUptime()));
            System.out.flush();
        }) : null;
    }

    private final WhenStarted started;

    @Deactivate
    void deactivate() {
        if (started != null) {
            started.close();
        }
    }
}

package io.edgeport.alerting.internal.log;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.alerting.AlarmEvent;
import io.edgeport.api.alerting.AlarmNotifier;
import io.edgeport.api.alerting.Severity;
import io.edgeport.api.alerting.Transition;

/**
 * The log action: one line per alarm transition on the logger {@code io.edgeport.alarms} (WARN for raised critical
 * and major alarms, INFO otherwise). Its own package because it is a plain whiteboard notifier like any other, only
 * shipped with the engine so that a gateway always has an alarm trail. Durable (named "log"), so transitions that
 * happen while it is away are logged when it is back.
 */
@Component(property = AlarmNotifier.NAME + "=log")
public final class LogNotifier implements AlarmNotifier {

    private static final Logger ALARMS = LoggerFactory.getLogger("io.edgeport.alarms");

    @Override
    public void notify(AlarmEvent event) {
        var a = event.alarm();
        String line = "Alarm {} {} [{}] rule {} device {}: {}";
        Object[] args = { event.transition().name().toLowerCase(java.util.Locale.ROOT), a.id(), a.severity().label(),
                a.rule(), a.device(), a.message() };
        if (event.transition() == Transition.RAISED
                && (a.severity() == Severity.CRITICAL || a.severity() == Severity.MAJOR)) {
            ALARMS.warn(line, args);
        } else {
            ALARMS.info(line, args);
        }
    }
}

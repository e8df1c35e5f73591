package io.edgeport.alerting.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.edgeport.api.alerting.Alarm;

/**
 * Gogo commands, no Gogo API needed:
 * <pre>
 * edgeport:alarms [history [N]]     raised alarms (or the N newest of all), then rules and notifiers
 * edgeport:alarm-ack ID [by]        acknowledge an alarm
 * </pre>
 * Gogo 1.1.6 cannot map a name with '-' to a method but passes every function name to {@code _main}.
 */
@Component(service = AlarmCommands.class, property = { "osgi.command.scope=edgeport",
        "osgi.command.function=alarms", "osgi.command.function=alarm-ack" })
public final class AlarmCommands {

    private final AlertingComponent alerting;

    @Activate
    public AlarmCommands(@Reference(name = "alerting") AlertingComponent alerting) {
        this.alerting = alerting;
    }

    /** Called by Gogo for every function of this service; {@code args[0]} is the function name. */
    public Object _main(Object... args) {
        String[] a = new String[Math.max(0, args.length - 1)];
        for (int i = 1; i < args.length; i++) {
            a[i - 1] = String.valueOf(args[i]);
        }
        String fn = args.length == 0 ? "" : String.valueOf(args[0]);
        return switch (fn) {
            case "alarms" -> alarms(a);
            case "alarm-ack" -> ack(a);
            default -> throw new IllegalArgumentException("usage: alarms [history [N]] | alarm-ack ID [by]");
        };
    }

    String alarms(String... a) {
        boolean history = a.length > 0 && a[0].equals("history");
        if (a.length > 2 || a.length > 0 && !history) {
            throw new IllegalArgumentException("usage: alarms [history [N]]");
        }
        List<Alarm> list = history ? alerting.history(a.length == 2 ? Integer.parseInt(a[1]) : 50)
                : alerting.active();
        StringBuilder b = new StringBuilder(String.format("%-36s %-8s %-8s %-3s %-14s %-24s %-20s %s%n", "ID",
                "SEVERITY", "STATE", "ACK", "RULE", "DEVICE", "RAISED", "MESSAGE"));
        for (Alarm x : list) {
            b.append(String.format("%-36s %-8s %-8s %-3s %-14s %-24s %-20s %s%n", x.id(), x.severity().label(),
                    x.state().name().toLowerCase(java.util.Locale.ROOT), x.acknowledged() ? "yes" : "no", x.rule(),
                    x.device(), x.raisedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), x.message()));
        }
        if (list.isEmpty()) {
            b.append(history ? "(no alarms yet)\n" : "(no raised alarms)\n");
        }
        b.append("Rules: ");
        b.append(String.join(", ", alerting.engine().rules().stream().map(Rule::name).toList()));
        b.append("\nNotifiers: ").append(alerting.notifierSummaries());
        b.append("\nInput: ").append(alerting.inputConnected() ? "reading the message store, "
                + alerting.inputLagBytes() + " bytes behind" : "waiting for the broker's message store");
        return b.toString();
    }

    String ack(String... a) {
        if (a.length < 1 || a.length > 2) {
            throw new IllegalArgumentException("usage: alarm-ack ID [by]");
        }
        return alerting.acknowledge(a[0], a.length == 2 ? a[1] : "shell")
                .map(x -> "Acknowledged " + x.id() + " (" + x.rule() + " on " + x.device() + ") by "
                        + x.acknowledgedBy())
                .orElse("No alarm " + a[0]);
    }
}

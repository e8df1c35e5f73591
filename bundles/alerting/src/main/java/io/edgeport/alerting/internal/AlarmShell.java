package io.edgeport.alerting.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code alarm:list}, {@code alarm:history}, {@code alarm:ack}, listed by {@code help} with their usage;
 * {@code edgeport:alarms} and {@code edgeport:alarm-ack} are the same commands under their first names.
 */
@Component(service = AlarmShell.class, property = { "osgi.command.scope=alarm", "osgi.command.function=list",
        "osgi.command.function=history", "osgi.command.function=ack" })
public final class AlarmShell {

    private final AlarmCommands commands;

    @Activate
    public AlarmShell(@Reference AlarmCommands commands) {
        this.commands = commands;
    }

    @Descriptor("raised alarms, the rules, the notifiers and the input's position")
    public String list() {
        return commands.alarms();
    }

    @Descriptor("the newest 50 alarms, raised or cleared")
    public String history() {
        return commands.alarms("history");
    }

    @Descriptor("the newest N alarms, raised or cleared")
    public String history(@Descriptor("N") int n) {
        return commands.alarms("history", Integer.toString(n));
    }

    @Descriptor("acknowledge an alarm (by 'shell')")
    public String ack(@Descriptor("alarm id") String id) {
        return commands.ack(id);
    }

    @Descriptor("acknowledge an alarm on behalf of someone")
    public String ack(@Descriptor("alarm id") String id, @Descriptor("who") String by) {
        return commands.ack(id, by);
    }
}

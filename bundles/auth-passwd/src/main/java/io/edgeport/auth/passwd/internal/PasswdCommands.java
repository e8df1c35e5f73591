package io.edgeport.auth.passwd.internal;

import io.edgeport.commons.text.Printable;
import java.io.IOException;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo commands for password realms, no Gogo API needed:
 * <pre>
 * edgeport:passwd-list   [realm]
 * edgeport:passwd-add    [realm] user password    (adds the user or changes the password)
 * edgeport:passwd-delete [realm] user
 * </pre>
 * The realm may be left out while only one is configured. Hashes are never printed. Gogo 1.1.6 cannot map a
 * command name with a '-' to a Java method, but it passes every name of this service to {@code _main} with the name as
 * first argument, so that method dispatches. The password appears on the command line like with
 * {@code mosquitto_passwd -b}; the shell does not keep a history file by default.
 */
@Component(service = PasswdCommands.class, property = { "osgi.command.scope=edgeport",
        "osgi.command.function=passwd-add", "osgi.command.function=passwd-delete",
        "osgi.command.function=passwd-list" })
public final class PasswdCommands {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    volatile List<Realm> realms;

    /** Called by Gogo for every function of this service; {@code args[0]} is the function name. */
    public Object _main(Object... args) throws IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: passwd-list | passwd-add | passwd-delete");
        }
        String[] a = new String[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            a[i - 1] = String.valueOf(args[i]);
        }
        return switch (String.valueOf(args[0])) {
            case "passwd-list" -> list(a);
            case "passwd-add" -> add(a);
            case "passwd-delete" -> delete(a);
            default -> throw new IllegalArgumentException("unknown command " + Printable.of(String.valueOf(args[0])));
        };
    }

    String list(String... a) {
        if (a.length > 1) {
            throw new IllegalArgumentException("usage: passwd-list [realm]");
        }
        List<Realm> chosen = a.length == 1 ? List.of(Realms.pick(realms, a[0])) : Realms.sorted(realms);
        if (chosen.isEmpty()) {
            return "No password realm is configured (factory PID " + PasswdRealmConfig.PID + ")";
        }
        StringBuilder b = new StringBuilder();
        for (Realm r : chosen) {
            UserTable t = r.users();
            b.append("Realm ").append(r.name()).append(" (").append(r.file()).append("): ").append(t.size())
                    .append(t.size() == 1 ? " user\n" : " users\n");
            for (String u : t.usernames()) {
                b.append("  ").append(Printable.of(u)).append("  ").append(t.scheme(u)).append('\n');
            }
            r.problems().forEach(p -> b.append("  problem: ").append(p).append('\n'));
        }
        return b.toString().stripTrailing();
    }

    String add(String... a) throws IOException {
        if (a.length != 2 && a.length != 3) {
            throw new IllegalArgumentException("usage: passwd-add [realm] user password");
        }
        Realm r = Realms.pick(realms, a.length == 3 ? a[0] : null);
        String user = a[a.length - 2];
        boolean existed = r.setPassword(user, a[a.length - 1]);
        return (existed ? "Changed the password of " : "Added ") + Printable.of(user) + " in realm " + r.name();
    }

    String delete(String... a) throws IOException {
        if (a.length != 1 && a.length != 2) {
            throw new IllegalArgumentException("usage: passwd-delete [realm] user");
        }
        Realm r = Realms.pick(realms, a.length == 2 ? a[0] : null);
        String user = a[a.length - 1];
        if (!r.delete(user)) {
            throw new IllegalArgumentException("no user " + Printable.of(user) + " in realm " + r.name());
        }
        return "Deleted " + Printable.of(user) + " from realm " + r.name();
    }
}

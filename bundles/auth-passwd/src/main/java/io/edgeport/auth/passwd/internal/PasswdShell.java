package io.edgeport.auth.passwd.internal;

import java.io.IOException;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code passwd:list}, {@code passwd:add}, {@code passwd:delete}, listed by {@code help} with their usage;
 * {@code edgeport:passwd-*} are the same commands under their first names. The realm may be left out while only one
 * is configured.
 */
@Component(service = PasswdShell.class, property = { "osgi.command.scope=passwd", "osgi.command.function=list",
        "osgi.command.function=add", "osgi.command.function=delete" })
public final class PasswdShell {

    private final PasswdCommands commands;

    @Activate
    public PasswdShell(@Reference PasswdCommands commands) {
        this.commands = commands;
    }

    @Descriptor("the users of every password realm (hashes are never shown)")
    public String list() {
        return commands.list();
    }

    @Descriptor("the users of one password realm")
    public String list(@Descriptor("realm") String realm) {
        return commands.list(realm);
    }

    @Descriptor("add a user or change a password (min_password_length applies)")
    public String add(@Descriptor("user") String user, @Descriptor("password") String password) throws IOException {
        return commands.add(user, password);
    }

    @Descriptor("add a user or change a password in one realm")
    public String add(@Descriptor("realm") String realm, @Descriptor("user") String user,
            @Descriptor("password") String password) throws IOException {
        return commands.add(realm, user, password);
    }

    @Descriptor("delete a user")
    public String delete(@Descriptor("user") String user) throws IOException {
        return commands.delete(user);
    }

    @Descriptor("delete a user from one realm")
    public String delete(@Descriptor("realm") String realm, @Descriptor("user") String user) throws IOException {
        return commands.delete(realm, user);
    }
}

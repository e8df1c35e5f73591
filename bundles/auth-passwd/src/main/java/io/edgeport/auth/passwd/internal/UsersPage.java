package io.edgeport.auth.passwd.internal;

import io.edgeport.commons.webconsole.ConsolePage;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Web Console page "MQTT users" (/system/console/edgeport-users): lists the users of every realm (never hashes) with
 * forms to add a user, change a password and delete a user. The console authenticates the operator before this
 * servlet is called; {@link ConsolePage} checks every POST against CSRF and shows its outcome once after the redirect.
 * Every value written into the page is HTML-encoded; fields are validated with the same rules as the shell commands.
 */
@Component(service = jakarta.servlet.Servlet.class, property = { "felix.webconsole.label=" + UsersPage.LABEL,
        "felix.webconsole.title=MQTT users", "felix.webconsole.category=Edgeport" })
public final class UsersPage extends ConsolePage<UsersPage.Flash> {

    static final String LABEL = "edgeport-users";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UsersPage.class);

    /** What the last POST of this session did, shown once. */
    record Flash(String info, String error, String enteredUser) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    transient volatile List<Realm> realms;

    public UsersPage() {
        super(LABEL, "a change of MQTT users");
    }

    @Override
    protected Flash post(HttpServletRequest request, HttpServletResponse response) {
        String action = request.getParameter("action");
        String user = request.getParameter("username");
        try {
            Realm realm = Realms.pick(realms, request.getParameter("realm"));
            if ("set".equals(action)) {
                UserInput.checkUsername(user);
                String pw = request.getParameter("password");
                if (pw == null || !pw.equals(request.getParameter("password2"))) {
                    throw new IllegalArgumentException("the two passwords differ");
                }
                return new Flash((realm.setPassword(user, pw) ? "Changed the password of " : "Added ") + user
                        + " in realm " + realm.name() + ".", null, "");
            } else if ("delete".equals(action)) {
                UserInput.checkUsername(user);
                if (!realm.delete(user)) {
                    throw new IllegalArgumentException("there is no user " + user + " in realm " + realm.name());
                }
                return new Flash("Deleted " + user + " from realm " + realm.name() + ".", null, "");
            }
            throw new IllegalArgumentException("unknown action");
        } catch (IllegalArgumentException e) {
            return new Flash(null, "Not done: " + e.getMessage() + ".", user == null ? "" : user);
        } catch (IOException e) {
            LOG.error("Web console: could not write the password file", e);
            return new Flash(null, "Not done: the password file could not be written (" + e.getMessage() + ").",
                    user == null ? "" : user);
        }
    }

    @Override
    protected void render(HttpServletRequest request, PrintWriter w, String token, Flash flash) {
        if (flash != null) {
            statline(w, flash.info(), false);
            statline(w, flash.error(), true);
        }
        String entered = flash == null ? "" : flash.enteredUser();
        List<Realm> all = Realms.sorted(realms);
        if (all.isEmpty()) {
            w.println("<p>No password realm is configured. Create a configuration of the factory "
                    + Encode.forHtml(PasswdRealmConfig.PID) + " first.</p>");
            return;
        }
        for (Realm r : all) {
            String realm = Encode.forHtmlAttribute(r.name());
            UserTable t = r.users();
            w.println("<h2>Realm " + Encode.forHtml(r.name()) + "</h2>");
            w.println("<p>File: <code>" + Encode.forHtml(r.file().toString()) + "</code>, " + t.size()
                    + " users.</p>");
            w.println("<table class='nicetable'><thead><tr><th>User</th><th>Hash</th><th></th></tr></thead><tbody>");
            for (String u : t.usernames()) {
                w.println("<tr><td>" + Encode.forHtml(u) + "</td><td>" + Encode.forHtml(t.scheme(u)) + "</td><td>"
                        + "<form method='post'>" + hidden(token, realm, "delete")
                        + "<input type='hidden' name='username' value='" + Encode.forHtmlAttribute(u) + "'>"
                        + "<button type='submit'>Delete</button></form></td></tr>");
            }
            w.println("</tbody></table>");
            if (!r.problems().isEmpty()) {
                w.println("<h3>Lines skipped when the file was read</h3><ul>");
                r.problems().forEach(p -> w.println("<li>" + Encode.forHtml(p) + "</li>"));
                w.println("</ul>");
            }
            w.println("<h3>Add a user or change a password</h3><form method='post' autocomplete='off'>"
                    + hidden(token, realm, "set")
                    + "<label>User <input name='username' required maxlength='65535' value='"
                    + Encode.forHtmlAttribute(entered) + "'></label> "
                    + "<label>Password <input type='password' name='password' required autocomplete='new-password'>"
                    + "</label> <label>Again <input type='password' name='password2' required"
                    + " autocomplete='new-password'></label> <button type='submit'>Save</button></form>");
        }
    }

    private static String hidden(String token, String encodedRealm, String action) {
        return tokenField(token) + "<input type='hidden' name='realm' value='" + encodedRealm + "'>"
                + "<input type='hidden' name='action' value='" + action + "'>";
    }
}

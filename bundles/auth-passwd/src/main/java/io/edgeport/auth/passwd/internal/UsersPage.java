package io.edgeport.auth.passwd.internal;

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

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Web Console page "MQTT users" (/system/console/edgeport-users): lists the users of every realm (never hashes) with
 * forms to add a user, change a password and delete a user. Changes are POSTs checked by {@link CsrfGuard}; every
 * value written into the page is HTML-encoded; fields are validated with the same rules as the shell commands and
 * errors are shown above the forms. The console authenticates the operator before this servlet is called.
 */
@Component(service = Servlet.class, property = { "felix.webconsole.label=edgeport-users",
        "felix.webconsole.title=MQTT users", "felix.webconsole.category=Edgeport" })
public final class UsersPage extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UsersPage.class);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    transient volatile List<Realm> realms;

    private final transient CsrfGuard csrf = new CsrfGuard();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        render(request, response, null, null, "");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String refused = csrf.check(request);
        if (refused != null) {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            render(request, response, null, "Refused: " + refused + ".", "");
            return;
        }
        String action = request.getParameter("action");
        String user = request.getParameter("username");
        try {
            Realm realm = Realms.pick(realms, request.getParameter("realm"));
            String message;
            if ("set".equals(action)) {
                UserInput.checkUsername(user);
                String pw = request.getParameter("password");
                if (pw == null || !pw.equals(request.getParameter("password2"))) {
                    throw new IllegalArgumentException("the two passwords differ");
                }
                message = (realm.setPassword(user, pw) ? "Changed the password of " : "Added ") + user
                        + " in realm " + realm.name() + ".";
            } else if ("delete".equals(action)) {
                UserInput.checkUsername(user);
                if (!realm.delete(user)) {
                    throw new IllegalArgumentException("there is no user " + user + " in realm " + realm.name());
                }
                message = "Deleted " + user + " from realm " + realm.name() + ".";
            } else {
                throw new IllegalArgumentException("unknown action");
            }
            render(request, response, message, null, "");
        } catch (IllegalArgumentException e) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            render(request, response, null, "Not done: " + e.getMessage() + ".", user == null ? "" : user);
        } catch (IOException e) {
            LOG.error("Web console: could not write the password file", e);
            response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            render(request, response, null, "Not done: the password file could not be written (" + e + ").",
                    user == null ? "" : user);
        }
    }

    private void render(HttpServletRequest request, HttpServletResponse response, String info, String error,
            String enteredUser) throws IOException {
        String token = csrf.token(request);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        PrintWriter w = response.getWriter();
        if (info != null) {
            w.println("<p class='statline ui-state-highlight'>" + Encode.forHtml(info) + "</p>");
        }
        if (error != null) {
            w.println("<p class='statline ui-state-error'>" + Encode.forHtml(error) + "</p>");
        }
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
                    + Encode.forHtmlAttribute(enteredUser) + "'></label> "
                    + "<label>Password <input type='password' name='password' required autocomplete='new-password'>"
                    + "</label> <label>Again <input type='password' name='password2' required"
                    + " autocomplete='new-password'></label> <button type='submit'>Save</button></form>");
        }
    }

    private static String hidden(String token, String encodedRealm, String action) {
        return "<input type='hidden' name='" + CsrfGuard.FIELD + "' value='" + Encode.forHtmlAttribute(token) + "'>"
                + "<input type='hidden' name='realm' value='" + encodedRealm + "'>"
                + "<input type='hidden' name='action' value='" + action + "'>";
    }
}

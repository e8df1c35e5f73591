package io.edgeport.alerting.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmService;

import io.edgeport.commons.webconsole.ConsolePage;
import io.edgeport.commons.webconsole.CsrfGuard;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Web Console page "Alarms" (/system/console/alarms): raised alarms with an Acknowledge button, the newest history,
 * and the HTTP API {@code GET /system/console/alarms/alarms.json[?history=N]} and
 * {@code POST /system/console/alarms/ack} (parameter {@code id}). The console authenticates the operator first; the
 * acknowledgement records the console user. POSTs are checked by {@link CsrfGuard} (form token or the
 * {@code X-Requested-By} header, and Origin/Referer of this host). A form POST redirects back to the page; an API POST
 * (one with the header) gets JSON. The page skeleton (CSRF check, post/redirect/get) is {@link ConsolePage}.
 */
@Component(service = jakarta.servlet.Servlet.class, property = { "felix.webconsole.label=" + AlarmsPage.LABEL,
        "felix.webconsole.title=Alarms", "felix.webconsole.category=Edgeport" })
public final class AlarmsPage extends ConsolePage<String> {

    static final String LABEL = "alarms";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AlarmsPage.class);

    private final transient AlarmService alarms;
    @org.osgi.service.component.annotations.Activate
    public AlarmsPage(@Reference(name = "alarms") AlarmService alarms) {
        super(LABEL, "an alarm acknowledgement");
        this.alarms = alarms;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String path = path(request);
        if (!AlarmsApi.isJson(path)) {
            super.doGet(request, response);
            return;
        }
        json(response, AlarmsApi.get(alarms, path, request::getParameter));
    }

    @Override
    protected void refuse(HttpServletRequest request, HttpServletResponse response, String why) throws IOException {
        if (request.getRequestedSessionId() == null) { // a script: answer in its terms
            json(response, new AlarmsApi.Response(403, AlarmsApi.error("refused: " + why)));
        } else {
            super.refuse(request, response, why);
        }
    }

    /** Back to the page (a form posts to {@code alarms/ack}). */
    @Override
    protected String afterPost(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri != null && uri.endsWith("/ack") ? uri.substring(0, uri.length() - 4) : LABEL;
    }

    @Override
    protected String post(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = path(request);
        boolean api = request.getHeader(CsrfGuard.HEADER) != null;
        if (!AlarmsApi.isAck(path)) {
            json(response, new AlarmsApi.Response(404, AlarmsApi.error("POST to " + LABEL + "/ack")));
            return null;
        }
        if (!api && (request.getParameter("clear") != null || request.getParameter("clearone") != null)) {
            String clearOne = request.getParameter("clearone");
            String[] ids = clearOne != null ? new String[] { clearOne } : request.getParameterValues("id");
            int done = 0;
            for (String id : ids == null ? new String[0] : ids) {
                if (alarms.clear(id, user(request)).isPresent()) {
                    done++;
                }
            }
            return ids == null || ids.length == 0 ? "Nothing selected."
                    : "Cleared " + done + " of " + ids.length + " alarm" + (ids.length == 1 ? "" : "s") + ".";
        }
        String one = request.getParameter("one");
        String[] ids = one != null ? new String[] { one } : request.getParameterValues("id");
        if (api || ids == null || ids.length <= 1) {
            AlarmsApi.Response r = AlarmsApi.ack(alarms, ids == null ? null : ids[0], user(request));
            if (api) {
                json(response, r);
                return null;
            }
            return ids == null ? "Nothing selected."
                    : r.status() == 200 ? "Acknowledged." : "Not acknowledged: " + r.json();
        } else {
            int done = 0;
            for (String id : ids) {
                if (AlarmsApi.ack(alarms, id, user(request)).status() == 200) {
                    done++;
                }
            }
            return "Acknowledged " + done + " of " + ids.length + " selected alarms.";
        }
    }

    /**
     * @return who acknowledges: the console user that signed in (the console checked the credentials before this page
     *         runs), else what the servlet container knows
     */
    static String user(HttpServletRequest request) {
        String auth = request.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(java.util.Base64.getDecoder().decode(auth.substring(6).trim()),
                        java.nio.charset.StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return decoded.substring(0, colon);
                }
            } catch (IllegalArgumentException e) {
                // not Base64: fall through
            }
        }
        Principal p = request.getUserPrincipal();
        return request.getRemoteUser() != null ? request.getRemoteUser() : p != null ? p.getName() : "console";
    }

    private static String path(HttpServletRequest request) {
        return request.getPathInfo() != null ? request.getPathInfo() : request.getRequestURI();
    }

    private void json(HttpServletResponse response, AlarmsApi.Response r) throws IOException {
        json(response, r.status(), r.json());
    }

    @Override
    protected void render(HttpServletRequest request, PrintWriter w, String token, String flash) {
        statline(w, flash, false);
        AlarmView view = AlarmView.of(request::getParameter);
        List<Alarm> active;
        AlarmView.Page history;
        try {
            active = view.active(alarms.active());
            history = view.history(alarms.history((view.page() + 1) * AlarmView.PAGE_SIZE + 1));
        } catch (IllegalStateException e) {
            w.println("<p class='statline ui-state-error'>" + Encode.forHtml(String.valueOf(e.getMessage())) + "</p>");
            return;
        }
        filterForm(w, view);
        w.println("<h2>Raised alarms (" + active.size() + ")</h2>");
        w.println("<form method='post' action='" + LABEL + "/ack' id='bulk'>" + tokenField(token));
        table(w, active, view, true);
        if (!active.isEmpty()) {
            w.println("<p><button type='submit' id='ack-selected'>Acknowledge selected</button> <button type='submit'"
                    + " name='clear' value='1' id='clear-selected' onclick=\"return confirm('Clear the selected alarms"
                    + " by hand?')\">Clear selected</button></p>");
        }
        w.println("</form>");
        w.println("<h2>History (newest first, page " + (view.page() + 1) + ")</h2>");
        table(w, history.alarms(), view, false);
        w.println("<p>" + (view.page() > 0 ? "<a id='newer' href='" + LABEL + view.with("page",
                Integer.toString(view.page() - 1)) + "'>&laquo; newer</a> " : "")
                + (history.more() ? "<a id='older' href='" + LABEL + view.with("page", Integer.toString(view.page()
                        + 1)) + "'>older &raquo;</a>" : "") + "</p>");
        w.println("<p>JSON: <a href='" + LABEL + "/alarms.json'>alarms.json</a>, " + LABEL
                + "/alarms.json?history=N; POST " + LABEL + "/ack?id=ID with header X-Requested-By.</p>");
    }

    private static void filterForm(PrintWriter w, AlarmView v) {
        StringBuilder sev = new StringBuilder("<option value=''>any</option>");
        for (io.edgeport.api.alerting.Severity s : io.edgeport.api.alerting.Severity.values()) {
            sev.append("<option value='").append(s.label()).append("'").append(s == v.severity() ? " selected" : "")
                    .append(">").append(s.label()).append("</option>");
        }
        w.println("<form method='get' action='" + LABEL + "' id='filter'><label>Severity <select name='severity'>" + sev
                + "</select></label> <label>Device, rule or text <input name='q' value='"
                + Encode.forHtmlAttribute(v.text()) + "'></label> <label><input type='checkbox' name='unack'"
                + (v.unacknowledgedOnly() ? " checked" : "") + "> not acknowledged</label>"
                + "<input type='hidden' name='sort' value='" + v.sort() + "'><input type='hidden' name='dir' value='"
                + (v.descending() ? "desc" : "asc") + "'> <button type='submit'>Filter</button> <a href='" + LABEL
                + "'>all</a></form>");
    }

    private static String sortLink(AlarmView v, String key, String label) {
        String dir = v.sort().equals(key) && v.descending() ? "asc" : "desc";
        String mark = v.sort().equals(key) ? (v.descending() ? " &#9660;" : " &#9650;") : "";
        String q = v.with("sort", key);
        q = q.replaceAll("([?&])dir=[^&]*", "$1dir=" + dir).replace("page=" + v.page(), "page=0");
        return "<a class='sort' href='" + LABEL + q + "'>" + label + mark + "</a>";
    }

    private static void table(PrintWriter w, List<Alarm> list, AlarmView v, boolean actions) {
        if (list.isEmpty()) {
            w.println("<p>None.</p>");
            return;
        }
        w.println("<table class='nicetable'><thead><tr>" + (actions ? "<th></th>" : "") + "<th>"
                + sortLink(v, "severity", "Severity") + "</th><th>State</th><th>" + sortLink(v, "rule", "Rule")
                + "</th><th>" + sortLink(v, "device", "Device") + "</th><th>Message</th><th>"
                + sortLink(v, "raised", "Raised (UTC)") + "</th><th>Cleared (UTC)</th><th>Acknowledged</th>"
                + (actions ? "<th></th>" : "") + "</tr></thead><tbody>");
        for (Alarm a : list) {
            w.print("<tr data-alarm='" + Encode.forHtmlAttribute(a.id()) + "'>");
            if (actions) {
                w.print("<td><input type='checkbox' name='id' value='" + Encode.forHtmlAttribute(a.id()) + "'></td>");
            }
            w.print("<td>" + Encode.forHtml(a.severity().label()) + "</td><td>"
                    + Encode.forHtml(a.state().name().toLowerCase(java.util.Locale.ROOT)) + "</td><td>"
                    + Encode.forHtml(a.rule()) + "</td><td>" + Encode.forHtml(a.device()) + "</td><td>"
                    + Encode.forHtml(a.message()) + "</td><td>" + a.raisedAt().truncatedTo(ChronoUnit.SECONDS)
                    + "</td><td>" + (a.clearedAt() == null ? "" : a.clearedAt().truncatedTo(ChronoUnit.SECONDS))
                    + "</td><td>" + (a.acknowledged() ? Encode.forHtml(a.acknowledgedBy()) : "no") + "</td>");
            if (actions) {
                w.print("<td>" + (a.acknowledged() ? "" : "<button type='submit' name='one' value='"
                        + Encode.forHtmlAttribute(a.id()) + "'>Acknowledge</button> ") + "<button type='submit'"
                        + " name='clearone' value='" + Encode.forHtmlAttribute(a.id()) + "' formnovalidate"
                        + " onclick=\"return confirm('Clear this alarm by hand? It is raised again if its condition"
                        + " still holds.')\">Clear</button></td>");
            }
            w.println("</tr>");
        }
        w.println("</tbody></table>");
    }
}

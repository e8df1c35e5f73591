package io.edgeport.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.ConnectedClient;
import io.edgeport.commons.webconsole.ConsolePage;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Web Console page "Clients" (/system/console/edgeport-clients): the connected MQTT clients with a Disconnect button
 * each (the Last Will is published, a persistent session stays), the sessions (connected and offline, their
 * subscriptions, queued and in-flight messages) with a Delete button each, the retained messages, a subscribe tool and
 * a publish tool (topic, payload, QoS, retain;
 * an empty retained payload deletes a retained message). POSTs are checked against CSRF by {@link ConsolePage}.
 */
@Component(service = jakarta.servlet.Servlet.class, property = { "felix.webconsole.label=" + ClientsPage.LABEL,
        "felix.webconsole.title=Clients", "felix.webconsole.category=Edgeport" })
public final class ClientsPage extends ConsolePage<ClientsPage.Flash> {

    static final String LABEL = "edgeport-clients";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ClientsPage.class);
    /** Largest payload the publish tool sends (the form is for people, not for bulk data). */
    static final int MAX_PAYLOAD = 64 * 1024;

    record Flash(boolean ok, String text) {
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile BrokerService broker;

    private final transient Watches watches;

    @org.osgi.service.component.annotations.Activate
    public ClientsPage(org.osgi.framework.BundleContext context) {
        super(LABEL, "a clients action");
        this.watches = new Watches(context);
    }

    @org.osgi.service.component.annotations.Deactivate
    void deactivate() {
        watches.close();
    }

    /** {@code watch.json?filter=F}: the subscribe tool's messages (see {@link Watches}); else the page. */
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (!path.endsWith("/watch.json")) {
            super.doGet(request, response);
            return;
        }
        String filter = request.getParameter("filter") == null ? "" : request.getParameter("filter").strip();
        Json j = new Json().field("filter", filter);
        if (!io.edgeport.commons.mqtt.TopicFilters.valid(filter)) {
            json(response, 400, j.field("error", "'" + filter + "' is not an MQTT topic filter").end());
            return;
        }
        int status = 200;
        try {
            j.array("messages", watches.poll(filter), (m, o) -> o.field("topic", m.topic()).field("payload",
                    m.payload()).field("qos", m.qos()).field("retain", m.retain()).field("client",
                    m.clientId() == null ? "" : m.clientId()).field("at", m.at().toString()));
        } catch (IllegalStateException e) {
            status = 429;
            j.field("error", e.getMessage());
        }
        json(response, status, j.end());
    }

    @Override
    protected Flash post(HttpServletRequest request, HttpServletResponse response) {
        return act(broker, request.getParameter("action"), request::getParameter);
    }

    /** Carries out one form's action; the answer is one sentence for the page. */
    static Flash act(BrokerService b, String action, java.util.function.Function<String, String> param) {
        if (b == null) {
            return new Flash(false, "The broker is not running.");
        }
        if ("disconnect".equals(action)) {
            String id = param.apply("client");
            if (id == null || id.isEmpty()) {
                return new Flash(false, "No client chosen.");
            }
            boolean done = b.disconnect(id);
            if (done) {
                LOG.info("Web console: client '{}' disconnected by the operator", id);
            }
            return done ? new Flash(true, "Disconnected " + id + ".")
                    : new Flash(false, "No client " + id + " is connected.");
        }
        if ("delete-session".equals(action)) {
            String id = param.apply("client");
            if (id == null || id.isEmpty()) {
                return new Flash(false, "No session chosen.");
            }
            boolean done;
            try {
                done = b.deleteSession(id);
            } catch (RuntimeException e) {
                return new Flash(false, "The session of " + id + " was not deleted: " + e.getMessage());
            }
            if (done) {
                LOG.info("Web console: session of '{}' deleted by the operator", id);
            }
            return done ? new Flash(true, "Deleted the session of " + id + ".")
                    : new Flash(false, "No session of " + id + " (or it was connecting; try again).");
        }
        if ("delete-retained".equals(action)) {
            String topic = param.apply("topic");
            if (topic == null || topic.isEmpty() || topic.contains("+") || topic.contains("#")) {
                return new Flash(false, "No topic chosen.");
            }
            b.publish(topic, new byte[0], 0, true);
            LOG.info("Web console: retained message of '{}' deleted by the operator", topic);
            return new Flash(true, "Deleted the retained message of " + topic + ".");
        }
        if ("publish".equals(action)) {
            String topic = param.apply("topic") == null ? "" : param.apply("topic").strip();
            String payload = param.apply("payload") == null ? "" : param.apply("payload");
            boolean retain = param.apply("retain") != null;
            int qos;
            try {
                qos = Integer.parseInt(param.apply("qos") == null ? "0" : param.apply("qos"));
            } catch (NumberFormatException e) {
                qos = -1;
            }
            String problem = topic.isEmpty() ? "the topic is empty"
                    : topic.contains("+") || topic.contains("#") ? "a topic to publish to has no wildcards"
                    : topic.length() > 65_535 || topic.indexOf('\0') >= 0 ? "the topic is not a valid MQTT topic"
                    : qos < 0 || qos > 2 ? "QoS must be 0, 1 or 2"
                    : payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD
                            ? "the payload is larger than " + MAX_PAYLOAD / 1024 + " KB" : null;
            if (problem != null) {
                return new Flash(false, "Not published: " + problem + ".");
            }
            try {
                b.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
            } catch (RuntimeException e) {
                return new Flash(false, "Not published: " + e.getMessage());
            }
            return new Flash(true, (retain && payload.isEmpty() ? "Deleted the retained message of " + topic
                    : "Published " + payload.getBytes(StandardCharsets.UTF_8).length + " bytes to " + topic
                            + " (QoS " + qos + (retain ? ", retained" : "") + ")") + ".");
        }
        return new Flash(false, "Unknown action.");
    }

    /** Most sessions listed at once. */
    static final int MAX_SESSIONS = 200;

    private static void sessions(PrintWriter w, BrokerService b, String tokenField, String prefixParam) {
        String prefix = prefixParam == null ? "" : prefixParam.strip();
        List<io.edgeport.api.broker.ClientSession> list = b == null ? List.of()
                : b.sessions(prefix, MAX_SESSIONS + 1);
        w.println("<h2>Sessions</h2><form method='get' id='sessions-filter'><label>Client id starts with <input"
                + " name='sessions' value='" + Encode.forHtmlAttribute(prefix) + "'></label> <button type='submit'>"
                + "Show</button></form>");
        if (list.isEmpty()) {
            w.println("<p>None.</p>");
            return;
        }
        w.println("<table class='nicetable' id='sessions'><thead><tr><th>Client id</th><th>State</th><th>Kind</th>"
                + "<th>Subscriptions</th><th>Queued</th><th>In flight</th><th></th></tr></thead><tbody>");
        for (io.edgeport.api.broker.ClientSession s : list.subList(0, Math.min(list.size(), MAX_SESSIONS))) {
            StringBuilder subs = new StringBuilder();
            for (io.edgeport.api.broker.ClientSession.Subscription sub : s.subscriptions()) {
                subs.append(subs.length() == 0 ? "" : "<br>").append("<code>")
                        .append(Encode.forHtml(sub.topicFilter())).append("</code> (QoS ").append(sub.qos())
                        .append(')');
            }
            w.println("<tr data-client='" + Encode.forHtmlAttribute(s.clientId()) + "'><td>"
                    + Encode.forHtml(s.clientId()) + "</td><td>" + (s.connected() ? "connected" : "offline")
                    + "</td><td>" + (s.persistent() ? "persistent" : "clean") + "</td><td>"
                    + (subs.length() == 0 ? "-" : subs) + "</td><td class='queued'>" + s.queued()
                    + "</td><td>" + s.inflight() + "</td><td><form method='post' onsubmit=\"return confirm('Delete the"
                    + " session of " + Encode.forJavaScriptAttribute(s.clientId()) + "? Its subscriptions and the "
                    + s.queued() + " message(s) queued for it are discarded.')\">" + tokenField + "<input type='hidden' name='action'"
                    + " value='delete-session'><input type='hidden' name='client' value='"
                    + Encode.forHtmlAttribute(s.clientId()) + "'><button type='submit'>Delete</button></form></td>"
                    + "</tr>");
        }
        w.println("</tbody></table>");
        if (list.size() > MAX_SESSIONS) {
            w.println("<p>The first " + MAX_SESSIONS + " by client id; narrow the filter to see others.</p>");
        }
    }

    /** Most retained messages listed at once. */
    static final int MAX_RETAINED = 200;

    private static void retained(PrintWriter w, BrokerService b, String tokenField, String filterParam) {
        String filter = filterParam == null || filterParam.isBlank() ? "#" : filterParam.strip();
        w.println("<h2>Retained messages</h2><form method='get' id='retained-filter'><label>Topic filter <input"
                + " name='retained' value='" + Encode.forHtmlAttribute(filter) + "'></label> <button type='submit'>"
                + "Show</button></form>");
        List<io.edgeport.api.broker.RetainedMessage> list;
        try {
            list = b == null ? List.of() : b.retained(filter, MAX_RETAINED + 1);
        } catch (IllegalArgumentException e) {
            w.println("<p class='statline ui-state-error'>" + Encode.forHtml(e.getMessage()) + "</p>");
            return;
        }
        if (list.isEmpty()) {
            w.println("<p>None.</p>");
            return;
        }
        w.println("<table class='nicetable' id='retained'><thead><tr><th>Topic</th><th>QoS</th><th>Payload</th>"
                + "<th></th></tr></thead><tbody>");
        for (io.edgeport.api.broker.RetainedMessage m : list.subList(0, Math.min(list.size(), MAX_RETAINED))) {
            w.println("<tr data-topic='" + Encode.forHtmlAttribute(m.topic()) + "'><td>" + Encode.forHtml(m.topic())
                    + "</td><td>" + m.qos() + "</td><td><code>" + Encode.forHtml(preview(m.payload())) + "</code></td>"
                    + "<td><form method='post'>" + tokenField
                    + "<input type='hidden' name='action' value='delete-retained'><input type='hidden' name='topic'"
                    + " value='" + Encode.forHtmlAttribute(m.topic()) + "'><button type='submit'>Delete</button>"
                    + "</form></td></tr>");
        }
        w.println("</tbody></table>");
        if (list.size() > MAX_RETAINED) {
            w.println("<p>The first " + MAX_RETAINED + " by topic; narrow the filter to see others.</p>");
        }
    }

    /** At most 120 characters of a payload as text, control characters and invalid UTF-8 shown as '?'. */
    static String preview(byte[] payload) {
        String s = new String(payload, 0, Math.min(payload.length, 480), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(120).forEach(c -> out.appendCodePoint(Character.isISOControl(c) || c == 0xFFFD ? '?' : c));
        return payload.length > 480 || s.codePointCount(0, s.length()) > 120 ? out + "... (" + payload.length
                + " bytes)" : out.toString();
    }

    @Override
    protected void render(HttpServletRequest request, PrintWriter w, String csrfToken, Flash flash) {
        String token = tokenField(csrfToken);
        if (flash != null) {
            statline(w, flash.text(), !flash.ok());
        }
        BrokerService b = broker;
        List<ConnectedClient> clients = b == null ? List.of() : b.clients();
        w.println("<h2>Connected clients (" + clients.size() + ")</h2>");
        if (clients.isEmpty()) {
            w.println("<p>None.</p>");
        } else {
            w.println("<table class='nicetable' id='clients'><thead><tr><th>Client id</th><th>Address</th><th></th>"
                    + "</tr></thead><tbody>");
            for (ConnectedClient c : clients) {
                w.println("<tr data-client='" + Encode.forHtmlAttribute(c.clientId()) + "'><td>"
                        + Encode.forHtml(c.clientId()) + "</td><td>" + Encode.forHtml(c.address()) + ":" + c.port()
                        + "</td><td><form method='post' onsubmit=\"return confirm('Disconnect "
                        + Encode.forJavaScriptAttribute(c.clientId()) + "? Its Last Will is published.')\">"
                        + token
                        + "<input type='hidden' name='action' value='disconnect'><input type='hidden' name='client'"
                        + " value='" + Encode.forHtmlAttribute(c.clientId()) + "'><button type='submit'>Disconnect"
                        + "</button></form></td></tr>");
            }
            w.println("</tbody></table>");
        }
        sessions(w, b, token, request.getParameter("sessions"));
        retained(w, b, token, request.getParameter("retained"));
        String root = request.getContextPath() + request.getServletPath() + "/" + LABEL;
        w.println("<h2>Subscribe</h2><form id='watch'><label>Topic filter <input name='filter' value='#'></label>"
                + " <button type='submit'>Watch</button> <span id='watch-note'></span></form>"
                + "<table class='nicetable' id='watched'><thead><tr><th>Received (UTC)</th><th>Topic</th><th>QoS</th>"
                + "<th>Retain</th><th>Client</th><th>Payload</th></tr></thead><tbody></tbody></table>"
                + "<script src='" + root + "/res/clients.js'></script>");
        w.println("<h2>Publish</h2><form method='post' id='publish'>" + token
                + "<input type='hidden' name='action' value='publish'>"
                + "<label>Topic <input name='topic' size='40' required></label> "
                + "<label>QoS <select name='qos'><option>0</option><option selected>1</option><option>2</option>"
                + "</select></label> <label><input type='checkbox' name='retain'> retain</label><br>"
                + "<textarea name='payload' rows='4' cols='80' placeholder='payload (UTF-8 text)'></textarea><br>"
                + "<button type='submit'>Publish</button> An empty retained message deletes the retained message of"
                + " the topic.</form>");
    }
}

package io.edgeport.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.edgeport.api.alerting.Alarm;
import io.edgeport.api.alerting.AlarmService;
import io.edgeport.api.alerting.Severity;
import io.edgeport.api.broker.BrokerService;
import io.edgeport.api.broker.BrokerStatistics;
import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreStatistics;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Web Console page "Dashboard" (/system/console/dashboard, the console's landing page): connected clients, messages
 * in and out per second with a live chart of the last 10 minutes, retained messages, messages queued for clients and subscriptions, each
 * consumer's position lag in the message store, raised alarms by severity, the health checks and the uptime. The
 * figures come from {@code dashboard/stats.json}, sampled every 2 s here while someone looks (for 10 minutes after
 * the last view of the page, stats.json or metrics: the broker's statistics scan its retained messages, which an idle
 * gateway should not pay for); the chart is uPlot, served from this bundle (an appliance may have no internet).
 */
@Component(service = Servlet.class, property = { "felix.webconsole.label=" + DashboardPage.LABEL,
        "felix.webconsole.title=Dashboard", "felix.webconsole.category=Edgeport" })
public final class DashboardPage extends AbstractServlet {

    static final String LABEL = "dashboard";
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile BrokerService broker;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile MessageStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile AlarmService alarms;

    private final transient BundleContext context;
    private final transient Samples samples = new Samples(300);
    private final transient ScheduledExecutorService sampler;
    private final transient Health health;

    @Activate
    public DashboardPage(BundleContext context) {
        this.context = context;
        this.health = new Health(context);
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeport-dashboard-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, Samples.PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        sampler.shutdownNow();
    }

    /** How long after the last view the figures are still sampled. */
    static final long WATCHED_MS = 10 * 60_000L;
    /** System.currentTimeMillis() of the last view; 0 before the first. */
    private transient volatile long viewedAt;

    private void sample() {
        if (System.currentTimeMillis() - viewedAt > WATCHED_MS) {
            return;
        }
        try {
            BrokerService b = broker;
            BrokerStatistics s = b == null ? null : b.statistics();
            if (s != null) {
                samples.add(System.currentTimeMillis(), s.messagesReceived(), s.messagesSent(), s.clientsConnected());
            }
        } catch (RuntimeException e) {
            // the broker is restarting: no sample this time
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (path.endsWith("/metrics")) {
            response.setContentType("text/plain; version=0.0.4");
            response.setCharacterEncoding("UTF-8");
            setNoCache(response);
            response.getWriter().write(metrics());
            return;
        }
        if (path.endsWith("/stats.json")) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            setNoCache(response);
            response.getWriter().write(stats(request.getParameter("history") != null));
            return;
        }
        super.doGet(request, response);
    }

    /** The figures as JSON (see the class comment); {@code history}: with the samples of the last 10 minutes. */
    String stats(boolean history) {
        viewed();
        Json j = new Json();
        j.field("time", System.currentTimeMillis());
        BrokerStatistics s = null;
        try {
            BrokerService b = broker;
            s = b == null ? null : b.statistics();
        } catch (RuntimeException e) {
            // restarting
        }
        j.field("broker", s != null);
        if (s != null) {
            j.field("version", s.version()).field("uptime", s.uptimeSeconds()).field("clients", s.clientsConnected())
                    .field("clientsMaximum", s.clientsMaximum()).field("sessions", s.clientsTotal())
                    .field("received", s.messagesReceived()).field("sent", s.messagesSent())
                    .field("dropped", s.publishDropped()).field("subscriptions", s.subscriptions())
                    .field("retained", s.retainedMessages());
            j.field("queued", queued());
        }
        double[] rates = samples.rates();
        j.field("rateIn", rates[0]).field("rateOut", rates[1]);
        MessageStore m = store;
        StoreStatistics st = m == null ? null : m.statistics();
        if (st != null) {
            j.field("storeEnd", st.end()).field("storeDropped", st.droppedForRetention());
            j.array("consumers", st.consumers(), (c, o) -> o.field("name", c.name()).field("lagBytes", c.lagBytes())
                    .field("open", c.open()));
        }
        Map<Severity, Integer> counted = alarmsBySeverity();
        j.field("alerting", counted != null);
        Map<Severity, Integer> bySeverity = counted == null ? alarmCounts() : counted;
        j.object("alarms", o -> bySeverity.forEach((k, v) -> o.field(k.name().toLowerCase(Locale.ROOT), v)));
        List<Health.Check> checks = health.checks();
        j.field("health", Health.worst(checks));
        j.array("checks", checks, (c, o) -> o.field("name", c.name()).field("status", c.status())
                .field("message", c.message()));
        if (history) {
            samples.write(j);
        }
        return j.end();
    }

    /** The figures in the Prometheus text format (0.0.4). */
    String metrics() {
        viewed();
        Metrics p = new Metrics();
        BrokerStatistics s = null;
        try {
            BrokerService b = broker;
            s = b == null ? null : b.statistics();
        } catch (RuntimeException e) {
            // restarting
        }
        p.gauge("edgeport_broker_up", "1 while the MQTT broker runs.", s == null ? 0 : 1);
        if (s != null) {
            p.gauge("edgeport_uptime_seconds", "Seconds since the broker started.", s.uptimeSeconds());
            p.gauge("edgeport_clients_connected", "MQTT clients connected now.", s.clientsConnected());
            p.gauge("edgeport_clients_maximum", "Most MQTT clients connected at once since the start.",
                    s.clientsMaximum());
            p.gauge("edgeport_sessions", "Sessions: connected clients and offline persistent sessions.",
                    s.clientsTotal());
            p.counter("edgeport_messages_received_total", "PUBLISH messages received from clients.",
                    s.messagesReceived());
            p.counter("edgeport_messages_sent_total", "PUBLISH messages sent to clients.", s.messagesSent());
            p.counter("edgeport_bytes_received_total", "Bytes received from clients.", s.bytesReceived());
            p.counter("edgeport_bytes_sent_total", "Bytes sent to clients.", s.bytesSent());
            p.counter("edgeport_publish_dropped_total", "Messages dropped (QoS 0 to clients too slow to read).",
                    s.publishDropped());
            p.gauge("edgeport_subscriptions", "Subscriptions of all sessions.", s.subscriptions());
            p.gauge("edgeport_retained_messages", "Retained messages.", s.retainedMessages());
            long q = queued();
            if (q >= 0) {
                p.gauge("edgeport_queued_messages", "QoS 1/2 messages queued for offline or slow clients.", q);
            }
        }
        MessageStore m = store;
        StoreStatistics st = m == null ? null : m.statistics();
        if (st != null) {
            p.gauge("edgeport_store_end_bytes", "Position of the end of the message store log.", st.end());
            p.counter("edgeport_store_messages_total", "Messages stored since the gateway started.",
                    st.storedMessages());
            p.counter("edgeport_store_dropped_for_retention_total",
                    "Messages a lagging consumer lost to the retention limit.", st.droppedForRetention());
            p.help("edgeport_consumer_lag_bytes", "gauge", "Bytes of the message store a consumer has not read.");
            st.consumers().forEach(c -> p.sample("edgeport_consumer_lag_bytes", "consumer", c.name(), c.lagBytes()));
            p.help("edgeport_consumer_open", "gauge", "1 while the consumer reads the message store.");
            st.consumers().forEach(c -> p.sample("edgeport_consumer_open", "consumer", c.name(), c.open() ? 1 : 0));
        }
        Map<Severity, Integer> bySeverity = alarmsBySeverity();
        if (bySeverity != null) {
            p.help("edgeport_alarms_active", "gauge", "Raised alarms by severity.");
            bySeverity.forEach((k, v) -> p.sample("edgeport_alarms_active", "severity",
                    k.name().toLowerCase(Locale.ROOT), v));
        }
        List<Health.Check> checks = health.checks();
        if (!checks.isEmpty()) {
            p.help("edgeport_health_status", "gauge",
                    "Health check status: 0 OK, 1 WARN, 2 TEMPORARILY_UNAVAILABLE, 3 CRITICAL, 4 HEALTH_CHECK_ERROR.");
            checks.forEach(c -> p.sample("edgeport_health_status", "check", c.name(),
                    Health.ORDER.indexOf(c.status())));
        }
        return p.text();
    }

    /** @return messages queued for clients, -1 when the broker does not know (or restarts) */
    private long queued() {
        try {
            BrokerService b = broker;
            return b == null ? -1 : b.queuedMessages();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private void viewed() {
        viewedAt = System.currentTimeMillis();
    }

    private static Map<Severity, Integer> alarmCounts() {
        Map<Severity, Integer> out = new EnumMap<>(Severity.class);
        for (Severity v : Severity.values()) {
            out.put(v, 0);
        }
        return out;
    }

    /** @return raised alarms per severity (every severity present), null without alerting or while it closes */
    private Map<Severity, Integer> alarmsBySeverity() {
        AlarmService a = alarms;
        if (a == null) {
            return null;
        }
        Map<Severity, Integer> out = alarmCounts();
        try {
            for (Alarm x : a.active()) {
                out.merge(x.severity(), 1, Integer::sum);
            }
        } catch (RuntimeException e) {
            return null; // the alarm database is closing
        }
        return out;
    }

    @Override
    public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        viewed();
        sampler.execute(this::sample); // a first sample now: the chart starts when the page opens
        PrintWriter w = response.getWriter();
        String root = request.getContextPath() + request.getServletPath() + "/" + LABEL;
        w.println("<link rel='stylesheet' href='" + root + "/res/uplot/uPlot.min.css'>");
        w.println("<script src='" + root + "/res/uplot/uPlot.iife.min.js'></script>");
        w.println("<script src='" + root + "/res/dashboard.js'></script>");
        w.println("<style>" + CSS + "</style>");
        w.println("""
                <div id='ep-dashboard' data-stats='%s/stats.json'>
                <div class='ep-tiles'>
                 <div class='ep-tile'><div class='ep-k'>Clients connected</div><div class='ep-v' id='ep-clients'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Messages in / s</div><div class='ep-v' id='ep-in'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Messages out / s</div><div class='ep-v' id='ep-out'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Retained</div><div class='ep-v' id='ep-retained'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Queued for clients</div><div class='ep-v' id='ep-queued'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Subscriptions</div><div class='ep-v' id='ep-subs'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Alarms raised</div><div class='ep-v' id='ep-alarms'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Health</div><div class='ep-v' id='ep-health'>-</div></div>
                 <div class='ep-tile'><div class='ep-k'>Uptime</div><div class='ep-v' id='ep-uptime'>-</div></div>
                </div>
                <h2>Messages per second (last 10 minutes)</h2><div id='ep-chart-rates' class='ep-chart'></div>
                <h2>Connected clients</h2><div id='ep-chart-clients' class='ep-chart'></div>
                <h2>Consumers of the message store</h2>
                <table class='nicetable' id='ep-consumers'><thead><tr><th>Consumer</th><th>Reading</th>
                <th>Behind (MB)</th></tr></thead><tbody></tbody></table>
                <h2>Health checks</h2>
                <table class='nicetable' id='ep-checks'><thead><tr><th>Check</th><th>Status</th><th>Message</th></tr>
                </thead><tbody></tbody></table>
                <p id='ep-error' class='statline ui-state-error' style='display:none'></p>
                <p class='ep-note'>Figures every 2 s from <a href='%s/stats.json'>stats.json</a>; metrics for
                Prometheus at <code>/system/console/%s/metrics</code>.</p>
                </div>
                """.formatted(root, root, LABEL));
    }

    private static final String CSS = ".ep-tiles{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}"
            + ".ep-tile{border:1px solid #ccc;border-radius:4px;padding:8px 12px;min-width:140px;background:#fafafa}"
            + ".ep-k{font-size:11px;color:#555}.ep-v{font-size:22px;font-weight:bold;font-variant-numeric:tabular-nums}"
            + ".ep-chart{margin-bottom:12px}.ep-bad{color:#b00}.ep-warn{color:#a60}.ep-ok{color:#070}"
            + ".ep-note{color:#555;font-size:11px}";
}

package io.edgeport.sink.jdbc.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.store.MessageStore;
import io.edgeport.api.store.StoreStatistics;
import io.edgeport.commons.webconsole.ConsolePage;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Web Console page "Telemetry" (/system/console/telemetry): the newest value of every device and measurement of a JDBC
 * sink, and the JSON endpoints {@code /system/console/telemetry/devices.json} and
 * {@code /system/console/telemetry/readings.json?device=ID[&from=ISO][&to=ISO][&limit=N]} (see {@link TelemetryApi}).
 * The console authenticates the operator before this servlet is called, so the data has no second login.
 *
 * <p>A JSON answer sets its status explicitly: Web Console 5 renders its page around the plugin unless the plugin
 * set a status, sent an error or redirected. Every value written into the HTML is encoded with the OWASP encoder.
 */
@Component(service = jakarta.servlet.Servlet.class, property = { "felix.webconsole.label=" + TelemetryPage.LABEL,
        "felix.webconsole.title=Telemetry", "felix.webconsole.category=Edgeport" })
public final class TelemetryPage extends ConsolePage<TelemetryPage.Flash> {

    static final String LABEL = "telemetry";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryPage.class);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    transient volatile List<JdbcTelemetrySink> sinks;

    /** The broker's message store, for its retention warning and the sinks' positions; absent while it is down. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile MessageStore store;

    /** To tell the alerting engine that a removed device is gone on purpose (status "stopped"); optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile io.edgeport.api.broker.BrokerService broker;

    /** What the last removal of this session did, shown once. */
    record Flash(boolean ok, String text) {
    }

    public TelemetryPage() {
        super(LABEL, "a telemetry change");
    }

    /**
     * Removes a device: its readings are deleted from the sink's database, and a status "stopped" is published on
     * {@code status/<device>/health} so that stale-data rules forget it (a device that sends again comes back).
     */
    @Override
    protected Flash post(HttpServletRequest request, HttpServletResponse response) {
        String device = request.getParameter("device");
        try {
            JdbcTelemetrySink sink = TelemetryApi.pick(TelemetryApi.sorted(sinks), request.getParameter("sink"));
            if (device == null || device.isBlank() || device.length() > 256 || device.contains("/")
                    || device.contains("+") || device.contains("#")) {
                throw new IllegalArgumentException("no device named");
            }
            int rows = sink.deleteDevice(device);
            io.edgeport.api.broker.BrokerService b = broker;
            if (b != null) {
                b.publish("status/" + device + "/health", ("{\"device_id\":\"" + device.replace("\\", "\\\\")
                        .replace("\"", "\\\"") + "\",\"status\":\"stopped\"}").getBytes(StandardCharsets.UTF_8),
                        1, true);
            }
            LOG.info("Web console: device '{}' removed from sink '{}' ({} readings)", device, sink.name(), rows);
            return new Flash(true, "Removed " + device + ": " + rows + " readings deleted" + (b == null ? ""
                    : "; status 'stopped' published, so no stale alarm is raised for it") + ".");
        } catch (IllegalArgumentException | IllegalStateException e) {
            return new Flash(false, "Not removed: " + e.getMessage() + ".");
        } catch (java.sql.SQLException e) {
            LOG.warn("Web console: removing device '{}' failed: {}", device, e.getMessage());
            return new Flash(false, "Not removed: the database failed (" + e.getMessage() + ").");
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String path = request.getPathInfo() != null ? request.getPathInfo() : request.getRequestURI();
        if (path == null || !path.endsWith(".json")) {
            super.doGet(request, response);
            return;
        }
        TelemetryApi.Response r = TelemetryApi.handle(sinks, path, request::getParameter);
        json(response, r.status(), r.json());
    }

    @Override
    protected void render(HttpServletRequest request, PrintWriter w, String token, Flash flash) {
        if (flash != null) {
            statline(w, flash.text(), !flash.ok());
        }
        StoreStatistics statistics = statistics();
        retentionWarning(w, statistics);
        List<JdbcTelemetrySink> all = TelemetryApi.sorted(sinks);
        if (all.isEmpty()) {
            w.println("<p>No JDBC sink is configured. Create a configuration of the factory "
                    + Encode.forHtml(JdbcSinkConfig.PID) + " first.</p>");
            return;
        }
        JdbcTelemetrySink sink;
        try {
            sink = TelemetryApi.pick(all, request.getParameter("sink"));
        } catch (IllegalArgumentException e) {
            sink = null;
            w.println("<p class='statline ui-state-error'>" + Encode.forHtml(e.getMessage()) + "</p>");
        }
        if (all.size() > 1) {
            w.print("<p>Sinks:");
            for (JdbcTelemetrySink s : all) {
                w.print(" <a href='" + LABEL + "?sink=" + Encode.forHtmlAttribute(Encode.forUriComponent(s.name()))
                        + "'>" + Encode.forHtml(s.name()) + "</a>");
            }
            w.println("</p>");
        }
        if (sink == null) {
            return;
        }
        String sinkParam = "sink=" + Encode.forUriComponent(sink.name());
        w.println("<h2>Sink " + Encode.forHtml(sink.name()) + "</h2><p>" + Encode.forHtml(sink.description())
                + ". JSON: <a href='" + LABEL + "/devices.json?" + Encode.forHtmlAttribute(sinkParam)
                + "'>devices.json</a>, " + LABEL + "/readings.json?device=ID&amp;from=ISO&amp;to=ISO&amp;limit=N</p>");
        position(w, statistics, "sink-" + sink.name());
        List<DeviceSummary> devices;
        try {
            devices = sink.queries().devices();
        } catch (SQLException e) {
            LOG.warn("Telemetry page: query on sink '{}' failed", sink.name(), e);
            w.println("<p class='statline ui-state-error'>The database could not be read: "
                    + Encode.forHtml(String.valueOf(e.getMessage())) + "</p>");
            return;
        }
        if (devices.isEmpty()) {
            w.println("<p>No readings stored yet.</p>");
            return;
        }
        chart(w, sinkParam, devices);
        w.println("<h2>Devices</h2>");
        w.println("<table class='nicetable' id='devices'><thead><tr><th>Device</th><th>Measurement</th><th>Location</th>"
                + "<th>Last value</th><th>Unit</th><th>Time (UTC)</th><th>Seq</th><th>Readings</th><th></th></tr>"
                + "</thead><tbody>");
        for (DeviceSummary d : devices) {
            String link = LABEL + "/readings.json?" + sinkParam + "&device=" + Encode.forUriComponent(d.deviceId());
            w.println("<tr><td><a href='" + Encode.forHtmlAttribute(link) + "'>" + Encode.forHtml(d.deviceId())
                    + "</a></td><td>" + Encode.forHtml(d.measurement()) + "</td><td>" + Encode.forHtml(d.location())
                    + "</td><td>" + d.value() + "</td><td>" + Encode.forHtml(d.unit()) + "</td><td>" + d.ts()
                    + "</td><td>" + (d.seq() < 0 ? "" : d.seq()) + "</td><td>" + d.count() + "</td><td>"
                    + "<form method='post' onsubmit=\"return confirm('Remove " + Encode.forJavaScriptAttribute(
                            d.deviceId()) + " and delete all its readings?')\">" + tokenField(token)
                    + "<input type='hidden' name='sink' value='" + Encode.forHtmlAttribute(sink.name())
                    + "'><input type='hidden' name='device' value='" + Encode.forHtmlAttribute(d.deviceId())
                    + "'><button type='submit' class='remove'>Remove</button></form></td></tr>");
        }
        w.println("</tbody></table>");
        rejected(w, sink);
    }

    /**
     * A chart of one device's measurement over a chosen range, refreshed every 5 s while "live" is ticked: the
     * dashboard's uPlot (served by the console bundle) drawing readings.json.
     */
    private static void chart(PrintWriter w, String sinkParam, List<DeviceSummary> devices) {
        StringBuilder options = new StringBuilder();
        for (DeviceSummary d : devices) {
            options.append("<option value='").append(Encode.forHtmlAttribute(d.deviceId())).append("' data-m='")
                    .append(Encode.forHtmlAttribute(d.measurement())).append("' data-unit='")
                    .append(Encode.forHtmlAttribute(d.unit())).append("'>").append(Encode.forHtml(d.deviceId()))
                    .append(" / ").append(Encode.forHtml(d.measurement())).append("</option>");
        }
        w.println("<link rel='stylesheet' href='dashboard/res/uplot/uPlot.min.css'>"
                + "<script src='dashboard/res/uplot/uPlot.iife.min.js'></script>"
                + "<script src='" + LABEL + "/res/telemetry-chart.js'></script>");
        w.println("<h2>Chart</h2><form id='ep-chart-form' data-readings='" + LABEL + "/readings.json?"
                + Encode.forHtmlAttribute(sinkParam) + "'><label>Device <select name='device'>" + options
                + "</select></label> <label>Range <select name='range'><option value='900'>15 min</option>"
                + "<option value='3600' selected>1 h</option><option value='21600'>6 h</option>"
                + "<option value='86400'>24 h</option><option value='604800'>7 days</option></select></label>"
                + " <label><input type='checkbox' name='live' checked> live</label></form>"
                + "<div id='ep-telemetry-chart'></div><p id='ep-chart-note' class='ep-note'></p>");
    }

    private static void rejected(PrintWriter w, JdbcTelemetrySink sink) {
        List<TelemetryQueries.Rejected> list;
        try {
            list = sink.queries().rejected(20);
        } catch (SQLException e) {
            w.println("<p class='statline ui-state-error'>The rejected messages could not be read: "
                    + Encode.forHtml(String.valueOf(e.getMessage())) + "</p>");
            return;
        }
        w.println("<h2>Rejected messages (newest 20)</h2>");
        if (list.isEmpty()) {
            w.println("<p>None: every message on the sink's topics was a reading.</p>");
            return;
        }
        w.println("<table class='nicetable' id='rejected'><thead><tr><th>Received (UTC)</th><th>Topic</th>"
                + "<th>Reason</th><th>Payload</th></tr></thead><tbody>");
        for (TelemetryQueries.Rejected r : list) {
            w.println("<tr><td>" + r.receivedAt() + "</td><td>" + Encode.forHtml(r.topic()) + "</td><td>"
                    + Encode.forHtml(r.reason()) + "</td><td><code>" + Encode.forHtml(r.payload()) + "</code></td></tr>");
        }
        w.println("</tbody></table>");
    }

    private StoreStatistics statistics() {
        MessageStore s = store;
        if (s == null) {
            return null;
        }
        try {
            return s.statistics();
        } catch (RuntimeException e) {
            return null; // the broker is restarting: the page shows without the store's figures
        }
    }

    /**
     * A warning when the message store dropped messages for its retention limits before every consumer had read them
     * (issue: never silently): those consumers, sinks among them, miss these messages.
     */
    static void retentionWarning(PrintWriter w, StoreStatistics s) {
        if (s != null && s.droppedForRetention() > 0) {
            w.println("<p class='statline ui-state-error'>The message store dropped "
                    + String.format(Locale.ROOT, "%,d", s.droppedForRetention()) + " messages for its retention limits since the"
                    + " broker started, before every consumer had read them: the sinks and rules that were behind miss"
                    + " them (the log names each consumer). Raise <code>retention_size_mb</code> or"
                    + " <code>retention_age_hours</code> of <code>io.edgeport.store</code>, or bring the consumer"
                    + " back sooner.</p>");
        }
    }

    /** Where a sink is in the message store: how much it still has to write. */
    static void position(PrintWriter w, StoreStatistics s, String consumer) {
        if (s == null) {
            return;
        }
        for (StoreStatistics.ConsumerPosition c : s.consumers()) {
            if (c.name().equals(consumer)) {
                w.println("<p>Message store: " + (c.lagBytes() == 0 ? "up to date"
                        : String.format(Locale.ROOT, "%,d bytes behind", c.lagBytes())) + (c.open() ? "" : " (not reading)")
                        + ".</p>");
                return;
            }
        }
    }
}

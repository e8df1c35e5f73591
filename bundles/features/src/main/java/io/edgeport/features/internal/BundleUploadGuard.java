package io.edgeport.features.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

/**
 * The console's stock Bundles → Install/Update takes any file: a file that is no OSGi bundle got a bare "HTTP ERROR
 * 500" page and two stack traces in the log. This filter, in front of the console's servlet (after its
 * authentication), looks at each uploaded file first and answers a file that is no bundle with a readable page (and
 * one log line), pointing to the Plugins page for features. Bundles pass through unchanged. The gateway image's own
 * bundles (broker core, console, feature manager) are not uninstalled from that page with one click either.
 */
@Component(service = Filter.class, property = {
    "osgi.http.whiteboard.filter.pattern=/bundles",
    "osgi.http.whiteboard.filter.pattern=/bundles/*",
    "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=org.apache.felix.webconsole)" })
public final class BundleUploadGuard implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(BundleUploadGuard.class);
    private final org.osgi.framework.BundleContext context;

    @org.osgi.service.component.annotations.Activate
    public BundleUploadGuard(org.osgi.framework.BundleContext context) {
        this.context = context;
    }

    /**
     * @return why the stock page must not uninstall the bundle {@code /bundles/ID} names, or null: the gateway image's
     *         own bundles (installed by the launcher, location {@code jar/...}) are not removed one click at a time
     */
    private String uninstallRefused(HttpServletRequest http) {
        String uri = http.getRequestURI();
        if (!"uninstall".equals(http.getParameter("action")) || uri == null) {
            return null;
        }
        String id = uri.substring(uri.lastIndexOf('/') + 1);
        try {
            org.osgi.framework.Bundle b = context.getBundle(Long.parseLong(id));
            if (b != null && (b.getBundleId() == 0 || b.getLocation().startsWith("jar/"))) {
                return b.getSymbolicName() + " is part of the gateway image (broker-core) and is not uninstalled from"
                        + " here; features are removed on the Plugins page";
            }
        } catch (NumberFormatException e) {
            return null; // not a bundle id: the console answers it
        }
        return null;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse out
                && "POST".equals(http.getMethod())) {
            String refused = uninstallRefused(http);
            if (refused != null) {
                LOG.warn("Web console: uninstall refused: {}", refused);
                out.setStatus(HttpServletResponse.SC_CONFLICT);
                out.setContentType("text/plain;charset=UTF-8");
                out.getWriter().println(refused);
                return;
            }
        }
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse out
                && "POST".equals(http.getMethod()) && http.getContentType() != null
                && http.getContentType().startsWith("multipart/form-data")) {
            List<String> refused = new ArrayList<>();
            try {
                for (Part p : http.getParts()) {
                    if (p.getSubmittedFileName() == null || p.getSize() == 0) {
                        continue;
                    }
                    try (InputStream in = p.getInputStream()) {
                        Jars.identity(p.getSubmittedFileName(), in.readNBytes((int) Math.min(p.getSize(),
                                PluginsPage.MAX_UPLOAD)));
                    } catch (IllegalArgumentException e) {
                        refused.add(e.getMessage());
                    }
                }
            } catch (IllegalStateException e) {
                refused.add("the upload could not be read: " + FeatureFile.firstLine(e));
            }
            if (!refused.isEmpty()) {
                LOG.warn("Web console: bundle upload refused: {}", String.join("; ", refused));
                out.setStatus(HttpServletResponse.SC_BAD_REQUEST);
                out.setContentType("text/html;charset=UTF-8");
                out.getWriter().println("<!DOCTYPE html><html><head><title>Not installed</title></head><body>"
                        + "<h2>Not installed</h2><p id='refused'>" + Encode.forHtml(String.join("; ", refused))
                        + ".</p><p>Bundles → Install/Update takes OSGi bundle jars. A plugin with several bundles"
                        + " and configurations is installed as a feature on the <a href='" + http.getContextPath()
                        + "/" + PluginsPage.LABEL + "'>Plugins</a> page. <a href='" + http.getContextPath()
                        + "/bundles'>Back to Bundles</a></p></body></html>");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}

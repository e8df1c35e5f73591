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
 * one log line), pointing to the Plugins page for features. Bundles pass through unchanged.
 */
@Component(service = Filter.class, property = {
    "osgi.http.whiteboard.filter.pattern=/bundles",
    "osgi.http.whiteboard.filter.pattern=/bundles/*",
    "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=org.apache.felix.webconsole)" })
public final class BundleUploadGuard implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(BundleUploadGuard.class);

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
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

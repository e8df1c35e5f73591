package io.edgeport.runtime.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The web console's System Information → Restart restarts the gateway inside the running JVM. The console asks the
 * framework to update the system bundle, which stops it and leaves the restart to the launcher; the bnd launcher
 * exits instead (code 122), so the gateway stayed down. This filter, in front of the console's own servlet (after its
 * authentication), answers that request itself: it refreshes every bundle — each is stopped and started again in
 * dependency order, configuration is read again, the broker's store is closed and reopened — and sends the browser
 * back to the page, which reloads once the console is there again. Stop still stops the gateway.
 */
@Component(service = Filter.class, property = {
    "osgi.http.whiteboard.filter.pattern=/vmstat",
    "osgi.http.whiteboard.filter.pattern=/vmstat/*",
    "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=org.apache.felix.webconsole)" })
public final class ConsoleRestart implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRestart.class);
    private final BundleContext context;

    @Activate
    public ConsoleRestart(BundleContext context) {
        this.context = context;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse out
                && "POST".equals(http.getMethod()) && "Restart".equals(http.getParameter("shutdown_type"))) {
            LOG.info("Restart requested from the web console by {}: every bundle is stopped and started again",
                    http.getRemoteUser() == null ? "the operator" : http.getRemoteUser());
            out.setContentType("text/html;charset=UTF-8");
            out.getWriter().println("<!DOCTYPE html><html><head><meta http-equiv='refresh' content='10;url="
                    + http.getContextPath() + "/vmstat'><title>Restarting</title></head><body><p>The gateway is"
                    + " restarting (every bundle is stopped and started again in this process). This page reloads in"
                    + " 10 seconds.</p></body></html>");
            out.flushBuffer();
            restart();
            return;
        }
        chain.doFilter(request, response);
    }

    /** Refreshes every bundle on a thread of its own (the framework does the work; this request may end first). */
    void restart() {
        Bundle system = context.getBundle(0);
        List<Bundle> all = new ArrayList<>();
        for (Bundle b : system.getBundleContext().getBundles()) {
            if (b.getBundleId() != 0 && b.getState() != Bundle.UNINSTALLED) {
                all.add(b);
            }
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(500); // let the answer reach the browser
                System.setProperty(WhenStarted.RESTART_PENDING, "true"); // the next ready line waits for the end
                system.adapt(FrameworkWiring.class).refreshBundles(all, event -> {
                    if (event.getType() == org.osgi.framework.FrameworkEvent.PACKAGES_REFRESHED) {
                        System.clearProperty(WhenStarted.RESTART_PENDING);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("Restart failed: {}", e.toString());
            }
        }, "edgeport-restart");
        t.setDaemon(true);
        t.start();
    }
}

package io.edgeport.commons.webconsole;

import java.io.IOException;
import java.io.PrintWriter;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.owasp.encoder.Encode;
import org.slf4j.LoggerFactory;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * The skeleton of an Edgeport page in the Felix Web Console that changes something: POST, then redirect to the page
 * (post/redirect/get) with the outcome ({@code F}, the "flash") kept in the HTTP session and shown once by the next
 * render. Every POST is checked by {@link CsrfGuard} first (a refusal is one WARN line and 403); the session, and its
 * token, exist before the console starts writing the page (a script that sends {@link CsrfGuard#HEADER} gets none).
 *
 * <p>It extends the console's {@link AbstractServlet} rather than plain {@code HttpServlet}: Web Console 5.0.18 wraps a
 * plain Servlet in an adapter that only implements GET (a POST would get 405), while an AbstractServlet receives every
 * method and the console adds its header and navigation around {@link #renderContent}. Bundles copy this package into
 * themselves ({@code -conditionalpackage}); they import the console's servlet package optionally.
 *
 * @param <F> what a POST tells the next render
 */
public abstract class ConsolePage<F> extends AbstractServlet {

    private static final long serialVersionUID = 1L;
    private final transient CsrfGuard csrf = new CsrfGuard();
    private final String label;
    private final String changes;
    private final String flashKey = getClass().getName() + ".flash";

    /**
     * @param label the page's {@code felix.webconsole.label} (where a POST redirects to without a request URI)
     * @param changes what a POST does, for the refusal line: "a change of MQTT users"
     */
    protected ConsolePage(String label, String changes) {
        this.label = label;
        this.changes = changes;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        if (request.getHeader(CsrfGuard.HEADER) == null) {
            csrf.token(request);
        }
        super.service(request, response);
    }

    @Override
    public final void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String refused;
        try {
            refused = csrf.check(request);
        } catch (IllegalStateException e) {
            show(request, response, unreadable(e)); // the check reads the body: a multipart upload over its limit
            return;
        }
        if (refused != null) {
            LoggerFactory.getLogger(getClass()).warn("Web console: refused {}: {}", changes, refused);
            refuse(request, response, refused);
            return;
        }
        show(request, response, post(request, response));
    }

    private void show(HttpServletRequest request, HttpServletResponse response, F flash) throws IOException {
        if (flash != null) {
            request.getSession(true).setAttribute(flashKey, flash);
            response.sendRedirect(afterPost(request));
        }
    }

    /**
     * A POST whose body the container would not read (a multipart upload over the servlet's limit).
     *
     * @return what to show; by default the exception goes on to the container
     */
    protected F unreadable(IllegalStateException e) {
        throw e;
    }

    /**
     * Does what a POST that passed the CSRF check asks for.
     *
     * @return what to show once on the page the browser is sent back to; null when the answer was written here (an
     *         API response)
     */
    protected abstract F post(HttpServletRequest request, HttpServletResponse response) throws IOException;

    /** Answers a POST the CSRF check refused: 403 with the reason. */
    protected void refuse(HttpServletRequest request, HttpServletResponse response, String why) throws IOException {
        response.sendError(HttpServletResponse.SC_FORBIDDEN, "Refused: " + why);
    }

    /** @return where the browser goes after a POST: the page itself */
    protected String afterPost(HttpServletRequest request) {
        String self = request.getRequestURI();
        return self == null ? label : self;
    }

    @Override
    public final void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String token = csrf.token(request);
        HttpSession session = request.getSession(false);
        @SuppressWarnings("unchecked")
        F flash = session == null ? null : (F) session.getAttribute(flashKey);
        if (flash != null) {
            session.removeAttribute(flashKey);
        }
        render(request, response.getWriter(), token, flash);
    }

    /**
     * Writes the page's content (inside the console's frame).
     *
     * @param token the session's CSRF token, for {@link #tokenField}
     * @param flash what the last POST of this session did, or null
     */
    protected abstract void render(HttpServletRequest request, PrintWriter out, String token, F flash)
            throws IOException;

    /**
     * Answers with JSON instead of the console's page: an explicit status (Web Console 5 renders its frame around a
     * plugin's output unless the plugin set a status, sent an error or redirected), UTF-8, not cached.
     */
    protected void json(HttpServletResponse response, int status, String json) throws IOException {
        setNoCache(response);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json);
    }

    /** @return the hidden form field that carries the CSRF token */
    protected static String tokenField(String token) {
        return "<input type='hidden' name='" + CsrfGuard.FIELD + "' value='" + Encode.forHtmlAttribute(token) + "'>";
    }

    /** Writes one outcome line: highlighted, or as an error; nothing when {@code text} is null. */
    protected static void statline(PrintWriter out, String text, boolean error) {
        if (text != null) {
            out.println("<p id='outcome' class='statline " + (error ? "ui-state-error" : "ui-state-highlight") + "'>"
                    + Encode.forHtml(text) + "</p>");
        }
    }
}

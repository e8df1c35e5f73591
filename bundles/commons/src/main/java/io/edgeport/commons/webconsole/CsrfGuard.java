package io.edgeport.commons.webconsole;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * CSRF defence for the console's pages, two independent checks on every POST: a random token bound to the HTTP
 * session (hidden form field, compared in constant time), and, when the browser sends Origin or Referer, that it names
 * this very host. Scripts that cannot hold a session may instead send the header {@value #HEADER}: a cross-site form
 * cannot set a custom header without a CORS preflight, which the console never grants. The console's own
 * authentication (HTTP Basic, which browsers resend automatically) is what makes a cross-site POST dangerous in the
 * first place. Thread-safe. Bundles copy this package into themselves ({@code -conditionalpackage}).
 */
public final class CsrfGuard {

    public static final String FIELD = "csrf";
    public static final String HEADER = "X-Requested-By";
    private static final String ATTRIBUTE = CsrfGuard.class.getName();

    private final SecureRandom random = new SecureRandom();

    /** @return the session's token, created on first use */
    public String token(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (session) {
            Object t = session.getAttribute(ATTRIBUTE);
            if (t instanceof String s) {
                return s;
            }
            byte[] b = new byte[32];
            random.nextBytes(b);
            String s = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            session.setAttribute(ATTRIBUTE, s);
            return s;
        }
    }

    /** @return null when the POST may proceed, else why not (for the page, not a secret) */
    public String check(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        String source = origin != null && !origin.equals("null") ? origin : request.getHeader("Referer");
        if (origin != null && origin.equals("null")) {
            return "the request came from an opaque origin";
        }
        if (source != null && !sameHost(source, request)) {
            return "the request came from another site";
        }
        String header = request.getHeader(HEADER);
        if (header != null && !header.isBlank()) {
            return null;
        }
        HttpSession session = request.getSession(false);
        Object expected = session == null ? null : session.getAttribute(ATTRIBUTE);
        String sent = request.getParameter(FIELD);
        if (request.getRequestedSessionId() == null && sent == null) {
            return "a POST needs the page's form token, or, from a script, the header " + HEADER + " (any value):"
                    + " it shows the request is no cross-site form";
        }
        if (!(expected instanceof String e) || sent == null
                || !MessageDigest.isEqual(e.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8))) {
            return "the form has expired; reload the page and try again";
        }
        return null;
    }

    private static boolean sameHost(String url, HttpServletRequest request) {
        try {
            URI u = URI.create(url);
            if (u.getHost() == null || u.getScheme() == null) {
                return false;
            }
            String host = request.getHeader("Host");
            String expected = host != null ? host.toLowerCase(Locale.ROOT)
                    : request.getServerName().toLowerCase(Locale.ROOT) + ":" + request.getServerPort();
            int port = u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            String actual = u.getHost().toLowerCase(Locale.ROOT);
            return expected.equals(actual + ":" + port) || (u.getPort() == -1 && expected.equals(actual));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

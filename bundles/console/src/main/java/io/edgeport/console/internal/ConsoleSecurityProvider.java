package io.edgeport.console.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.edgeport.commons.osgi.DataDirectory;

/**
 * The Web Console's security provider: HTTP Basic with one account whose password is either configured (PID
 * {@value ConsoleSecurityConfig#PID}) or generated into the data directory. Never logs the password.
 */
// The console asks the highest-ranked provider: rank ours above anything a plugin might register by accident.
@Component(configurationPid = ConsoleSecurityConfig.PID, property = { SecurityProvider.PROPERTY_ID + "="
        + ConsoleSecurityProvider.ID, "service.ranking:Integer=1000000" })
@Designate(ocd = ConsoleSecurityConfig.class)
public final class ConsoleSecurityProvider implements SecurityProvider {

    /** The id the gateway lists in felix.webconsole.security.providers. */
    public static final String ID = "edgeport";
    static final String REALM = "Edgeport";
    static final String DATA_DIR_PROPERTY = DataDirectory.PROPERTY;
    static final int MIN_PASSWORD = 12;

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSecurityProvider.class);

    /** The account in force; a good configuration change replaces it, a bad one leaves it (the gateway's rule). */
    private volatile Credentials credentials;
    private final String dataDir;
    private final io.edgeport.commons.config.ConfigProblems problems;

    /** @throws IllegalArgumentException when the first configuration cannot be used: the console stays locked */
    @Activate
    public ConsoleSecurityProvider(BundleContext context, ConsoleSecurityConfig config) throws IOException {
        this.dataDir = context.getProperty(DATA_DIR_PROPERTY);
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, ConsoleSecurityConfig.PID,
                ConsoleSecurityProvider.class);
        try {
            this.credentials = credentials(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ConsoleSecurityConfig.PID + ": " + e.getMessage()
                    + " (the console stays locked)");
        }
    }

    @org.osgi.service.component.annotations.Modified
    void modified(ConsoleSecurityConfig config) throws IOException {
        try {
            credentials = credentials(config);
            problems.accepted();
        } catch (IllegalArgumentException e) {
            problems.rejected(e.getMessage(), "the console keeps its previous account");
        }
    }

    @org.osgi.service.component.annotations.Deactivate
    void deactivate() {
        problems.close();
    }

    /** The account in force (tests). */
    Credentials credentials() {
        return credentials;
    }

    private Credentials credentials(ConsoleSecurityConfig config) throws IOException {
        String user = config.username() == null || config.username().isBlank() ? "admin" : config.username().trim();
        String configured = config.password() == null ? "" : config.password();
        String password;
        if (configured.isEmpty()) {
            Path file = DataDirectory.of(dataDir).resolve("console-password");
            password = PasswordFile.readOrCreate(file);
            LOG.info("Web console user '{}'; the password is in {} (readable by its owner only)", user, file);
        } else if (configured.length() < MIN_PASSWORD) {
            throw new IllegalArgumentException("password: shorter than " + MIN_PASSWORD + " characters");
        } else {
            password = configured;
            LOG.info("Web console user '{}' with the configured password", user);
        }
        return new Credentials(user, password);
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        String user = credentials.check(request.getHeader("Authorization"));
        if (user != null) {
            return user;
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        try {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
        } catch (IOException | IllegalStateException e) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        }
        return null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        return credentials.username().equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // Basic authentication has no server-side session to end.
    }
}

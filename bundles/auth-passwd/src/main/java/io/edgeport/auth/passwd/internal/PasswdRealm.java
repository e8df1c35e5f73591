package io.edgeport.auth.passwd.internal;

import io.edgeport.commons.text.Printable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.auth.AuthResult;
import io.edgeport.api.auth.Authenticator;
import io.edgeport.api.auth.ConnectRequest;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * One password-file realm per factory configuration (PID {@value PasswdRealmConfig#PID}), registered as an
 * {@link Authenticator} (ordered by the configured {@code service.ranking}) and as this bundle's internal
 * {@link Realm} for the shell commands and the web console page.
 *
 * <p>Decisions are {@link UserTable}'s: allow a known user with the right password (identity = username), deny a
 * known user with a wrong or missing password, abstain without a username (so the broker's allow_anonymous rule
 * decides, as in Mosquitto), and for an unknown username deny (default, Mosquitto's answer) or abstain (to chain
 * realms). With this realm as the only provider and {@code unknown_user=deny} the gateway gives Mosquitto 2.0.11's
 * answers for every combination of username, password and allow_anonymous. Thread-safe; never logs passwords.
 */
@Component(configurationPid = PasswdRealmConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = { Authenticator.class, Realm.class })
@Designate(ocd = PasswdRealmConfig.class, factory = true)
public final class PasswdRealm implements Authenticator, Realm {

    static final String DATA_DIR_PROPERTY = DataDirectory.PROPERTY;
    private static final Logger LOG = LoggerFactory.getLogger(PasswdRealm.class);

    /** The realm in force; replaced by a good configuration change (its file, its users are then read again). */
    private volatile FileRealm realm;
    private volatile int minPasswordLength;
    private final ScheduledExecutorService poller;
    private java.util.concurrent.ScheduledFuture<?> polling;
    private Settings settings; // SCR calls activate, modified and deactivate one at a time
    private final io.edgeport.commons.config.ConfigProblems problems;
    private final String dataDir;

    /** A validated configuration. */
    private record Settings(String name, Path file, UserTable.UnknownUser unknown, int interval, int iterations,
            int minPasswordLength) {
    }

    /**
     * @throws IllegalArgumentException for the first configuration when it cannot be used (the realm does not start;
     *         SCR reports it)
     */
    @Activate
    public PasswdRealm(BundleContext context, PasswdRealmConfig config) {
        this.dataDir = context.getProperty(DATA_DIR_PROPERTY);
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, PasswdRealmConfig.PID + "~"
                + realmName(config), PasswdRealm.class);
        Settings s = settings(config, dataDir);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeport-passwd-" + s.name());
            t.setDaemon(true);
            return t;
        });
        use(s);
    }

    /** A changed configuration: used when it is valid; otherwise the realm goes on as it was (the gateway's rule). */
    @org.osgi.service.component.annotations.Modified
    void modified(PasswdRealmConfig config) {
        Settings s;
        try {
            s = settings(config, dataDir);
        } catch (IllegalArgumentException e) {
            problems.rejected(e.getMessage(), "realm '" + realm.name() + "' goes on with its previous settings");
            return;
        }
        problems.accepted();
        use(s);
    }

    private void use(Settings s) {
        if (s.equals(settings)) {
            return;
        }
        Settings before = settings;
        if (before == null || !before.name().equals(s.name()) || !before.file().equals(s.file())
                || before.unknown() != s.unknown() || before.iterations() != s.iterations()) {
            FileRealm next = new FileRealm(s.name(), s.file(), s.unknown(), s.iterations());
            next.reloadNow();
            realm = next;
        }
        minPasswordLength = s.minPasswordLength();
        if (before == null || before.interval() != s.interval()) {
            if (polling != null) {
                polling.cancel(false);
            }
            polling = poller.scheduleWithFixedDelay(this::poll, s.interval(), s.interval(), TimeUnit.SECONDS);
        }
        settings = s;
        LOG.info("Password realm '{}': file {}, unknown users {}, reload check every {} s, new hashes $7$ with {}"
                + " iterations", s.name(), s.file(), s.unknown().name().toLowerCase(Locale.ROOT), s.interval(),
                s.iterations());
    }

    private static String realmName(PasswdRealmConfig config) {
        return config.realm() == null || config.realm().isBlank() ? "default" : config.realm().trim();
    }

    /** @throws IllegalArgumentException {@code key: reason} */
    private static Settings settings(PasswdRealmConfig config, String dataDir) {
        Path file = resolve(config.password__file(), dataDir);
        UserTable.UnknownUser unknown = switch (String.valueOf(config.unknown__user()).trim().toLowerCase(Locale.ROOT)) {
            case "deny", "" -> UserTable.UnknownUser.DENY;
            case "abstain" -> UserTable.UnknownUser.ABSTAIN;
            default -> throw new IllegalArgumentException("unknown_user: must be 'deny' or 'abstain', not '"
                    + Printable.of(config.unknown__user()) + "'");
        };
        int interval = config.reload__interval();
        if (interval < 1 || interval > 3600) {
            throw new IllegalArgumentException("reload_interval: must be 1..3600 seconds, not " + interval);
        }
        if (config.iterations() < 1 || config.iterations() > PasswordHash.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations: must be 1.." + PasswordHash.MAX_ITERATIONS + ", not "
                    + config.iterations());
        }
        return new Settings(realmName(config), file, unknown, interval, config.iterations(),
                Math.max(1, config.min__password__length()));
    }

    /** {@code ${edgeport.data}} in the configured path becomes the data directory (default "data"). */
    static Path resolve(String configured, String dataDir) {
        return DataDirectory.resolve(configured, PasswdRealmConfig.DEFAULT_FILE, dataDir);
    }

    private void poll() {
        try {
            realm.poll();
        } catch (RuntimeException e) {
            LOG.error("Password realm '{}': reload failed; keeping the users read before", realm.name(), e);
        }
    }

    @Deactivate
    void deactivate() {
        problems.close();
        poller.shutdownNow();
        LOG.debug("Password realm '{}' stopped", realm.name());
    }

    @Override
    public AuthResult authenticate(ConnectRequest request) {
        return realm.authenticate(request);
    }

    @Override
    public String name() {
        return realm.name();
    }

    @Override
    public Path file() {
        return realm.file();
    }

    @Override
    public UserTable users() {
        return realm.users();
    }

    @Override
    public List<String> problems() {
        return realm.problems();
    }

    @Override
    public boolean setPassword(String username, String password) throws IOException {
        if (password != null && password.codePointCount(0, password.length()) < minPasswordLength) {
            throw new IllegalArgumentException("the password is shorter than " + minPasswordLength + " characters"
                    + " (min_password_length of realm '" + realm.name() + "')");
        }
        return realm.setPassword(username, password);
    }

    @Override
    public boolean delete(String username) throws IOException {
        return realm.delete(username);
    }
}

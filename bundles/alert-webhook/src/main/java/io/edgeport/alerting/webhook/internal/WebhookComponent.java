package io.edgeport.alerting.webhook.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.alerting.AlarmNotifier;

/**
 * One webhook per factory configuration (PID {@value WebhookConfig#PID}). Registers the {@link AlarmNotifier} itself
 * so that its durable name ({@code webhook-<name>}) and retry back-off are service properties computed from the
 * validated configuration; an invalid configuration is logged (naming the key) and registers nothing. A change of the
 * configuration re-creates the component; with the same name the endpoint continues where it stopped.
 */
@Component(configurationPid = WebhookConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
@Designate(ocd = WebhookConfig.class, factory = true)
public final class WebhookComponent {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookComponent.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,56}");

    private final BundleContext context;
    private final io.edgeport.commons.config.ConfigProblems problems;
    private ServiceRegistration<AlarmNotifier> registration;
    /** What the registered notifier was made from (SCR calls activate, modified and deactivate one at a time). */
    private List<Object> settings;

    @Activate
    public WebhookComponent(BundleContext context, WebhookConfig config) {
        this.context = context;
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, WebhookConfig.PID + "~"
                + (config.name() == null ? "" : config.name().trim()), WebhookComponent.class);
        apply(config);
    }

    /** A changed configuration: used when it is valid; otherwise the webhook goes on as it was (the gateway's rule). */
    @Modified
    void modified(WebhookConfig config) {
        apply(config);
    }

    private void apply(WebhookConfig config) {
        String name = config.name() == null ? "" : config.name().trim();
        URI url;
        try {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: must be 1-56 characters of A-Z a-z 0-9 . _ -");
            }
            url = url(config.url());
            check(config.timeout_ms(), 100, 120_000, "timeout.ms");
            check(config.retry_max_ms(), 1_000, 3_600_000, "retry.max.ms");
        } catch (IllegalArgumentException e) {
            problems.rejected(e.getMessage(), registration != null ? "the webhook goes on with its previous settings"
                    : "no webhook registered");
            return;
        }
        problems.accepted();
        List<Object> next = List.of(name, url, config.timeout_ms(), config.retry_max_ms(),
                String.valueOf(config.authorization()));
        if (next.equals(settings) && registration != null) {
            return;
        }
        unregister();
        settings = next;
        WebhookNotifier n = new WebhookNotifier(url, Duration.ofMillis(config.timeout_ms()), config.authorization());
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(AlarmNotifier.NAME, "webhook-" + name);
        p.put(AlarmNotifier.RETRY_MAX_MS, config.retry_max_ms());
        registration = context.registerService(AlarmNotifier.class, n, p);
        LOG.info("Alarm webhook '{}': {} (timeout {} ms, retries up to every {} ms)", name, n, config.timeout_ms(),
                config.retry_max_ms());
    }

    static URI url(String s) {
        URI u;
        try {
            u = URI.create(s == null ? "" : s.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("url: not a URL");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                || u.getHost() == null) {
            throw new IllegalArgumentException("url: must be an http:// or https:// URL with a host");
        }
        return u;
    }

    private static void check(long v, long min, long max, String key) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + ": must be " + min + ".." + max + ", not " + v);
        }
    }

    @Deactivate
    void deactivate() {
        problems.close();
        unregister();
    }

    private void unregister() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // gone with the bundle
            }
            registration = null;
        }
    }
}

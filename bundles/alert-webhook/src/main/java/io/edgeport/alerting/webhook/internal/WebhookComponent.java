package io.edgeport.alerting.webhook.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Hashtable;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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

    private ServiceRegistration<AlarmNotifier> registration;

    @Activate
    public WebhookComponent(BundleContext context, WebhookConfig config) {
        String name = config.name() == null ? "" : config.name().trim();
        URI url;
        try {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1-56 characters of A-Z a-z 0-9 . _ -");
            }
            url = url(config.url());
            check(config.timeout_ms(), 100, 120_000, "timeout.ms");
            check(config.retry_max_ms(), 1_000, 3_600_000, "retry.max.ms");
        } catch (IllegalArgumentException e) {
            LOG.error("Webhook configuration ({}) not used: {}", WebhookConfig.PID, e.getMessage());
            return;
        }
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
            throw new IllegalArgumentException("url is not a URL");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                || u.getHost() == null) {
            throw new IllegalArgumentException("url must be an http:// or https:// URL with a host");
        }
        return u;
    }

    private static void check(long v, long min, long max, String key) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", not " + v);
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // gone with the bundle
            }
        }
    }
}

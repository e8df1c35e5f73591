package io.edgeport.alerting.internal;

import java.sql.SQLException;

import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One alarm rule per factory configuration (PID {@value RuleConfig#PID}). Added, changed and deleted while the
 * gateway runs: the engine applies the change at once. Deleting the configuration clears the rule's raised alarms;
 * the rule going away with its bundle (stop, update) does not, so they are still raised at the next start.
 */
@Component(configurationPid = RuleConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
@Designate(ocd = RuleConfig.class, factory = true)
public final class RuleComponent {

    private static final Logger LOG = LoggerFactory.getLogger(RuleComponent.class);

    private final AlarmEngine engine;
    private String name; // SCR calls activate, modified and deactivate one at a time
    private final io.edgeport.commons.config.ConfigProblems problems;

    @Activate
    public RuleComponent(org.osgi.framework.BundleContext context,
            @Reference(name = "engine") AlertingComponent alerting, RuleConfig config) {
        this.engine = alerting.engine();
        this.problems = new io.edgeport.commons.config.ConfigProblems(context, RuleConfig.PID + "~"
                + (config.name() == null ? "" : config.name().trim()), RuleComponent.class);
        apply(config);
    }

    @Modified
    void modified(RuleConfig config) {
        apply(config);
    }

    @Deactivate
    void deactivate(int reason) {
        problems.close();
        if (name == null) {
            return;
        }
        boolean deleted = reason == ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED;
        try {
            engine.removeRule(name, deleted);
            LOG.info("Alarm rule '{}' {}", name, deleted ? "deleted; its alarms are cleared" : "stopped");
        } catch (SQLException e) {
            LOG.error("Alarm rule '{}': its alarms could not be cleared: {}", name, e.getMessage());
        }
    }

    private void apply(RuleConfig config) {
        Rule rule;
        try {
            rule = Rule.from(config);
        } catch (IllegalArgumentException e) { // the gateway's rule: the rule as it was goes on
            problems.rejected(e.getMessage(), name != null ? "rule '" + name + "' goes on as it was"
                    : "no rule started");
            return;
        }
        problems.accepted();
        try {
            if (name != null && !name.equals(rule.name())) {
                engine.removeRule(name, true); // renamed: the old rule is gone
            }
            engine.putRule(rule);
            name = rule.name();
            LOG.info("Alarm rule {}", rule);
        } catch (SQLException e) {
            LOG.error("Alarm rule '{}' not applied: the alarm database failed: {}", rule.name(), e.getMessage());
        }
    }
}

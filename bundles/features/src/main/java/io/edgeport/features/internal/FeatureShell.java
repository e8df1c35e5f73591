package io.edgeport.features.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;


/**
 * Gogo commands {@code feature:list}, {@code feature:install}, {@code feature:uninstall} (as in Apache Karaf), listed
 * by {@code help} with their usage; {@code edgeport:feature-*} are the same commands under their first names.
 */
@Component(service = FeatureShell.class, property = { "osgi.command.scope=feature", "osgi.command.function=list",
        "osgi.command.function=install", "osgi.command.function=uninstall" })
public final class FeatureShell {

    private final FeatureCommands commands;

    @Activate
    public FeatureShell(@Reference FeatureCommands commands) {
        this.commands = commands;
    }

    @Descriptor("installed features (state, health), then those available, and the repository folder")
    public String list() {
        return commands.list();
    }

    @Descriptor("install or update a feature (health-gated, rolled back when it fails)")
    public String install(@Descriptor("a feature name or id from the repository folder, or a .zip archive or"
            + " feature .json file") String what) {
        return commands.install(what);
    }

    @Descriptor("uninstall a feature (refused, naming them, while other bundles use its bundles)")
    public String uninstall(@Descriptor("the feature's name") String name) {
        return commands.uninstall(name, false);
    }

    @Descriptor("uninstall a feature even while other bundles use its bundles")
    public String uninstall(@Descriptor("the feature's name") String name, @Descriptor("--force") String force) {
        if (!"--force".equals(force)) {
            throw new IllegalArgumentException("usage: feature:uninstall NAME [--force]");
        }
        return commands.uninstall(name, true);
    }
}

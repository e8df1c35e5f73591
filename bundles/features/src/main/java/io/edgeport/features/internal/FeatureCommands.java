package io.edgeport.features.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.edgeport.api.features.FeatureInfo;
import io.edgeport.api.features.FeatureManager;
import io.edgeport.api.features.Outcome;

/**
 * Gogo commands, no Gogo API needed:
 * <pre>
 * edgeport:feature-list                        installed features (state, health), then those available
 * edgeport:feature-install NAME|ID|FILE        install or update from the repository folder, or a .zip / .json file
 * edgeport:feature-uninstall NAME [--force]    uninstall (refused while other bundles need it, unless --force)
 * </pre>
 * Gogo 1.1.6 cannot map a name with '-' to a method but passes every function name to {@code _main}.
 */
@Component(service = FeatureCommands.class, property = { "osgi.command.scope=edgeport",
        "osgi.command.function=feature-list", "osgi.command.function=feature-install",
        "osgi.command.function=feature-uninstall" })
public final class FeatureCommands {

    static final String USAGE = """
            usage:
              feature-list                        installed features (state, health), then those available
              feature-install NAME|ID|FILE        install or update a feature from the repository folder, or from a
                                                  .zip archive (feature JSON + bundle jars) or a feature .json file
              feature-uninstall NAME [--force]    uninstall a feature (refused while others need it, unless --force)""";

    private final FeatureManager manager;

    @Activate
    public FeatureCommands(@Reference FeatureManager manager) {
        this.manager = manager;
    }

    /** Called by Gogo for every function of this service; {@code args[0]} is the function name. */
    public Object _main(Object... args) {
        String fn = args.length == 0 ? "" : String.valueOf(args[0]);
        String[] a = new String[Math.max(0, args.length - 1)];
        for (int i = 1; i < args.length; i++) {
            a[i - 1] = String.valueOf(args[i]);
        }
        if (a.length == 1 && (a[0].equals("--help") || a[0].equals("-h") || a[0].equals("help"))) {
            return USAGE;
        }
        return switch (fn) {
            case "feature-list" -> list();
            case "feature-install" -> {
                if (a.length != 1) {
                    throw new IllegalArgumentException(USAGE);
                }
                yield install(a[0]);
            }
            case "feature-uninstall" -> {
                if (a.length < 1 || a.length > 2 || a.length == 2 && !a[1].equals("--force")) {
                    throw new IllegalArgumentException(USAGE);
                }
                yield uninstall(a[0], a.length == 2);
            }
            default -> throw new IllegalArgumentException(USAGE);
        };
    }

    /** A feature name or id from the repository, or a .zip / .json file. */
    String install(String what) {
        Path p = Path.of(what);
        return result(what.endsWith(".zip") || what.endsWith(".json") || Files.isRegularFile(p)
                ? manager.installArchive(p.toAbsolutePath()) : manager.install(what));
    }

    String uninstall(String name, boolean force) {
        return result(manager.uninstall(name, force));
    }

    private static String result(Outcome o) {
        if (!o.ok()) {
            throw new IllegalStateException(o.message()); // Gogo prints it as the command's error
        }
        return o.message();
    }

    String list() {
        StringBuilder b = new StringBuilder(String.format("%-16s %-16s %-30s %s%n", "INSTALLED", "VERSION", "STATE",
                "HEALTH"));
        for (FeatureInfo f : manager.installed()) {
            b.append(String.format("%-16s %-16s %-30s %s%n", f.name(), f.version(), f.state(), f.health()));
        }
        b.append(String.format("%n%-16s %-16s %s%n", "AVAILABLE", "VERSION", "STATE"));
        for (FeatureInfo f : manager.available()) {
            b.append(String.format("%-16s %-16s %s%n", f.name(), f.version(), f.state()));
        }
        b.append("repository folder: ").append(manager.repository()).append('\n');
        return b.toString();
    }
}

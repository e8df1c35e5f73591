package io.edgeport.features.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.feature.FeatureService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.edgeport.api.features.FeatureInfo;
import io.edgeport.api.features.FeatureManager;
import io.edgeport.api.features.Outcome;
import io.edgeport.commons.osgi.DataDirectory;

/**
 * Installs features as units. A feature's bundles are installed under {@code edgeport-feature:group:artifact:version}
 * (a bundle two features share is installed once and removed with the last of them); a bundle the gateway already runs
 * in the same symbolic name and version is used as it is. Its configurations go into a generated bundle that the OSGi
 * Configurator applies: an operator's later edit of such a configuration is never overwritten.
 *
 * <p>Every install, update and uninstall is one serialised step: the bundles of the previous version are stopped (not
 * removed), the new ones installed and started, and the result is gated ({@link HealthGate}) for at most
 * {@code health.timeout.seconds}. When the gate fails the new bundles are removed and the previous ones started
 * again; the broker and other plugins are never restarted. What is installed is kept in
 * {@code <edgeport.data>/features/installed}: a restart starts the same features, never a second copy.
 */
@Component(service = FeatureManager.class, immediate = true, configurationPid = FeatureManagerImpl.PID)
@Designate(ocd = FeatureManagerImpl.Config.class)
public final class FeatureManagerImpl implements FeatureManager {

    static final String PID = "io.edgeport.features";
    static final String LOCATION = "edgeport-feature:";
    static final String CONFIG_PREFIX = "edgeport.feature.config.";
    /** Framework property: the features of a new gateway, when the configuration names none. */
    static final String BOOT_PROPERTY = "edgeport.features.boot";
    private static final Logger LOG = LoggerFactory.getLogger(FeatureManagerImpl.class);

    @ObjectClassDefinition(name = "Edgeport features", description = "Installing, updating and removing features"
            + " (plugins) as units, each change health-gated and rolled back when it fails.")
    public @interface Config {
        @AttributeDefinition(name = "Repository folder", description = "Folder of features an operator can install"
                + " (feature JSON files and their bundle jars, any layout); uploaded archives are unpacked into it."
                + " Empty: <edgeport.data>/features/repository.")
        String repository() default "";

        @AttributeDefinition(name = "Health timeout (s)", description = "How long an installed or updated feature"
                + " may take to become healthy (bundles active, components satisfied, health checks passing) before"
                + " it is rolled back.", min = "1", max = "600")
        int health_timeout_seconds() default 30;

        @AttributeDefinition(name = "Features on first start", description = "Features installed when the data"
                + " directory is new (names, comma separated; from the repository or those the gateway carries)."
                + " Empty: the framework property edgeport.features.boot.")
        String boot() default "";

        @AttributeDefinition(name = "Built-in features", description = "Features that are part of the gateway"
                + " image (started by the launcher): listed, never removed.")
        String base() default "broker-core";
    }

    private final BundleContext context;
    private final FeatureService features;
    private final Path dir;
    private final Path installedDir;
    private volatile Path repository;
    private volatile long timeoutMillis;
    private volatile Set<String> base;
    private volatile Sources sources;
    /** Installed features by name (the base ones included), as their files say. */
    private final Map<String, FeatureFile> installed = new TreeMap<>();
    /** What each jar is, once read. */
    private final Map<String, Jars.Identity> identities = new HashMap<>();

    @Activate
    public FeatureManagerImpl(BundleContext context, @Reference FeatureService features, Config config)
            throws IOException {
        this.context = context;
        this.features = features;
        this.dir = DataDirectory.of(context.getProperty(DataDirectory.PROPERTY)).resolve("features");
        this.installedDir = dir.resolve("installed");
        this.repository = config.repository().isBlank() ? dir.resolve("repository")
                : Path.of(config.repository()).toAbsolutePath();
        this.timeoutMillis = Math.max(1, config.health_timeout_seconds()) * 1000L;
        this.base = new LinkedHashSet<>(split(config.base()));
        this.sources = new Sources(repository, context);
        Files.createDirectories(repository);
        boolean first = !Files.isDirectory(installedDir);
        Files.createDirectories(installedDir);
        load();
        for (Sources.Found f : sources.features()) {
            try {
                FeatureFile ff = FeatureFile.parse(features, f.json());
                if (base.contains(ff.name()) && !installed.containsKey(ff.name())) {
                    installed.put(ff.name(), ff);
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("Feature file from {} ignored: {}", f.origin(), e.getMessage());
            }
        }
        if (first) {
            String boot = config.boot().isBlank() ? String.valueOf(context.getProperty(BOOT_PROPERTY)) : config.boot();
            for (String name : split(boot.equals("null") ? "" : boot)) {
                Outcome o = install(name, false);
                if (!o.ok()) {
                    LOG.warn("First start: feature {} not installed: {}", name, o.message());
                }
            }
        } else {
            reconcile();
        }
    }

    /** A changed configuration applies to the next install, update or listing; nothing installed changes. */
    @Modified
    synchronized void modified(Config config) throws IOException {
        Path repo = config.repository().isBlank() ? dir.resolve("repository")
                : Path.of(config.repository()).toAbsolutePath();
        Files.createDirectories(repo);
        this.repository = repo;
        this.sources = new Sources(repo, context);
        this.timeoutMillis = Math.max(1, config.health_timeout_seconds()) * 1000L;
        this.base = new LinkedHashSet<>(split(config.base()));
        LOG.info("Feature manager: repository {}, health timeout {} s, built in {}", repo, timeoutMillis / 1000,
                base);
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String x : s.split(",")) {
            if (!x.isBlank()) {
                out.add(x.trim());
            }
        }
        return out;
    }

    private void load() throws IOException {
        try (Stream<Path> s = Files.list(installedDir)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".json")).sorted().toList()) {
                try {
                    FeatureFile f = FeatureFile.parse(features, Files.readString(p, StandardCharsets.UTF_8));
                    installed.put(f.name(), f);
                } catch (IllegalArgumentException e) {
                    LOG.warn("Installed feature record {} is unreadable and ignored: {}", p, e.getMessage());
                }
            }
        }
    }

    /** At start: every installed feature's bundles are there and started (an operator may have removed one). */
    private void reconcile() {
        for (FeatureFile f : installed.values()) {
            if (base.contains(f.name())) {
                continue;
            }
            for (FeatureFile.Artifact a : f.bundles()) {
                if (bundleFor(a).isEmpty()) {
                    try {
                        Optional<byte[]> jar = sources.jar(a, null);
                        if (jar.isPresent()) {
                            Bundle b = context.installBundle(a.location(), new ByteArrayInputStream(jar.get()));
                            startQuietly(b);
                            LOG.info("Feature {}: bundle {} was missing and is installed again", f.name(), a);
                        } else {
                            LOG.warn("Feature {}: bundle {} is missing and its jar is nowhere to be found", f.name(),
                                    a);
                        }
                    } catch (IOException | BundleException | RuntimeException e) {
                        LOG.warn("Feature {}: bundle {} is missing and cannot be installed again: {}", f.name(), a,
                                FeatureFile.firstLine(e));
                    }
                }
            }
        }
    }

    private static void startQuietly(Bundle b) {
        if (b.getHeaders("").get("Fragment-Host") != null) {
            return;
        }
        try {
            b.start();
        } catch (BundleException | RuntimeException e) {
            LOG.warn("Bundle {} does not start: {}", HealthGate.name(b), shortReason(e));
        }
    }

    // ---- queries ----------------------------------------------------------------------------------------------------

    @Override
    public Path repository() {
        return repository;
    }

    @Override
    public synchronized List<FeatureInfo> installed() {
        List<FeatureInfo> out = new ArrayList<>();
        for (FeatureFile f : installed.values()) {
            List<Bundle> bundles = new ArrayList<>();
            int missing = 0;
            for (FeatureFile.Artifact a : f.bundles()) {
                Optional<Bundle> b = bundleFor(a);
                if (b.isPresent()) {
                    bundles.add(b.get());
                } else {
                    missing++;
                }
            }
            HealthGate.Problems p = HealthGate.check(context, bundles, f.name());
            String state = missing > 0 ? missing + " bundle(s) missing"
                    : p.fatal().isEmpty() && p.pending().isEmpty() ? "active" : p.summary();
            out.add(new FeatureInfo(f.name(), f.id(), f.title(), f.description(), f.version(),
                    (base.contains(f.name()) ? "built in, " : "") + state, health(f.name(), bundles), describe(bundles)));
        }
        return out;
    }

    private String health(String tag, List<Bundle> bundles) {
        try {
            return HealthChecks.summary(context, tag, bundles);
        } catch (NoClassDefFoundError e) {
            return "no health checks running";
        }
    }

    private static List<String> describe(List<Bundle> bundles) {
        List<String> out = new ArrayList<>();
        for (Bundle b : bundles) {
            out.add(HealthGate.name(b) + " " + HealthGate.state(b.getState()));
        }
        return out;
    }

    @Override
    public synchronized List<FeatureInfo> available() {
        Map<String, FeatureInfo> out = new TreeMap<>();
        for (Sources.Found found : sources.features()) {
            try {
                FeatureFile f = FeatureFile.parse(features, found.json());
                FeatureFile now = installed.get(f.name());
                String state = now == null ? "available"
                        : now.version().equals(f.version()) ? "installed" : "update from " + now.version();
                out.put(f.id(), new FeatureInfo(f.name(), f.id(), f.title(), f.description(), f.version(),
                        state + " (" + found.origin() + ")", "", f.bundles().stream().map(Object::toString).toList()));
            } catch (IllegalArgumentException e) {
                // not a feature file: not offered
            }
        }
        return new ArrayList<>(out.values());
    }

    // ---- changes ----------------------------------------------------------------------------------------------------

    @Override
    public Outcome install(String id) {
        return install(id, true);
    }

    private synchronized Outcome install(String id, boolean gate) {
        FeatureFile chosen = null;
        for (Sources.Found found : sources.features()) {
            try {
                FeatureFile f = FeatureFile.parse(features, found.json());
                if (f.id().equals(id) || f.name().equals(id) && (chosen == null
                        || Jars.osgiVersion(f.version()).compareTo(Jars.osgiVersion(chosen.version())) > 0)) {
                    chosen = f;
                }
            } catch (IllegalArgumentException e) {
                // not a feature file
            }
        }
        if (chosen == null) {
            return Outcome.failed(id, "no feature " + id + " in " + repository + " or in the gateway");
        }
        return apply(chosen, null, gate);
    }

    @Override
    public synchronized Outcome installArchive(Path file) {
        String what = file.getFileName().toString();
        if (what.endsWith(".json")) {
            try {
                FeatureFile f = FeatureFile.parse(features, Files.readString(file, StandardCharsets.UTF_8));
                return apply(f, null, true);
            } catch (IOException e) {
                return Outcome.failed(what, "cannot read " + what + ": " + FeatureFile.firstLine(e));
            } catch (IllegalArgumentException e) {
                return Outcome.failed(what, what + " is " + e.getMessage());
            }
        }
        Path unpacked;
        FeatureFile f;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<? extends ZipEntry> jsons = zip.stream()
                    .filter(e -> !e.isDirectory() && e.getName().endsWith(".json")).toList();
            if (jsons.isEmpty()) {
                String bundle = bundleName(file);
                return Outcome.failed(what, bundle != null ? what + " is a single bundle (" + bundle + "), not a"
                        + " feature: upload a .zip holding a feature JSON and its bundle jars"
                        : what + " holds no feature JSON: a feature archive is a .zip with one feature JSON and its"
                                + " bundle jars");
            }
            if (jsons.size() > 1) {
                return Outcome.failed(what, what + " holds " + jsons.size() + " JSON files; a feature archive holds"
                        + " exactly one feature");
            }
            String json;
            try (InputStream in = zip.getInputStream(jsons.get(0))) {
                json = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            }
            f = FeatureFile.parse(features, json);
            unpacked = repository.resolve(f.name() + "-" + f.version());
            Path tmp = Files.createTempDirectory(repository, ".upload-");
            Files.writeString(tmp.resolve(f.name() + "-" + f.version() + ".json"), json, StandardCharsets.UTF_8);
            for (ZipEntry e : zip.stream().filter(e -> !e.isDirectory() && e.getName().endsWith(".jar")).toList()) {
                String name = Path.of(e.getName()).getFileName().toString();
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, tmp.resolve(name));
                }
            }
            deleteTree(unpacked);
            Files.move(tmp, unpacked);
        } catch (ZipException e) {
            String bundle = bundleName(file);
            return Outcome.failed(what, bundle != null ? what + " is a single bundle (" + bundle + "), not a feature:"
                    + " upload a .zip holding a feature JSON and its bundle jars"
                    : what + " is not a feature archive (a .zip with a feature JSON and its bundle jars)");
        } catch (IOException e) {
            return Outcome.failed(what, "cannot read " + what + ": " + FeatureFile.firstLine(e));
        } catch (IllegalArgumentException e) {
            return Outcome.failed(what, "the JSON in " + what + " is " + e.getMessage());
        }
        return apply(f, unpacked, true);
    }

    /** @return the bundle a plain jar is, or null */
    private static String bundleName(Path file) {
        try {
            return Jars.identity(file.getFileName().toString(), Files.readAllBytes(file)).toString();
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** One planned bundle of a feature being applied. */
    private record Planned(FeatureFile.Artifact artifact, Bundle existing, byte[] jar, Jars.Identity identity) {
    }

    private Outcome apply(FeatureFile f, Path archive, boolean gate) {
        String name = f.name();
        if (base.contains(name)) {
            return Outcome.failed(f.id(), name + " is part of the gateway image: update the gateway itself");
        }
        FeatureFile old = installed.get(name);
        // 1. Everything is found and is a bundle before anything changes.
        List<Planned> plan = new ArrayList<>();
        for (FeatureFile.Artifact a : f.bundles()) {
            Optional<Bundle> same = bundleFor(a);
            if (same.isPresent()) {
                plan.add(new Planned(a, same.get(), null, null));
                continue;
            }
            byte[] jar;
            try {
                jar = sources.jar(a, archive).orElse(null);
            } catch (IOException e) {
                return Outcome.failed(f.id(), "cannot read the jar of " + a + ": " + FeatureFile.firstLine(e));
            }
            if (jar == null) {
                return Outcome.failed(f.id(), "bundle " + a + " (" + a.fileName() + ") is in neither the archive nor "
                        + repository);
            }
            Jars.Identity id;
            try {
                id = Jars.identity(a.fileName(), jar);
            } catch (IllegalArgumentException e) {
                return Outcome.failed(f.id(), e.getMessage());
            }
            identities.put(a.toString(), id);
            Bundle running = find(id.symbolicName(), id.version());
            plan.add(running != null ? new Planned(a, running, null, id) : new Planned(a, null, jar, id));
        }
        String configJson;
        try {
            configJson = f.configuratorResource();
        } catch (RuntimeException e) {
            return Outcome.failed(f.id(), "its configurations are not valid JSON: " + FeatureFile.firstLine(e));
        }
        // 2. The previous version's own bundles that the new one does not use are stopped, not removed.
        Set<Bundle> keep = new LinkedHashSet<>();
        plan.stream().filter(p -> p.existing() != null).forEach(p -> keep.add(p.existing()));
        List<Bundle> stopped = new ArrayList<>();
        Set<String> newNames = new LinkedHashSet<>();
        plan.stream().filter(p -> p.identity() != null).forEach(p -> newNames.add(p.identity().symbolicName()));
        if (old != null) {
            for (Bundle b : ownBundles(old)) {
                if (!keep.contains(b) && !usedByOthers(b, name)) {
                    stopped.add(b);
                }
            }
        }
        // A running bundle of the same name in another version (the gateway's own copy) is stopped too.
        for (String bsn : newNames) {
            for (Bundle b : context.getBundles()) {
                if (bsn.equals(b.getSymbolicName()) && !keep.contains(b) && !stopped.contains(b)
                        && b.getState() == Bundle.ACTIVE && !isOwned(b)) {
                    stopped.add(b);
                }
            }
        }
        Bundle oldConfig = configBundle(name);
        List<Bundle> added = new ArrayList<>();
        List<String> fatal = new ArrayList<>();
        try {
            for (Bundle b : stopped) {
                stopQuietly(b);
            }
            for (Planned p : plan) {
                if (p.jar() != null) {
                    added.add(context.installBundle(p.artifact().location(), new ByteArrayInputStream(p.jar())));
                }
            }
            Bundle newConfig = null;
            if (configJson != null) {
                byte[] jar = Jars.configBundle(CONFIG_PREFIX + name, Jars.osgiVersion(f.version()), name, configJson);
                if (oldConfig != null) {
                    oldConfig.update(new ByteArrayInputStream(jar));
                    newConfig = oldConfig;
                } else {
                    newConfig = context.installBundle(LOCATION + "config:" + name, new ByteArrayInputStream(jar));
                    added.add(newConfig);
                }
            }
            List<Bundle> all = new ArrayList<>(keep);
            all.addAll(added);
            for (Bundle b : all) {
                if (b.getState() != Bundle.ACTIVE && b.getHeaders("").get("Fragment-Host") == null) {
                    try {
                        b.start();
                    } catch (BundleException e) {
                        fatal.add(shortReason(e));
                    }
                }
            }
            // 3. The gate.
            String failure = fatal.isEmpty() ? (gate ? awaitHealthy(all, name) : null) : String.join("; ", fatal);
            if (failure != null) {
                rollback(added, stopped, oldConfig, newConfig == oldConfig ? old : null);
                String msg = name + " " + f.version() + (old == null ? " not installed" : " rolled back to "
                        + old.version()) + ": " + failure;
                LOG.warn("Feature {}", msg);
                return Outcome.failed(f.id(), msg);
            }
        } catch (BundleException | RuntimeException e) {
            rollback(added, stopped, oldConfig, old);
            String msg = name + " " + f.version() + (old == null ? " not installed" : " rolled back to "
                    + old.version()) + ": " + shortReason(e);
            LOG.warn("Feature {}", msg);
            return Outcome.failed(f.id(), msg);
        }
        // 4. Done: the previous version's leftovers go; the record is written.
        List<Bundle> removed = new ArrayList<>();
        for (Bundle b : stopped) {
            if (isOwned(b)) {
                uninstallQuietly(b);
                removed.add(b);
            }
        }
        if (configJson == null && oldConfig != null) {
            uninstallQuietly(oldConfig);
            removed.add(oldConfig);
        }
        refresh(removed);
        installed.put(name, f);
        try {
            Files.writeString(installedDir.resolve(name + ".json"), f.json(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("Feature {} is installed but its record could not be written ({}): it is not started again"
                    + " after a restart", name, FeatureFile.firstLine(e));
        }
        String msg = name + " " + f.version() + (old == null ? " installed" : old.version().equals(f.version())
                ? " reinstalled" : " updated from " + old.version()) + ": " + f.bundles().size() + " bundle(s), "
                + added.stream().filter(b -> !b.getLocation().startsWith(LOCATION + "config:")).count() + " new"
                + (configJson == null ? "" : ", configurations applied") + ", healthy";
        LOG.info("Feature {}", msg);
        return Outcome.done(f.id(), msg);
    }

    private String awaitHealthy(Collection<Bundle> bundles, String tag) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        HealthGate.Problems p;
        do {
            p = HealthGate.check(context, bundles, tag);
            if (!p.fatal().isEmpty()) {
                return String.join("; ", p.fatal());
            }
            if (p.none()) {
                return null;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        } while (System.nanoTime() < end);
        return p.summary() + " (after " + timeoutMillis / 1000 + " s)";
    }

    private void rollback(List<Bundle> added, List<Bundle> stopped, Bundle oldConfig, FeatureFile oldFeature) {
        for (Bundle b : added) {
            uninstallQuietly(b);
        }
        if (oldConfig != null && oldFeature != null && oldConfig.getState() != Bundle.UNINSTALLED) {
            try {
                String json = oldFeature.configuratorResource();
                if (json != null) {
                    oldConfig.update(new ByteArrayInputStream(Jars.configBundle(CONFIG_PREFIX + oldFeature.name(),
                            Jars.osgiVersion(oldFeature.version()), oldFeature.name(), json)));
                }
            } catch (BundleException | RuntimeException e) {
                LOG.warn("Configurations of {} not restored: {}", oldFeature.name(), shortReason(e));
            }
        }
        refresh(added);
        for (Bundle b : stopped) {
            startQuietly(b);
        }
    }

    @Override
    public synchronized Outcome uninstall(String name, boolean force) {
        FeatureFile f = installed.get(name);
        if (f == null) {
            return Outcome.failed(name, "no feature " + name + " is installed");
        }
        if (base.contains(name)) {
            return Outcome.failed(f.id(), name + " is part of the gateway image and cannot be removed");
        }
        List<Bundle> remove = new ArrayList<>();
        for (Bundle b : ownBundles(f)) {
            if (!usedByOthers(b, name)) {
                remove.add(b);
            }
        }
        Set<String> dependents = new LinkedHashSet<>();
        for (Bundle b : remove) {
            BundleWiring w = b.adapt(BundleWiring.class);
            if (w == null) {
                continue;
            }
            for (BundleWire wire : w.getProvidedWires(null)) {
                Bundle user = wire.getRequirerWiring().getBundle();
                if (!remove.contains(user) && user.getBundleId() != 0 && user.getState() != Bundle.UNINSTALLED) {
                    dependents.add(user.getSymbolicName());
                }
            }
        }
        if (!dependents.isEmpty() && !force) {
            return Outcome.failed(f.id(), name + " is needed by " + String.join(", ", dependents) + ": remove those"
                    + " first, or remove it anyway (console: 'even if needed'; Gogo: --force)");
        }
        Bundle config = configBundle(name);
        if (config != null) {
            remove.add(config);
        }
        for (Bundle b : remove) {
            uninstallQuietly(b);
        }
        refresh(remove);
        installed.remove(name);
        try {
            Files.deleteIfExists(installedDir.resolve(name + ".json"));
        } catch (IOException e) {
            LOG.warn("Record of feature {} not deleted ({}): it comes back after a restart", name,
                    FeatureFile.firstLine(e));
        }
        String msg = name + " " + f.version() + " uninstalled: " + remove.size() + " bundle(s) removed"
                + (dependents.isEmpty() ? "" : "; " + String.join(", ", dependents) + " lost what they used");
        LOG.info("Feature {}", msg);
        return Outcome.done(f.id(), msg);
    }

    // ---- bundles ----------------------------------------------------------------------------------------------------

    /** @return the running bundle for {@code a}: installed by us under its location, or the same name and version */
    private Optional<Bundle> bundleFor(FeatureFile.Artifact a) {
        Bundle b = context.getBundle(a.location());
        if (b != null && b.getState() != Bundle.UNINSTALLED) {
            return Optional.of(b);
        }
        // The launcher's own bundles: location "jar/<artifact>-<version>.jar" (exported gateway) or a file path
        for (Bundle x : context.getBundles()) {
            String loc = x.getLocation();
            if (x.getState() != Bundle.UNINSTALLED && (loc.equals("jar/" + a.fileName())
                    || loc.endsWith("/" + a.fileName()))) {
                return Optional.of(x);
            }
        }
        Jars.Identity id = identities.get(a.toString());
        if (id == null) {
            try {
                Optional<byte[]> jar = sources.jar(a, null);
                if (jar.isPresent()) {
                    id = Jars.identity(a.fileName(), jar.get());
                    identities.put(a.toString(), id);
                }
            } catch (IOException | IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return id == null ? Optional.empty() : Optional.ofNullable(find(id.symbolicName(), id.version()));
    }

    private Bundle find(String bsn, Version version) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName()) && version.equals(b.getVersion())
                    && b.getState() != Bundle.UNINSTALLED) {
                return b;
            }
        }
        return null;
    }

    private static boolean isOwned(Bundle b) {
        return b.getLocation().startsWith(LOCATION);
    }

    /** @return the bundles of {@code f} that the manager installed (not the gateway's own) */
    private List<Bundle> ownBundles(FeatureFile f) {
        List<Bundle> out = new ArrayList<>();
        for (FeatureFile.Artifact a : f.bundles()) {
            Bundle b = context.getBundle(a.location());
            if (b != null && b.getState() != Bundle.UNINSTALLED) {
                out.add(b);
            }
        }
        return out;
    }

    private boolean usedByOthers(Bundle b, String except) {
        for (FeatureFile other : installed.values()) {
            if (!other.name().equals(except)) {
                for (FeatureFile.Artifact a : other.bundles()) {
                    Optional<Bundle> x = bundleFor(a);
                    if (x.isPresent() && x.get().equals(b)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private Bundle configBundle(String name) {
        Bundle b = context.getBundle(LOCATION + "config:" + name);
        return b == null || b.getState() == Bundle.UNINSTALLED ? null : b;
    }

    private static void stopQuietly(Bundle b) {
        try {
            b.stop(Bundle.STOP_TRANSIENT);
        } catch (BundleException | RuntimeException e) {
            LOG.warn("Bundle {} does not stop cleanly: {}", HealthGate.name(b), shortReason(e));
        }
    }

    private static void uninstallQuietly(Bundle b) {
        try {
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
        } catch (BundleException | RuntimeException e) {
            LOG.warn("Bundle {} not uninstalled: {}", HealthGate.name(b), shortReason(e));
        }
    }

    /** Refreshes the wiring after bundles went away (only they and their dependents), and waits for it. */
    private void refresh(Collection<Bundle> changed) {
        if (changed.isEmpty()) {
            return;
        }
        FrameworkWiring fw = context.getBundle(0).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        fw.refreshBundles(changed, e -> done.countDown());
        try {
            if (!done.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("Bundle refresh still running after {} s", timeoutMillis / 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return a framework exception as the operator needs it: "cannot resolve X: missing package Y" instead of the
     *         resolver's paragraph
     */
    static String shortReason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        java.util.regex.Matcher pkg = java.util.regex.Pattern.compile("osgi\\.wiring\\.package=([^)\\s]+)").matcher(m);
        java.util.regex.Matcher who = java.util.regex.Pattern.compile("Unable to resolve ([^\\s\\[]+)").matcher(m);
        if (pkg.find()) {
            Set<String> missing = new LinkedHashSet<>();
            do {
                missing.add(pkg.group(1));
            } while (pkg.find());
            return "cannot resolve " + (who.find() ? who.group(1) : "a bundle") + ": missing package "
                    + String.join(", ", missing);
        }
        if (e instanceof BundleException && e.getCause() != null && e.getCause() != e) {
            return FeatureFile.firstLine(e) + ": " + FeatureFile.firstLine(e.getCause());
        }
        return FeatureFile.firstLine(e);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

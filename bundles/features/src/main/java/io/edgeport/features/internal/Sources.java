package io.edgeport.features.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Where features and their bundle jars come from: the operator's repository folder (any layout: Maven's, or flat,
 * or one folder per unpacked archive; a jar is found by its Maven file name {@code artifact-version.jar}), and
 * bundles that carry features (header {@value #HEADER}: a folder inside the bundle with feature JSON files and, under
 * it, their jars), such as the gateway's own feature bundle.
 */
final class Sources {

    /** Manifest header of a bundle that carries features: the folder inside it that holds them. */
    static final String HEADER = "Edgeport-Features";
    private static final int MAX_DEPTH = 8;

    private final Path repository;
    private final BundleContext context;

    Sources(Path repository, BundleContext context) {
        this.repository = repository;
        this.context = context;
    }

    /** A feature file and where it came from ("repository", or the carrying bundle's name). */
    record Found(String origin, String json) {
    }

    /** @return every feature JSON in the repository folder and in carrying bundles */
    List<Found> features() {
        List<Found> out = new ArrayList<>();
        if (Files.isDirectory(repository)) {
            try (Stream<Path> s = Files.walk(repository, MAX_DEPTH)) {
                s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                        .sorted().forEach(p -> {
                            try {
                                out.add(new Found("repository", Files.readString(p, StandardCharsets.UTF_8)));
                            } catch (IOException e) {
                                // unreadable file: not offered
                            }
                        });
            } catch (IOException | UncheckedIOException e) {
                // the folder went away while listing it: nothing offered from it
            }
        }
        for (Bundle b : context == null ? new Bundle[0] : context.getBundles()) {
            String folder = b.getHeaders("").get(HEADER);
            if (folder == null || b.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            Enumeration<URL> e = b.findEntries(folder, "*.json", false);
            while (e != null && e.hasMoreElements()) {
                try (InputStream in = e.nextElement().openStream()) {
                    out.add(new Found(b.getSymbolicName(), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                } catch (IOException x) {
                    // an entry of an installed bundle: cannot happen short of a broken cache
                }
            }
        }
        return out;
    }

    /** @return the jar of {@code a}, looked for in {@code first} (an unpacked archive, may be null), then everywhere */
    Optional<byte[]> jar(FeatureFile.Artifact a, Path first) throws IOException {
        for (Path dir : first == null ? List.of(repository) : List.of(first, repository)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(dir, MAX_DEPTH)) {
                Optional<Path> p = s.filter(x -> x.getFileName().toString().equals(a.fileName())).findFirst();
                if (p.isPresent()) {
                    return Optional.of(Files.readAllBytes(p.get()));
                }
            }
        }
        for (Bundle b : context == null ? new Bundle[0] : context.getBundles()) {
            String folder = b.getHeaders("").get(HEADER);
            if (folder == null || b.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            Enumeration<URL> e = b.findEntries(folder, a.fileName(), true);
            if (e != null && e.hasMoreElements()) {
                try (InputStream in = e.nextElement().openStream()) {
                    return Optional.of(in.readAllBytes());
                }
            }
        }
        return Optional.empty();
    }
}

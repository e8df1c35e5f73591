package io.edgeport.commons.osgi;

import java.nio.file.Path;

/**
 * The gateway's data directory, the one place it is resolved: the framework property {@value #PROPERTY} (trimmed; unset
 * or blank: {@code data}, relative to the working directory), as an absolute, normalized path. Configured file paths
 * may contain {@value #TOKEN}, which stands for it.
 */
public final class DataDirectory {

    /** The framework property naming the data directory. */
    public static final String PROPERTY = "edgeport.data";
    /** What stands for the data directory in a configured path. */
    public static final String TOKEN = "${" + PROPERTY + "}";

    private DataDirectory() {
    }

    /**
     * @param property the value of the framework property {@value #PROPERTY} ({@code context.getProperty(PROPERTY)})
     * @return the data directory, absolute
     */
    public static Path of(String property) {
        String data = property == null || property.isBlank() ? "data" : property.trim();
        return Path.of(data).toAbsolutePath().normalize();
    }

    /**
     * @param configured a configured path, possibly with {@value #TOKEN}; null or blank: {@code fallback}
     * @param fallback the default path (with {@value #TOKEN}) when nothing is configured
     * @param property the value of the framework property {@value #PROPERTY}
     * @return the path with {@value #TOKEN} replaced by the data directory, absolute and normalized
     */
    public static Path resolve(String configured, String fallback, String property) {
        String p = configured == null || configured.isBlank() ? fallback : configured.trim();
        return Path.of(p.replace(TOKEN, of(property).toString())).toAbsolutePath().normalize();
    }
}

package io.edgeport.testsupport;

import java.lang.reflect.Proxy;
import java.nio.file.Path;

import org.osgi.framework.BundleContext;

/** A BundleContext for components constructed by hand in unit tests: it knows only the data directory. */
public final class DataDirectoryContext {

    private DataDirectoryContext() {
    }

    /**
     * @return a context whose {@code getProperty("edgeport.data")} is {@code dir}; every other method answers null
     *         (a service registered through it is simply not registered)
     */
    public static BundleContext of(Path dir) {
        return (BundleContext) Proxy.newProxyInstance(DataDirectoryContext.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (p, m, a) -> m.getName().equals("getProperty")
                        && "edgeport.data".equals(a[0]) ? dir.toString() : null);
    }
}

package io.edgeport.runtime.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * ConfigurationAdmin in memory, as Felix's behaves for what FileBridges uses: a configuration exists (is listed) once
 * updated with properties, which it keeps as a copy with service.pid and service.factoryPid; a deleted one throws
 * IllegalStateException when used again; {@link #updates} counts the writes per PID, so a test sees a needless one.
 */
final class FakeConfigAdmin implements ConfigurationAdmin {

    final Map<String, Hashtable<String, Object>> stored = new TreeMap<>();
    final Map<String, Integer> updates = new TreeMap<>();

    /** A configuration made elsewhere (the console), stored as it is. */
    void put(String pid, String factoryPid, Map<String, Object> props) {
        Hashtable<String, Object> d = new Hashtable<>(props);
        d.put(Constants.SERVICE_PID, pid);
        d.put(SERVICE_FACTORYPID, factoryPid);
        stored.put(pid, d);
    }

    private final class Conf implements Configuration {
        private final String pid;
        private final String factoryPid;

        Conf(String pid, String factoryPid) {
            this.pid = pid;
            this.factoryPid = factoryPid;
        }

        private boolean deleted;

        @Override
        public String getPid() {
            checkDeleted();
            return pid;
        }

        /** Felix: an IllegalStateException for any use of a configuration once deleted. */
        private void checkDeleted() {
            if (deleted) {
                throw new IllegalStateException("Configuration " + pid + " deleted");
            }
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            checkDeleted();
            Hashtable<String, Object> d = stored.get(pid);
            return d == null ? null : new Hashtable<>(d);
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(ServiceReference<?> reference) {
            return getProperties();
        }

        @Override
        public void update(Dictionary<String, ?> properties) {
            checkDeleted();
            Hashtable<String, Object> d = new Hashtable<>();
            Collections.list(properties.keys()).forEach(k -> d.put(k, properties.get(k)));
            d.put(Constants.SERVICE_PID, pid);
            if (factoryPid != null) {
                d.put(SERVICE_FACTORYPID, factoryPid);
            }
            stored.put(pid, d);
            updates.merge(pid, 1, Integer::sum);
        }

        @Override
        public void delete() {
            checkDeleted();
            deleted = true;
            stored.remove(pid);
        }

        @Override
        public String getFactoryPid() {
            return factoryPid;
        }

        @Override
        public void update() {
        }

        @Override
        public boolean updateIfDifferent(Dictionary<String, ?> properties) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setBundleLocation(String location) {
        }

        @Override
        public String getBundleLocation() {
            return "?";
        }

        @Override
        public long getChangeCount() {
            return updates.getOrDefault(pid, 0);
        }

        @Override
        public void addAttributes(ConfigurationAttribute... attrs) {
        }

        @Override
        public Set<ConfigurationAttribute> getAttributes() {
            return EnumSet.noneOf(ConfigurationAttribute.class);
        }

        @Override
        public void removeAttributes(ConfigurationAttribute... attrs) {
        }
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name, String location) {
        return new Conf(factoryPid + "~" + name, factoryPid);
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name) {
        return getFactoryConfiguration(factoryPid, name, null);
    }

    @Override
    public Configuration[] listConfigurations(String filter) throws InvalidSyntaxException {
        Filter f = filter == null ? null : FrameworkUtil.createFilter(filter);
        List<Configuration> out = new ArrayList<>();
        stored.forEach((pid, d) -> {
            if (f == null || f.match(d)) {
                out.add(new Conf(pid, (String) d.get(SERVICE_FACTORYPID)));
            }
        });
        return out.isEmpty() ? null : out.toArray(Configuration[]::new);
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid, String location) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Configuration getConfiguration(String pid, String location) {
        return new Conf(pid, null);
    }

    @Override
    public Configuration getConfiguration(String pid) {
        return new Conf(pid, null);
    }
}

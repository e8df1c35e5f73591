package io.edgeport.itest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.ServiceRegistration;

/** The services a test registered, all unregistered by {@link #close()} (those the test unregistered itself too). */
final class Registrations implements AutoCloseable {

    private final List<ServiceRegistration<?>> all = new CopyOnWriteArrayList<>();

    /** Remembers {@code r} for {@link #close()}; returns it. */
    <S> ServiceRegistration<S> add(ServiceRegistration<S> r) {
        all.add(r);
        return r;
    }

    ServiceRegistration<?> get(int i) {
        return all.get(i);
    }

    @Override
    public void close() {
        for (ServiceRegistration<?> r : all) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test
            }
        }
        all.clear();
    }
}

package io.edgeport.broker.engine;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Starts MQTT engines: the service the engine bundle registers. Each {@link #start} call makes an independent
 * engine; a change of listeners or store means a new engine (the old one closed first, as they share ports and
 * files).
 *
 * @since 1.0
 */
@ProviderType
public interface EngineFactory {

    /**
     * Opens the store and binds the listeners of {@code settings}. A store that cannot be opened (damaged by something
     * other than a crash, which recovery handles) is moved aside, untouched, and the engine starts with an empty one
     * (logged as an error); a listener that cannot be bound leaves the store in place.
     *
     * @param hooks asked for every decision while the engine runs
     * @return the running engine; close it to stop it
     * @throws IOException when a listener cannot be bound or no store can be opened; nothing is left running then
     */
    Engine start(EngineSettings settings, EngineHooks hooks) throws IOException;

    /** @return what implements the engine, for version strings, e.g. {@code moquette 0.17} */
    String implementation();
}

package io.edgeport.broker.engine.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineFactory;
import io.edgeport.broker.engine.EngineHooks;
import io.edgeport.broker.engine.EngineSettings;
import io.edgeport.broker.engine.internal.store.MessageLog;
import io.edgeport.broker.engine.internal.store.MessageStoreComponent;
import io.moquette.broker.Server;

/**
 * The engine service: Moquette 0.17 with Edgeport's pipeline, patches and store. Every engine it starts writes what
 * in-process consumers want into this bundle's message store, which outlives the engines (a configuration change
 * starts a new engine; consumers keep reading).
 */
@Component(service = EngineFactory.class)
public final class MoquetteEngineFactory implements EngineFactory {

    private final MessageLog messages;

    @Activate
    public MoquetteEngineFactory(@Reference MessageStoreComponent store) {
        this.messages = store.log();
    }

    /** Engines without a message log (tests of the engine alone). */
    MoquetteEngineFactory() {
        this.messages = null;
    }

    @Override
    public Engine start(EngineSettings settings, EngineHooks hooks) throws IOException {
        return RunningEngine.start(settings, hooks, messages);
    }

    @Override
    public String implementation() {
        return "moquette " + Server.MOQUETTE_VERSION;
    }
}

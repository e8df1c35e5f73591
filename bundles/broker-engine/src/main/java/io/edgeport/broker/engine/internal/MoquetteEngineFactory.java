package io.edgeport.broker.engine.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Component;

import io.edgeport.broker.engine.Engine;
import io.edgeport.broker.engine.EngineFactory;
import io.edgeport.broker.engine.EngineHooks;
import io.edgeport.broker.engine.EngineSettings;
import io.moquette.broker.Server;

/** The engine service: Moquette 0.17 with Edgeport's pipeline, patches and store. Stateless. */
@Component(service = EngineFactory.class)
public final class MoquetteEngineFactory implements EngineFactory {

    @Override
    public Engine start(EngineSettings settings, EngineHooks hooks) throws IOException {
        return RunningEngine.start(settings, hooks);
    }

    @Override
    public String implementation() {
        return "moquette " + Server.MOQUETTE_VERSION;
    }
}

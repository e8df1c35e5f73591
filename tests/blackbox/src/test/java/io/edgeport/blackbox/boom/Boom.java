package io.edgeport.blackbox.boom;

/**
 * A DS component whose activation always fails: PluginsTest copies this class (with a component XML) into a generated
 * plugin bundle to play "a plugin whose component throws in activate". Not loaded by the tests themselves.
 */
public class Boom {

    public void activate() {
        throw new IllegalStateException("boom: this plugin always fails to start");
    }
}

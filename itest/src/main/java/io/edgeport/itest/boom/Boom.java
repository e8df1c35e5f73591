package io.edgeport.itest.boom;

/**
 * A DS component whose activation always fails: copied into a generated plugin bundle by {@code FeaturesTest} (with
 * its component XML) to play "a plugin whose component throws in activate". Not a component of the test bundle.
 */
public class Boom {

    public void activate() {
        throw new IllegalStateException("boom: this plugin always fails to start");
    }
}

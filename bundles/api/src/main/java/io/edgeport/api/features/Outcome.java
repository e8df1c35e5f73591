package io.edgeport.api.features;

/**
 * What a feature change did.
 *
 * @param ok whether the change is in place (false: nothing changed, or it was rolled back)
 * @param feature the feature concerned, as far as known
 * @param message one line for the operator: what was done, or why it was refused or rolled back
 */
public record Outcome(boolean ok, String feature, String message) {

    public static Outcome done(String feature, String message) {
        return new Outcome(true, feature, message);
    }

    public static Outcome failed(String feature, String message) {
        return new Outcome(false, feature, message);
    }
}

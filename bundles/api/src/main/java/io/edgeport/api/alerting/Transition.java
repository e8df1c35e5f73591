package io.edgeport.api.alerting;

/**
 * What happened to an alarm. Each alarm goes through each transition at most once: raised, then (in any order)
 * acknowledged and cleared.
 *
 * @since 1.0
 */
public enum Transition {
    RAISED, ACKNOWLEDGED, CLEARED
}

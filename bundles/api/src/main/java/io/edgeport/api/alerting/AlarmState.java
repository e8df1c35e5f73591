package io.edgeport.api.alerting;

/**
 * Whether the condition of an alarm still holds. Acknowledgement is independent of the state.
 *
 * @since 1.0
 */
public enum AlarmState {
    /** The condition holds (an active alarm). */
    RAISED,
    /** The condition ended; the alarm is history. */
    CLEARED
}

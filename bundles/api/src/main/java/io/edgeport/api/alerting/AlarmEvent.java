package io.edgeport.api.alerting;

import java.util.Objects;

/**
 * One transition of an alarm, as handed to {@link AlarmNotifier}s.
 *
 * @param id stable, unique id of this event: {@code <alarm id>.<transition>} in lower case, for example
 *        {@code 0f6c...-9a.raised}. A receiver that may see an event twice (after a crash between delivery and the
 *        engine recording it) deduplicates on it.
 * @param transition what happened
 * @param alarm the alarm as it was right after the transition
 * @since 1.0
 */
public record AlarmEvent(String id, Transition transition, Alarm alarm) {

    public AlarmEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(transition, "transition");
        Objects.requireNonNull(alarm, "alarm");
    }

    /** The event of {@code transition} on {@code alarm}, with its canonical id. */
    public static AlarmEvent of(Transition transition, Alarm alarm) {
        return new AlarmEvent(alarm.id() + "." + transition.name().toLowerCase(java.util.Locale.ROOT), transition,
                alarm);
    }
}

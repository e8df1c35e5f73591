package io.edgeport.api.alerting;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The alarms of the gateway, as the alerting engine keeps them. Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface AlarmService {

    /** Raised alarms, most severe first, then oldest first. */
    List<Alarm> active();

    /**
     * Alarms newest first, raised and cleared.
     *
     * @param limit at most this many, 1..10000
     */
    List<Alarm> history(int limit);

    /** The alarm with this id, raised or cleared. */
    Optional<Alarm> find(String id);

    /**
     * Acknowledges an alarm. Acknowledging an alarm that is already acknowledged changes nothing and returns it as it
     * is.
     *
     * @param id the alarm's id
     * @param by who acknowledges (a user name, {@code mqtt:<client>}...); blank becomes {@code unknown}
     * @return the alarm after the call; empty when there is no alarm with that id
     */
    Optional<Alarm> acknowledge(String id, String by);

    /**
     * Clears a raised alarm by hand (an operator knows the cause is gone, or the device was removed). If its condition
     * still holds, the next evaluation raises a new alarm.
     *
     * @return the cleared alarm; empty when no raised alarm has that id (and from providers older than 1.1)
     * @since 1.1
     */
    default Optional<Alarm> clear(String id, String by) {
        return Optional.empty();
    }
}

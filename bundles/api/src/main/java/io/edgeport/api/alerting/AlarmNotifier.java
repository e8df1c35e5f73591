package io.edgeport.api.alerting;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: register a service of this type to act on every alarm transition (publish it, post it, page someone).
 *
 * <p>Each notifier has a thread and an ordered queue of its own in the alerting engine: a slow or failing notifier
 * delays only itself, never rule evaluation nor other notifiers. Events come in the order they happened, one call at a
 * time. When {@link #notify} throws, the same event is offered again after a back-off (doubling from one second up to
 * {@link #RETRY_MAX_MS}); failures are counted and logged once per failure streak.
 *
 * <p>A notifier with a {@link #NAME} is durable: the engine records in its database which events that name has
 * accepted, so events raised while the notifier is absent (its bundle stopped or being updated, the gateway
 * restarting) are delivered when it returns, each once, in order. A crash between {@code notify} returning and the
 * engine recording it can repeat one event: {@link AlarmEvent#id()} lets the receiver recognise it. A notifier
 * without a name gets the events that happen while it is registered.
 *
 * @since 1.0
 */
@ConsumerType
public interface AlarmNotifier {

    /**
     * Service property (String, optional): the stable name of a durable notifier, 1-64 characters of
     * {@code A-Z a-z 0-9 . _ -}. Two notifiers must not share a name.
     */
    String NAME = "edgeport.alarm.notifier.name";

    /** Service property (Long, optional): longest pause between retries of a failed event in ms; default 60000. */
    String RETRY_MAX_MS = "edgeport.alarm.notifier.retry.max.ms";

    /**
     * Acts on one transition. Returning means the event is done with; throwing means "offer it again later".
     *
     * @param event the transition and the alarm right after it
     * @throws Exception when the event was not handled and should come again
     */
    void notify(AlarmEvent event) throws Exception;
}

package io.edgeport.api.auth;

/**
 * What a client wants to do with a topic. {@link #SUBSCRIBE} is checked against the filter when subscribing,
 * {@link #RECEIVE} against each topic name a subscription would deliver, {@link #PUBLISH} against the topic name of
 * each PUBLISH and of the Last Will. @since 1.0
 */
public enum Action {
    PUBLISH, SUBSCRIBE, RECEIVE
}

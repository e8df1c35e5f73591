package io.edgeport.broker.internal;

import java.util.function.BiPredicate;

/** Gives tests in sub-packages the production topic matcher (TopicFilter is package-private). */
public final class TopicFilters {

    public static final BiPredicate<String, String> MATCHER = TopicFilter::matches;

    private TopicFilters() {
    }
}

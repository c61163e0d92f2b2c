package com.figureforge.workflows;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;

/** The summaries the Web UI shows on a run's timers, read from its history (the timer's user metadata). */
public final class TimerSummaries {

    private TimerSummaries() {}

    /** One entry per timer started, in order; a timer without a summary is an empty string. */
    public static List<String> of(WorkflowExecutionHistory history) {
        return history.getEvents().stream()
                .filter(event -> event.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED)
                .map(TimerSummaries::summary)
                .toList();
    }

    private static String summary(HistoryEvent timerStarted) {
        if (!timerStarted.hasUserMetadata() || !timerStarted.getUserMetadata().hasSummary()) {
            return "";
        }
        return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                timerStarted.getUserMetadata().getSummary(), String.class, String.class);
    }
}

package com.figureforge.workflows.billing;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * What operators see of a subscription workflow in the Web UI: the search attributes {@code
 * FigureForgeUserId} and {@code FigureForgePlan}, and a one-line current state ({@code
 * Workflow.setCurrentDetails}).
 */
final class SubscriptionOperatorView {

    private SubscriptionOperatorView() {}

    /** Upserts changed search attributes and shows the state, followed by {@code note}. */
    static void show(SubscriptionState state, String note) {
        attributes(state);
        details(state, note);
    }

    static void attributes(SubscriptionState state) {
        var current = Workflow.getTypedSearchAttributes();
        if (!state.plan().equals(current.get(FigureForgeSearchAttributes.PLAN))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.PLAN.valueSet(state.plan()));
        }
        if (!state.userId().equals(current.get(FigureForgeSearchAttributes.USER_ID))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.USER_ID.valueSet(state.userId()));
        }
    }

    static void details(SubscriptionState state, String note) {
        Workflow.setCurrentDetails(note == null ? summary(state) : summary(state) + " · " + note);
    }

    static String summary(SubscriptionState state) {
        StringBuilder text = new StringBuilder(state.plan())
                .append(" (")
                .append(state.status())
                .append(")");
        if (state.periodStart() != null && state.periodEnd() != null) {
            text.append(" · period ")
                    .append(day(state.periodStart()))
                    .append(" to ")
                    .append(day(state.periodEnd()));
        }
        if (state.cancelAt() != null) {
            text.append(" · ends ").append(state.cancelAt());
        }
        if (state.graceUntil() != null) {
            text.append(" · grace until ").append(state.graceUntil());
        }
        if (state.duplicatesCanceled() > 0) {
            text.append(" · duplicate subscriptions canceled: ").append(state.duplicatesCanceled());
        }
        return text.toString();
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}

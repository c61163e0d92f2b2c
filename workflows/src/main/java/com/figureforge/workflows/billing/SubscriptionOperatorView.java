package com.figureforge.workflows.billing;

import com.figureforge.workflows.FigureForgeSearchAttributes;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What operators see of a subscription workflow in the Web UI: the search attributes {@code
 * FigureForgeUserId}, {@code FigureForgePlan}, {@code FigureForgeSubscriptionStatus} and {@code
 * FigureForgeGraceUntil}, a one-line current state ({@code Workflow.setCurrentDetails}, set again by
 * every run after continue-as-new) and a summary on the timer it waits on.
 */
final class SubscriptionOperatorView {

    static final String STATUS_ATTRIBUTES = "subscription-status-search-attributes";

    private SubscriptionOperatorView() {}

    /** Upserts changed search attributes and shows the state, followed by {@code note}. */
    static void show(SubscriptionState state, String note) {
        attributes(state);
        details(state, note);
    }

    static void attributes(SubscriptionState state) {
        var current = Workflow.getTypedSearchAttributes();
        // Histories from before these two attributes replay without their upserts.
        if (Workflow.getVersion(STATUS_ATTRIBUTES, Workflow.DEFAULT_VERSION, 1) == 1) {
            statusAttributes(state, current);
        }
        if (!state.plan().equals(current.get(FigureForgeSearchAttributes.PLAN))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.PLAN.valueSet(state.plan()));
        }
        if (!state.userId().equals(current.get(FigureForgeSearchAttributes.USER_ID))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.USER_ID.valueSet(state.userId()));
        }
    }

    /**
     * {@code FigureForgeSubscriptionStatus} and {@code FigureForgeGraceUntil}, so operators can list
     * past-due users and grace periods ending soon; the grace attribute is unset outside a grace period.
     */
    private static void statusAttributes(SubscriptionState state, SearchAttributes current) {
        String status = state.status() == null ? "none" : state.status();
        if (!status.equals(current.get(FigureForgeSearchAttributes.SUBSCRIPTION_STATUS))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.SUBSCRIPTION_STATUS.valueSet(status));
        }
        OffsetDateTime grace =
                state.graceUntil() == null ? null : OffsetDateTime.ofInstant(state.graceUntil(), ZoneOffset.UTC);
        OffsetDateTime shown = current.containsKey(FigureForgeSearchAttributes.GRACE_UNTIL)
                ? current.get(FigureForgeSearchAttributes.GRACE_UNTIL)
                : null;
        if (grace == null && shown != null) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.GRACE_UNTIL.valueUnset());
        } else if (grace != null && (shown == null || !grace.toInstant().equals(shown.toInstant()))) {
            Workflow.upsertTypedSearchAttributes(FigureForgeSearchAttributes.GRACE_UNTIL.valueSet(grace));
        }
    }

    /** The summary of the timer the workflow waits on: what happens when it fires. */
    static String nextCheck(SubscriptionState state) {
        if (state.graceUntil() != null && state.graceUntil().equals(state.nextCheckAt())) {
            return "Grace period ends: re-check the payment";
        }
        if (state.cancelAt() != null && state.cancelAt().equals(state.nextCheckAt())) {
            return "Scheduled cancellation: re-check the subscription";
        }
        return "Scheduled re-check of the subscription";
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

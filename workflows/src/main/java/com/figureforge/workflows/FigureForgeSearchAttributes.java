package com.figureforge.workflows;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * Custom search attributes; each must be registered on the namespace before it is used: compose's
 * setup one-shot, the chart's setup hook and the local stack ({@link #ALL}) do it.
 */
public final class FigureForgeSearchAttributes {

    public static final SearchAttributeKey<String> USER_ID = SearchAttributeKey.forKeyword("FigureForgeUserId");
    public static final SearchAttributeKey<String> JOB_STATUS = SearchAttributeKey.forKeyword("FigureForgeJobStatus");
    public static final SearchAttributeKey<String> PLAN = SearchAttributeKey.forKeyword("FigureForgePlan");

    /** The Stripe subscription status of the user's subscription workflow (active, past_due, ...). */
    public static final SearchAttributeKey<String> SUBSCRIPTION_STATUS =
            SearchAttributeKey.forKeyword("FigureForgeSubscriptionStatus");

    /** When a past-due subscription's grace period ends; unset outside one. */
    public static final SearchAttributeKey<java.time.OffsetDateTime> GRACE_UNTIL =
            SearchAttributeKey.forOffsetDateTime("FigureForgeGraceUntil");

    /** Every attribute above, for registration. */
    public static final List<SearchAttributeKey<?>> ALL =
            List.of(USER_ID, JOB_STATUS, PLAN, SUBSCRIPTION_STATUS, GRACE_UNTIL);

    private FigureForgeSearchAttributes() {}
}

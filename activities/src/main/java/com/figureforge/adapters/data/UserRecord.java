package com.figureforge.adapters.data;

import java.time.Instant;

/**
 * A user as stored: item {@code USER#{id}} / {@code PROFILE}.
 *
 * @param id the Cognito subject
 * @param plan plan id ({@value #DEFAULT_PLAN} without a subscription)
 * @param subscriptionStatus Stripe subscription status ({@value #DEFAULT_SUBSCRIPTION_STATUS} without one)
 * @param defaultVisibility {@code private} or {@code public}, for new jobs
 * @param stripeCustomerId set once the user has been a Stripe customer, else {@code null}
 * @param periodStart start of the current billing period of a paid plan, else {@code null}
 * @param periodEnd end of the current billing period of a paid plan, else {@code null}
 * @param deleting account deletion has started: accept no new work
 * @param emailSignInAt the sign-in (a token's {@code auth_time}) whose email from Cognito is stored;
 *     {@code null} until the email was first fetched
 */
public record UserRecord(
        String id,
        String username,
        String email,
        String displayName,
        String plan,
        String subscriptionStatus,
        String defaultVisibility,
        String stripeCustomerId,
        Instant periodStart,
        Instant periodEnd,
        Instant createdAt,
        Instant updatedAt,
        boolean deleting,
        Instant emailSignInAt) {

    public static final String DEFAULT_PLAN = "free";
    public static final String DEFAULT_SUBSCRIPTION_STATUS = "none";
}

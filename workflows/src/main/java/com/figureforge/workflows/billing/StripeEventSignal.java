package com.figureforge.workflows.billing;

/**
 * One Stripe webhook event, as the webhook forwards it to the user's subscription workflow. The
 * workflow treats it as a trigger: it dedupes by {@code eventId} and then applies the customer's
 * <em>current</em> subscription fetched from Stripe, so the event's own payload (which may be stale,
 * repeated or out of order) is not needed beyond these ids.
 *
 * @param eventId Stripe's event id ({@code evt_...}); the dedupe key
 * @param type the event type, e.g. {@code invoice.paid} (see {@link StripeEventTypes})
 * @param created the event's {@code created}, epoch seconds (for operators and logs)
 * @param customerId the Stripe customer of the event's object ({@code data.object.customer}); may be null
 *     only when {@code subscriptionId} is set
 * @param subscriptionId the subscription the event is about, if any: {@code data.object.id} for
 *     {@code customer.subscription.*}, {@code data.object.subscription} for
 *     {@code checkout.session.completed}, {@code data.object.parent.subscription_details.subscription}
 *     for {@code invoice.*}
 * @param userId our user id as the event carries it (checkout: {@code client_reference_id} or
 *     {@code metadata.user_id}; subscriptions: {@code metadata.user_id}), else null. An event whose user id
 *     names another user is ignored.
 */
public record StripeEventSignal(
        String eventId, String type, long created, String customerId, String subscriptionId, String userId) {

    public StripeEventSignal {
        if (eventId == null || eventId.isBlank()) {
            throw new IllegalArgumentException("eventId must not be blank");
        }
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank");
        }
    }
}

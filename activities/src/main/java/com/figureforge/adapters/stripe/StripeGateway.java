package com.figureforge.adapters.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.checkout.SessionCreateParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything FigureForge asks of Stripe, on the official SDK ({@code stripe-java}, which pins the API
 * version {@code 2026-07-29.dahlia}). Every failure is a {@link StripeGatewayException} that says whether
 * it is worth retrying. Writes carry idempotency keys, and "already gone" answers of deletions count as
 * done, so every call may be repeated.
 *
 * <p>Our user id travels with every Stripe object we create: customer {@code metadata.user_id}, Checkout
 * Session {@code client_reference_id} and {@code metadata.user_id}, subscription {@code metadata.user_id}
 * (through {@code subscription_data}). The webhook can therefore name the user of an event without
 * reading our database.
 */
public class StripeGateway implements BillingAccounts {

    private static final Logger log = LoggerFactory.getLogger(StripeGateway.class);

    /** The metadata key under which our user id is stored on customers, sessions and subscriptions. */
    public static final String USER_ID_METADATA = "user_id";

    /** Statuses that grant access; the newest such subscription is the customer's current one. */
    public static final Set<String> LIVE_STATUSES = Set.of("active", "trialing", "past_due");

    /** Statuses after which a subscription cannot be canceled any more. */
    static final Set<String> TERMINAL_STATUSES = Set.of("canceled", "incomplete_expired");

    private static final long LIST_PAGE = 100;
    private static final long CURRENT_LIST_LIMIT = 20;

    private final StripeClient stripe;

    public StripeGateway(StripeClient stripe) {
        this.stripe = Objects.requireNonNull(stripe);
    }

    /**
     * A client for the given key; {@code apiBase} (e.g. a WireMock or local stub URL) replaces
     * {@code https://api.stripe.com} when set.
     */
    public static StripeGateway create(
            String apiKey, String apiBase, Duration connectTimeout, Duration readTimeout, int maxNetworkRetries) {
        StripeClient.StripeClientBuilder builder = StripeClient.builder()
                .setApiKey(apiKey)
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setReadTimeout((int) readTimeout.toMillis())
                .setMaxNetworkRetries(maxNetworkRetries);
        if (apiBase != null && !apiBase.isBlank()) {
            builder.setApiBase(apiBase);
        }
        return new StripeGateway(builder.build());
    }

    // --- customers ---

    /**
     * The user's Stripe customer: {@code knownCustomerId} if it still exists, else a new customer with
     * {@code metadata.user_id} and the email, created with idempotency key {@code customer-<userId>}
     * (so concurrent or repeated first checkouts within Stripe's 24 h key window create one customer).
     * A known customer whose email differs from {@code email} gets {@code email} (receipts go to the
     * address Cognito has now); a failure to update is logged, not thrown. Store the returned id on the
     * user ({@code UserRepository#linkStripeCustomer}).
     */
    public String ensureCustomer(String userId, String email, String knownCustomerId) {
        requireText(userId, "userId");
        if (knownCustomerId != null && !knownCustomerId.isBlank()) {
            Optional<Customer> known = retrieveCustomer(knownCustomerId);
            if (known.isPresent()) {
                updateEmailIfOutdated(known.get(), email, userId);
                return known.get().getId();
            }
            log.warn("Stripe customer {} of user {} is gone: creating a new one", knownCustomerId, userId);
        }
        CustomerCreateParams.Builder params = CustomerCreateParams.builder().putMetadata(USER_ID_METADATA, userId);
        if (email != null && !email.isBlank()) {
            params.setEmail(email);
        }
        // A customer that existed and was deleted must not come back from the idempotency cache.
        String key =
                knownCustomerId == null ? "customer-" + userId : "customer-" + userId + "-after-" + knownCustomerId;
        try {
            return stripe.v1()
                    .customers()
                    .create(params.build(), idempotent(key))
                    .getId();
        } catch (StripeException e) {
            throw StripeGatewayException.from("creating the Stripe customer of user " + userId, e);
        }
    }

    private void updateEmailIfOutdated(Customer customer, String email, String userId) {
        if (email == null || email.isBlank() || email.equals(customer.getEmail())) {
            return;
        }
        try {
            stripe.v1()
                    .customers()
                    .update(
                            customer.getId(),
                            CustomerUpdateParams.builder().setEmail(email).build());
        } catch (StripeException e) {
            // The customer still works; the next checkout or portal visit tries again.
            log.warn(
                    "Could not update the email of Stripe customer {} of user {}: {}",
                    customer.getId(),
                    userId,
                    e.getMessage());
        }
    }

    /** The customer, or empty if it does not exist or was deleted. */
    public Optional<Customer> retrieveCustomer(String customerId) {
        requireText(customerId, "customerId");
        try {
            Customer customer = stripe.v1().customers().retrieve(customerId);
            return Boolean.TRUE.equals(customer.getDeleted()) ? Optional.empty() : Optional.of(customer);
        } catch (StripeException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw StripeGatewayException.from("retrieving Stripe customer " + customerId, e);
        }
    }

    /** Our user id as stored on the customer ({@code metadata.user_id}); for webhooks that lack it. */
    public Optional<String> userIdOfCustomer(String customerId) {
        return retrieveCustomer(customerId)
                .map(Customer::getMetadata)
                .map(metadata -> metadata.get(USER_ID_METADATA))
                .filter(id -> !id.isBlank());
    }

    // --- sessions ---

    /**
     * A Checkout Session for a subscription to one price: {@code mode=subscription}, one line item of
     * quantity 1, the customer, {@code client_reference_id} and {@code metadata.user_id} = the user, and
     * the user id also on the subscription it creates.
     */
    public CheckoutSession createCheckoutSession(CheckoutRequest request) {
        SessionCreateParams params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .setCustomer(request.customerId())
                .setClientReferenceId(request.userId())
                .putMetadata(USER_ID_METADATA, request.userId())
                .addLineItem(SessionCreateParams.LineItem.builder()
                        .setPrice(request.priceId())
                        .setQuantity(1L)
                        .build())
                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                        .putMetadata(USER_ID_METADATA, request.userId())
                        .build())
                .setSuccessUrl(request.successUrl())
                .setCancelUrl(request.cancelUrl())
                .build();
        try {
            Session session = stripe.v1().checkout().sessions().create(params, idempotent(request.idempotencyKey()));
            return new CheckoutSession(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw StripeGatewayException.from("creating a Checkout Session for user " + request.userId(), e);
        }
    }

    /** A Billing Portal session where the customer manages payment methods, plan and cancellation. */
    public String createPortalSession(String customerId, String returnUrl, String idempotencyKey) {
        requireText(customerId, "customerId");
        com.stripe.param.billingportal.SessionCreateParams params =
                com.stripe.param.billingportal.SessionCreateParams.builder()
                        .setCustomer(customerId)
                        .setReturnUrl(returnUrl)
                        .build();
        try {
            return stripe.v1()
                    .billingPortal()
                    .sessions()
                    .create(params, idempotent(idempotencyKey))
                    .getUrl();
        } catch (StripeException e) {
            throw StripeGatewayException.from("creating a Billing Portal session for " + customerId, e);
        }
    }

    // --- subscriptions ---

    /**
     * The customer's current subscription as Stripe reports it now: the newest that grants access
     * ({@code active}, {@code trialing}, {@code past_due}), else the newest of any status, else empty
     * (also when the customer does not exist).
     */
    public Optional<Subscription> currentSubscription(String customerId) {
        return current(subscriptionsOf(customerId));
    }

    /** The customer's newest subscriptions of any status (up to 20); none for a missing customer. */
    public List<Subscription> subscriptionsOf(String customerId) {
        requireText(customerId, "customerId");
        SubscriptionListParams params = SubscriptionListParams.builder()
                .setCustomer(customerId)
                .setStatus(SubscriptionListParams.Status.ALL)
                .setLimit(CURRENT_LIST_LIMIT)
                .build();
        try {
            return stripe.v1().subscriptions().list(params).getData();
        } catch (StripeException e) {
            if (isMissing(e)) {
                return List.of();
            }
            throw StripeGatewayException.from("listing the subscriptions of " + customerId, e);
        }
    }

    /** One subscription by id, or empty if it does not exist. */
    public Optional<Subscription> retrieveSubscription(String subscriptionId) {
        requireText(subscriptionId, "subscriptionId");
        try {
            return Optional.of(stripe.v1().subscriptions().retrieve(subscriptionId));
        } catch (StripeException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw StripeGatewayException.from("retrieving subscription " + subscriptionId, e);
        }
    }

    public static Optional<Subscription> current(List<Subscription> subscriptions) {
        Comparator<Subscription> newestFirst = Comparator.comparing(
                        (Subscription s) -> s.getCreated() == null ? 0L : s.getCreated())
                .reversed();
        List<Subscription> sorted = subscriptions.stream().sorted(newestFirst).toList();
        return sorted.stream()
                .filter(s -> LIVE_STATUSES.contains(s.getStatus()))
                .findFirst()
                .or(() -> sorted.stream().findFirst());
    }

    /**
     * Cancels, effective now, every subscription of the customer that can still be canceled. Each cancel
     * carries {@code <idempotencyKey>:<subscription id>}; one that is already canceled or gone counts as
     * done, and so does a customer that does not exist.
     */
    @Override
    public void cancelAllSubscriptions(String customerId, String idempotencyKey) {
        requireText(customerId, "customerId");
        requireText(idempotencyKey, "idempotencyKey");
        for (Subscription subscription : allSubscriptions(customerId)) {
            if (TERMINAL_STATUSES.contains(subscription.getStatus())) {
                continue;
            }
            cancel(subscription.getId(), idempotencyKey + ":" + subscription.getId());
        }
    }

    private void cancel(String subscriptionId, String idempotencyKey) {
        try {
            stripe.v1().subscriptions().cancel(subscriptionId, idempotent(idempotencyKey));
            log.info("Canceled Stripe subscription {}", subscriptionId);
        } catch (StripeException e) {
            if (isMissing(e)) {
                return;
            }
            if (e instanceof InvalidRequestException) {
                // Canceled meanwhile (by Stripe or a concurrent call)? Then this is done.
                Optional<Subscription> now = retrieveSubscription(subscriptionId);
                if (now.isEmpty() || TERMINAL_STATUSES.contains(now.get().getStatus())) {
                    return;
                }
            }
            throw StripeGatewayException.from("canceling subscription " + subscriptionId, e);
        }
    }

    private List<Subscription> allSubscriptions(String customerId) {
        List<Subscription> all = new ArrayList<>();
        String after = null;
        try {
            while (true) {
                SubscriptionListParams.Builder params = SubscriptionListParams.builder()
                        .setCustomer(customerId)
                        .setStatus(SubscriptionListParams.Status.ALL)
                        .setLimit(LIST_PAGE);
                if (after != null) {
                    params.setStartingAfter(after);
                }
                StripeCollection<Subscription> page =
                        stripe.v1().subscriptions().list(params.build());
                all.addAll(page.getData());
                if (!Boolean.TRUE.equals(page.getHasMore()) || page.getData().isEmpty()) {
                    return all;
                }
                after = page.getData().getLast().getId();
            }
        } catch (StripeException e) {
            if (isMissing(e)) {
                return List.of();
            }
            throw StripeGatewayException.from("listing the subscriptions of " + customerId, e);
        }
    }

    /** Deletes the customer (Stripe cancels its subscriptions with it); a missing customer is success. */
    @Override
    public void deleteCustomer(String customerId, String idempotencyKey) {
        requireText(customerId, "customerId");
        try {
            stripe.v1().customers().delete(customerId, idempotent(idempotencyKey));
            log.info("Deleted Stripe customer {}", customerId);
        } catch (StripeException e) {
            if (isMissing(e)) {
                return;
            }
            throw StripeGatewayException.from("deleting Stripe customer " + customerId, e);
        }
    }

    // --- helpers ---

    /** The SDK client, for the gateway's companions ({@link StripeSubscriptionChanges}, {@link StripeCheckouts}). */
    StripeClient client() {
        return stripe;
    }

    /** Stripe's "no such object" answer. */
    static boolean isMissing(StripeException e) {
        return e instanceof InvalidRequestException
                && (Integer.valueOf(404).equals(e.getStatusCode()) || "resource_missing".equals(e.getCode()));
    }

    static RequestOptions idempotent(String idempotencyKey) {
        return idempotencyKey == null || idempotencyKey.isBlank()
                ? RequestOptions.getDefault()
                : RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
    }

    static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    /**
     * @param customerId the user's customer ({@link #ensureCustomer})
     * @param successUrl where Stripe sends the user after paying (may contain {@code {CHECKOUT_SESSION_ID}})
     * @param idempotencyKey optional; the same key within 24 h returns the same session (without one the
     *     SDK sends a fresh key per call, which only protects its own network retries)
     */
    public record CheckoutRequest(
            String userId,
            String customerId,
            String priceId,
            String successUrl,
            String cancelUrl,
            String idempotencyKey) {

        public CheckoutRequest {
            requireText(userId, "userId");
            requireText(customerId, "customerId");
            requireText(priceId, "priceId");
            requireText(successUrl, "successUrl");
            requireText(cancelUrl, "cancelUrl");
        }
    }

    /** @param url the hosted checkout page to send the user to */
    public record CheckoutSession(String id, String url) {}
}

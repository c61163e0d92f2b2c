package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.devstack.DevStackServers;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.devstack.stripe.StripeEmulator;
import com.figureforge.workflows.billing.StripeEventTypes;
import com.figureforge.workflows.billing.SubscriptionState;
import com.figureforge.workflows.billing.SubscriptionWorkflows;
import io.temporal.client.WorkflowClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * One live subscription per user, plan changes in the app, sync after checkout and every Stripe event
 * that changes access: over HTTP, against the Stripe emulator (the real stripe-java SDK on the wire).
 */
@FigureForgeE2E
class BillingChangesE2ETest {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    StripeEmulator stripe;

    @Autowired
    UserRepository users;

    @Autowired
    WorkflowClient temporal;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
    }

    @Test
    void aSubscribedUserGets409WithAPortalUrlInsteadOfASecondCheckout() {
        var user = e2e.newUser("free");
        String customer = subscribe(user, "pro");

        var again = api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"studio\"}");

        assertProblem(again, 409, "already_subscribed");
        assertThat(again.json().get("portal_url").asString()).contains("/portal/");
        assertThat(stripe.subscriptions(customer)).hasSize(1);
    }

    @Test
    void aNewCheckoutExpiresTheOpenOneSoItCanNoLongerBePaid() throws Exception {
        var user = e2e.newUser("free");
        var first = api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"studio\"}")
                .json();
        String firstId = first.get("session_id").asString();
        String secondId = checkout(user, "hobby");

        assertThat(stripe.checkoutSession(firstId).orElseThrow().get("status").asString())
                .isEqualTo("expired");
        assertThat(stripe.requests())
                .filteredOn(r -> r.path().equals("/v1/checkout/sessions/" + firstId + "/expire"))
                .hasSize(1);
        assertThatThrownBy(() -> stripe.completeCheckout(firstId)).hasMessageContaining("expired");
        var page = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(stripe.baseUrl().resolve("/checkout/" + firstId))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(409);

        stripe.completeCheckout(secondId);
        JsonNode me = awaitUser(user, u -> u.get("plan").asString().equals("hobby"));
        assertThat(me.get("subscription_status").asString()).isEqualTo("active");
    }

    @Test
    void syncAfterCheckoutAppliesThePlanBeforeAnyWebhookAndOnlyForTheOwner() {
        var user = e2e.newUser("free");
        var stranger = e2e.newUser("free");
        String sessionId = checkout(user, "pro");
        assertProblem(sync(user, sessionId), 409, "checkout_not_complete");

        List<StripeEmulator.SentEvent> held;
        stripe.clearWebhook();
        try {
            held = stripe.completeCheckout(sessionId);
        } finally {
            restoreWebhook();
        }
        assertThat(held).allSatisfy(event -> assertThat(event.delivered()).isFalse());
        assertThat(api.get("/api/auth/user/", user.token()).json().get("plan").asString())
                .isEqualTo("free");

        assertProblem(sync(stranger, sessionId), 404, "checkout_session_not_found");
        assertProblem(sync(user, "cs_test_unknown"), 404, "checkout_session_not_found");
        assertThat(api.get("/api/auth/user/", stranger.token())
                        .json()
                        .get("plan")
                        .asString())
                .isEqualTo("free");

        var synced = sync(user, sessionId);
        assertThat(synced.status()).as(synced.body()).isEqualTo(200);
        assertThat(synced.json().get("plan").asString()).isEqualTo("pro");
        JsonNode me = api.get("/api/auth/user/", user.token()).json();
        assertThat(me.get("plan").asString()).as("applied before the answer").isEqualTo("pro");
        assertThat(me.get("quota").get("limit").asInt()).isEqualTo(600);
        assertThat(sync(user, sessionId).json().get("plan").asString()).isEqualTo("pro");

        // The webhooks arrive late: they apply the same state again.
        held.forEach(event -> assertThat(stripe.resend(event.id()).status()).isEqualTo(200));
        awaitTrue(() -> state(user).recentEventIds().contains(held.getLast().id()));
        assertThat(api.get("/api/auth/user/", user.token()).json().get("plan").asString())
                .isEqualTo("pro");
    }

    @Test
    void upgradeAppliesAtOnceKeepingTheCounterAndDowngradeWaitsForThePeriodEnd() {
        var user = e2e.newUser("free");
        String customer = subscribe(user, "hobby");
        e2e.awaitFinished(user, e2e.startJob(user, "{\"prompt\":\"figure study\"}"));
        JsonNode hobby = e2e.quota(user);
        int used = hobby.get("used").asInt();
        assertThat(used).isPositive();

        var upgrade = api.post("/api/subscriptions/change/", user.token(), "{\"plan\":\"studio\"}");
        assertThat(upgrade.status()).as(upgrade.body()).isEqualTo(200);
        assertThat(upgrade.json().get("outcome").asString()).isEqualTo("changed");
        assertThat(upgrade.json().get("plan").asString()).isEqualTo("studio");
        JsonNode studio = e2e.quota(user);
        assertThat(studio.get("limit").asInt()).isEqualTo(2500);
        assertThat(studio.get("used").asInt()).as("what was used is kept").isEqualTo(used);
        assertThat(studio.get("period_start")).isEqualTo(hobby.get("period_start"));
        // This user's subscription only: other tests (the browser tests too) upgrade to studio in the same emulator.
        List<String> ownSubscriptions = stripe.subscriptions(customer).stream()
                .map(s -> "/v1/subscriptions/" + s.get("id").asString())
                .toList();
        assertThat(stripe.requests())
                .filteredOn(r -> r.method().equals("POST") && ownSubscriptions.contains(r.path()))
                .filteredOn(r -> "price_local_studio".equals(r.params().get("items[0][price]")))
                .singleElement()
                .satisfies(r -> assertThat(r.params()).containsEntry("proration_behavior", "always_invoice"));

        var downgrade = api.post("/api/subscriptions/change/", user.token(), "{\"plan\":\"pro\"}");
        assertThat(downgrade.status()).as(downgrade.body()).isEqualTo(200);
        assertThat(downgrade.json().get("outcome").asString()).isEqualTo("scheduled");
        assertThat(downgrade.json().get("plan").asString())
                .as("studio until the period ends")
                .isEqualTo("studio");
        assertThat(Instant.parse(downgrade.json().get("effective_at").asString()))
                .isEqualTo(Instant.parse(studio.get("period_end").asString()));
        assertThat(e2e.quota(user).get("limit").asInt()).isEqualTo(2500);

        stripe.renew(customer);
        JsonNode pro = awaitUser(user, u -> u.get("plan").asString().equals("pro"));
        assertThat(pro.get("quota").get("limit").asInt()).isEqualTo(600);
        assertThat(pro.get("quota").get("period_start")).isEqualTo(studio.get("period_end"));
        assertThat(pro.get("quota").get("used").asInt())
                .as("a new paid period, a new counter")
                .isZero();

        assertProblem(
                api.post("/api/subscriptions/change/", e2e.newUser("free").token(), "{\"plan\":\"pro\"}"),
                409,
                "no_subscription");
    }

    @Test
    void aSecondLiveSubscriptionMadeOutsideTheAppIsCanceledWithACredit() {
        var user = e2e.newUser("free");
        String customer = subscribe(user, "pro");

        JsonNode outside = stripe.subscribeOutsideCheckout(customer, "price_local_hobby", user.id());

        String duplicate = outside.get("id").asString();
        awaitTrue(() -> state(user).duplicatesCanceled() == 1);
        JsonNode canceled = stripe.subscriptions(customer).stream()
                .filter(s -> s.get("id").asString().equals(duplicate))
                .findFirst()
                .orElseThrow();
        assertThat(canceled.get("status").asString()).isEqualTo("canceled");
        assertThat(stripe.requests())
                .filteredOn(r -> r.method().equals("DELETE") && r.path().equals("/v1/subscriptions/" + duplicate))
                .first()
                .satisfies(r -> {
                    assertThat(r.params()).containsEntry("prorate", "true");
                    assertThat(r.params()).containsEntry("invoice_now", "true");
                });
        assertThat(stripe.customer(customer).orElseThrow().get("balance").asLong())
                .as("prorated credit")
                .isNegative();
        assertThat(api.get("/api/auth/user/", user.token()).json().get("plan").asString())
                .isEqualTo("pro");
        // Temporal's metrics scope reports to Micrometer periodically.
        awaitTrue(() -> ApiClient.getUnchecked(
                        URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"), null)
                .body()
                .contains("figureforge_subscription_duplicates_canceled_total{"));
    }

    @Test
    void aFailedPaymentAndItsGraceKeepThePaidPeriodsCounter() {
        var user = e2e.newUser("free");
        String customer = subscribe(user, "pro");
        e2e.awaitFinished(user, e2e.startJob(user, "{\"prompt\":\"figure study\"}"));
        JsonNode paid = e2e.quota(user);

        stripe.failNextPayment(customer);
        JsonNode overdue =
                awaitUser(user, u -> u.get("subscription_status").asString().equals("past_due"));

        assertThat(overdue.get("plan").asString()).isEqualTo("pro");
        assertThat(overdue.get("quota").get("period_start")).isEqualTo(paid.get("period_start"));
        assertThat(overdue.get("quota").get("used")).isEqualTo(paid.get("used"));

        stripe.payInvoice(customer);
        JsonNode renewed =
                awaitUser(user, u -> u.get("subscription_status").asString().equals("active"));
        assertThat(renewed.get("quota").get("period_start")).isEqualTo(paid.get("period_end"));
    }

    @Test
    void everyAccessChangingEventResyncsFromStripesCurrentState() {
        var user = e2e.newUser("free");
        String customer = subscribe(user, "pro");

        for (String type : List.of(
                StripeEventTypes.SUBSCRIPTION_TRIAL_WILL_END,
                StripeEventTypes.SUBSCRIPTION_PENDING_UPDATE_APPLIED,
                StripeEventTypes.SUBSCRIPTION_PENDING_UPDATE_EXPIRED)) {
            awaitApplied(user, stripe.subscriptionEvent(customer, type), type);
            assertThat(api.get("/api/auth/user/", user.token())
                            .json()
                            .get("plan")
                            .asString())
                    .isEqualTo("pro");
        }
        awaitApplied(
                user,
                stripe.subscriptionEvent(customer, StripeEventTypes.SUBSCRIPTION_PAUSED),
                StripeEventTypes.SUBSCRIPTION_PAUSED);
        assertPlan(user, "free", "paused");
        awaitApplied(
                user,
                stripe.subscriptionEvent(customer, StripeEventTypes.SUBSCRIPTION_RESUMED),
                StripeEventTypes.SUBSCRIPTION_RESUMED);
        assertPlan(user, "pro", "active");
        awaitApplied(
                user,
                stripe.subscriptionEvent(customer, StripeEventTypes.INVOICE_PAYMENT_ACTION_REQUIRED),
                StripeEventTypes.INVOICE_PAYMENT_ACTION_REQUIRED);
        assertPlan(user, "pro", "past_due");
        awaitApplied(
                user,
                stripe.subscriptionEvent(customer, StripeEventTypes.INVOICE_MARKED_UNCOLLECTIBLE),
                StripeEventTypes.INVOICE_MARKED_UNCOLLECTIBLE);
        assertPlan(user, "free", "unpaid");
    }

    @Test
    void anEventWhoseUserIsNotTheCustomersIsIgnored() {
        var user = e2e.newUser("free");
        var other = e2e.newUser("free");
        String customer = subscribe(user, "pro");
        JsonNode subscription = stripe.subscriptions(customer).getFirst().deepCopy();
        ((tools.jackson.databind.node.ObjectNode) subscription.get("metadata")).put("user_id", other.id());

        var forged = stripe.sendEvent(StripeEventTypes.SUBSCRIPTION_UPDATED, subscription);

        assertThat(forged.status()).isEqualTo(200);
        assertThat(forged.payload()).contains(other.id());
        E2ESupport.sleep(1000);
        assertThat(api.get("/api/auth/user/", other.token()).json().get("plan").asString())
                .isEqualTo("free");
        assertThatThrownBy(() -> temporal.newUntypedWorkflowStub(
                                com.figureforge.workflows.WorkflowIds.subscription(other.id()))
                        .describe())
                .as("no workflow was started for the other user")
                .isInstanceOf(io.temporal.client.WorkflowNotFoundException.class);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private String checkout(E2ESupport.User user, String plan) {
        var response = api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"" + plan + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("session_id").asString();
    }

    /** Checkout paid, webhooks applied; returns the customer. */
    private String subscribe(E2ESupport.User user, String plan) {
        List<StripeEmulator.SentEvent> sent = stripe.completeCheckout(checkout(user, plan));
        List<String> ids = sent.stream().map(StripeEmulator.SentEvent::id).toList();
        awaitTrue(() -> state(user).recentEventIds().containsAll(ids));
        awaitUser(user, u -> u.get("plan").asString().equals(plan));
        return sent.getFirst().dataObject().get("customer").asString();
    }

    private ApiClient.Response sync(E2ESupport.User user, String sessionId) {
        return api.post("/api/subscriptions/sync/", user.token(), "{\"session_id\":\"" + sessionId + "\"}");
    }

    private void awaitApplied(E2ESupport.User user, List<StripeEmulator.SentEvent> sent, String type) {
        assertThat(sent).extracting(StripeEmulator.SentEvent::type).contains(type);
        assertThat(sent).allSatisfy(event -> assertThat(event.status()).isEqualTo(200));
        List<String> ids = sent.stream().map(StripeEmulator.SentEvent::id).toList();
        awaitTrue(() -> state(user).recentEventIds().containsAll(ids));
    }

    private void assertPlan(E2ESupport.User user, String plan, String status) {
        JsonNode me =
                awaitUser(user, u -> u.get("subscription_status").asString().equals(status));
        assertThat(me.get("plan").asString()).isEqualTo(plan);
    }

    private SubscriptionState state(E2ESupport.User user) {
        return SubscriptionWorkflows.existing(temporal, user.id()).state();
    }

    private void restoreWebhook() {
        stripe.setWebhook(
                URI.create("http://127.0.0.1:" + port + "/api/webhooks/stripe/"),
                DevStackServers.LOCAL_WEBHOOK_SECRET,
                StripeEventTypes.HANDLED);
    }

    private JsonNode awaitUser(E2ESupport.User user, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode me = null;
        while (System.nanoTime() < deadline) {
            me = api.get("/api/auth/user/", user.token()).json();
            if (condition.test(me)) {
                return me;
            }
            E2ESupport.sleep(200);
        }
        throw new AssertionError("user never reached the expected state; last: " + me);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // the workflow may not have started yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in time");
            }
            E2ESupport.sleep(200);
        }
    }
}

package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.devstack.DevStackServers;
import com.figureforge.devstack.oidc.OidcIssuer;
import com.figureforge.devstack.stripe.StripeEmulator;
import com.figureforge.workflows.billing.StripeEventTypes;
import com.figureforge.workflows.billing.SubscriptionWorkflows;
import io.temporal.client.WorkflowClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Billing through HTTP against the Stripe emulator (the real stripe-java SDK on the wire) with
 * webhooks signed exactly as Stripe signs them.
 */
@FigureForgeE2E
class BillingE2ETest {

    @LocalServerPort
    int port;

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
    void checkoutCreatesOneCustomerAndASubscriptionSessionForThePlansPrice() {
        var user = e2e.newUser("free");
        var response = api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"pro\"}");

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        String sessionId = response.json().get("session_id").asString();
        assertThat(response.json().get("checkout_url").asString()).contains("/checkout/" + sessionId);

        var customerCreate = stripe.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals("/v1/customers"))
                .filter(r -> user.id().equals(r.params().get("metadata[user_id]")))
                .toList();
        assertThat(customerCreate)
                .singleElement()
                .satisfies(r -> assertThat(r.idempotencyKey()).isEqualTo("customer-" + user.id()));
        var session = stripe.requests().stream()
                .filter(r ->
                        r.path().equals("/v1/checkout/sessions") && r.method().equals("POST"))
                .filter(r -> user.id().equals(r.params().get("client_reference_id")))
                .toList();
        assertThat(session).singleElement().satisfies(r -> {
            assertThat(r.params()).containsEntry("mode", "subscription");
            assertThat(r.params()).containsEntry("line_items[0][price]", "price_local_pro");
            assertThat(r.params()).containsEntry("line_items[0][quantity]", "1");
            assertThat(r.params()).containsEntry("metadata[user_id]", user.id());
            assertThat(r.params().get("customer")).startsWith("cus_");
            // The local stack's default: back to the web client.
            assertThat(r.params().get("success_url")).startsWith("http://localhost:8080/?billing=success");
            assertThat(r.idempotencyKey()).startsWith("checkout-");
        });

        // A second checkout reuses the remembered customer.
        assertThat(api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"hobby\"}")
                        .status())
                .isEqualTo(200);
        assertThat(stripe.requests().stream()
                        .filter(r ->
                                r.path().equals("/v1/customers") && r.method().equals("POST"))
                        .filter(r -> user.id().equals(r.params().get("metadata[user_id]"))))
                .hasSize(1);
    }

    @Test
    void completedCheckoutMovesTheUserToThePaidPlanAndItsQuota() {
        var user = e2e.newUser("free");
        String sessionId = api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"pro\"}")
                .json()
                .get("session_id")
                .asString();

        List<StripeEmulator.SentEvent> sent = stripe.completeCheckout(sessionId);
        assertThat(sent)
                .extracting(StripeEmulator.SentEvent::type)
                .containsSubsequence("checkout.session.completed", "customer.subscription.created");
        assertThat(sent).allSatisfy(event -> assertThat(event.status()).isEqualTo(200));

        JsonNode me = awaitUser(user, u -> u.get("plan").asString().equals("pro"));
        assertThat(me.get("subscription_status").asString()).isEqualTo("active");
        assertThat(me.get("quota").get("limit").asInt()).isEqualTo(600);
        JsonNode subscription = sent.stream()
                .filter(e -> e.type().equals("customer.subscription.created"))
                .findFirst()
                .orElseThrow()
                .dataObject();
        long periodStart = subscription
                .get("items")
                .get("data")
                .get(0)
                .get("current_period_start")
                .asLong();
        assertThat(Instant.parse(me.get("quota").get("period_start").asString()))
                .isEqualTo(Instant.ofEpochSecond(periodStart));

        assertProblem(
                api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"pro\"}"),
                409,
                "already_subscribed");
        var portal = api.post(
                "/api/subscriptions/portal/",
                user.token(),
                "{\"return_url\":\"http://localhost:3000/account/billing\"}");
        assertThat(portal.status()).as(portal.body()).isEqualTo(200);
        assertThat(portal.json().get("portal_url").asString()).contains("/portal/");
        String customerId = sent.get(0).dataObject().get("customer").asString();
        assertThat(stripe.requests())
                .filteredOn(r -> r.path().equals("/v1/billing_portal/sessions"))
                .filteredOn(r -> customerId.equals(r.params().get("customer")))
                .last() // the 409 above carried a portal session of its own
                .satisfies(r -> {
                    assertThat(r.params()).containsEntry("return_url", "http://localhost:3000/account/billing");
                    assertThat(r.idempotencyKey()).startsWith("portal-");
                });
    }

    @Test
    void badSignaturesStaleTimestampsAndReplaysChangeNothing() {
        var user = e2e.newUser("free");
        String sessionId = api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"hobby\"}")
                .json()
                .get("session_id")
                .asString();
        List<StripeEmulator.SentEvent> sent = stripe.completeCheckout(sessionId);
        awaitUser(user, u -> u.get("plan").asString().equals("hobby"));
        String customerId = sent.get(0).dataObject().get("customer").asString();
        // Every event fetches the current subscription: wait until the checkout's events are all
        // applied, so a later change can only come from the events below.
        List<String> delivered = sent.stream().map(StripeEmulator.SentEvent::id).toList();
        awaitTrue(() -> SubscriptionWorkflows.existing(temporal, user.id())
                .state()
                .recentEventIds()
                .containsAll(delivered));

        // The app's own Stripe calls raise more events in the background (expiring the user's other
        // checkout sessions): let those reach the app and be applied too, or one applied after the
        // cancel below would re-sync the subscription from Stripe and see the cancel.
        stripe.awaitDeliveries();
        List<String> raisedSince = stripe.events().stream()
                .filter(StripeEmulator.SentEvent::delivered)
                .filter(event -> StripeEventTypes.HANDLED.contains(event.type()))
                .filter(event -> event.payload().contains(customerId))
                .map(StripeEmulator.SentEvent::id)
                .toList();
        awaitTrue(() -> SubscriptionWorkflows.existing(temporal, user.id())
                .state()
                .recentEventIds()
                .containsAll(raisedSince));

        // Stripe cancels, but the delivery is held back: only forged copies reach the app at first.
        stripe.clearWebhook();
        StripeEmulator.SentEvent cancel;
        try {
            cancel = stripe.cancelNow(customerId).get(0);
        } finally {
            stripe.setWebhook(
                    java.net.URI.create("http://127.0.0.1:" + port + "/api/webhooks/stripe/"),
                    DevStackServers.LOCAL_WEBHOOK_SECRET,
                    StripeEventTypes.HANDLED);
        }
        String payload = cancel.payload();
        long now = Instant.now().getEpochSecond();
        assertProblem(
                post(payload, "t=" + now + ",v1=" + hmac("whsec_wrong", now + "." + payload)),
                400,
                "invalid_signature");
        long stale = now - 3600;
        assertProblem(
                post(
                        payload,
                        "t=" + stale + ",v1=" + hmac(DevStackServers.LOCAL_WEBHOOK_SECRET, stale + "." + payload)),
                400,
                "invalid_signature");
        assertProblem(post(payload, null), 400, "invalid_signature");
        String tampered = payload.replace("\"canceled\"", "\"active\"");
        assertProblem(
                post(tampered, "t=" + now + ",v1=" + hmac(DevStackServers.LOCAL_WEBHOOK_SECRET, now + "." + payload)),
                400,
                "invalid_signature");
        E2ESupport.sleep(1500);
        assertThat(api.get("/api/auth/user/", user.token()).json().get("plan").asString())
                .as("nothing was applied")
                .isEqualTo("hobby");

        // The genuine delivery is applied; delivering it again is acknowledged as a duplicate.
        var genuine =
                post(payload, "t=" + now + ",v1=" + hmac(DevStackServers.LOCAL_WEBHOOK_SECRET, now + "." + payload));
        assertThat(genuine.status()).as(genuine.body()).isEqualTo(200);
        awaitUser(user, u -> u.get("plan").asString().equals("free"));
        var replay =
                post(payload, "t=" + now + ",v1=" + hmac(DevStackServers.LOCAL_WEBHOOK_SECRET, now + "." + payload));
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().get("duplicate").asBoolean()).isTrue();
        var replayedCheckout = stripe.resend(sent.get(0).id());
        assertThat(replayedCheckout.status()).isEqualTo(200);
        E2ESupport.sleep(1000);
        assertThat(api.get("/api/auth/user/", user.token()).json().get("plan").asString())
                .isEqualTo("free");
    }

    @Test
    void aSuccessUrlWithStripesSessionTemplateIsPassedOnAsWritten() {
        var user = e2e.newUser("free");
        // Stripe's own docs write the template in braces, which java.net.URI refuses as they are.
        String successUrl = "http://localhost:8080/done?session_id={CHECKOUT_SESSION_ID}&from=plans";
        var response = api.post(
                "/api/subscriptions/checkout/",
                user.token(),
                "{\"plan\":\"pro\",\"success_url\":\"" + successUrl + "\"}");

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        var session = stripe.requests().stream()
                .filter(r ->
                        r.path().equals("/v1/checkout/sessions") && r.method().equals("POST"))
                .filter(r -> user.id().equals(r.params().get("client_reference_id")))
                .toList();
        assertThat(session)
                .singleElement()
                .satisfies(r -> assertThat(r.params()).containsEntry("success_url", successUrl));
        // The template does not open a way around the allowed origins.
        assertProblem(
                api.post(
                        "/api/subscriptions/checkout/",
                        user.token(),
                        "{\"plan\":\"pro\",\"success_url\":\"https://evil.example/?s={CHECKOUT_SESSION_ID}\"}"),
                400,
                "validation_failed");
        assertProblem(
                api.post(
                        "/api/subscriptions/checkout/",
                        user.token(),
                        "{\"plan\":\"pro\",\"success_url\":\"http://localhost:8080/{other}\"}"),
                400,
                "validation_failed");
    }

    @Test
    void checkoutAndPortalRejectWhatCannotWork() {
        var user = e2e.newUser("free");
        assertProblem(
                api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"platinum\"}"),
                400,
                "validation_failed");
        assertProblem(
                api.post("/api/subscriptions/checkout/", user.token(), "{\"plan\":\"free\"}"),
                400,
                "validation_failed");
        assertProblem(api.post("/api/subscriptions/checkout/", user.token(), "{}"), 400, "validation_failed");
        assertProblem(
                api.post(
                        "/api/subscriptions/checkout/",
                        user.token(),
                        "{\"plan\":\"pro\",\"success_url\":\"https://evil.example/steal\"}"),
                400,
                "validation_failed");
        assertProblem(api.post("/api/subscriptions/portal/", user.token(), "{}"), 409, "no_billing_account");
        assertProblem(api.post("/api/subscriptions/checkout/", null, "{\"plan\":\"pro\"}"), 401, "unauthorized");
    }

    private ApiClient.Response post(String payload, String signature) {
        var headers = new java.util.HashMap<String, String>();
        headers.put("Content-Type", "application/json");
        if (signature != null) {
            headers.put("Stripe-Signature", signature);
        }
        return api.post("/api/webhooks/stripe/", null, payload, headers);
    }

    private JsonNode awaitUser(E2ESupport.User user, java.util.function.Predicate<JsonNode> condition) {
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
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in time");
            }
            E2ESupport.sleep(200);
        }
    }

    private static String hmac(String secret, String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package com.figureforge.devstack.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.figureforge.devstack.stripe.StripeEmulator.SentEvent;
import com.stripe.StripeClient;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class StripeEmulatorTest {

    private static final String SECRET = "whsec_local_test_secret";
    private static final String PRICE = "price_pro_monthly";
    private static final String SUCCESS_URL = "http://localhost:8080/billing/success?session_id={CHECKOUT_SESSION_ID}";
    private static final long THIRTY_DAYS = Duration.ofDays(30).toSeconds();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the app's webhook endpoint received. */
    private record Delivery(String payload, String signature) {}

    private static final List<Delivery> received = new CopyOnWriteArrayList<>();
    private static final AtomicInteger webhookAnswer = new AtomicInteger(200);

    private static StripeEmulator stripe;
    private static HttpServer receiver;
    private static URI webhookUrl;
    private static StripeClient client;

    @BeforeAll
    static void start() throws IOException {
        stripe = StripeEmulator.start(0);
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/api/webhooks/stripe/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Delivery(
                    new String(body, StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst("Stripe-Signature")));
            exchange.sendResponseHeaders(webhookAnswer.get(), -1);
            exchange.close();
        });
        receiver.start();
        webhookUrl = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/webhooks/stripe/");
        client = LocalStripeClients.withKey(stripe, "sk_test_local");
    }

    @AfterAll
    static void stop() {
        stripe.close();
        receiver.stop(0);
    }

    @BeforeEach
    void forgetEverything() {
        stripe.reset();
        stripe.setWebhook(webhookUrl, SECRET);
        received.clear();
        webhookAnswer.set(200);
    }

    // ---- customers and idempotency ------------------------------------------------------------

    @Test
    void theSameIdempotencyKeyTwiceCreatesOneCustomer() throws Exception {
        CustomerCreateParams params = CustomerCreateParams.builder()
                .setEmail("alice@example.test")
                .putMetadata("user_id", "alice")
                .build();
        RequestOptions once =
                RequestOptions.builder().setIdempotencyKey("customer-alice").build();

        Customer first = client.v1().customers().create(params, once);
        Customer second = client.v1().customers().create(params, once);

        stripe.awaitDeliveries();
        assertThat(second.getId()).isEqualTo(first.getId()).startsWith("cus_");
        assertThat(first.getEmail()).isEqualTo("alice@example.test");
        assertThat(first.getMetadata()).containsEntry("user_id", "alice");
        assertThat(first.getLivemode()).isFalse();
        assertThat(stripe.eventTypes()).containsExactly("customer.created");
        assertThat(stripe.requests())
                .extracting(StripeEmulator.ApiRequest::idempotencyKey)
                .containsExactly("customer-alice", "customer-alice");
        assertThat(stripe.requests().getFirst().params())
                .containsEntry("email", "alice@example.test")
                .containsEntry("metadata[user_id]", "alice");

        Customer other = client.v1().customers().create(params);
        assertThat(other.getId()).isNotEqualTo(first.getId());
    }

    @Test
    void reusingAnIdempotencyKeyWithOtherParametersIsAnIdempotencyError() throws Exception {
        RequestOptions key =
                RequestOptions.builder().setIdempotencyKey("reused").build();
        client.v1()
                .customers()
                .create(
                        CustomerCreateParams.builder()
                                .setEmail("a@example.test")
                                .build(),
                        key);

        assertThatThrownBy(() -> client.v1()
                        .customers()
                        .create(
                                CustomerCreateParams.builder()
                                        .setEmail("b@example.test")
                                        .build(),
                                key))
                .isInstanceOf(IdempotencyException.class)
                .hasMessageContaining("reused");
    }

    @Test
    void aDeletedCustomerReadsBackAsDeletedAndLosesItsSubscription() throws Exception {
        Customer customer = newCustomer("dora");
        String subscriptionId = subscribe(customer, "dora").getSubscription();
        received.clear();

        Customer deleted = client.v1().customers().delete(customer.getId());

        assertThat(deleted.getId()).isEqualTo(customer.getId());
        assertThat(deleted.getDeleted()).isTrue();
        assertThat(client.v1().customers().retrieve(customer.getId()).getDeleted())
                .isTrue();
        assertThat(client.v1().subscriptions().retrieve(subscriptionId).getStatus())
                .isEqualTo("canceled");
        stripe.awaitDeliveries();
        assertThat(stripe.eventTypes()).endsWith("customer.subscription.deleted", "customer.deleted");
        assertThatThrownBy(() -> client.v1().customers().delete(customer.getId()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("resource_missing"));
    }

    // ---- checkout -----------------------------------------------------------------------------

    @Test
    void aCheckoutSessionPointsAtTheEmulatorsCheckoutPage() throws Exception {
        Customer customer = newCustomer("carol");

        Session session = client.v1().checkout().sessions().create(checkout(customer, "carol"));

        assertThat(session.getId()).startsWith("cs_test_");
        assertThat(session.getUrl()).isEqualTo(stripe.baseUrl() + "/checkout/" + session.getId());
        assertThat(session.getStatus()).isEqualTo("open");
        assertThat(session.getMode()).isEqualTo("subscription");
        assertThat(session.getCustomer()).isEqualTo(customer.getId());
        assertThat(session.getClientReferenceId()).isEqualTo("carol");
        assertThat(session.getMetadata()).containsEntry("user_id", "carol");
        assertThat(session.getSubscription()).isNull();
        assertThat(stripe.requests().getLast().params())
                .containsEntry("mode", "subscription")
                .containsEntry("line_items[0][price]", PRICE)
                .containsEntry("line_items[0][quantity]", "1")
                .containsEntry("subscription_data[metadata][user_id]", "carol");
    }

    @Test
    void openingTheCheckoutPageSubscribesAndSendsThreeSignedEventsInOrder() throws Exception {
        Customer customer = newCustomer("alice");
        Session session = client.v1().checkout().sessions().create(checkout(customer, "alice"));
        received.clear();
        long before = Instant.now().getEpochSecond();

        HttpResponse<String> page = HTTP.send(
                HttpRequest.newBuilder(URI.create(session.getUrl())).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location"))
                .hasValue("http://localhost:8080/billing/success?session_id=" + session.getId());

        List<Event> events = verifiedEvents();
        assertThat(events)
                .extracting(Event::getType)
                .containsExactly("checkout.session.completed", "customer.subscription.created", "invoice.paid");
        assertThat(events).allSatisfy(event -> {
            assertThat(event.getApiVersion()).isEqualTo("2026-07-29.dahlia");
            assertThat(event.getId()).startsWith("evt_");
            assertThat(event.getLivemode()).isFalse();
            assertThat(event.getPendingWebhooks()).isEqualTo(1L);
        });

        Session completed = (Session) dataObject(events.get(0));
        String subscriptionId = completed.getSubscription();
        assertThat(subscriptionId).startsWith("sub_");
        assertThat(completed.getStatus()).isEqualTo("complete");
        assertThat(completed.getPaymentStatus()).isEqualTo("paid");
        assertThat(completed.getClientReferenceId()).isEqualTo("alice");
        assertThat(completed.getCustomer()).isEqualTo(customer.getId());
        assertThat(completed.getMetadata()).containsEntry("user_id", "alice");

        Subscription created = (Subscription) dataObject(events.get(1));
        assertThat(created.getId()).isEqualTo(subscriptionId);
        assertThat(created.getMetadata()).containsEntry("user_id", "alice");

        Invoice invoice = (Invoice) dataObject(events.get(2));
        assertThat(invoice.getCustomer()).isEqualTo(customer.getId());
        assertThat(invoice.getParent().getType()).isEqualTo("subscription_details");
        assertThat(invoice.getParent().getSubscriptionDetails().getSubscription())
                .isEqualTo(subscriptionId);
        assertThat(invoice.getParent().getSubscriptionDetails().getMetadata()).containsEntry("user_id", "alice");
        assertThat(invoice.getStatus()).isEqualTo("paid");
        assertThat(invoice.getBillingReason()).isEqualTo("subscription_create");
        assertThat(invoice.getAmountPaid()).isEqualTo(1000L);
        assertThat(invoice.getLines().getData().getFirst().getPeriod().getEnd())
                .isEqualTo(invoice.getLines().getData().getFirst().getPeriod().getStart() + THIRTY_DAYS);

        Subscription subscription = client.v1().subscriptions().retrieve(subscriptionId);
        assertThat(subscription.getStatus()).isEqualTo("active");
        assertThat(subscription.getCustomer()).isEqualTo(customer.getId());
        assertThat(subscription.getCancelAtPeriodEnd()).isFalse();
        assertThat(subscription.getLatestInvoice()).isEqualTo(invoice.getId());
        SubscriptionItem item = subscription.getItems().getData().getFirst();
        assertThat(item.getPrice().getId()).isEqualTo(PRICE);
        assertThat(item.getQuantity()).isEqualTo(1L);
        assertThat(item.getCurrentPeriodStart()).isCloseTo(before, within(5L));
        assertThat(item.getCurrentPeriodEnd()).isEqualTo(item.getCurrentPeriodStart() + THIRTY_DAYS);

        StripeCollection<Subscription> all = client.v1()
                .subscriptions()
                .list(SubscriptionListParams.builder()
                        .setCustomer(customer.getId())
                        .setStatus(SubscriptionListParams.Status.ALL)
                        .build());
        assertThat(all.getData()).extracting(Subscription::getId).containsExactly(subscriptionId);
        assertThat(stripe.events())
                .allSatisfy(event -> assertThat(event.status()).isEqualTo(200));

        assertThat(client.v1().checkout().sessions().retrieve(session.getId()).getStatus())
                .isEqualTo("complete");
    }

    @Test
    void openingTheCheckoutPageAgainOnlyRedirects() throws Exception {
        Customer customer = newCustomer("bob");
        Session session = client.v1().checkout().sessions().create(checkout(customer, "bob"));
        HTTP.send(
                HttpRequest.newBuilder(URI.create(session.getUrl())).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        int eventsAfterFirstVisit = stripe.events().size();

        HttpResponse<Void> again = HTTP.send(
                HttpRequest.newBuilder(URI.create(session.getUrl())).GET().build(),
                HttpResponse.BodyHandlers.discarding());

        assertThat(again.statusCode()).isEqualTo(303);
        assertThat(stripe.events()).hasSize(eventsAfterFirstVisit);
        assertThat(stripe.subscriptions(customer.getId())).hasSize(1);
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    @Test
    void aFailedPaymentMakesThePlanPastDueUntilTheInvoiceIsPaid() throws Exception {
        Customer customer = newCustomer("erin");
        String subscriptionId = subscribe(customer, "erin").getSubscription();
        long firstPeriodEnd = periodEnd(subscriptionId);
        received.clear();

        List<SentEvent> failure = stripe.failNextPayment(customer.getId());

        assertThat(failure)
                .extracting(SentEvent::type)
                .containsExactly("invoice.payment_failed", "customer.subscription.updated");
        List<Event> failureEvents = verifiedEvents();
        Invoice open = (Invoice) dataObject(failureEvents.get(0));
        assertThat(open.getStatus()).isEqualTo("open");
        assertThat(open.getBillingReason()).isEqualTo("subscription_cycle");
        assertThat(open.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(subscriptionId);
        assertThat(failureEvents.get(1).getData().getPreviousAttributes()).containsEntry("status", "active");
        Subscription pastDue = client.v1().subscriptions().retrieve(subscriptionId);
        assertThat(pastDue.getStatus()).isEqualTo("past_due");
        assertThat(pastDue.getItems().getData().getFirst().getCurrentPeriodStart())
                .isEqualTo(firstPeriodEnd);
        assertThat(client.v1().customers().retrieve(customer.getId()).getDelinquent())
                .isTrue();

        List<SentEvent> retry = stripe.failNextPayment(customer.getId());
        assertThat(retry).extracting(SentEvent::type).containsExactly("invoice.payment_failed");

        List<SentEvent> recovery = stripe.payInvoice(customer.getId());

        assertThat(recovery)
                .extracting(SentEvent::type)
                .containsExactly("invoice.paid", "customer.subscription.updated");
        assertThat(recovery.getFirst().dataObject().get("id").asString()).isEqualTo(open.getId());
        assertThat(client.v1().subscriptions().retrieve(subscriptionId).getStatus())
                .isEqualTo("active");
        assertThat(client.v1().customers().retrieve(customer.getId()).getDelinquent())
                .isFalse();
        assertThatThrownBy(() -> stripe.payInvoice(customer.getId())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRenewalStartsTheNextPeriodWithAPaidInvoice() throws Exception {
        Customer customer = newCustomer("fred");
        String subscriptionId = subscribe(customer, "fred").getSubscription();
        long firstPeriodEnd = periodEnd(subscriptionId);

        List<SentEvent> renewal = stripe.renew(customer.getId());

        assertThat(renewal)
                .extracting(SentEvent::type)
                .containsExactly("invoice.paid", "customer.subscription.updated");
        JsonNode invoice = renewal.getFirst().dataObject();
        assertThat(invoice.get("billing_reason").asString()).isEqualTo("subscription_cycle");
        assertThat(invoice.get("lines")
                        .get("data")
                        .get(0)
                        .get("period")
                        .get("start")
                        .asLong())
                .isEqualTo(firstPeriodEnd);
        assertThat(periodEnd(subscriptionId)).isEqualTo(firstPeriodEnd + THIRTY_DAYS);
        assertThat(renewal.getLast()
                        .dataObject()
                        .get("items")
                        .get("data")
                        .get(0)
                        .get("current_period_end")
                        .asLong())
                .isEqualTo(firstPeriodEnd + THIRTY_DAYS);
    }

    @Test
    void thePortalCancelsAtPeriodEndAndTheSubscriptionEndsAtRenewal() throws Exception {
        Customer customer = newCustomer("gina");
        String subscriptionId = subscribe(customer, "gina").getSubscription();
        com.stripe.model.billingportal.Session portal = client.v1()
                .billingPortal()
                .sessions()
                .create(com.stripe.param.billingportal.SessionCreateParams.builder()
                        .setCustomer(customer.getId())
                        .setReturnUrl("http://localhost:8080/account")
                        .build());
        assertThat(portal.getUrl()).isEqualTo(stripe.baseUrl() + "/portal/" + portal.getId());
        assertThat(portal.getCustomer()).isEqualTo(customer.getId());

        HttpResponse<String> page = HTTP.send(
                HttpRequest.newBuilder(URI.create(portal.getUrl())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains(subscriptionId, "/portal/" + portal.getId() + "/cancel", "http://localhost:8080/account");
        received.clear();

        HttpResponse<Void> cancel = HTTP.send(
                HttpRequest.newBuilder(URI.create(portal.getUrl() + "/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());

        assertThat(cancel.statusCode()).isEqualTo(303);
        assertThat(cancel.headers().firstValue("Location")).hasValue("/portal/" + portal.getId());
        assertThat(verifiedEvents()).extracting(Event::getType).containsExactly("customer.subscription.updated");
        Subscription scheduled = client.v1().subscriptions().retrieve(subscriptionId);
        assertThat(scheduled.getStatus()).isEqualTo("active");
        assertThat(scheduled.getCancelAtPeriodEnd()).isTrue();
        assertThat(scheduled.getCancelAt()).isEqualTo(periodEnd(subscriptionId));

        assertThat(stripe.renew(customer.getId()))
                .extracting(SentEvent::type)
                .containsExactly("customer.subscription.deleted");
        assertThat(client.v1().subscriptions().retrieve(subscriptionId).getStatus())
                .isEqualTo("canceled");
    }

    @Test
    void cancelNowEndsTheSubscription() throws Exception {
        Customer customer = newCustomer("hank");
        String subscriptionId = subscribe(customer, "hank").getSubscription();

        List<SentEvent> cancel = stripe.cancelNow(customer.getId());

        assertThat(cancel).extracting(SentEvent::type).containsExactly("customer.subscription.deleted");
        Subscription ended = client.v1().subscriptions().retrieve(subscriptionId);
        assertThat(ended.getStatus()).isEqualTo("canceled");
        assertThat(ended.getEndedAt()).isNotNull();
        assertThat(client.v1()
                        .subscriptions()
                        .list(SubscriptionListParams.builder()
                                .setCustomer(customer.getId())
                                .build())
                        .getData())
                .isEmpty();
        assertThatThrownBy(() -> stripe.cancelNow(customer.getId())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theApiUpdatesAndCancelsSubscriptionsAndTellsTheWebhook() throws Exception {
        Customer customer = newCustomer("ivy");
        String subscriptionId = subscribe(customer, "ivy").getSubscription();

        Subscription updated = client.v1()
                .subscriptions()
                .update(
                        subscriptionId,
                        SubscriptionUpdateParams.builder()
                                .setCancelAtPeriodEnd(true)
                                .build());
        assertThat(updated.getCancelAtPeriodEnd()).isTrue();
        Subscription resumed = client.v1()
                .subscriptions()
                .update(
                        subscriptionId,
                        SubscriptionUpdateParams.builder()
                                .setCancelAtPeriodEnd(false)
                                .build());
        assertThat(resumed.getCancelAtPeriodEnd()).isFalse();
        assertThat(resumed.getCancelAt()).isNull();

        Subscription canceled = client.v1().subscriptions().cancel(subscriptionId);

        assertThat(canceled.getStatus()).isEqualTo("canceled");
        assertThatThrownBy(() -> client.v1().subscriptions().cancel(subscriptionId))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                });
        stripe.awaitDeliveries();
        assertThat(stripe.eventTypes())
                .endsWith(
                        "customer.subscription.updated",
                        "customer.subscription.updated",
                        "customer.subscription.deleted");
        JsonNode updateEvent =
                JSON.readTree(stripe.events().get(stripe.events().size() - 3).payload());
        assertThat(updateEvent.get("request").get("id").asString()).startsWith("req_");
        assertThat(updateEvent
                        .get("data")
                        .get("previous_attributes")
                        .get("cancel_at_period_end")
                        .asBoolean())
                .isFalse();
    }

    // ---- webhooks -----------------------------------------------------------------------------

    @Test
    void webhookSignaturesAreStripesAndAWrongSecretIsRefused() throws Exception {
        SentEvent sent = stripe.sendEvent("invoice.paid", java.util.Map.of("id", "in_test", "object", "invoice"));

        assertThat(sent.status()).isEqualTo(200);
        Delivery delivery = received.getLast();
        assertThat(delivery.signature()).matches("t=\\d+,v1=[0-9a-f]{64}");
        long timestamp = Long.parseLong(
                delivery.signature().substring(2, delivery.signature().indexOf(',')));
        assertThat(delivery.signature())
                .endsWith("v1=" + StripeSignature.hmacHex(SECRET, timestamp + "." + delivery.payload()));
        Event event = Webhook.constructEvent(delivery.payload(), delivery.signature(), SECRET);
        assertThat(event.getType()).isEqualTo("invoice.paid");
        assertThat(event.getId()).isEqualTo(sent.id());
        assertThatThrownBy(() -> Webhook.constructEvent(delivery.payload(), delivery.signature(), "whsec_other"))
                .isInstanceOf(SignatureVerificationException.class);
    }

    @Test
    void failedDeliveriesAreRecordedAndCanBeSentAgain() {
        webhookAnswer.set(500);
        SentEvent failed = stripe.sendEvent("customer.subscription.updated", java.util.Map.of("id", "sub_x"));
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.delivered()).isFalse();

        webhookAnswer.set(200);
        SentEvent again = stripe.resend(failed.id());

        assertThat(again.status()).isEqualTo(200);
        assertThat(received).hasSize(2);
        assertThat(received.get(1).payload()).isEqualTo(received.get(0).payload());

        stripe.setWebhook(URI.create("http://127.0.0.1:1/nowhere"), SECRET);
        assertThat(stripe.sendEvent("ping", java.util.Map.of()).status()).isEqualTo(StripeEmulator.UNREACHABLE);
        stripe.clearWebhook();
        assertThat(stripe.sendEvent("ping", java.util.Map.of()).status()).isEqualTo(StripeEmulator.NOT_SENT);
    }

    @Test
    void onlyEnabledEventsAreSent() throws Exception {
        stripe.setWebhook(webhookUrl, SECRET, List.of("checkout.session.completed"));
        Customer customer = newCustomer("jack");

        subscribe(customer, "jack");

        assertThat(verifiedEvents()).extracting(Event::getType).containsExactly("checkout.session.completed");
        assertThat(stripe.events())
                .filteredOn(event -> event.status() == StripeEmulator.NOT_SENT)
                .extracting(SentEvent::type)
                .containsExactly("customer.created", "customer.subscription.created", "invoice.paid");
    }

    // ---- errors -------------------------------------------------------------------------------

    @Test
    void anUnknownIdIsA404InStripesShape() throws Exception {
        assertThatThrownBy(() -> client.v1().customers().retrieve("cus_missing"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getParam()).isEqualTo("id");
                    assertThat(e.getStripeError().getType()).isEqualTo("invalid_request_error");
                    assertThat(e.getStripeError().getMessage()).isEqualTo("No such customer: 'cus_missing'");
                    assertThat(e.getRequestId()).startsWith("req_");
                });
        assertThatThrownBy(() -> client.v1().subscriptions().retrieve("sub_missing"))
                .isInstanceOf(InvalidRequestException.class);

        HttpResponse<String> raw = HTTP.send(
                HttpRequest.newBuilder(URI.create(stripe.baseUrl() + "/v1/subscriptions/sub_missing"))
                        .header("Authorization", "Bearer sk_test_local")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode error = JSON.readTree(raw.body()).get("error");
        assertThat(raw.statusCode()).isEqualTo(404);
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asString()).isEqualTo("resource_missing");
        assertThat(error.get("param").asString()).isEqualTo("id");
        assertThat(error.get("message").asString()).isEqualTo("No such subscription: 'sub_missing'");
    }

    @Test
    void missingParametersAndUnknownUrlsAre400And404() throws Exception {
        Customer customer = newCustomer("kim");
        assertThatThrownBy(() -> client.v1()
                        .checkout()
                        .sessions()
                        .create(SessionCreateParams.builder()
                                .setCustomer(customer.getId())
                                .setSuccessUrl(SUCCESS_URL)
                                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getCode()).isEqualTo("parameter_missing");
                    assertThat(e.getParam()).isEqualTo("mode");
                });

        HttpResponse<String> unknown = HTTP.send(
                HttpRequest.newBuilder(URI.create(stripe.baseUrl() + "/v1/prices"))
                        .header("Authorization", "Bearer sk_test_local")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").get("message").asString())
                .startsWith("Unrecognized request URL (GET: /v1/prices)");
    }

    @Test
    void callsWithoutASecretKeyAre401() throws Exception {
        HttpResponse<String> anonymous = HTTP.send(
                HttpRequest.newBuilder(URI.create(stripe.baseUrl() + "/v1/customers"))
                        .POST(HttpRequest.BodyPublishers.ofString("email=x%40example.test"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).get("error").get("type").asString())
                .isEqualTo("invalid_request_error");

        StripeClient publishable = LocalStripeClients.withKey(stripe, "pk_test_local");
        assertThatThrownBy(() -> publishable
                        .v1()
                        .customers()
                        .create(CustomerCreateParams.builder().build()))
                .isInstanceOf(AuthenticationException.class);
        assertThat(stripe.eventTypes()).isEmpty();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A customer, once its (background) customer.created event has gone out. */
    private static Customer newCustomer(String userId) throws StripeException {
        Customer customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setEmail(userId + "@example.test")
                        .putMetadata("user_id", userId)
                        .build());
        stripe.awaitDeliveries();
        return customer;
    }

    private static SessionCreateParams checkout(Customer customer, String userId) {
        return SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .setCustomer(customer.getId())
                .setClientReferenceId(userId)
                .addLineItem(SessionCreateParams.LineItem.builder()
                        .setPrice(PRICE)
                        .setQuantity(1L)
                        .build())
                .setSuccessUrl(SUCCESS_URL)
                .setCancelUrl("http://localhost:8080/billing/cancel")
                .putMetadata("user_id", userId)
                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                        .putMetadata("user_id", userId)
                        .build())
                .build();
    }

    /** Checks out through the emulator's Java door; answers the completed session. */
    private static Session subscribe(Customer customer, String userId) throws StripeException {
        Session session = client.v1().checkout().sessions().create(checkout(customer, userId));
        stripe.completeCheckout(session.getId());
        return client.v1().checkout().sessions().retrieve(session.getId());
    }

    private static long periodEnd(String subscriptionId) throws StripeException {
        return client.v1()
                .subscriptions()
                .retrieve(subscriptionId)
                .getItems()
                .getData()
                .getFirst()
                .getCurrentPeriodEnd();
    }

    /** Every delivery the receiver got, checked the way the app checks them. */
    private static List<Event> verifiedEvents() {
        return received.stream()
                .map(delivery -> {
                    try {
                        return Webhook.constructEvent(delivery.payload(), delivery.signature(), SECRET);
                    } catch (SignatureVerificationException e) {
                        throw new AssertionError("signature refused for " + delivery.payload(), e);
                    }
                })
                .toList();
    }

    private static com.stripe.model.StripeObject dataObject(Event event) {
        return event.getDataObjectDeserializer()
                .getObject()
                .orElseThrow(() -> new AssertionError("the SDK could not read " + event.getType()));
    }
}

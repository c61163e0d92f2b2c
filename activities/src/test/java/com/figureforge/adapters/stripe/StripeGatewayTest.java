package com.figureforge.adapters.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.figureforge.adapters.stripe.StripeGateway.CheckoutRequest;
import com.figureforge.adapters.stripe.StripeGateway.CheckoutSession;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.stripe.model.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real Stripe SDK against WireMock: exact requests out, API version 2026-07-29.dahlia answers in. */
public class StripeGatewayTest {

    static final String API_KEY = "sk_test_figureforge";
    static final String API_VERSION = "2026-07-29.dahlia";

    private static WireMockServer stripe;
    private StripeGateway gateway;

    @BeforeAll
    static void startStripe() {
        stripe = new WireMockServer(options().dynamicPort());
        stripe.start();
    }

    @AfterAll
    static void stopStripe() {
        stripe.stop();
    }

    @BeforeEach
    void setUp() {
        stripe.resetAll();
        gateway = gatewayFor(stripe);
    }

    public static StripeGateway gatewayFor(WireMockServer server) {
        return StripeGateway.create(API_KEY, server.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(5), 0);
    }

    // --- customers ---

    @Test
    void aNewCustomerCarriesTheUserIdAndEmailAndAnIdempotencyKey() {
        stripe.stubFor(post(urlEqualTo("/v1/customers")).willReturn(json(200, customer("cus_new", "alice", false))));

        String id = gateway.ensureCustomer("alice", "alice@example.com", null);

        assertThat(id).isEqualTo("cus_new");
        LoggedRequest request = single(postRequestedFor(urlEqualTo("/v1/customers")));
        assertThat(form(request)).isEqualTo(Map.of("email", "alice@example.com", "metadata[user_id]", "alice"));
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("customer-alice");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + API_KEY);
        assertThat(request.getHeader("Stripe-Version")).isEqualTo(API_VERSION);
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
    }

    @Test
    void aKnownCustomerThatStillExistsIsReused() {
        stripe.stubFor(get(urlEqualTo("/v1/customers/cus_known"))
                .willReturn(json(200, customer("cus_known", "alice", false))));

        assertThat(gateway.ensureCustomer("alice", "alice@example.com", "cus_known"))
                .isEqualTo("cus_known");
        stripe.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void aKnownCustomerWithAnOutdatedEmailGetsTheCurrentOne() {
        stripe.stubFor(get(urlEqualTo("/v1/customers/cus_known"))
                .willReturn(json(200, customer("cus_known", "alice", false))));
        stripe.stubFor(post(urlEqualTo("/v1/customers/cus_known"))
                .willReturn(json(200, customer("cus_known", "alice", false))));

        assertThat(gateway.ensureCustomer("alice", "alice@new.example", "cus_known"))
                .isEqualTo("cus_known");

        assertThat(form(single(postRequestedFor(urlEqualTo("/v1/customers/cus_known")))))
                .isEqualTo(Map.of("email", "alice@new.example"));
        stripe.verify(0, postRequestedFor(urlEqualTo("/v1/customers")));
    }

    @Test
    void aFailedEmailUpdateDoesNotFailTheCheckout() {
        stripe.stubFor(get(urlEqualTo("/v1/customers/cus_known"))
                .willReturn(json(200, customer("cus_known", "alice", false))));
        stripe.stubFor(post(urlEqualTo("/v1/customers/cus_known"))
                .willReturn(json(500, "{\"error\": {\"type\": \"api_error\", \"message\": \"boom\"}}")));

        assertThat(gateway.ensureCustomer("alice", "alice@new.example", "cus_known"))
                .isEqualTo("cus_known");
    }

    @Test
    void aDeletedKnownCustomerIsReplacedUnderAnotherIdempotencyKey() {
        stripe.stubFor(
                get(urlEqualTo("/v1/customers/cus_gone")).willReturn(json(200, customer("cus_gone", "alice", true))));
        stripe.stubFor(post(urlEqualTo("/v1/customers")).willReturn(json(200, customer("cus_new", "alice", false))));

        assertThat(gateway.ensureCustomer("alice", null, "cus_gone")).isEqualTo("cus_new");
        LoggedRequest request = single(postRequestedFor(urlEqualTo("/v1/customers")));
        assertThat(form(request)).isEqualTo(Map.of("metadata[user_id]", "alice"));
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("customer-alice-after-cus_gone");
    }

    @Test
    void theUserIdOfACustomerComesFromItsMetadata() {
        stripe.stubFor(get(urlEqualTo("/v1/customers/cus_1")).willReturn(json(200, customer("cus_1", "alice", false))));
        stripe.stubFor(get(urlEqualTo("/v1/customers/cus_404")).willReturn(missing("customer", "cus_404")));

        assertThat(gateway.userIdOfCustomer("cus_1")).contains("alice");
        assertThat(gateway.userIdOfCustomer("cus_404")).isEmpty();
    }

    // --- sessions ---

    @Test
    void checkoutSessionSendsExactlyTheSubscriptionParameters() {
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json(200, """
                        {"id": "cs_test_1", "object": "checkout.session", "mode": "subscription",
                         "url": "https://checkout.stripe.com/c/pay/cs_test_1", "customer": "cus_alice",
                         "client_reference_id": "alice", "status": "open"}""")));

        CheckoutSession session = gateway.createCheckoutSession(new CheckoutRequest(
                "alice",
                "cus_alice",
                "price_pro",
                "https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}",
                "https://app.example.com/billing/cancel",
                "checkout-alice-pro-1"));

        assertThat(session).isEqualTo(new CheckoutSession("cs_test_1", "https://checkout.stripe.com/c/pay/cs_test_1"));
        LoggedRequest request = single(postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
        assertThat(form(request))
                .isEqualTo(Map.of(
                        "mode", "subscription",
                        "customer", "cus_alice",
                        "client_reference_id", "alice",
                        "metadata[user_id]", "alice",
                        "line_items[0][price]", "price_pro",
                        "line_items[0][quantity]", "1",
                        "subscription_data[metadata][user_id]", "alice",
                        "success_url", "https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}",
                        "cancel_url", "https://app.example.com/billing/cancel"));
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("checkout-alice-pro-1");
        assertThat(request.getBodyAsString())
                .as("brackets go out unescaped")
                .contains("line_items[0][price]=price_pro");
    }

    @Test
    void portalSessionSendsCustomerAndReturnUrl() {
        stripe.stubFor(post(urlEqualTo("/v1/billing_portal/sessions")).willReturn(json(200, """
                        {"id": "bps_1", "object": "billing_portal.session", "customer": "cus_alice",
                         "url": "https://billing.stripe.com/p/session/test_1",
                         "return_url": "https://app.example.com/account"}""")));

        String url = gateway.createPortalSession("cus_alice", "https://app.example.com/account", "portal-alice-1");

        assertThat(url).isEqualTo("https://billing.stripe.com/p/session/test_1");
        LoggedRequest request = single(postRequestedFor(urlEqualTo("/v1/billing_portal/sessions")));
        assertThat(form(request))
                .isEqualTo(Map.of("customer", "cus_alice", "return_url", "https://app.example.com/account"));
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("portal-alice-1");
    }

    @Test
    void withoutAnIdempotencyKeyEachRequestGetsAFreshOneFromTheSdk() {
        stripe.stubFor(post(urlEqualTo("/v1/billing_portal/sessions"))
                .willReturn(
                        json(200, "{\"id\": \"bps_2\", \"url\": \"https://billing.stripe.com/p/session/test_2\"}")));

        gateway.createPortalSession("cus_alice", "https://app.example.com/account", null);
        gateway.createPortalSession("cus_alice", "https://app.example.com/account", " ");

        List<String> keys = stripe.findAll(postRequestedFor(urlEqualTo("/v1/billing_portal/sessions"))).stream()
                .map(r -> r.getHeader("Idempotency-Key"))
                .toList();
        assertThat(keys)
                .hasSize(2)
                .doesNotHaveDuplicates()
                .allSatisfy(key -> assertThat(key).isNotBlank());
    }

    // --- subscriptions ---

    @Test
    void theCurrentSubscriptionIsParsedWithThePeriodOfItsItems() {
        stubList("cus_alice", fixture("subscriptions-current-and-old.json"));

        Subscription current = gateway.currentSubscription("cus_alice").orElseThrow();

        assertThat(current.getId()).isEqualTo("sub_pro");
        assertThat(current.getStatus()).isEqualTo("active");
        assertThat(current.getCustomer()).isEqualTo("cus_alice");
        assertThat(current.getCancelAtPeriodEnd()).isTrue();
        assertThat(current.getCancelAt()).isEqualTo(1797206400L);
        var item = current.getItems().getData().getFirst();
        assertThat(item.getCurrentPeriodStart()).isEqualTo(1794614400L);
        assertThat(item.getCurrentPeriodEnd()).isEqualTo(1797206400L);
        assertThat(item.getPrice().getId()).isEqualTo("price_pro");
        LoggedRequest request = single(getRequestedFor(urlPathEqualTo("/v1/subscriptions")));
        assertThat(request.queryParameter("customer").firstValue()).isEqualTo("cus_alice");
        assertThat(request.queryParameter("status").firstValue()).isEqualTo("all");
        assertThat(request.queryParameter("limit").firstValue()).isEqualTo("20");
    }

    @Test
    void aLiveSubscriptionIsCurrentEvenIfAnExpiredAttemptIsNewer() {
        stubList("cus_alice", fixture("subscriptions-expired-and-past-due.json"));

        assertThat(gateway.currentSubscription("cus_alice"))
                .get()
                .extracting(Subscription::getId)
                .isEqualTo("sub_pd");
    }

    @Test
    void withoutALiveSubscriptionTheNewestIsCurrentAndWithoutAnyNone() {
        stubList("cus_old", "{\"object\": \"list\", \"data\": [], \"has_more\": false}");
        stubList(
                "cus_alice",
                fixture("subscriptions-current-and-old.json")
                        .replace("\"status\": \"active\"", "\"status\": \"unpaid\""));

        assertThat(gateway.currentSubscription("cus_old")).isEmpty();
        assertThat(gateway.currentSubscription("cus_alice"))
                .get()
                .extracting(Subscription::getId, Subscription::getStatus)
                .containsExactly("sub_pro", "unpaid");
    }

    @Test
    void aMissingCustomerHasNoSubscription() {
        stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions")).willReturn(missing("customer", "cus_gone")));

        assertThat(gateway.currentSubscription("cus_gone")).isEmpty();
    }

    @Test
    void cancelAllCancelsEveryCancelableSubscriptionWithItsOwnIdempotencyKey() {
        stubList("cus_alice", fixture("subscriptions-to-cancel.json"));
        stripe.stubFor(delete(urlEqualTo("/v1/subscriptions/sub_a"))
                .willReturn(json(200, fixture("subscription-a-canceled.json"))));
        stripe.stubFor(delete(urlEqualTo("/v1/subscriptions/sub_b")).willReturn(missing("subscription", "sub_b")));

        gateway.cancelAllSubscriptions("cus_alice", "delete-alice");

        assertThat(single(deleteRequestedFor(urlEqualTo("/v1/subscriptions/sub_a")))
                        .getHeader("Idempotency-Key"))
                .isEqualTo("delete-alice:sub_a");
        assertThat(single(deleteRequestedFor(urlEqualTo("/v1/subscriptions/sub_b")))
                        .getHeader("Idempotency-Key"))
                .isEqualTo("delete-alice:sub_b");
        stripe.verify(0, deleteRequestedFor(urlEqualTo("/v1/subscriptions/sub_old")));
    }

    @Test
    void cancelingASubscriptionCanceledMeanwhileCountsAsDone() {
        stubList("cus_alice", fixture("subscriptions-to-cancel.json"));
        stripe.stubFor(delete(urlEqualTo("/v1/subscriptions/sub_a")).willReturn(json(400, """
                        {"error": {"type": "invalid_request_error",
                         "message": "A canceled subscription can only update its cancellation_details and metadata."}}""")));
        stripe.stubFor(get(urlEqualTo("/v1/subscriptions/sub_a"))
                .willReturn(json(200, fixture("subscription-a-canceled.json"))));
        stripe.stubFor(delete(urlEqualTo("/v1/subscriptions/sub_b"))
                .willReturn(json(200, "{\"id\": \"sub_b\", \"status\": \"canceled\"}")));

        gateway.cancelAllSubscriptions("cus_alice", "delete-alice");

        stripe.verify(deleteRequestedFor(urlEqualTo("/v1/subscriptions/sub_b")));
    }

    @Test
    void cancelAllForAMissingCustomerDoesNothing() {
        stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions")).willReturn(missing("customer", "cus_gone")));

        gateway.cancelAllSubscriptions("cus_gone", "delete-x");

        stripe.verify(0, deleteRequestedFor(anyUrl()));
    }

    @Test
    void deletingACustomerSendsTheIdempotencyKeyAndAMissingOneIsSuccess() {
        stripe.stubFor(delete(urlEqualTo("/v1/customers/cus_alice"))
                .willReturn(json(200, "{\"id\": \"cus_alice\", \"object\": \"customer\", \"deleted\": true}")));
        stripe.stubFor(delete(urlEqualTo("/v1/customers/cus_gone")).willReturn(missing("customer", "cus_gone")));

        gateway.deleteCustomer("cus_alice", "delete-alice-customer");
        gateway.deleteCustomer("cus_gone", "delete-gone-customer");

        assertThat(single(deleteRequestedFor(urlEqualTo("/v1/customers/cus_alice")))
                        .getHeader("Idempotency-Key"))
                .isEqualTo("delete-alice-customer");
        stripe.verify(deleteRequestedFor(urlEqualTo("/v1/customers/cus_gone")));
    }

    @ParameterizedTest
    @CsvSource({
        "500, api_error, true",
        "503, api_error, true",
        "429, rate_limit, true",
        "409, lock_timeout, true",
        "401, , false",
        "403, , false",
        "400, parameter_invalid_empty, false"
    })
    void failuresSayWhetherARetryCanHelp(int status, String code, boolean retryable) {
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 429 -> "rate_limit_error";
            case 500, 503 -> "api_error";
            default -> "invalid_request_error";
        };
        stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions"))
                .willReturn(json(
                        status,
                        "{\"error\": {\"type\": \"" + type + "\", \"message\": \"boom\""
                                + (code == null ? "" : ", \"code\": \"" + code + "\"") + "}}")));

        StripeGatewayException failure =
                catchThrowableOfType(StripeGatewayException.class, () -> gateway.currentSubscription("cus_alice"));

        assertThat(failure.retryable()).isEqualTo(retryable);
        assertThat(failure.statusCode()).isEqualTo(status);
        assertThat(failure.getMessage()).contains("HTTP " + status).contains("cus_alice");
    }

    @Test
    void anUnreachableStripeIsRetryable() {
        StripeGateway unreachable =
                StripeGateway.create(API_KEY, "http://127.0.0.1:1", Duration.ofMillis(500), Duration.ofSeconds(1), 0);

        StripeGatewayException failure =
                catchThrowableOfType(StripeGatewayException.class, () -> unreachable.currentSubscription("cus_alice"));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).isNull();
    }

    // --- helpers ---

    public static void stubList(WireMockServer server, String customerId, String body) {
        server.stubFor(get(urlPathEqualTo("/v1/subscriptions"))
                .withQueryParam("customer", equalTo(customerId))
                .willReturn(json(200, body)));
    }

    private static void stubList(String customerId, String body) {
        stubList(stripe, customerId, body);
    }

    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_test")
                .withBody(body);
    }

    public static ResponseDefinitionBuilder missing(String what, String id) {
        return json(
                404,
                "{\"error\": {\"type\": \"invalid_request_error\", \"code\": \"resource_missing\", \"param\": \"id\","
                        + " \"message\": \"No such " + what + ": '" + id + "'\"}}");
    }

    static String customer(String id, String userId, boolean deleted) {
        return deleted
                ? "{\"id\": \"" + id + "\", \"object\": \"customer\", \"deleted\": true}"
                : "{\"id\": \"" + id + "\", \"object\": \"customer\", \"email\": \"alice@example.com\","
                        + " \"metadata\": {\"user_id\": \"" + userId + "\"}}";
    }

    public static String fixture(String name) {
        try (InputStream in = StripeGatewayTest.class.getResourceAsStream("/stripe/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LoggedRequest single(RequestPatternBuilder pattern) {
        List<LoggedRequest> requests = stripe.findAll(pattern);
        assertThat(requests).as("requests matching " + pattern.build()).hasSize(1);
        return requests.getFirst();
    }

    /** The request's form body as a map; fails on a repeated key, so the map is the exact parameter set. */
    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> params = new LinkedHashMap<>();
        String body = request.getBodyAsString();
        if (body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            assertThat(params.put(key, value))
                    .as("parameter " + key + " sent once")
                    .isNull();
        }
        return params;
    }
}

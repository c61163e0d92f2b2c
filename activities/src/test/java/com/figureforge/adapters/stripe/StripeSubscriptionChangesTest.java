package com.figureforge.adapters.stripe;

import static com.figureforge.adapters.stripe.StripeGatewayTest.fixture;
import static com.figureforge.adapters.stripe.StripeGatewayTest.form;
import static com.figureforge.adapters.stripe.StripeGatewayTest.json;
import static com.figureforge.adapters.stripe.StripeGatewayTest.stubList;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.workflows.billing.PlanChangeResult;
import com.figureforge.workflows.billing.SubscriptionActivities.ChangePriceOutput;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plan changes, duplicate cancels and checkout expiry: the exact Stripe requests, against WireMock. */
class StripeSubscriptionChangesTest {

    private static final Instant PERIOD_END = Instant.ofEpochSecond(1797206400L);
    private static WireMockServer stripe;
    private StripeSubscriptionChanges changes;
    private StripeCheckouts checkouts;

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
        StripeGateway gateway = StripeGatewayTest.gatewayFor(stripe);
        changes = new StripeSubscriptionChanges(gateway);
        checkouts = new StripeCheckouts(gateway);
        // sub_pro is live (active, price_pro, item si_pro, no schedule); sub_old is canceled.
        stubList(stripe, "cus_alice", fixture("subscriptions-current-and-old.json"));
    }

    @Test
    void anUpgradeSwapsThePriceAtOnceWithAProratedInvoiceOnlyIfPaid() {
        stripe.stubFor(post(urlEqualTo("/v1/subscriptions/sub_pro")).willReturn(json(200, "{\"id\": \"sub_pro\"}")));

        ChangePriceOutput output = changes.changePrice("cus_alice", "price_studio", true, "plan-change-r1");

        assertThat(output.outcome()).isEqualTo(PlanChangeResult.CHANGED);
        assertThat(output.subscriptionId()).isEqualTo("sub_pro");
        LoggedRequest request = single(postRequestedFor(urlEqualTo("/v1/subscriptions/sub_pro")));
        assertThat(form(request))
                .isEqualTo(Map.of(
                        "items[0][id]", "si_pro",
                        "items[0][price]", "price_studio",
                        "proration_behavior", "always_invoice",
                        "payment_behavior", "pending_if_incomplete"));
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("plan-change-r1:upgrade");
    }

    @Test
    void aDowngradeIsAScheduleWhoseNextPhaseStartsAtThePeriodEnd() {
        stripe.stubFor(post(urlEqualTo("/v1/subscription_schedules"))
                .willReturn(json(200, "{\"id\": \"sub_sched_1\", \"object\": \"subscription_schedule\"}")));
        stripe.stubFor(post(urlEqualTo("/v1/subscription_schedules/sub_sched_1"))
                .willReturn(json(200, "{\"id\": \"sub_sched_1\", \"object\": \"subscription_schedule\"}")));

        ChangePriceOutput output = changes.changePrice("cus_alice", "price_hobby", false, "plan-change-r2");

        assertThat(output).isEqualTo(new ChangePriceOutput(PlanChangeResult.SCHEDULED, null, PERIOD_END));
        LoggedRequest create = single(postRequestedFor(urlEqualTo("/v1/subscription_schedules")));
        assertThat(form(create)).isEqualTo(Map.of("from_subscription", "sub_pro"));
        assertThat(create.getHeader("Idempotency-Key")).isEqualTo("plan-change-r2:schedule");
        LoggedRequest phases = single(postRequestedFor(urlEqualTo("/v1/subscription_schedules/sub_sched_1")));
        assertThat(form(phases))
                .isEqualTo(Map.of(
                        "phases[0][items][0][price]", "price_pro",
                        "phases[0][items][0][quantity]", "1",
                        "phases[0][start_date]", "1794614400",
                        "phases[0][end_date]", "1797206400",
                        "phases[1][items][0][price]", "price_hobby",
                        "phases[1][items][0][quantity]", "1",
                        "phases[1][proration_behavior]", "none",
                        "end_behavior", "release"));
        assertThat(phases.getHeader("Idempotency-Key")).isEqualTo("plan-change-r2:phases");
    }

    @Test
    void theCurrentPriceChangesNothingAndNoLiveSubscriptionIsReported() {
        assertThat(changes.changePrice("cus_alice", "price_pro", true, "k").outcome())
                .isEqualTo(PlanChangeResult.UNCHANGED);
        stubList(stripe, "cus_none", "{\"object\": \"list\", \"data\": [], \"has_more\": false}");
        assertThat(changes.changePrice("cus_none", "price_pro", true, "k").outcome())
                .isEqualTo(PlanChangeResult.NO_SUBSCRIPTION);
        stripe.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void aDuplicateIsCanceledWithAProratedCreditAndAnEndedOneIsLeftAlone() {
        stripe.stubFor(get(urlEqualTo("/v1/subscriptions/sub_pro"))
                .willReturn(json(200, fixture("subscription-pro-canceling.json"))));
        stripe.stubFor(delete(urlPathEqualTo("/v1/subscriptions/sub_pro"))
                .willReturn(json(200, fixture("subscription-a-canceled.json"))));
        stripe.stubFor(get(urlEqualTo("/v1/subscriptions/sub_a"))
                .willReturn(json(200, fixture("subscription-a-canceled.json"))));

        changes.cancelWithProratedCredit("sub_pro", "duplicate-sub_pro");
        changes.cancelWithProratedCredit("sub_a", "duplicate-sub_a");

        LoggedRequest cancel = single(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_pro")));
        String params = cancel.getUrl().contains("?")
                ? cancel.getUrl().substring(cancel.getUrl().indexOf('?') + 1)
                : cancel.getBodyAsString();
        assertThat(params).contains("prorate=true").contains("invoice_now=true");
        assertThat(cancel.getHeader("Idempotency-Key")).isEqualTo("duplicate-sub_pro");
        stripe.verify(0, deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_a")));
    }

    @Test
    void everyOpenCheckoutOfTheCustomerIsExpired() {
        stripe.stubFor(get(urlPathEqualTo("/v1/checkout/sessions")).willReturn(json(200, """
                        {"object": "list", "has_more": false, "data": [
                          {"id": "cs_1", "object": "checkout.session", "status": "open"},
                          {"id": "cs_2", "object": "checkout.session", "status": "open"}]}""")));
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions/cs_1/expire"))
                .willReturn(json(200, "{\"id\": \"cs_1\", \"status\": \"expired\"}")));
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions/cs_2/expire"))
                .willReturn(
                        json(400, "{\"error\": {\"type\": \"invalid_request_error\", \"message\": \"not open\"}}")));
        stripe.stubFor(get(urlEqualTo("/v1/checkout/sessions/cs_2"))
                .willReturn(json(200, "{\"id\": \"cs_2\", \"status\": \"complete\"}")));

        assertThat(checkouts.expireOpen("cus_alice", "expire-1")).isEqualTo(1);

        LoggedRequest list = single(WireMock.getRequestedFor(urlPathEqualTo("/v1/checkout/sessions")));
        assertThat(list.queryParameter("customer").firstValue()).isEqualTo("cus_alice");
        assertThat(list.queryParameter("status").firstValue()).isEqualTo("open");
        assertThat(single(postRequestedFor(urlEqualTo("/v1/checkout/sessions/cs_1/expire")))
                        .getHeader("Idempotency-Key"))
                .isEqualTo("expire-1:cs_1");
    }

    private static LoggedRequest single(RequestPatternBuilder pattern) {
        List<LoggedRequest> requests = stripe.findAll(pattern);
        assertThat(requests).as("requests matching " + pattern.build()).hasSize(1);
        return requests.getFirst();
    }
}

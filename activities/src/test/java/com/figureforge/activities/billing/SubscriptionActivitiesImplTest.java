package com.figureforge.activities.billing;

import static com.figureforge.activities.generation.ActivityTestStack.applicationFailure;
import static com.figureforge.adapters.stripe.StripeGatewayTest.fixture;
import static com.figureforge.adapters.stripe.StripeGatewayTest.json;
import static com.figureforge.adapters.stripe.StripeGatewayTest.missing;
import static com.figureforge.adapters.stripe.StripeGatewayTest.stubList;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.activities.generation.ActivityTestStack;
import com.figureforge.adapters.data.QuotaPeriod;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.stripe.StripeGatewayTest;
import com.figureforge.adapters.stripe.StripePlanPrices;
import com.figureforge.adapters.stripe.StripeSubscriptionChanges;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.billing.StripeSubscription;
import com.figureforge.workflows.billing.SubscriptionActivities;
import com.figureforge.workflows.billing.SubscriptionActivities.ApplyPlanInput;
import com.figureforge.workflows.billing.SubscriptionActivities.FetchSubscriptionInput;
import com.figureforge.workflows.billing.SubscriptionActivities.FetchSubscriptionOutput;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The subscription activities against WireMock as Stripe and dynalite as DynamoDB. */
class SubscriptionActivitiesImplTest {

    private static final Instant PERIOD_START = Instant.parse("2026-11-14T00:00:00Z");
    private static final Instant PERIOD_END = Instant.parse("2026-12-14T00:00:00Z");
    private static final StripePlanPrices PRICES = StripePlanPrices.fromPlanPriceIds(
                    Map.of("free", "", "hobby", "price_hobby", "pro", "price_pro", "studio", "price_studio"))
            .withRanks(Map.of("free", 10, "hobby", 150, "pro", 600, "studio", 2500));

    private static WireMockServer stripe;
    private static UserRepository users;
    private static SubscriptionActivitiesImpl impl;

    private TestActivityEnvironment env;
    private SubscriptionActivities activities;
    private String userId;

    @BeforeAll
    static void startServers() {
        stripe = new WireMockServer(options().dynamicPort());
        stripe.start();
        String table = ActivityTestStack.freshTable("subscriptions");
        users = new UserRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        var gateway = StripeGatewayTest.gatewayFor(stripe);
        impl = new SubscriptionActivitiesImpl(gateway, users, PRICES, new StripeSubscriptionChanges(gateway));
    }

    @AfterAll
    static void stopServers() {
        stripe.stop();
    }

    @BeforeEach
    void setUp() {
        stripe.resetAll();
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(impl);
        activities = env.newActivityStub(SubscriptionActivities.class, ActivityTestStack.singleAttempt());
        userId = "user-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void fetchMapsStatusPlanPeriodAndScheduledCancellation() {
        stubList(stripe, "cus_alice", fixture("subscriptions-current-and-old.json"));

        FetchSubscriptionOutput output = activities.fetchSubscription(new FetchSubscriptionInput("cus_alice", "sub_x"));

        assertThat(output.customerId()).isEqualTo("cus_alice");
        assertThat(output.subscription())
                .isEqualTo(new StripeSubscription(
                        "sub_pro",
                        "active",
                        "price_pro",
                        "pro",
                        PERIOD_START,
                        PERIOD_END,
                        true,
                        PERIOD_END,
                        Instant.parse("2026-11-20T00:00:00Z"),
                        null,
                        PERIOD_START));
    }

    @Test
    void ofTwoLiveSubscriptionsTheHigherPlanIsCurrentAndTheOtherADuplicate() {
        // sub_old becomes a live Studio subscription, older than the live Pro one.
        stubList(
                stripe,
                "cus_alice",
                fixture("subscriptions-current-and-old.json")
                        .replace("\"status\": \"canceled\"", "\"status\": \"active\"")
                        .replace("\"id\": \"price_hobby\"", "\"id\": \"price_studio\""));

        FetchSubscriptionOutput output = activities.fetchSubscription(new FetchSubscriptionInput("cus_alice", null));

        assertThat(output.subscription().id()).isEqualTo("sub_old");
        assertThat(output.subscription().plan()).isEqualTo("studio");
        assertThat(output.duplicates()).extracting(StripeSubscription::id).containsExactly("sub_pro");
    }

    @Test
    void oneLiveSubscriptionHasNoDuplicates() {
        stubList(stripe, "cus_alice", fixture("subscriptions-current-and-old.json"));

        assertThat(activities
                        .fetchSubscription(new FetchSubscriptionInput("cus_alice", null))
                        .duplicates())
                .isEmpty();
    }

    @Test
    void cancelAtPeriodEndWithoutCancelAtEndsAtThePeriodEnd() {
        stubList(
                stripe,
                "cus_alice",
                fixture("subscriptions-current-and-old.json")
                        .replace("\"cancel_at\": 1797206400", "\"cancel_at\": null"));

        StripeSubscription current = activities
                .fetchSubscription(new FetchSubscriptionInput("cus_alice", null))
                .subscription();

        assertThat(current.cancelAtPeriodEnd()).isTrue();
        assertThat(current.cancelAt()).isEqualTo(PERIOD_END);
    }

    @Test
    void anUnconfiguredPriceHasNoPlan() {
        stubList(stripe, "cus_alice", fixture("subscriptions-unknown-price.json"));

        StripeSubscription current = activities
                .fetchSubscription(new FetchSubscriptionInput("cus_alice", null))
                .subscription();

        assertThat(current.priceId()).isEqualTo("price_legacy");
        assertThat(current.plan()).isNull();
    }

    @Test
    void withOnlyASubscriptionIdTheCustomerIsResolvedFromIt() {
        stripe.stubFor(get(urlEqualTo("/v1/subscriptions/sub_pro"))
                .willReturn(json(200, fixture("subscription-pro-canceling.json"))));
        stubList(stripe, "cus_alice", fixture("subscriptions-current-and-old.json"));
        stripe.stubFor(get(urlEqualTo("/v1/subscriptions/sub_gone")).willReturn(missing("subscription", "sub_gone")));

        FetchSubscriptionOutput output = activities.fetchSubscription(new FetchSubscriptionInput(null, "sub_pro"));
        FetchSubscriptionOutput gone = activities.fetchSubscription(new FetchSubscriptionInput(null, "sub_gone"));

        assertThat(output.customerId()).isEqualTo("cus_alice");
        assertThat(output.subscription().id()).isEqualTo("sub_pro");
        assertThat(gone).isEqualTo(new FetchSubscriptionOutput(null, null));
    }

    @Test
    void aCustomerWithoutSubscriptionsOrNoLongerThereHasNone() {
        stubList(stripe, "cus_new", "{\"object\": \"list\", \"data\": [], \"has_more\": false}");
        stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions"))
                .withQueryParam("customer", equalTo("cus_gone"))
                .willReturn(missing("customer", "cus_gone")));

        assertThat(activities
                        .fetchSubscription(new FetchSubscriptionInput("cus_new", null))
                        .subscription())
                .isNull();
        assertThat(activities
                        .fetchSubscription(new FetchSubscriptionInput("cus_gone", null))
                        .subscription())
                .isNull();
    }

    @Test
    void stripeFailuresCarryTheirFailureType() {
        stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions"))
                .withQueryParam("customer", equalTo("cus_500"))
                .willReturn(json(500, "{\"error\": {\"type\": \"api_error\", \"message\": \"boom\"}}")));
        stripe.stubFor(
                get(urlPathEqualTo("/v1/subscriptions"))
                        .withQueryParam("customer", equalTo("cus_401"))
                        .willReturn(
                                json(
                                        401,
                                        "{\"error\": {\"type\": \"authentication_error\", \"message\": \"Invalid API Key provided\"}}")));

        ApplicationFailure unavailable =
                applicationFailure(() -> activities.fetchSubscription(new FetchSubscriptionInput("cus_500", null)));
        ApplicationFailure rejected =
                applicationFailure(() -> activities.fetchSubscription(new FetchSubscriptionInput("cus_401", null)));

        assertThat(unavailable.getType()).isEqualTo(FailureType.STRIPE_UNAVAILABLE.name());
        assertThat(unavailable.isNonRetryable()).isFalse();
        assertThat(rejected.getType()).isEqualTo(FailureType.STRIPE_REJECTED.name());
        assertThat(rejected.isNonRetryable()).isTrue();
        assertThat(rejected.getOriginalMessage()).contains("Invalid API Key provided");
    }

    @Test
    void fetchWithoutAnyIdIsRejected() {
        ApplicationFailure failure =
                applicationFailure(() -> activities.fetchSubscription(new FetchSubscriptionInput(null, null)));

        assertThat(failure.isNonRetryable()).isTrue();
    }

    @Test
    void applyPlanWritesPlanStatusPeriodAndCustomerSoTheQuotaFollowsThePeriod() {
        users.getOrCreate(userId, "alice", "alice@example.com");

        var output = activities.applyPlan(
                new ApplyPlanInput(userId, "pro", "active", "cus_" + userId, PERIOD_START, PERIOD_END));

        assertThat(output.userFound()).isTrue();
        UserRecord user = users.find(userId).orElseThrow();
        assertThat(user.plan()).isEqualTo("pro");
        assertThat(user.subscriptionStatus()).isEqualTo("active");
        assertThat(user.stripeCustomerId()).isEqualTo("cus_" + userId);
        assertThat(user.periodStart()).isEqualTo(PERIOD_START);
        assertThat(user.periodEnd()).isEqualTo(PERIOD_END);
        assertThat(QuotaPeriod.billingPeriod(user.periodStart(), user.periodEnd())
                        .key())
                .isEqualTo("2026-11-14");
        assertThat(users.findByStripeCustomerId("cus_" + userId)).isPresent();

        activities.applyPlan(new ApplyPlanInput(userId, "free", "canceled", null, null, null));
        UserRecord free = users.find(userId).orElseThrow();
        assertThat(free.plan()).isEqualTo("free");
        assertThat(free.periodStart()).isNull();
        assertThat(free.stripeCustomerId()).as("kept").isEqualTo("cus_" + userId);
    }

    @Test
    void applyPlanOfAMissingUserWritesNothing() {
        var output = activities.applyPlan(new ApplyPlanInput(userId, "pro", "active", "cus_x", null, null));

        assertThat(output.userFound()).isFalse();
        assertThat(users.find(userId)).isEmpty();
    }
}

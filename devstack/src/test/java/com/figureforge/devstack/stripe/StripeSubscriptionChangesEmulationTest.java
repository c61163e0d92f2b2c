package com.figureforge.devstack.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionSchedule;
import com.stripe.model.checkout.Session;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionScheduleCreateParams;
import com.stripe.param.SubscriptionScheduleUpdateParams;
import com.stripe.param.SubscriptionScheduleUpdateParams.Phase;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionListParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator's session expiry, price swaps, schedules, prorated cancels and lifecycle events, via stripe-java. */
class StripeSubscriptionChangesEmulationTest {

    private static StripeEmulator stripe;
    private static StripeClient client;

    @BeforeAll
    static void start() {
        stripe = StripeEmulator.start(0);
        client = LocalStripeClients.withKey(stripe, "sk_test_local");
    }

    @AfterAll
    static void stop() {
        stripe.close();
    }

    @BeforeEach
    void forgetEverything() {
        stripe.reset();
    }

    @Test
    void anExpiredSessionCannotBePaidAndIsNoLongerListedAsOpen() throws Exception {
        String customer = customer();
        Session first = session(customer, "price_pro");
        Session second = session(customer, "price_hobby");

        Session expired = client.v1().checkout().sessions().expire(first.getId());

        assertThat(expired.getStatus()).isEqualTo("expired");
        assertThat(client.v1()
                        .checkout()
                        .sessions()
                        .list(SessionListParams.builder()
                                .setCustomer(customer)
                                .setStatus(SessionListParams.Status.OPEN)
                                .build())
                        .getData())
                .extracting(Session::getId)
                .containsExactly(second.getId());
        assertThatThrownBy(() -> stripe.completeCheckout(first.getId())).hasMessageContaining("expired");
        assertThatThrownBy(() -> client.v1().checkout().sessions().expire(first.getId()))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(stripe.subscriptions(customer)).isEmpty();
        stripe.completeCheckout(second.getId());
        assertThat(stripe.subscriptions(customer)).hasSize(1);
    }

    @Test
    void aPriceSwapKeepsThePeriodAndInvoicesTheProration() throws Exception {
        Subscription before = subscribe("price_hobby");
        var item = before.getItems().getData().getFirst();

        Subscription after = client.v1()
                .subscriptions()
                .update(
                        before.getId(),
                        SubscriptionUpdateParams.builder()
                                .addItem(SubscriptionUpdateParams.Item.builder()
                                        .setId(item.getId())
                                        .setPrice("price_studio")
                                        .build())
                                .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.ALWAYS_INVOICE)
                                .build());

        var swapped = after.getItems().getData().getFirst();
        assertThat(swapped.getPrice().getId()).isEqualTo("price_studio");
        assertThat(swapped.getCurrentPeriodStart()).isEqualTo(item.getCurrentPeriodStart());
        assertThat(swapped.getCurrentPeriodEnd()).isEqualTo(item.getCurrentPeriodEnd());
        stripe.awaitDeliveries();
        assertThat(stripe.eventTypes()).endsWith("invoice.paid", "customer.subscription.updated");
    }

    @Test
    void aScheduledPhaseAppliesAtTheRenewalAndReleasesTheSchedule() throws Exception {
        Subscription subscription = subscribe("price_studio");
        var item = subscription.getItems().getData().getFirst();
        SubscriptionSchedule schedule = client.v1()
                .subscriptionSchedules()
                .create(SubscriptionScheduleCreateParams.builder()
                        .setFromSubscription(subscription.getId())
                        .build());
        client.v1()
                .subscriptionSchedules()
                .update(
                        schedule.getId(),
                        SubscriptionScheduleUpdateParams.builder()
                                .addPhase(Phase.builder()
                                        .addItem(Phase.Item.builder()
                                                .setPrice("price_studio")
                                                .build())
                                        .setStartDate(item.getCurrentPeriodStart())
                                        .setEndDate(item.getCurrentPeriodEnd())
                                        .build())
                                .addPhase(Phase.builder()
                                        .addItem(Phase.Item.builder()
                                                .setPrice("price_pro")
                                                .build())
                                        .build())
                                .build());
        assertThat(client.v1().subscriptions().retrieve(subscription.getId()).getSchedule())
                .isEqualTo(schedule.getId());

        stripe.renew(subscription.getCustomer());

        Subscription renewed = client.v1().subscriptions().retrieve(subscription.getId());
        assertThat(renewed.getItems().getData().getFirst().getPrice().getId()).isEqualTo("price_pro");
        assertThat(renewed.getItems().getData().getFirst().getCurrentPeriodStart())
                .isEqualTo(item.getCurrentPeriodEnd());
        assertThat(renewed.getSchedule()).isNull();
        assertThat(client.v1()
                        .subscriptionSchedules()
                        .retrieve(schedule.getId())
                        .getStatus())
                .isEqualTo("released");
    }

    @Test
    void aProratedCancelCreditsTheUnusedTimeAndASubscriptionCanBeMadeOutsideCheckout() throws Exception {
        Subscription first = subscribe("price_pro");
        var outside = stripe.subscribeOutsideCheckout(first.getCustomer(), "price_hobby", "alice");
        assertThat(stripe.subscriptions(first.getCustomer()))
                .filteredOn(s -> s.get("status").asString().equals("active"))
                .hasSize(2);

        client.v1()
                .subscriptions()
                .cancel(
                        outside.get("id").asString(),
                        SubscriptionCancelParams.builder()
                                .setProrate(true)
                                .setInvoiceNow(true)
                                .build());

        Customer customer = client.v1().customers().retrieve(first.getCustomer());
        assertThat(customer.getBalance()).isNegative();
        assertThat(client.v1()
                        .subscriptions()
                        .retrieve(outside.get("id").asString())
                        .getStatus())
                .isEqualTo("canceled");
    }

    @Test
    void lifecycleEventsCarryTheStateStripeWouldReport() throws Exception {
        Subscription subscription = subscribe("price_pro");
        String customer = subscription.getCustomer();

        assertThat(stripe.subscriptionEvent(customer, "customer.subscription.paused"))
                .extracting(StripeEmulator.SentEvent::type)
                .containsExactly("customer.subscription.paused", "customer.subscription.updated");
        assertThat(client.v1().subscriptions().retrieve(subscription.getId()).getStatus())
                .isEqualTo("paused");
        stripe.subscriptionEvent(customer, "customer.subscription.resumed");
        assertThat(client.v1().subscriptions().retrieve(subscription.getId()).getStatus())
                .isEqualTo("active");
        assertThat(stripe.subscriptionEvent(customer, "invoice.marked_uncollectible"))
                .first()
                .satisfies(event ->
                        assertThat(event.dataObject().get("status").asString()).isEqualTo("uncollectible"));
        assertThat(client.v1().subscriptions().retrieve(subscription.getId()).getStatus())
                .isEqualTo("unpaid");
        assertThatThrownBy(() -> stripe.subscriptionEvent(customer, "customer.subscription.created"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private String customer() throws Exception {
        return client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .putMetadata("user_id", "alice")
                        .build())
                .getId();
    }

    private Session session(String customer, String price) throws Exception {
        return client.v1()
                .checkout()
                .sessions()
                .create(SessionCreateParams.builder()
                        .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                        .setCustomer(customer)
                        .addLineItem(SessionCreateParams.LineItem.builder()
                                .setPrice(price)
                                .setQuantity(1L)
                                .build())
                        .setSuccessUrl("http://localhost:3000/ok?session_id={CHECKOUT_SESSION_ID}")
                        .build());
    }

    private Subscription subscribe(String price) throws Exception {
        String customer = customer();
        stripe.completeCheckout(session(customer, price).getId());
        String id = stripe.subscriptions(customer).getFirst().get("id").asString();
        return client.v1().subscriptions().retrieve(id);
    }
}

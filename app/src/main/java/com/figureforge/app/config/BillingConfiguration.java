package com.figureforge.app.config;

import com.figureforge.adapters.stripe.StripeCheckouts;
import com.figureforge.adapters.stripe.StripeGateway;
import com.figureforge.adapters.stripe.StripePlanPrices;
import com.figureforge.adapters.stripe.StripeSubscriptionChanges;
import com.figureforge.workflows.billing.SubscriptionSettings;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Stripe: the gateway (also the {@code BillingAccounts} port of account deletion), the plan of each
 * configured price, and the subscription workflow's settings for signal-with-start.
 */
@Configuration(proxyBeanMethods = false)
class BillingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(BillingConfiguration.class);

    /** Stands in for a missing key so the client can be built; Stripe answers 401 to it. */
    static final String NOT_CONFIGURED_KEY = "sk_test_not_configured";

    @Bean
    StripeGateway stripeGateway(FigureForgeProperties properties) {
        var stripe = properties.billing();
        if (!stripe.stripeConfigured()) {
            log.warn("STRIPE_SECRET_KEY is not set: checkout and subscription sync fail until a key (or a stub) is"
                    + " configured");
        }
        return StripeGateway.create(
                stripe.stripeConfigured() ? stripe.stripeSecretKey() : NOT_CONFIGURED_KEY,
                stripe.apiBase(),
                stripe.connectTimeout(),
                stripe.readTimeout(),
                stripe.maxNetworkRetries());
    }

    @Bean
    StripeSubscriptionChanges stripeSubscriptionChanges(StripeGateway gateway) {
        return new StripeSubscriptionChanges(gateway);
    }

    @Bean
    StripeCheckouts stripeCheckouts(StripeGateway gateway) {
        return new StripeCheckouts(gateway);
    }

    /** Plans ranked by monthly quota: of two live subscriptions the higher plan is kept. */
    @Bean
    StripePlanPrices stripePlanPrices(FigureForgeProperties properties) {
        Map<String, String> planToPrice = new HashMap<>();
        Map<String, Integer> ranks = new HashMap<>();
        properties.plans().forEach((id, plan) -> {
            planToPrice.put(id, plan.stripePriceId());
            ranks.put(id, plan.monthlyImages());
        });
        return StripePlanPrices.fromPlanPriceIds(planToPrice).withRanks(ranks);
    }

    @Bean
    SubscriptionSettings subscriptionSettings(FigureForgeProperties properties) {
        return SubscriptionSettings.withGracePeriod(properties.billing().gracePeriod());
    }
}

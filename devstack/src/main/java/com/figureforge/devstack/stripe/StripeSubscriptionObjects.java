package com.figureforge.devstack.stripe;

import static com.figureforge.devstack.stripe.StripeObjects.CURRENCY;
import static com.figureforge.devstack.stripe.StripeObjects.PRODUCT;
import static com.figureforge.devstack.stripe.StripeObjects.UNIT_AMOUNT;
import static com.figureforge.devstack.stripe.StripeObjects.metadata;
import static com.figureforge.devstack.stripe.StripeObjects.newId;

import java.util.Map;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Subscriptions, their items, prices and plans as API version {@value StripeObjects#API_VERSION}
 * renders them: the billing period lives on the items ({@code items.data[].current_period_start/end}).
 */
final class StripeSubscriptionObjects {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StripeSubscriptionObjects() {}

    static ObjectNode price(String priceId, long created) {
        ObjectNode price = NODES.objectNode();
        price.put("id", priceId);
        price.put("object", "price");
        price.put("active", true);
        price.put("billing_scheme", "per_unit");
        price.put("created", created);
        price.put("currency", CURRENCY);
        price.putNull("custom_unit_amount");
        price.put("livemode", false);
        price.putNull("lookup_key");
        price.putObject("metadata");
        price.putNull("nickname");
        price.put("product", PRODUCT);
        ObjectNode recurring = price.putObject("recurring");
        recurring.put("interval", "month");
        recurring.put("interval_count", 1);
        recurring.putNull("meter");
        recurring.putNull("trial_period_days");
        recurring.put("usage_type", "licensed");
        price.put("tax_behavior", "unspecified");
        price.putNull("tiers_mode");
        price.putNull("transform_quantity");
        price.put("type", "recurring");
        price.put("unit_amount", UNIT_AMOUNT);
        price.put("unit_amount_decimal", Long.toString(UNIT_AMOUNT));
        return price;
    }

    /** The legacy plan view of a recurring price, still rendered on subscription items. */
    static ObjectNode plan(String priceId, long created) {
        ObjectNode plan = NODES.objectNode();
        plan.put("id", priceId);
        plan.put("object", "plan");
        plan.put("active", true);
        plan.put("amount", UNIT_AMOUNT);
        plan.put("amount_decimal", Long.toString(UNIT_AMOUNT));
        plan.put("billing_scheme", "per_unit");
        plan.put("created", created);
        plan.put("currency", CURRENCY);
        plan.put("interval", "month");
        plan.put("interval_count", 1);
        plan.put("livemode", false);
        plan.putObject("metadata");
        plan.putNull("meter");
        plan.putNull("nickname");
        plan.put("product", PRODUCT);
        plan.putNull("tiers_mode");
        plan.putNull("transform_usage");
        plan.putNull("trial_period_days");
        plan.put("usage_type", "licensed");
        return plan;
    }

    static ObjectNode subscription(
            String id,
            String customer,
            String priceId,
            long quantity,
            Map<String, String> metadata,
            long created,
            long periodEnd) {
        ObjectNode subscription = NODES.objectNode();
        subscription.put("id", id);
        subscription.put("object", "subscription");
        subscription.putNull("application");
        subscription.putNull("application_fee_percent");
        ObjectNode automaticTax = subscription.putObject("automatic_tax");
        automaticTax.putNull("disabled_reason");
        automaticTax.put("enabled", false);
        automaticTax.putNull("liability");
        subscription.put("billing_cycle_anchor", created);
        subscription.putNull("billing_cycle_anchor_config");
        ObjectNode billingMode = subscription.putObject("billing_mode");
        billingMode.putObject("flexible").put("proration_discounts", "included");
        billingMode.put("type", "flexible");
        billingMode.put("updated_at", created);
        subscription.putNull("billing_thresholds");
        subscription.putNull("cancel_at");
        subscription.put("cancel_at_period_end", false);
        subscription.putNull("canceled_at");
        ObjectNode cancellation = subscription.putObject("cancellation_details");
        cancellation.putNull("comment");
        cancellation.putNull("feedback");
        cancellation.putNull("reason");
        subscription.put("collection_method", "charge_automatically");
        subscription.put("created", created);
        subscription.put("currency", CURRENCY);
        subscription.put("customer", customer);
        subscription.putNull("days_until_due");
        subscription.putNull("default_payment_method");
        subscription.putNull("default_source");
        subscription.putArray("default_tax_rates");
        subscription.putNull("description");
        subscription.putArray("discounts");
        subscription.putNull("ended_at");
        ObjectNode invoiceSettings = subscription.putObject("invoice_settings");
        invoiceSettings.putNull("account_tax_ids");
        invoiceSettings.putObject("issuer").put("type", "self");

        ObjectNode items = subscription.putObject("items");
        items.put("object", "list");
        ObjectNode item = items.putArray("data").addObject();
        item.put("id", newId("si"));
        item.put("object", "subscription_item");
        item.put("created", created);
        item.put("current_period_end", periodEnd);
        item.put("current_period_start", created);
        item.putArray("discounts");
        item.putObject("metadata");
        item.set("plan", plan(priceId, created));
        item.set("price", price(priceId, created));
        item.put("quantity", quantity);
        item.put("subscription", id);
        item.putArray("tax_rates");
        items.put("has_more", false);
        items.put("total_count", 1);
        items.put("url", "/v1/subscription_items?subscription=" + id);

        subscription.putNull("latest_invoice");
        subscription.put("livemode", false);
        subscription.set("metadata", metadata(metadata));
        subscription.putNull("next_pending_invoice_item_invoice");
        subscription.putNull("on_behalf_of");
        subscription.putNull("pause_collection");
        subscription.putNull("pending_invoice_item_interval");
        subscription.putNull("pending_setup_intent");
        subscription.putNull("pending_update");
        subscription.putNull("schedule");
        subscription.put("start_date", created);
        subscription.put("status", "active");
        subscription.putNull("test_clock");
        subscription.putNull("transfer_data");
        subscription.putNull("trial_end");
        subscription.putNull("trial_start");
        return subscription;
    }

    static ObjectNode firstItem(ObjectNode subscription) {
        return (ObjectNode) subscription.get("items").get("data").get(0);
    }

    static long periodStart(ObjectNode subscription) {
        return firstItem(subscription).get("current_period_start").asLong();
    }

    static long periodEnd(ObjectNode subscription) {
        return firstItem(subscription).get("current_period_end").asLong();
    }

    static void setPeriod(ObjectNode subscription, long start, long end) {
        ObjectNode item = firstItem(subscription);
        item.put("current_period_start", start);
        item.put("current_period_end", end);
    }
}

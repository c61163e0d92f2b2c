package com.figureforge.devstack.stripe;

import java.security.SecureRandom;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stripe objects as API version {@value #API_VERSION} renders them, trimmed to the fields a client
 * of this subset can meet. Field names and nesting follow Stripe's API reference: in this version
 * the billing period lives on the subscription items ({@code items.data[].current_period_start/end})
 * and an invoice names its subscription under {@code parent.subscription_details.subscription}.
 */
final class StripeObjects {

    static final String API_VERSION = "2026-07-29.dahlia";
    static final String CURRENCY = "usd";
    /** Every price costs this much per unit (cents): prices are free strings, not configured objects. */
    static final long UNIT_AMOUNT = 1000;

    static final String PRODUCT = "prod_FigureForgeEmu";
    static final long DAY = 24 * 60 * 60;
    static final long PERIOD = 30 * DAY;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private StripeObjects() {}

    /** A Stripe-looking id: prefix, underscore, random base62. */
    static String newId(String prefix, int length) {
        StringBuilder id = new StringBuilder(prefix).append('_');
        for (int i = 0; i < length; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    static String newId(String prefix) {
        return newId(prefix, 14);
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ObjectNode metadata(Map<String, String> entries) {
        ObjectNode metadata = NODES.objectNode();
        entries.forEach((key, value) -> {
            if (!value.isEmpty()) {
                metadata.put(key, value);
            }
        });
        return metadata;
    }

    /**
     * Applies Stripe's update rules for a metadata hash: {@code metadata[k]=v} sets, {@code
     * metadata[k]=} removes, {@code metadata=} clears everything.
     */
    static void updateMetadata(ObjectNode owner, StripeForm form) {
        if (!form.touches("metadata")) {
            return;
        }
        ObjectNode metadata = (ObjectNode) owner.get("metadata");
        if ("".equals(form.get("metadata"))) {
            metadata.removeAll();
        }
        form.hash("metadata").forEach((key, value) -> {
            if (value.isEmpty()) {
                metadata.remove(key);
            } else {
                metadata.put(key, value);
            }
        });
    }

    // ---- customers -----------------------------------------------------------------------------

    static ObjectNode customer(String id, long created, StripeForm form) {
        ObjectNode customer = NODES.objectNode();
        customer.put("id", id);
        customer.put("object", "customer");
        customer.putNull("address");
        customer.put("balance", 0);
        customer.put("created", created);
        customer.putNull("currency");
        customer.putNull("default_source");
        customer.put("delinquent", false);
        putNullable(customer, "description", form.get("description"));
        putNullable(customer, "email", form.get("email"));
        customer.put("invoice_prefix", newId("x", 8).substring(2).toUpperCase());
        ObjectNode invoiceSettings = customer.putObject("invoice_settings");
        invoiceSettings.putNull("custom_fields");
        invoiceSettings.putNull("default_payment_method");
        invoiceSettings.putNull("footer");
        invoiceSettings.putNull("rendering_options");
        customer.put("livemode", false);
        customer.set("metadata", metadata(form.hash("metadata")));
        putNullable(customer, "name", form.get("name"));
        customer.put("next_invoice_sequence", 1);
        putNullable(customer, "phone", form.get("phone"));
        customer.putArray("preferred_locales");
        customer.putNull("shipping");
        customer.put("tax_exempt", "none");
        customer.putNull("test_clock");
        return customer;
    }

    static ObjectNode deletedCustomer(String id) {
        ObjectNode deleted = NODES.objectNode();
        deleted.put("id", id);
        deleted.put("object", "customer");
        deleted.put("deleted", true);
        return deleted;
    }

    // ---- checkout and portal -------------------------------------------------------------------

    static ObjectNode checkoutSession(
            String id, long created, String customer, StripeForm form, String priceId, long quantity, String url) {
        ObjectNode session = NODES.objectNode();
        session.put("id", id);
        session.put("object", "checkout.session");
        session.putNull("after_expiration");
        session.putNull("allow_promotion_codes");
        session.put("amount_subtotal", UNIT_AMOUNT * quantity);
        session.put("amount_total", UNIT_AMOUNT * quantity);
        ObjectNode automaticTax = session.putObject("automatic_tax");
        automaticTax.put("enabled", false);
        automaticTax.putNull("liability");
        automaticTax.putNull("status");
        session.putNull("billing_address_collection");
        putNullable(session, "cancel_url", form.get("cancel_url"));
        putNullable(session, "client_reference_id", form.get("client_reference_id"));
        session.putNull("client_secret");
        session.put("created", created);
        session.put("currency", CURRENCY);
        putNullable(session, "customer", customer);
        if (customer == null) {
            session.put("customer_creation", "always");
        } else {
            session.putNull("customer_creation");
        }
        session.putNull("customer_details");
        putNullable(session, "customer_email", form.get("customer_email"));
        session.put("expires_at", created + DAY);
        session.putNull("invoice");
        session.put("livemode", false);
        putNullable(session, "locale", form.get("locale"));
        session.set("metadata", metadata(form.hash("metadata")));
        session.put("mode", form.get("mode"));
        session.putNull("payment_intent");
        session.putNull("payment_link");
        session.put("payment_method_collection", "always");
        session.putArray("payment_method_types").add("card");
        session.put("payment_status", "unpaid");
        session.putNull("recovered_from");
        session.putNull("setup_intent");
        session.put("status", "open");
        session.putNull("submit_type");
        session.putNull("subscription");
        putNullable(session, "success_url", form.get("success_url"));
        ObjectNode totals = session.putObject("total_details");
        totals.put("amount_discount", 0);
        totals.put("amount_shipping", 0);
        totals.put("amount_tax", 0);
        session.put("ui_mode", "hosted");
        session.put("url", url);
        return session;
    }

    /** What Checkout fills in when the customer pays: details, subscription, status; the URL goes. */
    static void completeCheckoutSession(ObjectNode session, ObjectNode customer, String subscriptionId) {
        session.put("customer", customer.get("id").asString());
        ObjectNode details = session.putObject("customer_details");
        details.putNull("address");
        details.set("email", customer.get("email"));
        details.set("name", customer.get("name"));
        details.putNull("phone");
        details.put("tax_exempt", "none");
        details.putArray("tax_ids");
        session.put("payment_status", "paid");
        session.put("status", "complete");
        session.put("subscription", subscriptionId);
        session.putNull("url");
    }

    static ObjectNode portalSession(String id, long created, String customer, String returnUrl, String url) {
        ObjectNode session = NODES.objectNode();
        session.put("id", id);
        session.put("object", "billing_portal.session");
        session.put("configuration", "bpc_FigureForgeEmu");
        session.put("created", created);
        session.put("customer", customer);
        session.putNull("flow");
        session.put("livemode", false);
        session.putNull("locale");
        session.putNull("on_behalf_of");
        putNullable(session, "return_url", returnUrl);
        session.put("url", url);
        return session;
    }

    // ---- subscriptions -------------------------------------------------------------------------

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

    // ---- invoices ------------------------------------------------------------------------------

    /**
     * An invoice for one period of a subscription. As in Stripe, the service period is on the line
     * ({@code lines.data[0].period}); the invoice's own {@code period_start/end} cover the usage
     * period that ended when it was raised (both equal to the creation time for the first invoice).
     */
    static ObjectNode invoice(
            String id,
            long created,
            ObjectNode subscription,
            ObjectNode customer,
            String number,
            String billingReason,
            long serviceStart,
            long serviceEnd,
            boolean paid) {
        String subscriptionId = subscription.get("id").asString();
        ObjectNode item = firstItem(subscription);
        long quantity = item.get("quantity").asLong();
        long amount = UNIT_AMOUNT * quantity;

        ObjectNode invoice = NODES.objectNode();
        invoice.put("id", id);
        invoice.put("object", "invoice");
        invoice.put("account_country", "US");
        invoice.put("account_name", "FigureForge (Stripe emulator)");
        invoice.putNull("account_tax_ids");
        invoice.put("amount_due", amount);
        invoice.put("amount_overpaid", 0);
        invoice.put("amount_paid", paid ? amount : 0);
        invoice.put("amount_remaining", paid ? 0 : amount);
        invoice.put("amount_shipping", 0);
        invoice.putNull("application");
        invoice.put("attempt_count", 1);
        invoice.put("attempted", true);
        invoice.put("auto_advance", !paid);
        ObjectNode automaticTax = invoice.putObject("automatic_tax");
        automaticTax.putNull("disabled_reason");
        automaticTax.put("enabled", false);
        automaticTax.putNull("liability");
        automaticTax.putNull("provider");
        automaticTax.putNull("status");
        invoice.put("billing_reason", billingReason);
        invoice.put("collection_method", "charge_automatically");
        invoice.put("created", created);
        invoice.put("currency", CURRENCY);
        invoice.putNull("custom_fields");
        invoice.set("customer", subscription.get("customer"));
        invoice.putNull("customer_address");
        invoice.set("customer_email", customer == null ? null : customer.get("email"));
        invoice.set("customer_name", customer == null ? null : customer.get("name"));
        invoice.putNull("customer_phone");
        invoice.putNull("customer_shipping");
        invoice.put("customer_tax_exempt", "none");
        invoice.putArray("customer_tax_ids");
        invoice.putNull("default_payment_method");
        invoice.putNull("default_source");
        invoice.putArray("default_tax_rates");
        invoice.putNull("description");
        invoice.putArray("discounts");
        invoice.putNull("due_date");
        invoice.put("effective_at", created);
        invoice.put("ending_balance", 0);
        invoice.putNull("footer");
        invoice.putNull("from_invoice");
        invoice.putNull("hosted_invoice_url");
        invoice.putNull("invoice_pdf");
        invoice.putObject("issuer").put("type", "self");
        invoice.putNull("last_finalization_error");
        invoice.putNull("latest_revision");

        ObjectNode lines = invoice.putObject("lines");
        lines.put("object", "list");
        ObjectNode line = lines.putArray("data").addObject();
        line.put("id", newId("il"));
        line.put("object", "line_item");
        line.put("amount", amount);
        line.put("currency", CURRENCY);
        line.put("description", quantity + " × FigureForge (at $" + (UNIT_AMOUNT / 100) + ".00 / month)");
        line.putArray("discount_amounts");
        line.put("discountable", true);
        line.putArray("discounts");
        line.put("invoice", id);
        line.put("livemode", false);
        line.putObject("metadata");
        ObjectNode lineParent = line.putObject("parent");
        lineParent.putNull("invoice_item_details");
        ObjectNode itemDetails = lineParent.putObject("subscription_item_details");
        itemDetails.putNull("invoice_item");
        itemDetails.put("proration", false);
        itemDetails.putObject("proration_details").putNull("credited_items");
        itemDetails.put("subscription", subscriptionId);
        itemDetails.set("subscription_item", item.get("id"));
        lineParent.put("type", "subscription_item_details");
        ObjectNode period = line.putObject("period");
        period.put("end", serviceEnd);
        period.put("start", serviceStart);
        line.putArray("pretax_credit_amounts");
        ObjectNode pricing = line.putObject("pricing");
        ObjectNode priceDetails = pricing.putObject("price_details");
        priceDetails.set("price", item.get("price").get("id"));
        priceDetails.put("product", PRODUCT);
        pricing.put("type", "price_details");
        pricing.put("unit_amount_decimal", Long.toString(UNIT_AMOUNT));
        line.put("quantity", quantity);
        line.put("subtotal", amount);
        line.putArray("taxes");
        lines.put("has_more", false);
        lines.put("total_count", 1);
        lines.put("url", "/v1/invoices/" + id + "/lines");

        invoice.put("livemode", false);
        invoice.putObject("metadata");
        if (paid) {
            invoice.putNull("next_payment_attempt");
        } else {
            invoice.put("next_payment_attempt", created + 3 * DAY);
        }
        invoice.put("number", number);
        invoice.putNull("on_behalf_of");
        ObjectNode parent = invoice.putObject("parent");
        parent.putNull("quote_details");
        ObjectNode subscriptionDetails = parent.putObject("subscription_details");
        subscriptionDetails.set("metadata", subscription.get("metadata").deepCopy());
        subscriptionDetails.put("subscription", subscriptionId);
        subscriptionDetails.putNull("subscription_proration_date");
        parent.put("type", "subscription_details");
        boolean first = billingReason.equals("subscription_create");
        invoice.put("period_end", first ? created : serviceStart);
        invoice.put("period_start", first ? created : serviceStart - (serviceEnd - serviceStart));
        invoice.put("post_payment_credit_notes_amount", 0);
        invoice.put("pre_payment_credit_notes_amount", 0);
        invoice.putNull("receipt_number");
        invoice.putNull("shipping_cost");
        invoice.putNull("shipping_details");
        invoice.put("starting_balance", 0);
        invoice.putNull("statement_descriptor");
        invoice.put("status", paid ? "paid" : "open");
        ObjectNode transitions = invoice.putObject("status_transitions");
        transitions.put("finalized_at", created);
        transitions.putNull("marked_uncollectible_at");
        if (paid) {
            transitions.put("paid_at", created);
        } else {
            transitions.putNull("paid_at");
        }
        transitions.putNull("voided_at");
        invoice.put("subtotal", amount);
        invoice.put("subtotal_excluding_tax", amount);
        invoice.putNull("test_clock");
        invoice.put("total", amount);
        invoice.putArray("total_discount_amounts");
        invoice.put("total_excluding_tax", amount);
        invoice.putArray("total_pretax_credit_amounts");
        invoice.putArray("total_taxes");
        invoice.putNull("webhooks_delivered_at");
        return invoice;
    }

    static void markInvoicePaid(ObjectNode invoice, long paidAt) {
        long amount = invoice.get("amount_due").asLong();
        invoice.put("amount_paid", amount);
        invoice.put("amount_remaining", 0);
        invoice.put("attempt_count", invoice.get("attempt_count").asLong() + 1);
        invoice.put("auto_advance", false);
        invoice.putNull("next_payment_attempt");
        invoice.put("status", "paid");
        ((ObjectNode) invoice.get("status_transitions")).put("paid_at", paidAt);
    }

    // ---- events, lists, errors -----------------------------------------------------------------

    static ObjectNode event(
            String id,
            String type,
            long created,
            ObjectNode dataObject,
            ObjectNode previousAttributes,
            String requestId,
            String idempotencyKey,
            int pendingWebhooks) {
        ObjectNode event = NODES.objectNode();
        event.put("id", id);
        event.put("object", "event");
        event.put("api_version", API_VERSION);
        event.put("created", created);
        ObjectNode data = event.putObject("data");
        data.set("object", dataObject);
        if (previousAttributes != null && !previousAttributes.isEmpty()) {
            data.set("previous_attributes", previousAttributes);
        }
        event.put("livemode", false);
        event.put("pending_webhooks", pendingWebhooks);
        ObjectNode request = event.putObject("request");
        putNullable(request, "id", requestId);
        putNullable(request, "idempotency_key", idempotencyKey);
        event.put("type", type);
        return event;
    }

    /**
     * What {@code data.previous_attributes} holds for an update: the earlier value of every
     * top-level field that changed.
     */
    static ObjectNode previousAttributes(ObjectNode before, ObjectNode after) {
        ObjectNode previous = NODES.objectNode();
        for (String name : before.propertyNames()) {
            JsonNode old = before.get(name);
            if (!old.equals(after.get(name))) {
                previous.set(name, old.deepCopy());
            }
        }
        return previous;
    }

    static ObjectNode list(String url, Iterable<? extends JsonNode> data, boolean hasMore) {
        ObjectNode list = NODES.objectNode();
        list.put("object", "list");
        ArrayNode array = list.putArray("data");
        data.forEach(node -> array.add(node.deepCopy()));
        list.put("has_more", hasMore);
        list.put("url", url);
        return list;
    }

    /** Stripe's error body; {@code code} and {@code param} may be null. */
    static ObjectNode error(String type, String code, String message, String param) {
        ObjectNode body = NODES.objectNode();
        ObjectNode error = body.putObject("error");
        if (code != null) {
            error.put("code", code);
            error.put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
        }
        error.put("message", message);
        if (param != null) {
            error.put("param", param);
        }
        error.put("type", type);
        return body;
    }

    private static void putNullable(ObjectNode node, String name, String value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }
}

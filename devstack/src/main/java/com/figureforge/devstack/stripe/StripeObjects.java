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

package com.figureforge.devstack.stripe;

import static com.figureforge.devstack.stripe.StripeObjects.CURRENCY;
import static com.figureforge.devstack.stripe.StripeObjects.DAY;
import static com.figureforge.devstack.stripe.StripeObjects.PRODUCT;
import static com.figureforge.devstack.stripe.StripeObjects.UNIT_AMOUNT;
import static com.figureforge.devstack.stripe.StripeObjects.newId;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Invoices as API version {@value StripeObjects#API_VERSION} renders them: the subscription is named
 * under {@code parent.subscription_details.subscription}, the service period on the line.
 */
final class StripeInvoiceObjects {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StripeInvoiceObjects() {}

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
        ObjectNode item = StripeSubscriptionObjects.firstItem(subscription);
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
}

package com.figureforge.app.billing;

import com.figureforge.adapters.data.StripeEventLog;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.stripe.StripeGateway;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import com.figureforge.workflows.billing.StripeEventSignal;
import com.figureforge.workflows.billing.StripeEventTypes;
import com.figureforge.workflows.billing.SubscriptionInput;
import com.figureforge.workflows.billing.SubscriptionSettings;
import com.figureforge.workflows.billing.SubscriptionWorkflows;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.client.WorkflowClient;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stripe's webhook: verify the signature over the raw body, hand the event to the user's
 * subscription workflow (signal-with-start), remember the event id, answer 200 at once. The
 * workflow does the work, fetching the current subscription from Stripe, so the event's own payload
 * is read only for ids (which keeps any API version readable).
 */
@RestController
@Tag(name = "Webhooks")
class StripeWebhookController {

    private static final Logger log = LoggerFactory.getLogger(StripeWebhookController.class);

    private final FigureForgeProperties.Billing billing;
    private final StripeEventLog events;
    private final UserRepository users;
    private final WorkflowClient temporal;
    private final JsonMapper json;
    private final SubscriptionSettings subscriptionSettings;

    private final StripeGateway stripe;

    StripeWebhookController(
            FigureForgeProperties properties,
            StripeEventLog events,
            UserRepository users,
            StripeGateway stripe,
            WorkflowClient temporal,
            JsonMapper json,
            SubscriptionSettings subscriptionSettings) {
        this.billing = properties.billing();
        this.events = events;
        this.users = users;
        this.stripe = stripe;
        this.temporal = temporal;
        this.json = json;
        this.subscriptionSettings = subscriptionSettings;
    }

    @PostMapping(path = "/api/webhooks/stripe", consumes = "application/json")
    @Operation(
            summary = "Stripe webhook endpoint: verifies Stripe-Signature and signals the user's subscription workflow",
            description = "For Stripe only: no bearer token, the `Stripe-Signature` header (an HMAC of the raw body"
                    + " with the endpoint's signing secret) authenticates it. Answers 200 at once; events we do not"
                    + " need, and duplicates, are acknowledged without effect.",
            security = {})
    @ApiResponse(
            responseCode = "200",
            description = "Received",
            content = @Content(schema = @Schema(ref = "#/components/schemas/WebhookReceipt")))
    @ProblemResponses({
        ErrorCode.BILLING_NOT_CONFIGURED,
        ErrorCode.INVALID_SIGNATURE,
        ErrorCode.BAD_REQUEST,
        ErrorCode.SERVICE_UNAVAILABLE
    })
    Map<String, Object> receive(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            description = "A Stripe event, verified over these exact bytes",
                            content = @Content(schema = @Schema(type = "object")))
                    @RequestBody
                    String payload,
            @Parameter(
                            description = "`t=<unix time>,v1=<hex HMAC-SHA256 of t.body>`, as Stripe sends it; missing"
                                    + " or wrong: 400 `invalid_signature`")
                    @RequestHeader(name = "Stripe-Signature", required = false)
                    String signature) {
        if (!billing.webhookConfigured()) {
            throw new ApiException(ErrorCode.BILLING_NOT_CONFIGURED, "Billing webhooks are not configured.");
        }
        if (signature == null || signature.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_SIGNATURE, "The Stripe-Signature header is missing.");
        }
        try {
            Webhook.Signature.verifyHeader(payload, signature, billing.webhookSecret(), Webhook.DEFAULT_TOLERANCE);
        } catch (SignatureVerificationException e) {
            throw new ApiException(ErrorCode.INVALID_SIGNATURE, "The Stripe-Signature does not match this payload.");
        }
        JsonNode event = json.readTree(payload);
        String eventId = text(event, "id");
        String type = text(event, "type");
        if (eventId == null || type == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "The event has no id or type.");
        }
        if (!StripeEventTypes.handled(type)) {
            return Map.of("received", true, "handled", false);
        }
        if (events.isProcessed(eventId)) {
            return Map.of("received", true, "duplicate", true);
        }
        JsonNode object = event.path("data").path("object");
        if (type.equals(StripeEventTypes.CHECKOUT_SESSION_COMPLETED) && !"subscription".equals(text(object, "mode"))) {
            return Map.of("received", true, "handled", false);
        }
        String customerId = text(object, "customer");
        JsonNode invoiceSubscription = object.path("parent").path("subscription_details");
        String claimed = firstNonNull(
                text(object, "client_reference_id"),
                firstNonNull(
                        text(object.path("metadata"), "user_id"),
                        text(invoiceSubscription.path("metadata"), "user_id")));
        String userId = customerId == null ? null : ownerOf(customerId, claimed);
        if (userId == null || (claimed != null && !claimed.equals(userId))) {
            // Not one of ours, or an event naming a user its customer does not belong to: acknowledge so
            // Stripe stops retrying, apply nothing.
            log.warn(
                    "Stripe event {} ({}) of customer {} names user {}, the customer belongs to {}; ignored",
                    eventId,
                    type,
                    customerId,
                    claimed,
                    userId);
            events.markProcessed(eventId);
            return Map.of("received", true, "handled", false);
        }
        if (users.find(userId).map(u -> u.deleting()).orElse(false) || users.isDeleted(userId)) {
            // The account is being deleted or is gone: its billing is being closed, nothing to apply.
            events.markProcessed(eventId);
            return Map.of("received", true, "handled", false);
        }
        String subscriptionId = switch (type) {
            case StripeEventTypes.CHECKOUT_SESSION_COMPLETED -> text(object, "subscription");
            default ->
                StripeEventTypes.aboutInvoice(type)
                        ? firstNonNull(text(invoiceSubscription, "subscription"), text(object, "subscription"))
                        : text(object, "id");
        };
        StripeEventSignal signal = new StripeEventSignal(
                eventId, type, event.path("created").asLong(0), customerId, subscriptionId, userId);
        SubscriptionWorkflows.signalWithStart(
                temporal, SubscriptionInput.start(userId, customerId, subscriptionSettings), signal);
        // Recorded after the signal: if signaling fails, Stripe's retry is not mistaken for a duplicate.
        events.markProcessed(eventId);
        return Map.of("received", true);
    }

    /**
     * The user the customer belongs to: the user linked to it in our table when that is the user the event
     * names (or it names none), else the customer's {@code metadata.user_id} at Stripe, which our own
     * customer creation set and which decides.
     */
    private String ownerOf(String customerId, String claimed) {
        String linked =
                users.findByStripeCustomerId(customerId).map(u -> u.id()).orElse(null);
        if (linked != null && (claimed == null || claimed.equals(linked))) {
            return linked;
        }
        return userOfCustomerAtStripe(customerId);
    }

    /** A customer we have not linked yet (a race with checkout), or a claim to check: its metadata names our user. */
    private String userOfCustomerAtStripe(String customerId) {
        try {
            return stripe.userIdOfCustomer(customerId).orElse(null);
        } catch (RuntimeException e) {
            // Answering 503 makes Stripe deliver the event again later.
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Stripe could not be reached; retry later.");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || !value.isString() ? null : value.asString();
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}

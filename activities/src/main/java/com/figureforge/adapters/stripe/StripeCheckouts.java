package com.figureforge.adapters.stripe;

import static com.figureforge.adapters.stripe.StripeGateway.idempotent;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.checkout.Session;
import com.stripe.param.checkout.SessionListParams;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading and expiring Checkout Sessions: one open checkout per user, and sync after checkout. */
public class StripeCheckouts {

    private static final Logger log = LoggerFactory.getLogger(StripeCheckouts.class);

    private final StripeClient stripe;

    public StripeCheckouts(StripeGateway gateway) {
        this.stripe = gateway.client();
    }

    /** The session, or empty when Stripe does not know it. */
    public Optional<Session> retrieve(String sessionId) {
        StripeGateway.requireText(sessionId, "sessionId");
        try {
            return Optional.of(stripe.v1().checkout().sessions().retrieve(sessionId));
        } catch (StripeException e) {
            if (StripeGateway.isMissing(e)) {
                return Optional.empty();
            }
            throw StripeGatewayException.from("retrieving Checkout Session " + sessionId, e);
        }
    }

    /**
     * Expires every open Checkout Session of the customer ({@code checkout.sessions.expire}), so an older
     * checkout page can no longer be paid. One that completed or expired meanwhile counts as done.
     *
     * @return how many were expired
     */
    public int expireOpen(String customerId, String idempotencyKey) {
        StripeGateway.requireText(customerId, "customerId");
        int expired = 0;
        try {
            var open = stripe.v1()
                    .checkout()
                    .sessions()
                    .list(SessionListParams.builder()
                            .setCustomer(customerId)
                            .setStatus(SessionListParams.Status.OPEN)
                            .setLimit(100L)
                            .build());
            for (Session session : open.getData()) {
                try {
                    stripe.v1()
                            .checkout()
                            .sessions()
                            .expire(session.getId(), idempotent(idempotencyKey + ":" + session.getId()));
                    expired++;
                    log.info("Expired the earlier Checkout Session {} of {}", session.getId(), customerId);
                } catch (StripeException e) {
                    Optional<Session> now = retrieve(session.getId());
                    if (now.isPresent() && "open".equals(now.get().getStatus())) {
                        throw e;
                    }
                }
            }
            return expired;
        } catch (StripeException e) {
            throw StripeGatewayException.from("expiring the open Checkout Sessions of " + customerId, e);
        }
    }
}

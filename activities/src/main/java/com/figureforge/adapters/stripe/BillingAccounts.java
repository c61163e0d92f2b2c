package com.figureforge.adapters.stripe;

/**
 * What account deletion needs from the billing provider. Implemented by the Stripe gateway; every
 * call is idempotent (Stripe idempotency keys, and "already gone" counts as done).
 */
public interface BillingAccounts {

    /** Cancels every subscription of the customer that is not canceled yet, effective now. */
    void cancelAllSubscriptions(String customerId, String idempotencyKey);

    /** Deletes the customer (and with it their payment methods); a missing customer is success. */
    void deleteCustomer(String customerId, String idempotencyKey);
}

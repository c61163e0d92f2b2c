package com.figureforge.devstack.stripe;

/** The API call an event came from ({@code event.request}); both null for automatic events. */
record EventOrigin(String requestId, String idempotencyKey) {
    static final EventOrigin AUTOMATIC = new EventOrigin(null, null);
}

package com.figureforge.devstack.stripe;

import com.stripe.StripeClient;

/** The real stripe-java client pointed at an emulator, as the app's local profile builds it. */
final class LocalStripeClients {

    private LocalStripeClients() {}

    static StripeClient withKey(StripeEmulator stripe, String apiKey) {
        return StripeClient.builder()
                .setApiKey(apiKey)
                .setApiBase(stripe.baseUrl().toString())
                .build();
    }
}

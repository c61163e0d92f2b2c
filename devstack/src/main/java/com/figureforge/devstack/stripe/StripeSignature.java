package com.figureforge.devstack.stripe;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Stripe-Signature} header as Stripe builds it: {@code t=<unix seconds>,v1=<hex>} where
 * the hex is HMAC-SHA256 keyed with the endpoint's signing secret (the whole {@code whsec_...}
 * string) over {@code t + "." + payload}.
 */
final class StripeSignature {

    private StripeSignature() {}

    static String header(String signingSecret, long timestamp, String payload) {
        return "t=" + timestamp + ",v1=" + hmacHex(signingSecret, timestamp + "." + payload);
    }

    static String hmacHex(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}

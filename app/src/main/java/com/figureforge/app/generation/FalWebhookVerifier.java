package com.figureforge.app.generation;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a fal webhook delivery the way fal documents it: the {@code X-Fal-Webhook-Timestamp} (unix
 * seconds) within the tolerance of our clock, and the hex Ed25519 {@code X-Fal-Webhook-Signature} over
 * request id, user id, timestamp and the hex SHA-256 of the raw body, joined by newlines, made by one of
 * the keys in fal's JWKS.
 */
class FalWebhookVerifier {

    /** Why a delivery was refused: the {@code reason} tag of the rejection metric. */
    enum Rejection {
        MISSING_SIGNATURE,
        STALE_TIMESTAMP,
        BAD_SIGNATURE
    }

    /** A refused delivery. */
    static final class RejectedException extends RuntimeException {
        final Rejection reason;

        RejectedException(Rejection reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private final FalWebhookKeys keys;
    private final Clock clock;
    private final Duration tolerance;

    FalWebhookVerifier(FalWebhookKeys keys, Clock clock, Duration tolerance) {
        this.keys = keys;
        this.clock = clock;
        this.tolerance = tolerance;
    }

    /**
     * @throws RejectedException when the headers are missing, the timestamp is out of tolerance, or no key
     *     of fal's verifies the signature
     * @throws FalWebhookKeys.KeysUnavailableException when fal's keys cannot be read
     */
    void verify(String requestId, String userId, String timestamp, String signature, byte[] body) {
        if (blank(requestId) || blank(userId) || blank(timestamp) || blank(signature)) {
            throw new RejectedException(Rejection.MISSING_SIGNATURE, "The X-Fal-Webhook-* headers are missing.");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new RejectedException(Rejection.STALE_TIMESTAMP, "X-Fal-Webhook-Timestamp is not a unix time.");
        }
        Instant now = clock.instant();
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            throw new RejectedException(
                    Rejection.STALE_TIMESTAMP, "X-Fal-Webhook-Timestamp is outside the accepted window.");
        }
        byte[] signatureBytes;
        try {
            signatureBytes = HexFormat.of().parseHex(signature.trim());
        } catch (IllegalArgumentException e) {
            throw new RejectedException(Rejection.BAD_SIGNATURE, "X-Fal-Webhook-Signature is not hex.");
        }
        byte[] message = String.join("\n", requestId, userId, timestamp.trim(), sha256Hex(body))
                .getBytes(StandardCharsets.UTF_8);
        if (verifiesWithAny(keys.current(), message, signatureBytes)) {
            return;
        }
        // Perhaps fal rotated its key: look once more (rate-limited) before refusing.
        if (keys.refreshIfAllowed() && verifiesWithAny(keys.current(), message, signatureBytes)) {
            return;
        }
        throw new RejectedException(Rejection.BAD_SIGNATURE, "X-Fal-Webhook-Signature does not match.");
    }

    private static boolean verifiesWithAny(List<PublicKey> candidates, byte[] message, byte[] signature) {
        for (PublicKey key : candidates) {
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(message);
                if (verifier.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException malformed) {
                // a signature of the wrong length or shape verifies with no key
            }
        }
        return false;
    }

    private static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

package com.figureforge.app.generation;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * fal's webhook signing keys, from its JWKS (OKP / Ed25519 keys), cached: fetched on first use, kept for
 * {@link #MAX_AGE}, and fetched again early when no cached key verifies a delivery (a rotated key), but
 * not more than once per {@link #MIN_REFRESH} so forged deliveries cannot make us hammer fal.
 */
class FalWebhookKeys {

    private static final Logger log = LoggerFactory.getLogger(FalWebhookKeys.class);

    static final Duration MAX_AGE = Duration.ofHours(24);
    static final Duration MIN_REFRESH = Duration.ofMinutes(1);

    /** The X.509 prefix of an Ed25519 public key; the JWK's {@code x} is the 32 raw bytes after it. */
    private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private static final int MAX_JWKS_BYTES = 64 * 1024;

    private final URI jwksUrl;
    private final Clock clock;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();

    private List<PublicKey> keys = List.of();
    private Instant fetchedAt = Instant.MIN;

    FalWebhookKeys(URI jwksUrl, Clock clock) {
        this.jwksUrl = jwksUrl;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The cached keys, fetched when none are cached or they are older than {@link #MAX_AGE}. */
    synchronized List<PublicKey> current() {
        if (keys.isEmpty() || fetchedAt.plus(MAX_AGE).isBefore(clock.instant())) {
            refresh();
        }
        return keys;
    }

    /**
     * Fetches the keys again when the last fetch is older than {@link #MIN_REFRESH}.
     *
     * @return true when the keys were fetched now
     */
    synchronized boolean refreshIfAllowed() {
        if (fetchedAt.plus(MIN_REFRESH).isAfter(clock.instant())) {
            return false;
        }
        refresh();
        return true;
    }

    /** @throws KeysUnavailableException when fal's JWKS cannot be read (and nothing is cached) */
    private void refresh() {
        try {
            HttpRequest request = HttpRequest.newBuilder(jwksUrl)
                    .timeout(Duration.ofSeconds(5))
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200 || response.body().length > MAX_JWKS_BYTES) {
                throw new IOException("JWKS answered " + response.statusCode());
            }
            keys = parse(json.readTree(response.body()));
            fetchedAt = clock.instant();
        } catch (IOException | RuntimeException e) {
            log.warn("could not read fal's webhook keys from {}: {}", jwksUrl, e.toString());
            if (keys.isEmpty()) {
                throw new KeysUnavailableException(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeysUnavailableException(e);
        }
    }

    private static List<PublicKey> parse(JsonNode jwks) {
        List<PublicKey> parsed = new ArrayList<>();
        for (JsonNode key : jwks.path("keys")) {
            if (!"OKP".equals(key.path("kty").asString(""))
                    || !"Ed25519".equals(key.path("crv").asString(""))) {
                continue;
            }
            try {
                byte[] raw = Base64.getUrlDecoder().decode(key.path("x").asString(""));
                if (raw.length != 32) {
                    continue;
                }
                byte[] x509 = new byte[ED25519_X509_PREFIX.length + raw.length];
                System.arraycopy(ED25519_X509_PREFIX, 0, x509, 0, ED25519_X509_PREFIX.length);
                System.arraycopy(raw, 0, x509, ED25519_X509_PREFIX.length, raw.length);
                parsed.add(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509)));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                log.warn("skipping a fal webhook key that is not a valid Ed25519 key: {}", e.toString());
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalStateException("fal's JWKS holds no Ed25519 key");
        }
        return List.copyOf(parsed);
    }

    /** fal's keys could not be read: the delivery cannot be checked now (fal retries it later). */
    static final class KeysUnavailableException extends RuntimeException {
        KeysUnavailableException(Throwable cause) {
            super("fal's webhook keys are unavailable", cause);
        }
    }
}

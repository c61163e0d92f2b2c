package com.figureforge.devstack.fal;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * fal's completion webhooks, as fal sends them: a POST of {@code {request_id, gateway_request_id, status,
 * payload, error}} signed with an Ed25519 key whose public half the JWKS endpoint serves. The signature
 * covers request id, user id, timestamp (unix seconds) and the hex SHA-256 of the body, joined by newlines,
 * and goes hex-encoded in {@code X-Fal-Webhook-Signature}. A delivery that does not get a 2xx is retried a
 * few times (fal retries for two hours; the emulator keeps it short).
 */
final class FalWebhooks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FalWebhooks.class);

    /** The fal account the emulated key belongs to, as fal's {@code X-Fal-Webhook-User-Id} names it. */
    static final String USER_ID = "emulator-user";

    private static final int ATTEMPTS = 3;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KeyPair keys;
    private final String keyId = "emulator-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fal-emulator-webhooks");
        thread.setDaemon(true);
        return thread;
    });
    private final List<FalEmulator.WebhookDelivery> deliveries = new CopyOnWriteArrayList<>();

    FalWebhooks() {
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /** The JSON Web Key Set with the public key (OKP, Ed25519), as fal's JWKS endpoint serves it. */
    ObjectNode jwks(JsonMapper json) {
        byte[] encoded = keys.getPublic().getEncoded();
        // X.509 SubjectPublicKeyInfo of an Ed25519 key: a fixed 12-byte prefix, then the raw 32-byte key.
        byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        ObjectNode jwks = json.createObjectNode();
        jwks.putArray("keys")
                .addObject()
                .put("kty", "OKP")
                .put("crv", "Ed25519")
                .put("kid", keyId)
                .put("use", "sig")
                .put("alg", "EdDSA")
                .put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        return jwks;
    }

    /** The four {@code X-Fal-Webhook-*} headers of a delivery of {@code body} at {@code timestamp}. */
    Map<String, String> signedHeaders(String requestId, byte[] body, Instant timestamp) {
        String seconds = Long.toString(timestamp.getEpochSecond());
        try {
            String bodyHash = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(keys.getPrivate());
            signer.update(
                    String.join("\n", requestId, USER_ID, seconds, bodyHash).getBytes(StandardCharsets.UTF_8));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("X-Fal-Webhook-Request-Id", requestId);
            headers.put("X-Fal-Webhook-User-Id", USER_ID);
            headers.put("X-Fal-Webhook-Timestamp", seconds);
            headers.put("X-Fal-Webhook-Signature", HexFormat.of().formatHex(signer.sign()));
            return headers;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign a webhook", e);
        }
    }

    /**
     * Delivers the body {@code body} supplies (null: nothing to deliver) to {@code url} at {@code at}.
     */
    void schedule(URI url, String requestId, Instant at, Supplier<byte[]> body) {
        scheduler.schedule(() -> deliverAt(url, requestId, at, body), millisUntil(at), TimeUnit.MILLISECONDS);
    }

    /**
     * The first attempt, not before {@code at}: the request is only completed from then on, and a body
     * asked for a moment early is null, which would drop the delivery for good (fal always delivers).
     */
    private void deliverAt(URI url, String requestId, Instant at, Supplier<byte[]> body) {
        if (Instant.now().isBefore(at)) {
            schedule(url, requestId, at, body);
            return;
        }
        deliver(url, requestId, body, 1);
    }

    /** Whole milliseconds until {@code at}, rounded up (the scheduler's unit would otherwise fire early). */
    private static long millisUntil(Instant at) {
        long nanos = Duration.between(Instant.now(), at).toNanos();
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }

    private void deliver(URI url, String requestId, Supplier<byte[]> body, int attempt) {
        byte[] bytes = body.get();
        if (bytes == null) {
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        signedHeaders(requestId, bytes, Instant.now()).forEach(request::header);
        int status;
        try {
            status = http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            log.info("fal emulator webhook for {} to {} failed: {}", requestId, url, e.toString());
            status = 0;
        }
        deliveries.add(new FalEmulator.WebhookDelivery(requestId, url, status, attempt));
        if ((status < 200 || status > 299) && attempt < ATTEMPTS) {
            scheduler.schedule(() -> deliver(url, requestId, body, attempt + 1), attempt, TimeUnit.SECONDS);
        }
    }

    List<FalEmulator.WebhookDelivery> deliveries() {
        return List.copyOf(deliveries);
    }

    void reset() {
        deliveries.clear();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        http.close();
    }

    /** The {@code fal_webhook} query parameter, or null. */
    static URI webhookOf(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("fal_webhook=")) {
                URI uri = URI.create(URLDecoder.decode(pair.substring(12), StandardCharsets.UTF_8));
                if (uri.getHost() == null || !List.of("http", "https").contains(String.valueOf(uri.getScheme()))) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                return uri;
            }
        }
        return null;
    }

    /** What fal POSTs to the webhook when the request finished; null while it has not. */
    static byte[] body(String base, QueuedFalRequest request, Instant now) {
        if (request.phase(now) != QueuedFalRequest.Phase.COMPLETED) {
            return null;
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("request_id", request.id);
        body.put("gateway_request_id", request.id);
        if (request.endedInError()) {
            String error = request.wasRemovedFromQueue()
                    ? "Request was cancelled"
                    : "Runner failed while processing the request (injected fault)";
            body.put("status", "ERROR");
            body.put("error", error);
            body.set("payload", FalAnswers.detail(error));
        } else {
            body.put("status", "OK");
            body.set("payload", FalAnswers.result(base, request));
            body.putNull("error");
        }
        return JSON.writeValueAsBytes(body);
    }
}

package com.figureforge.devstack.fal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The emulator's status stream and signed completion webhooks, checked the way a fal client checks them. */
class FalEmulatorEventsTest {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The X.509 prefix of an Ed25519 public key; the raw 32-byte key (the JWK's x) follows it. */
    private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private static FalEmulator fal;
    private static HttpServer receiver;
    private static final LinkedBlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    private static final AtomicInteger failFirstDeliveries = new AtomicInteger();

    record Delivery(com.sun.net.httpserver.Headers headers, byte[] body) {}

    @BeforeAll
    static void start() throws Exception {
        fal = FalEmulator.start(0, Duration.ZERO, Duration.ZERO);
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new Delivery(
                    exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes()));
            int status = failFirstDeliveries.getAndDecrement() > 0 ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
        fal.close();
    }

    @BeforeEach
    void forgetEverything() {
        fal.reset();
        received.clear();
        failFirstDeliveries.set(0);
    }

    @Test
    void statusStreamSendsEachChangeAndClosesAfterCompleted() throws Exception {
        fal.setLatency(Duration.ofMillis(300), Duration.ofMillis(300));
        JsonNode submitted = submit(null);

        HttpResponse<java.util.stream.Stream<String>> stream = HTTP.send(
                HttpRequest.newBuilder(URI.create(submitted.get("status_url").asString() + "/stream"))
                        .header("Authorization", "Key test")
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofLines());

        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        List<String> statuses = new ArrayList<>();
        for (String line : (Iterable<String>) stream.body()::iterator) {
            if (line.startsWith("data: ")) {
                statuses.add(JSON.readTree(line.substring(6)).get("status").asString());
            }
        }
        // The loop ends: fal closes the stream after COMPLETED.
        assertThat(statuses).containsExactly("IN_QUEUE", "IN_PROGRESS", "COMPLETED");
    }

    @Test
    void statusStreamOfAnUnknownRequestIs404() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(fal.baseUrl() + "/fal-ai/flux/requests/nope/status/stream"))
                        .header("Authorization", "Key test")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void completionWebhookIsSignedWithTheKeyTheJwksServes() throws Exception {
        JsonNode submitted = submit(hookUrl());
        Delivery delivery = received.poll(10, TimeUnit.SECONDS);

        assertThat(delivery).isNotNull();
        String requestId = submitted.get("request_id").asString();
        assertThat(delivery.headers().getFirst("X-Fal-Webhook-Request-Id")).isEqualTo(requestId);
        assertThat(verifies(delivery)).isTrue();
        long timestamp = Long.parseLong(delivery.headers().getFirst("X-Fal-Webhook-Timestamp"));
        assertThat(Math.abs(Instant.now().getEpochSecond() - timestamp)).isLessThan(60);
        JsonNode body = JSON.readTree(delivery.body());
        assertThat(body.get("request_id").asString()).isEqualTo(requestId);
        assertThat(body.get("status").asString()).isEqualTo("OK");
        assertThat(body.path("payload").path("images")).hasSize(1);
        assertThat(recordedDeliveries(1))
                .singleElement()
                .satisfies(d -> assertThat(d.httpStatus()).isEqualTo(200));
    }

    @Test
    void everyRequestThatTakesTimeIsDeliveredOnceWhenItCompletes() throws Exception {
        // Run times that end between two milliseconds: the delivery is due at a sub-millisecond instant.
        fal.setLatency(Duration.ZERO, Duration.ofNanos(120_400_000));
        int requests = 12;
        java.util.Set<String> submitted = new java.util.HashSet<>();
        for (int i = 0; i < requests; i++) {
            submitted.add(submit(hookUrl()).get("request_id").asString());
            Thread.sleep(7);
        }

        java.util.Set<String> delivered = new java.util.HashSet<>();
        for (int i = 0; i < requests; i++) {
            Delivery delivery = received.poll(10, TimeUnit.SECONDS);
            assertThat(delivery).as("delivery %d of %d", i + 1, requests).isNotNull();
            assertThat(JSON.readTree(delivery.body()).get("status").asString()).isEqualTo("OK");
            delivered.add(delivery.headers().getFirst("X-Fal-Webhook-Request-Id"));
        }
        assertThat(delivered).isEqualTo(submitted);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS))
                .as("no second delivery")
                .isNull();
    }

    @Test
    void aTamperedBodyNoLongerVerifies() throws Exception {
        submit(hookUrl());
        Delivery delivery = received.poll(10, TimeUnit.SECONDS);
        assertThat(delivery).isNotNull();
        byte[] tampered = new String(delivery.body(), StandardCharsets.UTF_8)
                .replace("\"OK\"", "\"ERROR\"")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(verifies(new Delivery(delivery.headers(), tampered))).isFalse();
    }

    @Test
    void aRunnerFailureIsDeliveredAsErrorAndAFailedDeliveryIsRetried() throws Exception {
        fal.failNextRuns(1);
        failFirstDeliveries.set(1);
        submit(hookUrl());

        Delivery first = received.poll(10, TimeUnit.SECONDS);
        Delivery second = received.poll(10, TimeUnit.SECONDS);

        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(JSON.readTree(second.body()).get("status").asString()).isEqualTo("ERROR");
        assertThat(JSON.readTree(second.body()).get("error").asString()).contains("Runner failed");
        assertThat(verifies(second)).isTrue();
        assertThat(recordedDeliveries(2))
                .extracting(FalEmulator.WebhookDelivery::httpStatus)
                .containsExactly(500, 200);
    }

    @Test
    void anInvalidWebhookUrlIsRefusedLikeFalRefusesInput() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(fal.baseUrl() + "/fal-ai/flux/dev?fal_webhook=ftp%3A%2F%2Fx"))
                        .header("Authorization", "Key test")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a figure\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(fal.submissionCount()).isZero();
    }

    // The emulator records a delivery once our receiver has answered it, a moment after the receiver has
    // handed the body to the test: wait for the record instead of racing it.
    private static List<FalEmulator.WebhookDelivery> recordedDeliveries(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fal.webhookDeliveries().size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return fal.webhookDeliveries();
    }

    private static boolean verifies(Delivery delivery) throws Exception {
        JsonNode jwks = JSON.readTree(
                HTTP.send(HttpRequest.newBuilder(fal.jwksUrl()).build(), HttpResponse.BodyHandlers.ofString())
                        .body());
        JsonNode key = jwks.get("keys").get(0);
        assertThat(key.get("kty").asString()).isEqualTo("OKP");
        assertThat(key.get("crv").asString()).isEqualTo("Ed25519");
        byte[] raw = Base64.getUrlDecoder().decode(key.get("x").asString());
        byte[] x509 = new byte[ED25519_X509_PREFIX.length + raw.length];
        System.arraycopy(ED25519_X509_PREFIX, 0, x509, 0, ED25519_X509_PREFIX.length);
        System.arraycopy(raw, 0, x509, ED25519_X509_PREFIX.length, raw.length);
        PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        String message = String.join(
                "\n",
                delivery.headers().getFirst("X-Fal-Webhook-Request-Id"),
                delivery.headers().getFirst("X-Fal-Webhook-User-Id"),
                delivery.headers().getFirst("X-Fal-Webhook-Timestamp"),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(delivery.body())));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey);
        verifier.update(message.getBytes(StandardCharsets.UTF_8));
        return verifier.verify(HexFormat.of().parseHex(delivery.headers().getFirst("X-Fal-Webhook-Signature")));
    }

    private static String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private static JsonNode submit(String webhook) throws Exception {
        String query = webhook == null ? "" : "?fal_webhook=" + URLEncoder.encode(webhook, StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(fal.baseUrl() + "/fal-ai/flux/dev" + query))
                        .header("Authorization", "Key test")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a standing figure\", \"seed\": 5}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}

package com.figureforge.adapters.fal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.generation.FalImage;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.FalSubmission;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FalQueueClientTest {

    private static final String MODEL = "fal-ai/flux/dev";
    private static final String SUBMIT_PATH = "/queue/" + MODEL;
    // fal's follow-up URLs drop the model's sub-path; these also live under another prefix to prove the
    // client uses them as given instead of rebuilding them from the base URL.
    private static final String REQUESTS = "/elsewhere/fal-ai/flux/requests/req-123";
    private static final FalImageRequest REQUEST =
            new FalImageRequest(MODEL, "a dancer, dynamic pose", "portrait_4_3", 42L, 2, true, "png");

    private static WireMockServer wireMock;
    private FalQueueClient client;

    @BeforeAll
    static void startWireMock() {
        wireMock = new WireMockServer(options().dynamicPort());
        wireMock.start();
    }

    @AfterAll
    static void stopWireMock() {
        wireMock.stop();
    }

    @BeforeEach
    void setUp() {
        wireMock.resetAll();
        client = client("test-key", Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    private static FalQueueClient client(String key, Duration readTimeout) {
        Duration connectTimeout =
                readTimeout.compareTo(Duration.ofSeconds(1)) < 0 ? readTimeout : Duration.ofSeconds(2);
        return new FalQueueClient(
                new FalClientSettings(URI.create(wireMock.baseUrl() + "/queue/"), key, connectTimeout, readTimeout));
    }

    private static FalSubmission submission() {
        String base = wireMock.baseUrl() + REQUESTS;
        return new FalSubmission("req-123", base + "/status", base, base + "/cancel");
    }

    private static void stubSubmit() {
        String base = wireMock.baseUrl() + REQUESTS;
        wireMock.stubFor(post(urlEqualTo(SUBMIT_PATH))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("""
                                {"status":"IN_QUEUE","request_id":"req-123","queue_position":0,
                                 "response_url":"%1$s","status_url":"%1$s/status","cancel_url":"%1$s/cancel"}
                                """.formatted(base))));
    }

    private static void stub(String method, String path, int status, String body) {
        var mapping = switch (method) {
            case "GET" -> get(urlEqualTo(path));
            case "PUT" -> put(urlEqualTo(path));
            default -> post(urlEqualTo(path));
        };
        wireMock.stubFor(mapping.willReturn(aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(body)));
    }

    @Test
    void submitPostsTheModelInputWithTheKeyAndReturnsFalsUrls() {
        stubSubmit();

        FalSubmission submission = client.submit(REQUEST);

        assertThat(submission).isEqualTo(submission());
        wireMock.verify(1, anyRequestedFor(anyUrl()));
        wireMock.verify(postRequestedFor(urlEqualTo(SUBMIT_PATH))
                .withHeader("Authorization", equalTo("Key test-key"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Accept", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"prompt":"a dancer, dynamic pose","image_size":"portrait_4_3","seed":42,
                         "num_images":2,"enable_safety_checker":true,"output_format":"png"}
                        """)));
    }

    @Test
    void followUpCallsUseTheUrlsFalReturned() {
        stubSubmit();
        stub("GET", REQUESTS + "/status", 202, """
                {"status":"IN_QUEUE","queue_position":3,"response_url":"x"}""");
        stub("GET", REQUESTS, 200, """
                {"images":[{"url":"https://cdn.example/a.png","width":768,"height":1024,"content_type":"image/png"},
                           {"url":"https://cdn.example/b.png","width":768,"height":1024,"content_type":"image/png"}],
                 "seed":42,"has_nsfw_concepts":[false,true],"timings":{"inference":1.2},"prompt":"a dancer"}""");
        stub("PUT", REQUESTS + "/cancel", 202, """
                {"status":"CANCELLATION_REQUESTED"}""");

        FalSubmission submission = client.submit(REQUEST);
        FalStatus status = client.status(submission);
        FalResult result = client.result(submission);
        FalCancelOutcome cancel = client.cancel(submission);

        assertThat(status).isEqualTo(new FalStatus("IN_QUEUE", 3));
        assertThat(result.images())
                .containsExactly(
                        new FalImage("https://cdn.example/a.png", 768, 1024, "image/png"),
                        new FalImage("https://cdn.example/b.png", 768, 1024, "image/png"));
        assertThat(result.seed()).isEqualTo(42L);
        assertThat(result.nsfw()).containsExactly(false, true);
        assertThat(cancel).isEqualTo(FalCancelOutcome.CANCELLATION_REQUESTED);
        assertThat(cancel.canceled()).isTrue();

        wireMock.verify(
                getRequestedFor(urlEqualTo(REQUESTS + "/status")).withHeader("Authorization", equalTo("Key test-key")));
        wireMock.verify(getRequestedFor(urlEqualTo(REQUESTS)).withHeader("Authorization", equalTo("Key test-key")));
        wireMock.verify(
                putRequestedFor(urlEqualTo(REQUESTS + "/cancel")).withHeader("Authorization", equalTo("Key test-key")));
        wireMock.verify(0, anyRequestedFor(urlPathMatching("/queue/.*/requests/.*")));
        wireMock.verify(4, anyRequestedFor(anyUrl()));
    }

    @Test
    void statusWhileInProgressAndCompleted() {
        stub("GET", REQUESTS + "/status", 202, """
                {"status":"IN_PROGRESS","logs":[]}""");
        assertThat(client.status(submission())).isEqualTo(new FalStatus("IN_PROGRESS", null));

        stub("GET", REQUESTS + "/status", 200, """
                {"status":"COMPLETED","metrics":{"inference_time":1.5}}""");
        FalStatus completed = client.status(submission());
        assertThat(completed.completed()).isTrue();
        assertThat(completed.queuePosition()).isNull();
    }

    @Test
    void resultWithoutNsfwFlagsHasAnEmptyList() {
        stub("GET", REQUESTS, 200, """
                {"images":[{"url":"https://cdn.example/a.jpeg","width":512,"height":512,"content_type":"image/jpeg"}],"seed":7}""");

        FalResult result = client.result(submission());

        assertThat(result.images()).hasSize(1);
        assertThat(result.nsfw()).isEmpty();
        assertThat(result.seed()).isEqualTo(7L);
    }

    @Test
    void noKeyConfiguredSendsNoAuthorizationHeader() {
        stubSubmit();
        try (FalQueueClient anonymous = client(" ", Duration.ofSeconds(5))) {
            anonymous.submit(REQUEST);
        }
        wireMock.verify(postRequestedFor(urlEqualTo(SUBMIT_PATH)).withHeader("Authorization", absent()));
    }

    // --- errors (how answers map to failures: FalAnswersTest; here, that the client hands them over) ---------

    @Test
    void failedAnswersReachTheMappingWithStatusHeadersBodyAndOperation() {
        wireMock.stubFor(post(urlEqualTo(SUBMIT_PATH))
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "7")
                        .withBody("""
                                {"detail":"Too many requests"}""")));
        // the error type only in the header, on a result: the stored outcome of a request fal gave up on
        wireMock.stubFor(get(urlEqualTo(REQUESTS))
                .willReturn(aResponse()
                        .withStatus(504)
                        .withHeader("X-Fal-Error-Type", "request_timeout")
                        .withBody("Request timed out")));

        FalException throttled = catchThrowableOfType(FalException.class, () -> client.submit(REQUEST));
        FalException gaveUp = catchThrowableOfType(FalException.class, () -> client.result(submission()));

        assertThat(throttled.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
        assertThat(throttled.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(throttled.getMessage()).isEqualTo("fal.ai submit answered HTTP 429: Too many requests");
        assertThat(gaveUp.type()).isEqualTo(FailureType.FAL_REQUEST_FAILED);
        assertThat(gaveUp.falErrorType()).isEqualTo("request_timeout");
        assertThat(gaveUp.getMessage()).isEqualTo("fal.ai result answered HTTP 504: Request timed out");
    }

    @Test
    void resultErrorInABodyWithoutImagesIsRequestFailed() {
        stub("GET", REQUESTS, 200, """
                {"detail":"Internal error in the model","error_type":"runner_disconnected"}""");

        FalException error = catchThrowableOfType(FalException.class, () -> client.result(submission()));

        assertThat(error.type()).isEqualTo(FailureType.FAL_REQUEST_FAILED);
        assertThat(error.getMessage()).contains("Internal error in the model");
    }

    @Test
    void cancelOutcomes() {
        stub("PUT", REQUESTS + "/cancel", 400, """
                {"status":"ALREADY_COMPLETED"}""");
        assertThat(client.cancel(submission())).isEqualTo(FalCancelOutcome.ALREADY_COMPLETED);

        stub("PUT", REQUESTS + "/cancel", 404, """
                {"detail":"Request not found"}""");
        assertThat(client.cancel(submission())).isEqualTo(FalCancelOutcome.NOT_FOUND);

        stub("PUT", REQUESTS + "/cancel", 503, "");
        assertThat(catchThrowableOfType(FalException.class, () -> client.cancel(submission()))
                        .type())
                .isEqualTo(FailureType.FAL_UNAVAILABLE);
    }

    @Test
    void slowAnswerTimesOutAsUnavailable() {
        wireMock.stubFor(post(urlEqualTo(SUBMIT_PATH))
                .willReturn(aResponse().withStatus(200).withBody("{}").withFixedDelay(3_000)));
        try (FalQueueClient impatient = client("test-key", Duration.ofMillis(300))) {
            long start = System.nanoTime();

            FalException error = catchThrowableOfType(FalException.class, () -> impatient.submit(REQUEST));

            assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
            assertThat(error.getMessage()).contains("timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void bodyThatTricklesInPastTheDeadlineTimesOut() {
        wireMock.stubFor(get(urlEqualTo(REQUESTS + "/status"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withBody("{\"status\":\"IN_PROGRESS\"}" + " ".repeat(64))
                        .withChunkedDribbleDelay(8, 4_000)));
        try (FalQueueClient impatient = client("test-key", Duration.ofMillis(300))) {
            long start = System.nanoTime();

            FalException error = catchThrowableOfType(FalException.class, () -> impatient.status(submission()));

            assertThat(error.type()).isEqualTo(FailureType.FAL_UNAVAILABLE);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void connectionFailuresAreUnavailable() throws IOException {
        wireMock.stubFor(
                post(urlEqualTo(SUBMIT_PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThat(catchThrowableOfType(FalException.class, () -> client.submit(REQUEST))
                        .type())
                .isEqualTo(FailureType.FAL_UNAVAILABLE);

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (FalQueueClient nowhere = new FalQueueClient(new FalClientSettings(
                URI.create("http://127.0.0.1:" + closedPort), "k", Duration.ofSeconds(1), Duration.ofSeconds(1)))) {
            assertThat(catchThrowableOfType(FalException.class, () -> nowhere.submit(REQUEST))
                            .type())
                    .isEqualTo(FailureType.FAL_UNAVAILABLE);
        }
    }

    @Test
    void neverSendsTheKeyToAnUnexpectedHost() {
        FalSubmission foreign = new FalSubmission(
                "req-123",
                "http://attacker.invalid/requests/req-123/status",
                "http://attacker.invalid/requests/req-123",
                "http://attacker.invalid/requests/req-123/cancel");

        assertThatThrownBy(() -> client.status(foreign))
                .isInstanceOfSatisfying(
                        FalException.class, e -> assertThat(e.type()).isEqualTo(FailureType.FAL_REQUEST_FAILED));
        assertThatThrownBy(() -> client.cancel(foreign)).isInstanceOf(FalException.class);
    }

    @Test
    void rejectsAModelIdThatIsNotAPath() {
        FalImageRequest bad = new FalImageRequest("../admin", "p", null, 1, 1, true, null);

        assertThatThrownBy(() -> client.submit(bad))
                .isInstanceOfSatisfying(
                        FalException.class, e -> assertThat(e.type()).isEqualTo(FailureType.FAL_REQUEST_FAILED));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void settingsNeverPrintTheKey() {
        assertThat(FalClientSettings.of("secret-key").toString()).doesNotContain("secret-key");
        assertThat(FalClientSettings.of("k").baseUrl()).isEqualTo(URI.create("https://queue.fal.run"));
    }
}

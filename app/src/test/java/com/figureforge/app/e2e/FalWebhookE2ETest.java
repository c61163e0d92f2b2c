package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * fal's completion webhook over HTTP, signed with the fal emulator's key (the app reads it from the
 * emulator's JWKS, as it reads fal's in production): genuine deliveries, repeats of them, and forged,
 * stale and misdirected ones, which are refused, counted, and leave the job alone.
 */
@FigureForgeE2E
class FalWebhookE2ETest {

    private static final String PATH = "/api/webhooks/fal/?job=";

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    @Autowired
    UserRepository users;

    @Autowired
    JobRepository jobs;

    @Autowired
    MeterRegistry meters;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
        fal.resetFaults();
    }

    @AfterEach
    void resetFal() {
        fal.resetFaults();
    }

    @Test
    void aGenuineDeliveryIsAcceptedAndARepeatIsHarmless() {
        var user = e2e.newUser("free");
        String jobId = e2e.startJob(user, "{\"pose\":\"standing\"}");
        JsonNode finished = e2e.awaitFinished(user, jobId);
        assertThat(finished.get("status").asString()).isEqualTo("succeeded");
        String requestId = falRequestOf(jobId);

        String body = delivery(requestId, "OK");
        Map<String, String> headers = signed(requestId, body, Instant.now());
        var first = api.post(PATH + jobId, null, body, headers);
        var repeat = api.post(PATH + jobId, null, body, headers);

        // The run has finished: nothing left to tell it, and saying so twice changes nothing.
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("received").asBoolean()).isTrue();
        assertThat(repeat.status()).isEqualTo(200);
        assertThat(e2e.job(user, jobId).get("status").asString()).isEqualTo("succeeded");
        assertThat(e2e.job(user, jobId).get("images")).hasSize(1);
    }

    @Test
    void forgedStaleAndMisdirectedDeliveriesAreRefusedCountedAndLeaveTheJobAlone() {
        fal.setLatency(Duration.ofMillis(200), Duration.ofSeconds(3));
        var user = e2e.newUser("free");
        String jobId = e2e.startJob(user, "{\"pose\":\"sitting\"}");
        String requestId = awaitFalRequestOf(jobId);
        String body = delivery(requestId, "OK");
        double forgedBefore = rejected("bad_signature");
        double staleBefore = rejected("stale_timestamp");
        double missingBefore = rejected("missing_signature");
        double unknownBefore = rejected("unknown_job");

        // Signed for another body: the signature no longer matches.
        var tampered =
                api.post(PATH + jobId, null, delivery(requestId, "ERROR"), signed(requestId, body, Instant.now()));
        // A real signature, but ten minutes old: a replay.
        var stale = api.post(
                PATH + jobId, null, body, signed(requestId, body, Instant.now().minusSeconds(600)));
        var unsigned = api.post(PATH + jobId, null, body, Map.of("Content-Type", "application/json"));
        // A genuine delivery pointed at another job: the signed request is not that job's.
        var otherUser = e2e.newUser("free");
        String otherJob = e2e.startJob(otherUser, "{\"pose\":\"walking\"}");
        var misdirected = api.post(PATH + otherJob, null, body, signed(requestId, body, Instant.now()));

        assertProblem(tampered, 401, "webhook_signature_invalid");
        assertProblem(stale, 400, "webhook_stale");
        assertProblem(unsigned, 401, "webhook_signature_invalid");
        assertProblem(misdirected, 404, "job_not_found");
        assertThat(rejected("bad_signature")).isEqualTo(forgedBefore + 1);
        assertThat(rejected("stale_timestamp")).isEqualTo(staleBefore + 1);
        assertThat(rejected("missing_signature")).isEqualTo(missingBefore + 1);
        assertThat(rejected("unknown_job")).isEqualTo(unknownBefore + 1);

        JsonNode finished = e2e.awaitFinished(user, jobId);
        assertThat(finished.get("status").asString()).isEqualTo("succeeded");
        assertThat(finished.get("images")).hasSize(1);
        assertThat(e2e.awaitFinished(otherUser, otherJob).get("status").asString())
                .isEqualTo("succeeded");
    }

    @Test
    void garbageWithoutASignatureIsAProblemNotAnError() {
        var response =
                api.send("POST", "/api/webhooks/fal", Map.of("Content-Type", "application/json"), "{\"request_id\": 5");
        assertProblem(response, 401, "webhook_signature_invalid");
    }

    private double rejected(String reason) {
        var counter = meters.find("figureforge.fal.webhooks.rejected")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private Map<String, String> signed(String requestId, String body, Instant at) {
        Map<String, String> headers =
                new HashMap<>(fal.signWebhook(requestId, body.getBytes(StandardCharsets.UTF_8), at));
        headers.put("Content-Type", "application/json");
        return headers;
    }

    private static String delivery(String requestId, String status) {
        return "{\"request_id\":\"" + requestId + "\",\"gateway_request_id\":\"" + requestId + "\",\"status\":\""
                + status + "\",\"payload\":{\"images\":[]},\"error\":null}";
    }

    private String falRequestOf(String jobId) {
        return jobs.findFalSubmission(jobId).orElseThrow().requestId();
    }

    private String awaitFalRequestOf(String jobId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            var submission = jobs.findFalSubmission(jobId);
            if (submission.isPresent()) {
                return submission.get().requestId();
            }
            E2ESupport.sleep(50);
        }
        throw new AssertionError("job " + jobId + " was not submitted to fal");
    }
}

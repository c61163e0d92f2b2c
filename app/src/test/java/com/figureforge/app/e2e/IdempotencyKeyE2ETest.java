package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.QuotaPeriod;
import com.figureforge.adapters.data.Reservation;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.generation.JobIds;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** {@code Idempotency-Key} on {@code POST /api/images/generate/} over HTTP, as the IETF draft describes it. */
@FigureForgeE2E
class IdempotencyKeyE2ETest {

    @LocalServerPort
    int port;

    @Autowired
    OidcIssuer issuer;

    @Autowired
    FalEmulator fal;

    @Autowired
    UserRepository users;

    @Autowired
    QuotaLedger ledger;

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
    void concurrentRetriesOfOneRequestGetItsJobAndNeverARefusalCausedByThemselves() throws Exception {
        var user = e2e.newUser("free"); // 1 job in flight: a retry that reserved for itself would get 429
        int submittedBefore = fal.submissionCount();

        List<ApiClient.Response> responses =
                GenerationE2ETest.burst(4, () -> generate(user, "same-request", "{\"pose\":\"walking\"}"));

        assertThat(responses)
                .allSatisfy(r -> assertThat(r.status()).as(r.body()).isIn(202, 409));
        List<ApiClient.Response> accepted =
                responses.stream().filter(r -> r.status() == 202).toList();
        assertThat(accepted).isNotEmpty();
        String jobId = accepted.getFirst().json().get("job_id").asString();
        assertThat(accepted).allSatisfy(r -> {
            assertThat(r.json().get("job_id").asString()).isEqualTo(jobId);
            assertThat(r.header("Location")).isEqualTo("/api/images/job/" + jobId + "/");
        });
        assertThat(accepted)
                .as("exactly one request did the work")
                .filteredOn(r -> "false".equals(r.header("Idempotent-Replayed")))
                .hasSize(1);
        assertThat(responses)
                .filteredOn(r -> r.status() == 409)
                .allSatisfy(r -> assertProblem(r, 409, "idempotency_key_in_progress"));
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);

        e2e.awaitFinished(user, jobId);
        var later = generate(user, "same-request", "{\"pose\":\"walking\"}");
        assertThat(later.status()).isEqualTo(202);
        assertThat(later.json().get("job_id").asString()).isEqualTo(jobId);
        assertThat(later.json().get("status").asString())
                .as("a replay answers the job as it is now")
                .isEqualTo("succeeded");
        assertThat(later.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(fal.submissionCount() - submittedBefore).isEqualTo(1);
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);
    }

    @Test
    void theSameKeyWithAnotherBodyIs422WhileTheSameRequestWrittenDifferentlyIsAReplay() {
        var user = e2e.newUser("hobby");
        var first = generate(user, "k", "{\"pose\":\"walking\",\"num_images\":1}");
        assertThat(first.status()).isEqualTo(202);
        String jobId = first.json().get("job_id").asString();

        var rewritten = generate(user, "k", "{ \"num_images\" : 1,\n \"seed\" : null, \"pose\" : \"walking\" }");
        assertThat(rewritten.status()).as(rewritten.body()).isEqualTo(202);
        assertThat(rewritten.json().get("job_id").asString()).isEqualTo(jobId);
        assertThat(rewritten.header("Idempotent-Replayed")).isEqualTo("true");

        assertProblem(generate(user, "k", "{\"pose\":\"running\",\"num_images\":1}"), 422, "idempotency_key_reused");
        assertProblem(generate(user, "k", "{\"pose\":\"walking\",\"num_images\":2}"), 422, "idempotency_key_reused");
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);

        e2e.awaitFinished(user, jobId);
        assertProblem(generate(user, "k", "{}"), 422, "idempotency_key_reused");
        var otherUser = e2e.newUser("free");
        var sameKeyOtherUser = generate(otherUser, "k", "{}");
        assertThat(sameKeyOtherUser.status()).as("keys belong to their user").isEqualTo(202);
        e2e.awaitFinished(otherUser, sameKeyOtherUser.json().get("job_id").asString());
    }

    @Test
    void aKeyWhoseRequestWasRefusedIsReleasedSoARetryWorks() {
        var user = e2e.newUser("free"); // 10 images a month, 1 job in flight
        String period = QuotaPeriod.calendarMonth(Instant.now()).key();

        assertProblem(generate(user, "k-invalid", "{\"num_images\":99}"), 400, "validation_failed");

        String live = JobIds.issue(Instant.now()); // another request holds the one slot
        assertThat(ledger.reserve(user.id(), live, 1, period, 10, 1)).isEqualTo(Reservation.RESERVED);
        assertProblem(generate(user, "k-busy", "{}"), 429, "too_many_jobs");
        ledger.settle(user.id(), live, period, 1);
        ledger.releaseInFlight(user.id(), live);

        String spent = JobIds.issue(Instant.now()); // a finished job used up the month
        assertThat(ledger.reserve(user.id(), spent, 10, period, 10, 1)).isEqualTo(Reservation.RESERVED);
        ledger.releaseInFlight(user.id(), spent);
        assertProblem(generate(user, "k-poor", "{}"), 402, "quota_exceeded");
        ledger.settle(user.id(), spent, period, 10);

        for (String key : List.of("k-invalid", "k-busy", "k-poor")) {
            var retry = generate(user, key, "{\"pose\":\"sitting\"}");
            assertThat(retry.status()).as(key + ": " + retry.body()).isEqualTo(202);
            assertThat(retry.header("Idempotent-Replayed")).isEqualTo("false");
            e2e.awaitFinished(user, retry.json().get("job_id").asString());
        }
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(3);
    }

    /** Users are fresh in every test, and keys belong to their user, so plain keys do not collide. */
    private ApiClient.Response generate(E2ESupport.User user, String key, String body) {
        return api.post(
                "/api/images/generate/",
                user.token(),
                body,
                Map.of("Content-Type", "application/json", "Idempotency-Key", key));
    }
}

package com.figureforge.app.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.adapters.data.IdempotencyKeys;
import com.figureforge.adapters.data.IdempotencyKeys.IdempotencyKey;
import com.figureforge.adapters.data.IdempotencyKeys.State;
import com.figureforge.adapters.data.JobOutcome;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.e2e.FigureForgeE2E;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The decisions of {@link IdempotencyKeyClaims} that HTTP cannot reach on demand (a workflow that
 * would not start, a request that died mid-way, a first request finishing while a retry waits), on the
 * real table of the shared local stack.
 */
@FigureForgeE2E
class IdempotencyKeyClaimsTest {

    private static final GenerationRequest WALKING = request("walking");

    @Autowired
    IdempotencyKeyClaims claims;

    @Autowired
    IdempotencyKeys keys;

    @Autowired
    JobRepository jobs;

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    FigureForgeProperties properties;

    private String user;

    @BeforeEach
    void newUser() {
        user = "u-" + UUID.randomUUID();
    }

    @Test
    void theFingerprintIgnoresAbsentMembersAndTellsBodiesApart() {
        assertThat(claims.fingerprint(null)).isEqualTo(claims.fingerprint(request(null)));
        assertThat(claims.fingerprint(WALKING)).isEqualTo(claims.fingerprint(request("walking")));
        assertThat(claims.fingerprint(WALKING)).isNotEqualTo(claims.fingerprint(request("running")));
        assertThat(claims.fingerprint(WALKING)).hasSize(64);
    }

    @Test
    void aWorkflowThatCouldNotStartReleasesTheKey() {
        String jobId = JobIds.issue(Instant.now());
        var claim = claims.claim(user, "k", WALKING, jobId);
        recordJob(jobId, Instant.now());
        jobs.finish(jobId, JobOutcome.ended(JobStatus.FAILED, JobErrorCode.GENERATION_FAILED, "could not start", 1));

        claims.release(claim, new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Generation is unavailable"));

        String retry = JobIds.issue(Instant.now());
        var again = claims.claim(user, "k", request("running"), retry);
        assertThat(again.replayed()).isFalse();
        assertThat(again.jobId()).isEqualTo(retry);
    }

    @Test
    void anUnexpectedFailureReleasesTheKeyOnlyIfTheJobWasNeverRecorded() {
        String unrecorded = JobIds.issue(Instant.now());
        var early = claims.claim(user, "early", WALKING, unrecorded);
        claims.release(early, new IllegalStateException("DynamoDB went away before the job was stored"));
        assertThat(keys.find(user, "early")).isEmpty();

        String recorded = JobIds.issue(Instant.now());
        var late = claims.claim(user, "late", WALKING, recorded);
        recordJob(recorded, Instant.now());
        claims.release(late, new IllegalStateException("lost the answer of the workflow start"));
        assertThat(keys.find(user, "late"))
                .as("its workflow may run: the key stays with the job")
                .map(IdempotencyKey::jobId)
                .contains(recorded);
    }

    @Test
    void aRetryWaitsForTheFirstRequestAndAnswersItsJobOnceBound() {
        String first = JobIds.issue(Instant.now());
        claims.claim(user, "k", WALKING, first);
        CompletableFuture<Void> firstFinishes = CompletableFuture.runAsync(() -> {
            sleep(300);
            recordJob(first, Instant.now());
            keys.bind(user, "k", first);
        });

        var retry = claims.claim(user, "k", WALKING, JobIds.issue(Instant.now()));

        firstFinishes.join();
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.replay().jobId()).isEqualTo(first);
    }

    @Test
    void aRetryWaitingForAFirstRequestThatFailsGoesAheadItself() {
        String first = JobIds.issue(Instant.now());
        claims.claim(user, "k", WALKING, first);
        CompletableFuture<Void> firstFails = CompletableFuture.runAsync(() -> {
            sleep(300);
            keys.release(user, "k", first);
        });

        String second = JobIds.issue(Instant.now());
        var retry = claims.claim(user, "k", WALKING, second);

        firstFails.join();
        assertThat(retry.replayed()).isFalse();
        assertThat(retry.jobId()).isEqualTo(second);
    }

    @Test
    void aFirstRequestStillInProgressAfterTheWaitIs409() {
        claims.claim(user, "k", WALKING, JobIds.issue(Instant.now()));

        assertThatThrownBy(() -> claims.claim(user, "k", WALKING, JobIds.issue(Instant.now())))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS));
        assertThatThrownBy(() -> claims.claim(user, "k", request("running"), JobIds.issue(Instant.now())))
                .as("another body is refused at once, in progress or not")
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED));
    }

    @Test
    void aClaimWhoseRequestDiedBeforeRecordingItsJobIsTakenOver() {
        Instant died = Instant.now().minus(Duration.ofMinutes(10));
        String stale = JobIds.issue(died);
        keysAt(died).claim(user, "k", claims.fingerprint(WALKING), stale);

        String fresh = JobIds.issue(Instant.now());
        var claim = claims.claim(user, "k", WALKING, fresh);

        assertThat(claim.replayed()).isFalse();
        assertThat(claim.jobId()).isEqualTo(fresh);
        assertThat(keys.find(user, "k")).map(IdempotencyKey::jobId).contains(fresh);
    }

    @Test
    void aClaimWhoseRequestDiedAfterRecordingItsJobIsBoundToThatJob() {
        Instant died = Instant.now().minus(Duration.ofMinutes(10));
        String stale = JobIds.issue(died);
        keysAt(died).claim(user, "k", claims.fingerprint(WALKING), stale);
        recordJob(stale, died);

        var claim = claims.claim(user, "k", WALKING, JobIds.issue(Instant.now()));

        assertThat(claim.replayed()).isTrue();
        assertThat(claim.replay().jobId()).isEqualTo(stale);
        assertThat(keys.find(user, "k")).map(IdempotencyKey::state).contains(State.BOUND);
    }

    private IdempotencyKeys keysAt(Instant at) {
        return new IdempotencyKeys(dynamo, properties.aws().dynamodb().table(), Clock.fixed(at, ZoneOffset.UTC));
    }

    private void recordJob(String jobId, Instant at) {
        jobs.create(JobRecord.queued(jobId, user, "{}", "a figure", 1, "private", "2026-11", at));
    }

    private static GenerationRequest request(String pose) {
        return new GenerationRequest(
                pose, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

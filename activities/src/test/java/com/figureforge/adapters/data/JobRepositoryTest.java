package com.figureforge.adapters.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.workflows.generation.FalSubmission;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.StoredImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class JobRepositoryTest {

    private static final DynamoDbClient dynamo = TestDynamo.client();
    private static String table;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-14T10:00:00Z"));
    private JobRepository jobs;

    @BeforeAll
    static void createTable() {
        table = TestDynamo.freshTable("jobs");
    }

    @BeforeEach
    void setUp() {
        jobs = new JobRepository(dynamo, table, clock);
    }

    @Test
    void createStoresTheJobAndFindReadsItBackByIdAlone() {
        JobRecord job = newJob(id(), "user-1");

        assertThat(jobs.create(job)).isTrue();

        JobRecord stored = jobs.find(job.jobId()).orElseThrow();
        assertThat(stored).isEqualTo(job);
        assertThat(stored.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(stored.falSubmission()).isNull();
        assertThat(stored.imageIds()).isEmpty();
    }

    @Test
    void createDoesNotOverwriteAnExistingJob() {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);

        JobRecord other =
                JobRecord.queued(job.jobId(), "user-2", "{}", "other", 4, "public", "2026-11", clock.instant());

        assertThat(jobs.create(other)).isFalse();
        assertThat(jobs.find(job.jobId())).contains(job);
    }

    @Test
    void everyJobIdOfTheUserIsListedAndNoOneElses() {
        String user = "user-" + id();
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobRecord job = newJob(id(), user);
            jobs.create(job);
            own.add(job.jobId());
            clock.advance(Duration.ofSeconds(1));
        }
        jobs.create(newJob(id(), "someone-else-" + id()));
        new ImageRepository(dynamo, table, clock, ImageRepository.DEFAULT_GALLERY_SHARDS)
                .putAll(List.of(new ImageRecord(
                        own.get(0) + "-0",
                        own.get(0),
                        user,
                        "k",
                        "t",
                        1,
                        1,
                        "image/png",
                        1L,
                        "p",
                        "private",
                        clock.instant())));

        List<String> listed = new ArrayList<>();
        jobs.forEachJobIdOfUser(user, listed::add);

        assertThat(listed).as("jobs only, oldest first").containsExactlyElementsOf(own);
    }

    @Test
    void findOfAnUnknownJobIsEmpty() {
        assertThat(jobs.find(id())).isEmpty();
    }

    @Test
    void falSubmissionIsRecordedOnceAndASecondCallGetsTheFirst() {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);
        FalSubmission first = submission("req-1");
        FalSubmission second = submission("req-2");

        assertThat(jobs.recordFalSubmission(job.jobId(), first)).isEqualTo(first);
        assertThat(jobs.recordFalSubmission(job.jobId(), second)).isEqualTo(first);
        assertThat(jobs.findFalSubmission(job.jobId())).contains(first);
        assertThat(jobs.find(job.jobId()).orElseThrow().falSubmission()).isEqualTo(first);
    }

    @Test
    void racingFalSubmissionsAllGetTheOneThatWasStored() throws Exception {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);

        List<FalSubmission> stored = Race.run(6, i -> jobs.recordFalSubmission(job.jobId(), submission("req-" + i)));

        assertThat(new HashSet<>(stored)).hasSize(1);
        assertThat(jobs.findFalSubmission(job.jobId())).contains(stored.getFirst());
    }

    @Test
    void falSubmissionOfAnUnknownJobFails() {
        String jobId = id();

        assertThatThrownBy(() -> jobs.recordFalSubmission(jobId, submission("req")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(jobs.find(jobId)).isEmpty();
        assertThat(jobs.findFalSubmission(jobId)).isEmpty();
    }

    @Test
    void markRunningOnlyFromQueued() {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);
        clock.advance(Duration.ofSeconds(3));

        assertThat(jobs.markRunning(job.jobId())).isTrue();
        assertThat(jobs.markRunning(job.jobId())).isFalse();

        JobRecord running = jobs.find(job.jobId()).orElseThrow();
        assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(running.startedAt()).isEqualTo(clock.instant());
        assertThat(jobs.markRunning(id())).isFalse();
    }

    @Test
    void finishSucceedsOnceAndRecordsImages() {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);
        jobs.markRunning(job.jobId());
        clock.advance(Duration.ofSeconds(20));

        assertThat(jobs.finish(job.jobId(), JobOutcome.succeeded(List.of(stored("img-0", 0), stored("img-1", 1)), 1)))
                .isTrue();
        assertThat(jobs.finish(job.jobId(), JobOutcome.ended(JobStatus.FAILED, JobErrorCode.TIMEOUT, "late", 2)))
                .isFalse();

        JobRecord done = jobs.find(job.jobId()).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.imageIds()).containsExactly("img-0", "img-1");
        assertThat(done.errorCode()).isNull();
        assertThat(done.finishedAt()).isEqualTo(clock.instant());
        assertThat(done.refundedImages()).isEqualTo(1);
        assertThat(done.storedImages()).containsExactly(stored("img-0", 0), stored("img-1", 1));
        assertThat(jobs.markRunning(job.jobId())).isFalse();
    }

    @Test
    void finishAndReadReturnsTheRecordItWroteAndNothingOnceFinished() {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);
        jobs.markRunning(job.jobId());

        JobRecord written = jobs.finishAndRead(job.jobId(), JobOutcome.succeeded(List.of(stored("img-0", 0)), 0))
                .orElseThrow();

        assertThat(written).isEqualTo(jobs.find(job.jobId()).orElseThrow());
        assertThat(written.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(written.storedImages()).containsExactly(stored("img-0", 0));
        assertThat(jobs.finishAndRead(job.jobId(), JobOutcome.ended(JobStatus.FAILED, JobErrorCode.TIMEOUT, "late", 1)))
                .isEmpty();
        assertThat(jobs.finishAndRead("no-such-job", JobOutcome.ended(JobStatus.FAILED, JobErrorCode.TIMEOUT, "x", 1)))
                .isEmpty();
    }

    @Test
    void forgettingADeletedImageKeepsTheOthersAndTheCharge() {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);
        List<StoredImage> stored = List.of(stored("img-0", 0), stored("img-1", 1), stored("img-2", 2));
        jobs.finish(job.jobId(), JobOutcome.succeeded(stored, 0));

        jobs.forgetStoredImage(job.jobId(), "img-1");
        jobs.forgetStoredImage(job.jobId(), "img-1");
        jobs.forgetStoredImage(job.jobId(), "img-0");
        jobs.forgetStoredImage("no-such-job", "img-0");

        JobRecord after = jobs.find(job.jobId()).orElseThrow();
        assertThat(after.storedImages()).containsExactly(stored("img-2", 2));
        assertThat(after.chargedImages()).as("deleting is not refunded").isEqualTo(job.numImages());
    }

    @Test
    void finishFromQueuedRecordsTheError() {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);

        assertThat(jobs.finish(
                        job.jobId(),
                        JobOutcome.ended(JobStatus.CANCELED, JobErrorCode.CANCELED, "canceled by owner", 0)))
                .isTrue();

        JobRecord canceled = jobs.find(job.jobId()).orElseThrow();
        assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(canceled.errorCode()).isEqualTo("canceled");
        assertThat(canceled.errorMessage()).isEqualTo("canceled by owner");
        assertThat(canceled.imageIds()).isEmpty();
        assertThat(canceled.refundedImages()).isZero();
        assertThat(canceled.chargedImages()).isEqualTo(canceled.numImages());
    }

    @Test
    void concurrentFinishesFinishTheJobExactlyOnce() throws Exception {
        JobRecord job = newJob(id(), "user-1");
        jobs.create(job);

        List<Boolean> finished = Race.run(
                6,
                i -> jobs.finish(
                        job.jobId(),
                        JobOutcome.ended(
                                i % 2 == 0 ? JobStatus.FAILED : JobStatus.CANCELED, "code-" + i, "message-" + i, i)));

        assertThat(finished).containsOnlyOnce(true);
        int winner = finished.indexOf(true);
        assertThat(jobs.find(job.jobId()).orElseThrow().errorCode()).isEqualTo("code-" + winner);
    }

    @Test
    void finishRejectsAnUnfinishedStatusAndUnknownJobs() {
        assertThatThrownBy(() -> JobOutcome.ended(JobStatus.RUNNING, null, null, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(jobs.finish(id(), JobOutcome.ended(JobStatus.FAILED, "x", "y", 1)))
                .isFalse();
    }

    private static StoredImage stored(String imageId, int index) {
        return new StoredImage(
                imageId,
                index,
                "images/u/j/" + index + ".png",
                "images/u/j/" + index + "-thumb.png",
                768,
                1024,
                "image/png",
                5000,
                42);
    }

    private JobRecord newJob(String jobId, String userId) {
        return JobRecord.queued(
                jobId,
                userId,
                "{\"pose\":\"standing\",\"num_images\":2}",
                "a standing figure, full body",
                2,
                "private",
                "2026-11",
                clock.instant());
    }

    private static FalSubmission submission(String requestId) {
        String base = "https://queue.fal.run/fal-ai/flux/requests/" + requestId;
        return new FalSubmission(requestId, base + "/status", base, base + "/cancel");
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}

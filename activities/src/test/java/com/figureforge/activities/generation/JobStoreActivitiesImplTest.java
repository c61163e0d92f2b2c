package com.figureforge.activities.generation;

import static com.figureforge.activities.generation.ActivityTestStack.applicationFailure;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.FigureForgeTable;
import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.JobWithAccountQuery;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.Reservation;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.fal.FalImageDownloader;
import com.figureforge.adapters.storage.ImageStoreSettings;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.adapters.storage.S3TestSupport;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.generation.FalImage;
import com.figureforge.workflows.generation.JobErrorCode;
import com.figureforge.workflows.generation.JobStatus;
import com.figureforge.workflows.generation.JobStoreActivities;
import com.figureforge.workflows.generation.JobStoreActivities.CompleteJobInput;
import com.figureforge.workflows.generation.JobStoreActivities.FailJobInput;
import com.figureforge.workflows.generation.JobStoreActivities.ImageToStore;
import com.figureforge.workflows.generation.JobStoreActivities.MarkRunningInput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreAndCompleteInput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreAndCompleteOutput;
import com.figureforge.workflows.generation.JobStoreActivities.StoreImageInput;
import com.figureforge.workflows.generation.StoredImage;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The storage activities against dynalite, S3Proxy and WireMock as fal's CDN. */
class JobStoreActivitiesImplTest {

    private static final String BUCKET = "job-store-test";
    private static final String PERIOD = "2026-11";
    private static final int MONTHLY_LIMIT = 10;
    private static final S3TestSupport.RequestCounter s3Requests = new S3TestSupport.RequestCounter();
    private static String table;
    private static final byte[] PNG = S3TestSupport.image("png", 768, 1024, false);

    private static WireMockServer cdn;
    private static S3Client s3;
    private static S3Presigner presigner;
    private static JobRepository jobs;
    private static ImageRepository images;
    private static QuotaLedger quota;
    private static UserRepository users;
    private static FalImageDownloader downloader;
    private static JobStoreActivitiesImpl impl;

    private TestActivityEnvironment env;
    private JobStoreActivities activities;
    private String userId;
    private String jobId;

    @BeforeAll
    static void startServers() {
        cdn = new WireMockServer(options().dynamicPort());
        cdn.start();
        s3 = S3TestSupport.client(s3Requests);
        presigner = S3TestSupport.presigner();
        S3TestSupport.createBucket(s3, BUCKET);
        table = ActivityTestStack.freshTable("job-store");
        jobs = new JobRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        images = new ImageRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        quota = new QuotaLedger(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        downloader = new FalImageDownloader(
                5L * 1024 * 1024, Duration.ofSeconds(2), Duration.ofSeconds(10), List.of("localhost", "127.0.0.1"));
        users = new UserRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        S3ImageStore store = new S3ImageStore(s3, presigner, ImageStoreSettings.forBucket(BUCKET));
        impl = new JobStoreActivitiesImpl(
                jobs,
                images,
                store,
                new ImageCopier(downloader, store, 4),
                users,
                new JobSettlement(jobs, images, quota, store, new PublicCopies(store, images, jobs)),
                new JobWithAccountQuery(ActivityTestStack.dynamo(), table));
    }

    @AfterAll
    static void stopServers() {
        downloader.close();
        presigner.close();
        s3.close();
        cdn.stop();
    }

    @BeforeEach
    void setUp() {
        cdn.resetAll();
        s3Requests.reset();
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(impl);
        activities = env.newActivityStub(JobStoreActivities.class, ActivityTestStack.singleAttempt());
        userId = "user-" + UUID.randomUUID();
        jobId = "job-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    /** A queued job of {@code numImages}, reserved in the ledger as the API would. */
    private JobRecord acceptJob(int numImages, String visibility) {
        JobRecord job = JobRecord.queued(
                jobId,
                userId,
                "{\"pose\":\"dancing\"}",
                "a dancer mid-leap",
                numImages,
                visibility,
                PERIOD,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        assertThat(jobs.create(job)).isTrue();
        assertThat(quota.reserve(userId, jobId, numImages, PERIOD, MONTHLY_LIMIT, 4))
                .isEqualTo(Reservation.RESERVED);
        return job;
    }

    private long used() {
        return quota.usage(userId, PERIOD, MONTHLY_LIMIT).used();
    }

    private FalImage served(String path, byte[] bytes) {
        cdn.stubFor(get(urlEqualTo(path))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "image/png")
                        .withBody(bytes)));
        return new FalImage(cdn.baseUrl() + path, 768, 1024, "image/png");
    }

    private StoredImage store(int index, FalImage source) {
        return activities
                .storeImage(new StoreImageInput(jobId, userId, index, source, 42L))
                .image();
    }

    private List<String> keysOfJob() {
        return s3
                .listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(S3ImageStore.jobPrefix(userId, jobId)))
                .contents()
                .stream()
                .map(S3Object::key)
                .toList();
    }

    // --- markRunning ------------------------------------------------------------------------------------------

    @Test
    void markRunningIsIdempotent() {
        acceptJob(1, "private");

        assertThat(activities.markRunning(new MarkRunningInput(jobId)).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(activities.markRunning(new MarkRunningInput(jobId)).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aJobThatIsGoneIsJobNotFoundEverywhere() {
        FalImage source = served("/cdn/gone.png", PNG);
        List<ApplicationFailure> failures = List.of(
                applicationFailure(() -> activities.markRunning(new MarkRunningInput(jobId))),
                applicationFailure(() -> store(0, source)),
                applicationFailure(() -> activities.completeJob(new CompleteJobInput(jobId, userId, List.of(), 0))),
                applicationFailure(() -> activities.failJob(new FailJobInput(
                        jobId, userId, JobStatus.FAILED, JobErrorCode.GENERATION_FAILED, "x", false))));

        assertThat(failures).allSatisfy(failure -> {
            assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
            assertThat(failure.isNonRetryable()).isTrue();
        });
        cdn.verify(0, getRequestedFor(urlEqualTo("/cdn/gone.png")));
    }

    // --- storeImage -------------------------------------------------------------------------------------------

    @Test
    void storingAnImageTwiceKeepsOneCopy() {
        acceptJob(1, "private");
        FalImage source = served("/cdn/0.png", PNG);

        StoredImage first = store(0, source);
        int putsAfterFirst = s3Requests.puts();
        StoredImage second = store(0, source);

        assertThat(second).isEqualTo(first);
        assertThat(putsAfterFirst).isEqualTo(2);
        assertThat(s3Requests.puts()).isEqualTo(2);
        assertThat(keysOfJob()).containsExactlyInAnyOrder(first.key(), first.thumbnailKey());
        assertThat(first.imageId()).isEqualTo(jobId + "-0");
        assertThat(first.key()).isEqualTo("images/" + userId + "/" + jobId + "/0.png");
        assertThat(first.thumbnailKey()).isEqualTo("images/" + userId + "/" + jobId + "/0-thumb.png");
        assertThat(first.width()).isEqualTo(768);
        assertThat(first.height()).isEqualTo(1024);
        assertThat(first.contentType()).isEqualTo("image/png");
        assertThat(first.sizeBytes()).isEqualTo(PNG.length);
        assertThat(first.seed()).isEqualTo(42L);
    }

    @Test
    void aRetryAfterTheSourceUrlExpiredFindsTheStoredImage() {
        acceptJob(1, "private");
        StoredImage first = store(0, served("/cdn/1.png", PNG));
        cdn.resetAll(); // the CDN URL is gone now: 404

        StoredImage retry = store(0, new FalImage(cdn.baseUrl() + "/cdn/1.png", 768, 1024, "image/png"));

        assertThat(retry).isEqualTo(first);
        assertThat(s3Requests.puts()).isEqualTo(2);
    }

    @Test
    void anExpiredSourceThatWasNeverStoredFailsTheRequest() {
        acceptJob(1, "private");

        ApplicationFailure failure =
                applicationFailure(() -> store(0, new FalImage(cdn.baseUrl() + "/cdn/missing.png", 1, 1, "image/png")));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_REQUEST_FAILED.name());
        assertThat(failure.isNonRetryable()).isTrue();
    }

    @Test
    void cdnOutageIsRetryable() {
        acceptJob(1, "private");
        cdn.stubFor(get(urlEqualTo("/cdn/busy.png")).willReturn(aResponse().withStatus(503)));

        ApplicationFailure failure =
                applicationFailure(() -> store(0, new FalImage(cdn.baseUrl() + "/cdn/busy.png", 1, 1, "image/png")));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_UNAVAILABLE.name());
        assertThat(failure.isNonRetryable()).isFalse();
    }

    @Test
    void bytesThatAreNoImageAreRejected() {
        acceptJob(1, "private");
        FalImage html = served("/cdn/fake.png", "<html>nope</html>".getBytes(StandardCharsets.UTF_8));

        ApplicationFailure failure = applicationFailure(() -> store(0, html));

        assertThat(failure.getType()).isEqualTo(FailureType.IMAGE_REJECTED.name());
        assertThat(failure.isNonRetryable()).isTrue();
        assertThat(keysOfJob()).isEmpty();
    }

    @Test
    void downloadsOverTheCapAreRejected() {
        acceptJob(1, "private");
        FalImage huge = served("/cdn/huge.png", new byte[6 * 1024 * 1024]);

        ApplicationFailure failure = applicationFailure(() -> store(0, huge));

        assertThat(failure.getType()).isEqualTo(FailureType.IMAGE_REJECTED.name());
        assertThat(failure.getOriginalMessage()).contains("limit");
    }

    // --- storeImagesAndComplete (the lean finish) ---------------------------------------------------------------

    private StoreAndCompleteOutput storeAndComplete(List<ImageToStore> toStore, int blocked, long copyUntil) {
        return activities.storeImagesAndComplete(
                new StoreAndCompleteInput(jobId, userId, toStore, 42L, blocked, copyUntil));
    }

    private static long inHalfAnHour() {
        return System.currentTimeMillis() + Duration.ofMinutes(30).toMillis();
    }

    @Test
    void oneStepStoresEveryAllowedImageAndCompletesTheJobRefundingTheBlockedOne() {
        acceptJob(3, "public");
        jobs.markRunning(jobId);
        List<ImageToStore> allowed = List.of(
                new ImageToStore(0, served("/cdn/lean-0.png", PNG)),
                new ImageToStore(2, served("/cdn/lean-2.png", S3TestSupport.image("png", 512, 512, false))));

        StoreAndCompleteOutput done = storeAndComplete(allowed, 1, inHalfAnHour());

        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.refunded()).isEqualTo(1);
        assertThat(done.images()).extracting(StoredImage::index).containsExactly(0, 2);
        assertThat(done.images()).extracting(StoredImage::imageId).containsExactly(jobId + "-0", jobId + "-2");
        assertThat(s3Requests.puts()).as("image and thumbnail of each").isEqualTo(4);
        assertThat(keysOfJob()).hasSize(4);
        assertThat(used()).isEqualTo(2);
        assertThat(quota.inFlightJobs(userId)).isEmpty();
        JobRecord finished = jobs.find(jobId).orElseThrow();
        assertThat(finished.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(finished.imageIds()).containsExactly(jobId + "-0", jobId + "-2");
        assertThat(images.find(jobId + "-2")).isPresent();
    }

    /**
     * The step fails after copying one image of two (a CDN hiccup on the other); its retry finishes the job
     * with each image stored once and the quota charged once, and a retry after the settlement (a lost
     * reply) changes nothing.
     */
    @Test
    void aRetryAfterAPartialCopyStoresEachImageOnceAndChargesOnce() {
        acceptJob(2, "private");
        jobs.markRunning(jobId);
        FalImage first = served("/cdn/partial-0.png", PNG);
        cdn.stubFor(get(urlEqualTo("/cdn/partial-1.png")).willReturn(aResponse().withStatus(503)));
        FalImage second = new FalImage(cdn.baseUrl() + "/cdn/partial-1.png", 768, 1024, "image/png");
        List<ImageToStore> both = List.of(new ImageToStore(0, first), new ImageToStore(1, second));

        ApplicationFailure failed = applicationFailure(() -> storeAndComplete(both, 0, inHalfAnHour()));
        assertThat(failed.getType()).isEqualTo(FailureType.FAL_UNAVAILABLE.name());
        assertThat(failed.isNonRetryable()).isFalse();
        assertThat(keysOfJob()).as("image 0 and its thumbnail were copied").hasSize(2);
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);

        served("/cdn/partial-1.png", PNG);
        StoreAndCompleteOutput retried = storeAndComplete(both, 0, inHalfAnHour());
        StoreAndCompleteOutput replyLost = storeAndComplete(both, 0, inHalfAnHour());

        assertThat(retried.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(replyLost).isEqualTo(retried);
        assertThat(s3Requests.puts()).as("each object written once").isEqualTo(4);
        assertThat(keysOfJob()).hasSize(4);
        assertThat(used()).as("charged once").isEqualTo(2);
        assertThat(quota.inFlightJobs(userId)).isEmpty();
        assertThat(images.find(jobId + "-0")).isPresent();
        assertThat(images.find(jobId + "-1")).isPresent();
        cdn.verify(2, getRequestedFor(urlEqualTo("/cdn/partial-0.png")));
    }

    @Test
    void pastTheCopyDeadlineAMissingCopyFailsAsTimedOutWithoutDownloading() {
        acceptJob(1, "private");
        jobs.markRunning(jobId);
        FalImage source = served("/cdn/late.png", PNG);

        ApplicationFailure failure = applicationFailure(
                () -> storeAndComplete(List.of(new ImageToStore(0, source)), 0, System.currentTimeMillis() - 1));

        assertThat(failure.getType()).isEqualTo(JobErrorCode.TIMEOUT);
        assertThat(failure.isNonRetryable()).isTrue();
        cdn.verify(0, getRequestedFor(urlEqualTo("/cdn/late.png")));
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void pastTheCopyDeadlineCopiesAlreadyStoredStillSettleTheJob() {
        acceptJob(1, "private");
        jobs.markRunning(jobId);
        FalImage source = served("/cdn/stored-early.png", PNG);
        store(0, source);

        StoreAndCompleteOutput done =
                storeAndComplete(List.of(new ImageToStore(0, source)), 0, System.currentTimeMillis() - 1);

        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        cdn.verify(1, getRequestedFor(urlEqualTo("/cdn/stored-early.png")));
        assertThat(used()).isEqualTo(1);
    }

    @Test
    void aJobCanceledBeforeTheCopiesIsNotCopiedInto() {
        acceptJob(1, "private");
        impl.failJob(new FailJobInput(jobId, userId, JobStatus.CANCELED, JobErrorCode.CANCELED, "canceled", false));
        FalImage source = served("/cdn/after-cancel.png", PNG);

        ApplicationFailure failure =
                applicationFailure(() -> storeAndComplete(List.of(new ImageToStore(0, source)), 0, inHalfAnHour()));

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_FINISHED.name());
        cdn.verify(0, getRequestedFor(urlEqualTo("/cdn/after-cancel.png")));
        assertThat(keysOfJob()).isEmpty();
        assertThat(used()).isZero();
    }

    @Test
    void theLeanStepStoresNothingForAnAccountBeingDeleted() {
        users.getOrCreate(userId, "dana", null);
        acceptJob(1, "public");
        jobs.markRunning(jobId);
        FalImage source = served("/cdn/lean-deleting.png", PNG);
        assertThat(users.markDeleting(userId)).isTrue();

        ApplicationFailure failure =
                applicationFailure(() -> storeAndComplete(List.of(new ImageToStore(0, source)), 0, inHalfAnHour()));

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(failure.isNonRetryable()).isTrue();
        cdn.verify(0, getRequestedFor(urlEqualTo("/cdn/lean-deleting.png")));
        assertThat(keysOfJob()).isEmpty();
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void theLeanStepStoresNothingForAnAccountWhoseProfileIsGone() {
        acceptJob(1, "private");
        jobs.markRunning(jobId);
        users.writeTombstone(userId, Instant.now());

        ApplicationFailure failure = applicationFailure(() -> storeAndComplete(
                List.of(new ImageToStore(0, served("/cdn/lean-tombstoned.png", PNG))), 0, inHalfAnHour()));

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(keysOfJob()).isEmpty();
    }

    @Test
    void theLeanStepTakesBackWhatItCopiedWhileTheDeletionStarted() throws Exception {
        users.getOrCreate(userId, "erin", null);
        acceptJob(1, "private");
        jobs.markRunning(jobId);
        FalImage source = slowlyServed("/cdn/lean-slow.png");
        // The deletion flags the account while the image is on its way: the step has passed its first check.
        Thread deletion = whenRequested("/cdn/lean-slow.png", () -> users.markDeleting(userId));

        ApplicationFailure failure =
                applicationFailure(() -> storeAndComplete(List.of(new ImageToStore(0, source)), 0, inHalfAnHour()));
        deletion.join();

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(s3Requests.puts()).as("image and thumbnail written").isEqualTo(2);
        assertThat(keysOfJob()).as("then taken back").isEmpty();
        assertThat(jobs.find(jobId).orElseThrow().status())
                .as("nothing settled")
                .isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void theLeanStepTakesBackWhatItCopiedWhenTheJobVanishedMeanwhile() throws Exception {
        users.getOrCreate(userId, "finn", null);
        acceptJob(1, "private");
        jobs.markRunning(jobId);
        FalImage source = slowlyServed("/cdn/lean-vanishing.png");
        Thread erasure = whenRequested(
                "/cdn/lean-vanishing.png",
                () -> ActivityTestStack.dynamo()
                        .deleteItem(b -> b.tableName(table)
                                .key(Map.of(
                                        FigureForgeTable.PK, AttributeValue.fromS("JOB#" + jobId),
                                        FigureForgeTable.SK, AttributeValue.fromS("JOB")))));

        ApplicationFailure failure =
                applicationFailure(() -> storeAndComplete(List.of(new ImageToStore(0, source)), 0, inHalfAnHour()));
        erasure.join();

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(s3Requests.puts()).isEqualTo(2);
        assertThat(keysOfJob()).as("taken back").isEmpty();
    }

    private FalImage slowlyServed(String path) {
        cdn.stubFor(get(urlEqualTo(path))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "image/png")
                        .withBody(PNG)
                        .withFixedDelay(1500)));
        return new FalImage(cdn.baseUrl() + path, 768, 1024, "image/png");
    }

    /** Runs {@code action} once the CDN has been asked for {@code path}. */
    private static Thread whenRequested(String path, Runnable action) {
        return Thread.ofVirtual().start(() -> {
            while (cdn.findAll(getRequestedFor(urlEqualTo(path))).isEmpty()) {
                Thread.onSpinWait();
            }
            action.run();
        });
    }

    // --- completeJob ------------------------------------------------------------------------------------------

    @Test
    void completingTwiceRecordsTheImagesAndRefundsTheBlockedOnesOnce() {
        JobRecord job = acceptJob(3, "public");
        jobs.markRunning(jobId);
        StoredImage image0 = store(0, served("/cdn/a.png", PNG));
        StoredImage image2 = store(2, served("/cdn/c.png", S3TestSupport.image("png", 512, 512, false)));
        assertThat(used()).isEqualTo(3);

        var first = activities.completeJob(new CompleteJobInput(jobId, userId, List.of(image0, image2), 1));
        var second = activities.completeJob(new CompleteJobInput(jobId, userId, List.of(image0, image2), 1));

        assertThat(first.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(first.refunded()).isEqualTo(1);
        assertThat(second.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(second.refunded()).as("a retry reports the same settlement").isEqualTo(1);
        assertThat(used()).isEqualTo(2);
        assertThat(quota.inFlightJobs(userId)).isEmpty();

        JobRecord finished = jobs.find(jobId).orElseThrow();
        assertThat(finished.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(finished.imageIds()).containsExactly(jobId + "-0", jobId + "-2");
        List<ImageRecord> listed = images.pageByUser(userId, 10, null).items();
        assertThat(listed).extracting(ImageRecord::imageId).containsExactlyInAnyOrder(jobId + "-0", jobId + "-2");
        ImageRecord record = images.find(jobId + "-2").orElseThrow();
        assertThat(record.jobId()).isEqualTo(jobId);
        assertThat(record.userId()).isEqualTo(userId);
        assertThat(record.key()).isEqualTo(image2.key());
        assertThat(record.thumbnailKey()).isEqualTo(image2.thumbnailKey());
        assertThat(record.width()).isEqualTo(512);
        assertThat(record.contentType()).isEqualTo("image/png");
        assertThat(record.seed()).isEqualTo(42L);
        assertThat(record.prompt()).isEqualTo(job.prompt());
        assertThat(record.visibility()).isEqualTo("public");
        assertThat(record.createdAt()).isEqualTo(job.createdAt());
    }

    @Test
    void completingWithEveryImageBlockedFailsTheJobAndRefundsItAll() {
        acceptJob(2, "private");
        jobs.markRunning(jobId);

        var first = activities.completeJob(new CompleteJobInput(jobId, userId, List.of(), 2));
        var second = activities.completeJob(new CompleteJobInput(jobId, userId, List.of(), 2));

        assertThat(first.status()).isEqualTo(JobStatus.FAILED);
        assertThat(first.refunded()).isEqualTo(2);
        assertThat(second.status()).isEqualTo(JobStatus.FAILED);
        assertThat(second.refunded()).isEqualTo(2);
        assertThat(used()).isZero();
        JobRecord failed = jobs.find(jobId).orElseThrow();
        assertThat(failed.errorCode()).isEqualTo(JobErrorCode.IMAGES_BLOCKED);
        assertThat(quota.inFlightJobs(userId)).isEmpty();
    }

    @Test
    void imagesFalDidNotDeliverAreRefundedToo() {
        acceptJob(4, "private");
        StoredImage only = store(0, served("/cdn/only.png", PNG));

        var done = activities.completeJob(new CompleteJobInput(jobId, userId, List.of(only), 0));

        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.refunded()).isEqualTo(3);
        assertThat(used()).isEqualTo(1);
    }

    // --- failJob ----------------------------------------------------------------------------------------------

    @Test
    void failingTwiceRefundsTheReservationOnce() {
        acceptJob(2, "private");
        jobs.markRunning(jobId);
        FailJobInput input =
                new FailJobInput(jobId, userId, JobStatus.FAILED, JobErrorCode.GENERATION_FAILED, "fal gave up", false);

        var first = activities.failJob(input);
        var second = activities.failJob(input);

        assertThat(first.status()).isEqualTo(JobStatus.FAILED);
        assertThat(first.refunded()).isEqualTo(2);
        assertThat(second.status()).isEqualTo(JobStatus.FAILED);
        assertThat(second.refunded()).isEqualTo(2);
        assertThat(used()).isZero();
        assertThat(quota.inFlightJobs(userId)).isEmpty();
        JobRecord failed = jobs.find(jobId).orElseThrow();
        assertThat(failed.errorCode()).isEqualTo(JobErrorCode.GENERATION_FAILED);
        assertThat(failed.errorMessage()).isEqualTo("fal gave up");
    }

    @Test
    void cancelingAQueuedJobRefundsIt() {
        acceptJob(1, "private");

        var canceled = activities.failJob(new FailJobInput(
                jobId, userId, JobStatus.CANCELED, JobErrorCode.CANCELED, "canceled by the owner", false));

        assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(canceled.refunded()).isEqualTo(1);
        assertThat(used()).isZero();
    }

    @Test
    void aLateFailureOfASucceededJobKeepsTheCharge() {
        acceptJob(1, "private");
        StoredImage image = store(0, served("/cdn/ok.png", PNG));
        activities.completeJob(new CompleteJobInput(jobId, userId, List.of(image), 0));

        var late = activities.failJob(
                new FailJobInput(jobId, userId, JobStatus.FAILED, JobErrorCode.GENERATION_FAILED, "late", false));

        assertThat(late.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(late.refunded()).isZero();
        assertThat(used()).isEqualTo(1);
    }

    @Test
    void completingACanceledJobRecordsNothingAndRemovesItsObjects() {
        acceptJob(1, "public");
        StoredImage image = store(0, served("/cdn/early.png", PNG));
        activities.failJob(
                new FailJobInput(jobId, userId, JobStatus.CANCELED, JobErrorCode.CANCELED, "canceled", false));

        var done = activities.completeJob(new CompleteJobInput(jobId, userId, List.of(image), 0));

        assertThat(done.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(images.find(image.imageId())).isEmpty();
        assertThat(images.pageGallery(10, null).items())
                .noneMatch(i -> i.jobId().equals(jobId));
        assertThat(keysOfJob()).isEmpty();
        assertThat(used()).isZero();
    }

    @Test
    void aCopyThatLandsAfterTheJobEndedIsTakenBack() {
        acceptJob(1, "private");
        activities.failJob(new FailJobInput(jobId, userId, JobStatus.FAILED, JobErrorCode.TIMEOUT, "late", false));

        ApplicationFailure failure = ActivityTestStack.applicationFailure(() -> store(0, served("/cdn/late.png", PNG)));

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_FINISHED.name());
        assertThat(failure.isNonRetryable()).isTrue();
        assertThat(keysOfJob()).isEmpty();
    }

    @Test
    void aCancelAfterFalStartedKeepsTheCharge() {
        acceptJob(2, "private");
        jobs.markRunning(jobId);

        var canceled = activities.failJob(new FailJobInput(
                jobId, userId, JobStatus.CANCELED, JobErrorCode.CANCELED, "canceled after fal started", true));

        assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(canceled.refunded()).isZero();
        assertThat(used()).isEqualTo(2);
        assertThat(quota.inFlightJobs(userId)).isEmpty();
        JobRecord record = jobs.find(jobId).orElseThrow();
        assertThat(record.chargedImages()).isEqualTo(2);
        assertThat(record.refundedImages()).isZero();
    }

    @Test
    void anotherUsersJobIsNotTouched() {
        acceptJob(1, "private");

        ApplicationFailure failure = applicationFailure(() -> activities.failJob(
                new FailJobInput(jobId, "someone-else", JobStatus.FAILED, JobErrorCode.GENERATION_FAILED, "x", false)));

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(used()).isEqualTo(1);
    }

    // --- account deletion guard -------------------------------------------------------------------------------

    @Test
    void nothingIsStoredForAnAccountBeingDeleted() {
        users.getOrCreate(userId, "dana", null);
        acceptJob(1, "public");
        FalImage source = served("/cdn/deleting.png", PNG);
        assertThat(users.markDeleting(userId)).isTrue();

        ApplicationFailure storing = applicationFailure(() -> store(0, source));
        ApplicationFailure completing = applicationFailure(() -> activities.completeJob(new CompleteJobInput(
                jobId,
                userId,
                List.of(new StoredImage(jobId + "-0", 0, "k", "t", 768, 1024, "image/png", 10, 42L)),
                0)));

        assertThat(List.of(storing, completing)).allSatisfy(failure -> {
            assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
            assertThat(failure.isNonRetryable()).isTrue();
        });
        cdn.verify(0, getRequestedFor(urlEqualTo("/cdn/deleting.png")));
        assertThat(keysOfJob()).isEmpty();
        assertThat(images.find(jobId + "-0")).isEmpty();
        assertThat(images.pageGallery(10, null).items())
                .noneMatch(image -> image.userId().equals(userId));
    }

    @Test
    void anAccountWhoseProfileIsAlreadyGoneGetsNothingStoredEither() {
        acceptJob(1, "private");
        users.writeTombstone(userId, Instant.now());

        ApplicationFailure failure = applicationFailure(() -> store(0, served("/cdn/tombstoned.png", PNG)));

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(keysOfJob()).isEmpty();
    }

    @Test
    void anImageStoredWhileTheDeletionStartsIsTakenBack() throws Exception {
        users.getOrCreate(userId, "erin", null);
        acceptJob(1, "private");
        FalImage source = slowlyServed("/cdn/slow.png");
        // The deletion flags the account while the image is on its way: the attempt has passed its first check.
        Thread deletion = whenRequested("/cdn/slow.png", () -> users.markDeleting(userId));

        ApplicationFailure failure = applicationFailure(() -> store(0, source));
        deletion.join();

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(keysOfJob()).as("written, then taken back").isEmpty();
        assertThat(s3Requests.puts()).isEqualTo(2);
    }

    @Test
    void failingAJobOfAnAccountBeingDeletedStillWorks() {
        users.getOrCreate(userId, "finn", null);
        acceptJob(1, "private");
        users.markDeleting(userId);

        var failed = activities.failJob(
                new FailJobInput(jobId, userId, JobStatus.CANCELED, JobErrorCode.CANCELED, "account deleted", false));

        assertThat(failed.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(quota.inFlightJobs(userId)).isEmpty();
    }
}

package com.figureforge.app.e2e;

import static com.figureforge.app.e2e.AuthAndErrorsE2ETest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.QuotaPeriod;
import com.figureforge.adapters.data.Reservation;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.generation.JobIds;
import com.figureforge.devstack.fal.FalEmulator;
import com.figureforge.devstack.oidc.OidcIssuer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@FigureForgeE2E
class GenerationE2ETest {

    static final String REFUSED_WORD = "refuse-me-please";
    static final String NSFW_WORD = "flag-me-please";

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

    @Autowired
    JobRepository jobs;

    ApiClient api;
    E2ESupport e2e;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        e2e = new E2ESupport(api, issuer, users);
        fal.resetFaults();
        fal.rejectPromptsContaining(REFUSED_WORD);
        fal.flagNsfwPromptsContaining(NSFW_WORD);
    }

    @AfterEach
    void resetFal() {
        fal.resetFaults();
    }

    @Test
    void fullGenerationStoresAPngOfTheStatedSizeBehindPresignedUrls() throws IOException {
        var user = e2e.newUser("free");
        var response =
                e2e.generate(user, "{\"pose\":\"running\",\"style\":\"photo\",\"aspect_ratio\":\"3:4\",\"seed\":1234}");

        assertThat(response.status()).isEqualTo(202);
        String jobId = response.json().get("job_id").asString();
        assertThat(response.header("Location")).isEqualTo("/api/images/job/" + jobId + "/");
        assertThat(response.json().get("status").asString()).isEqualTo("queued");

        List<JsonNode> seen = e2e.awaitJob(user, jobId, E2ESupport::finished, Duration.ofSeconds(60));
        JsonNode job = seen.get(seen.size() - 1);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(seen).as("live status while running").anySatisfy(state -> {
            assertThat(state.get("status").asString()).isEqualTo("running");
            assertThat(state.get("progress").get("fal_status").asString()).isNotBlank();
        });
        assertThat(job.get("request").get("pose").asString()).isEqualTo("running");
        assertThat(job.get("request").get("seed").asLong()).isEqualTo(1234);
        assertThat(job.get("prompt").asString()).contains("running");

        JsonNode image = job.get("images").get(0);
        assertThat(image.get("width").asInt()).isEqualTo(768);
        assertThat(image.get("height").asInt()).isEqualTo(1024);
        assertThat(image.get("content_type").asString()).isEqualTo("image/png");
        assertThat(image.get("job_id").asString()).isEqualTo(jobId);
        assertThat(image.get("seed").asLong()).isEqualTo(1234);
        assertThat(image.get("visibility").asString()).isEqualTo("private");

        byte[] png = ApiClient.download(image.get("url").asString());
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(decoded.getWidth()).isEqualTo(768);
        assertThat(decoded.getHeight()).isEqualTo(1024);
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(
                ApiClient.download(image.get("thumbnail_url").asString())));
        assertThat(Math.max(thumbnail.getWidth(), thumbnail.getHeight())).isLessThanOrEqualTo(256);

        String url = image.get("url").asString();
        int signature = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        // Change the signature's first hex digit to a different one (a fixed replacement would leave it
        // unchanged one time in sixteen).
        char changed = url.charAt(signature) == '0' ? '1' : '0';
        String tampered = url.substring(0, signature) + changed + url.substring(signature + 1);
        assertThat(ApiClient.status(tampered)).isEqualTo(403);
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
    }

    @Test
    void anotherUsersJobIsNotFound() {
        var alice = e2e.newUser("free");
        var bob = e2e.newUser("free");
        String jobId = e2e.startJob(alice, "{}");

        assertProblem(api.get("/api/images/job/" + jobId + "/", bob.token()), 404, "job_not_found");
        assertProblem(api.delete("/api/images/job/" + jobId + "/", bob.token()), 404, "job_not_found");
        assertProblem(api.get("/api/images/job/no-such-job/", alice.token()), 404, "job_not_found");
        e2e.awaitFinished(alice, jobId);
    }

    @Test
    void publicImagesReachTheGalleryAndPrivateOnesDoNot() {
        var user = e2e.newUser("hobby");
        String publicJob = e2e.startJob(user, "{\"visibility\":\"public\",\"pose\":\"kneeling\"}");
        String privateJob = e2e.startJob(user, "{\"visibility\":\"private\",\"pose\":\"sitting\"}");
        String publicImage = e2e.awaitFinished(user, publicJob)
                .get("images")
                .get(0)
                .get("id")
                .asString();
        String privateImage = e2e.awaitFinished(user, privateJob)
                .get("images")
                .get(0)
                .get("id")
                .asString();

        List<String> gallery = collect("/api/images/gallery/?limit=50", null, 10);
        assertThat(gallery).contains(publicImage).doesNotContain(privateImage);
        assertThat(collect("/api/images/user/?limit=50", user.token(), 10)).contains(publicImage, privateImage);
        assertThat(api.get("/api/images/user/", null).status()).isEqualTo(401);
    }

    @Test
    void pagingWalksEveryImageNewestFirstWithoutGapsOrDuplicates() {
        var user = e2e.newUser("pro");
        String first = e2e.startJob(user, "{\"num_images\":4,\"visibility\":\"public\"}");
        String second = e2e.startJob(user, "{\"num_images\":4,\"visibility\":\"public\",\"pose\":\"jumping\"}");
        Set<String> expected = new HashSet<>();
        for (String jobId : List.of(first, second)) {
            JsonNode job = e2e.awaitFinished(user, jobId);
            assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
            job.get("images").forEach(image -> expected.add(image.get("id").asString()));
        }
        assertThat(expected).hasSize(8);

        List<JsonNode> pages = new ArrayList<>();
        List<String> mine = new ArrayList<>();
        List<String> createdAt = new ArrayList<>();
        String cursor = null;
        do {
            var page = api.get("/api/images/user/?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), user.token())
                    .json();
            pages.add(page);
            page.get("items").forEach(item -> {
                mine.add(item.get("id").asString());
                createdAt.add(item.get("created_at").asString());
            });
            cursor = page.get("next_cursor").isNull()
                    ? null
                    : page.get("next_cursor").asString();
        } while (cursor != null && pages.size() < 10);

        assertThat(pages).hasSize(3);
        assertThat(mine).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(createdAt).isSortedAccordingTo((a, b) -> b.compareTo(a));

        List<String> gallery = collect("/api/images/gallery/?limit=4", null, 500);
        assertThat(gallery).doesNotHaveDuplicates().containsAll(expected);
        assertProblem(api.get("/api/images/user/?cursor=not-a-cursor", user.token()), 400, "invalid_cursor");
        assertProblem(api.get("/api/images/gallery/?limit=0", null), 400, "validation_failed");
        assertProblem(api.get("/api/images/gallery/?limit=abc", null), 400, "validation_failed");
    }

    @Test
    void sameIdempotencyKeyTwiceReturnsTheSameJobAndChargesOnce() {
        var user = e2e.newUser("free");
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Idempotency-Key", "key-" + user.id());
        var first = api.post("/api/images/generate/", user.token(), "{\"pose\":\"walking\"}", headers);
        var second = api.post("/api/images/generate/", user.token(), "{\"pose\":\"walking\"}", headers);

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        String jobId = first.json().get("job_id").asString();
        assertThat(second.json().get("job_id").asString()).isEqualTo(jobId);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);
        e2e.awaitFinished(user, jobId);
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);
    }

    @Test
    void concurrentRequestsAtTheQuotaEdgeAcceptExactlyWhatFits() throws Exception {
        var user = e2e.newUser("tiny"); // 3 images a month, 20 jobs in flight
        List<ApiClient.Response> responses = burst(10, () -> e2e.generate(user, "{}"));

        assertThat(responses).filteredOn(r -> r.status() == 202).hasSize(3);
        assertThat(responses)
                .filteredOn(r -> r.status() != 202)
                .hasSize(7)
                .allSatisfy(r -> assertProblem(r, 402, "quota_exceeded"));
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(3);
        for (var accepted : responses.stream().filter(r -> r.status() == 202).toList()) {
            e2e.awaitFinished(user, accepted.json().get("job_id").asString());
        }
    }

    @Test
    void concurrentRequestsAtTheInFlightEdgeAcceptExactlyWhatFits() throws Exception {
        var user = e2e.newUser("burst"); // 2 jobs in flight
        fal.setLatency(Duration.ofSeconds(1), Duration.ofSeconds(2));
        List<ApiClient.Response> responses = burst(6, () -> e2e.generate(user, "{}"));

        assertThat(responses).filteredOn(r -> r.status() == 202).hasSize(2);
        assertThat(responses)
                .filteredOn(r -> r.status() != 202)
                .hasSize(4)
                .allSatisfy(r -> assertProblem(r, 429, "too_many_jobs"));
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(2);
        for (var accepted : responses.stream().filter(r -> r.status() == 202).toList()) {
            e2e.awaitFinished(user, accepted.json().get("job_id").asString());
        }
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
        assertThat(e2e.generate(user, "{}").status()).as("a slot is free again").isEqualTo(202);
    }

    @Test
    void cancelWhileQueuedAtFalCancelsThereAndRefunds() {
        var user = e2e.newUser("free");
        fal.setLatency(Duration.ofSeconds(30), Duration.ofMillis(200));
        int submittedBefore = fal.submissionCount();
        int canceledBefore = fal.cancellations().size();
        String jobId = e2e.startJob(user, "{}");
        e2e.awaitJob(
                user,
                jobId,
                j -> "IN_QUEUE".equals(j.path("progress").path("fal_status").asString(null)),
                Duration.ofSeconds(30));
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);

        var cancel = api.delete("/api/images/job/" + jobId + "/", user.token());
        assertThat(cancel.status()).isEqualTo(202);

        JsonNode job = e2e.awaitFinished(user, jobId);
        assertThat(job.get("status").asString()).isEqualTo("canceled");
        assertThat(job.get("error").get("code").asString()).isEqualTo("canceled");
        assertThat(job.get("refunded").asBoolean()).isTrue();
        assertThat(job.get("charged_images").asInt()).isZero();
        assertThat(e2e.quota(user).get("used").asInt()).isZero();
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
        assertThat(fal.submissionCount() - submittedBefore).isEqualTo(1);
        String submitted = fal.submissions().get(fal.submissions().size() - 1).requestId();
        assertThat(fal.cancellations()
                        .subList(canceledBefore, fal.cancellations().size()))
                .extracting(FalEmulator.Cancellation::requestId)
                .containsExactly(submitted);
        assertProblem(api.delete("/api/images/job/" + jobId + "/", user.token()), 409, "job_already_finished");
    }

    @Test
    void cancelAfterFalStartedIsChargedAndKeepsTheImagesFalStillDelivers() {
        var user = e2e.newUser("free");
        fal.setLatency(Duration.ofMillis(100), Duration.ofSeconds(3));
        String jobId = e2e.startJob(user, "{}");
        e2e.awaitJob(
                user,
                jobId,
                j -> "IN_PROGRESS".equals(j.path("progress").path("fal_status").asString(null)),
                Duration.ofSeconds(30));

        assertThat(api.delete("/api/images/job/" + jobId + "/", user.token()).status())
                .isEqualTo(202);

        // fal's runner finishes the work it was signalled to stop: fal bills it, the user keeps it.
        JsonNode job = e2e.awaitFinished(user, jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(job.get("images")).hasSize(1);
        assertThat(job.get("refunded").asBoolean()).isFalse();
        assertThat(job.get("charged_images").asInt()).isEqualTo(1);
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);
        assertThat(e2e.quota(user).get("in_flight").asInt()).isZero();
    }

    @Test
    void contentPolicyRefusalFailsTheJobAndRefunds() {
        var user = e2e.newUser("free");
        String jobId = e2e.startJob(user, "{\"prompt\":\"a figure, " + REFUSED_WORD + "\"}");

        JsonNode job = e2e.awaitFinished(user, jobId);
        assertThat(job.get("status").asString()).isEqualTo("failed");
        assertThat(job.get("error").get("code").asString()).isEqualTo("content_policy");
        assertThat(job.get("images")).isEmpty();
        assertThat(e2e.quota(user).get("used").asInt()).isZero();
    }

    @Test
    void imagesBlockedBySafetyCheckerFailTheJobAndRefund() {
        var user = e2e.newUser("free");
        String jobId = e2e.startJob(user, "{\"prompt\":\"" + NSFW_WORD + "\"}");

        JsonNode job = e2e.awaitFinished(user, jobId);
        assertThat(job.get("status").asString()).isEqualTo("failed");
        assertThat(job.get("error").get("code").asString()).isEqualTo("images_blocked");
        assertThat(e2e.quota(user).get("used").asInt()).isZero();
    }

    @Test
    void falOutagesAreRetriedWithoutASecondRequest() {
        var user = e2e.newUser("free");
        int before = fal.submissionCount();
        fal.failNextSubmits(2, 503);
        String jobId = e2e.startJob(user, "{}");

        JsonNode job = e2e.awaitFinished(user, jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(fal.submissionCount() - before).isEqualTo(1);
    }

    @Test
    void aSlotHeldByARequestThatDiedIsFreedAndRefundedButALiveOneIsNot() {
        var user = e2e.newUser("free"); // 1 job in flight
        Instant now = Instant.now();
        String period = QuotaPeriod.calendarMonth(now).key();
        // A request reserved long ago and died before recording its job.
        String lost = JobIds.issue(now.minus(Duration.ofMinutes(10)));
        assertThat(ledger.reserve(user.id(), lost, 1, period, 10, 1)).isEqualTo(Reservation.RESERVED);

        String jobId = e2e.startJob(user, "{}");
        assertThat(e2e.quota(user).get("used").asInt())
                .as("the dead request's image came back")
                .isEqualTo(1);
        e2e.awaitFinished(user, jobId);

        // A request that reserved a moment ago may still be recording its job: its slot stays.
        String live = JobIds.issue(Instant.now());
        assertThat(ledger.reserve(user.id(), live, 1, period, 10, 1)).isEqualTo(Reservation.RESERVED);
        assertProblem(e2e.generate(user, "{}"), 429, "too_many_jobs");
        ledger.settle(user.id(), live, period, 1);
        ledger.releaseInFlight(user.id(), live);
    }

    @Test
    void aRecordedJobWhoseWorkflowNeverStartedIsFailedAndRefunded() {
        var user = e2e.newUser("free");
        Instant issued = Instant.now().minus(Duration.ofMinutes(10));
        String period = QuotaPeriod.calendarMonth(Instant.now()).key();
        String orphan = JobIds.issue(issued);
        assertThat(ledger.reserve(user.id(), orphan, 1, period, 10, 1)).isEqualTo(Reservation.RESERVED);
        jobs.create(JobRecord.queued(orphan, user.id(), "{}", "a figure", 1, "private", period, issued));

        String jobId = e2e.startJob(user, "{}");

        JsonNode failed = e2e.job(user, orphan);
        assertThat(failed.get("status").asString()).isEqualTo("failed");
        assertThat(failed.get("error").get("code").asString()).isEqualTo("generation_failed");
        assertThat(e2e.quota(user).get("used").asInt()).isEqualTo(1);
        e2e.awaitFinished(user, jobId);
    }

    private List<String> collect(String firstPage, String token, int maxPages) {
        List<String> ids = new ArrayList<>();
        String path = firstPage;
        for (int page = 0; page < maxPages && path != null; page++) {
            JsonNode body = api.get(path, token).json();
            body.get("items").forEach(item -> ids.add(item.get("id").asString()));
            String cursor = body.get("next_cursor").isNull()
                    ? null
                    : body.get("next_cursor").asString();
            path = cursor == null ? null : firstPage + "&cursor=" + cursor;
        }
        return ids;
    }

    /** {@code count} calls released at once from their own threads; the answers in call order. */
    static List<ApiClient.Response> burst(int count, Callable<ApiClient.Response> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ApiClient.Response>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<ApiClient.Response> responses = new ArrayList<>();
            for (Future<ApiClient.Response> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}

package com.figureforge.activities.generation;

import static com.figureforge.activities.generation.ActivityTestStack.applicationFailure;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.fal.FalClientSettings;
import com.figureforge.adapters.fal.FalQueueClient;
import com.figureforge.adapters.fal.FalWebhookTarget;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.generation.FalActivities;
import com.figureforge.workflows.generation.FalActivities.CancelInput;
import com.figureforge.workflows.generation.FalActivities.CheckStatusInput;
import com.figureforge.workflows.generation.FalActivities.FetchResultInput;
import com.figureforge.workflows.generation.FalActivities.SubmitInput;
import com.figureforge.workflows.generation.FalImage;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.FalSubmission;
import com.figureforge.workflows.generation.JobStatus;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fal activities against WireMock-as-fal and a real (dynalite) job table. */
class FalActivitiesImplTest {

    private static final String MODEL = "fal-ai/flux/dev";
    private static final String SUBMIT = "/" + MODEL;

    private static WireMockServer wireMock;
    private static JobRepository jobs;
    private static FalQueueClient client;

    private TestActivityEnvironment env;
    private FalActivities activities;
    private String jobId;

    @BeforeAll
    static void startServers() {
        wireMock = new WireMockServer(options().dynamicPort());
        wireMock.start();
        String table = ActivityTestStack.freshTable("fal-activities");
        jobs = new JobRepository(ActivityTestStack.dynamo(), table, Clock.systemUTC());
        client = new FalQueueClient(new FalClientSettings(
                URI.create(wireMock.baseUrl()), "test-key", Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stopServers() {
        client.close();
        wireMock.stop();
    }

    @BeforeEach
    void setUp() {
        wireMock.resetAll();
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(new FalActivitiesImpl(client, jobs, new FalWebhookTarget(null)));
        activities = env.newActivityStub(FalActivities.class, ActivityTestStack.singleAttempt());
        jobId = "job-" + UUID.randomUUID();
        jobs.create(JobRecord.queued(jobId, "user-1", "{}", "a dancer", 2, "private", "2026-11", Instant.now()));
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private static FalImageRequest request() {
        return new FalImageRequest(MODEL, "a dancer", "portrait_4_3", 42, 2, true, "png");
    }

    private static String requests(String requestId) {
        return "/fal-ai/flux/requests/" + requestId;
    }

    private static void stubSubmit(String requestId) {
        String base = wireMock.baseUrl() + requests(requestId);
        wireMock.stubFor(post(urlEqualTo(SUBMIT))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"request_id":"%2$s","status_url":"%1$s/status","response_url":"%1$s","cancel_url":"%1$s/cancel"}
                        """.formatted(base, requestId))));
    }

    @Test
    void withAPublicCallbackUrlTheSubmitRegistersTheJobsWebhookAndMarksTheJobRunning() {
        env.close();
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(
                new FalActivitiesImpl(client, jobs, new FalWebhookTarget(URI.create("https://api.example.com/"))));
        activities = env.newActivityStub(FalActivities.class, ActivityTestStack.singleAttempt());
        String webhook = "https://api.example.com/api/webhooks/fal/?job=" + jobId;
        String base = wireMock.baseUrl() + requests("req-hook");
        wireMock.stubFor(post(urlEqualTo(SUBMIT + "?fal_webhook=" + URLEncoder.encode(webhook, StandardCharsets.UTF_8)))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withBody("{\"request_id\":\"req-hook\",\"status_url\":\"" + base
                                + "/status\",\"response_url\":\"" + base + "\",\"cancel_url\":\"" + base
                                + "/cancel\"}")));

        var output = activities.submit(new SubmitInput(jobId, request(), true));

        assertThat(output.webhookRegistered()).isTrue();
        assertThat(output.submission().requestId()).isEqualTo("req-hook");
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        // A retry finds the submission, answers the same, and leaves the job running.
        assertThat(activities.submit(new SubmitInput(jobId, request(), true)).webhookRegistered())
                .isTrue();
        wireMock.verify(1, postRequestedFor(anyUrl()));
    }

    @Test
    void withoutAMarkRunningRequestTheJobStaysQueuedAndNoWebhookIsRegistered() {
        stubSubmit("req-plain");

        var output = activities.submit(new SubmitInput(jobId, request()));

        assertThat(output.webhookRegistered()).isFalse();
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        wireMock.verify(postRequestedFor(urlEqualTo(SUBMIT)));
    }

    @Test
    void submittingTwiceForOneJobAsksFalOnce() {
        stubSubmit("req-1");

        FalSubmission first =
                activities.submit(new SubmitInput(jobId, request())).submission();
        FalSubmission second =
                activities.submit(new SubmitInput(jobId, request())).submission();

        assertThat(second).isEqualTo(first);
        assertThat(first.requestId()).isEqualTo("req-1");
        assertThat(jobs.findFalSubmission(jobId)).contains(first);
        wireMock.verify(1, postRequestedFor(urlEqualTo(SUBMIT)));
    }

    @Test
    void submitForAJobThatIsGoneFailsWithoutAskingFal() {
        ApplicationFailure failure =
                applicationFailure(() -> activities.submit(new SubmitInput("no-such-job", request())));

        assertThat(failure.getType()).isEqualTo(FailureType.JOB_NOT_FOUND.name());
        assertThat(failure.isNonRetryable()).isTrue();
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void inputRejectedByFalIsFinal() {
        wireMock.stubFor(
                post(urlEqualTo(SUBMIT)).willReturn(aResponse().withStatus(422).withBody("""
                        {"detail":[{"loc":["body","prompt"],"msg":"The content was flagged by a content checker.",
                          "type":"content_policy_violation"}]}""")));

        ApplicationFailure failure = applicationFailure(() -> activities.submit(new SubmitInput(jobId, request())));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_INPUT_REJECTED.name());
        assertThat(failure.isNonRetryable()).isTrue();
        assertThat(failure.getOriginalMessage()).isEqualTo("The content was flagged by a content checker.");
        assertThat(jobs.findFalSubmission(jobId)).isEmpty();
    }

    @Test
    void falUnavailableIsRetryable() {
        wireMock.stubFor(post(urlEqualTo(SUBMIT)).willReturn(aResponse().withStatus(503)));

        ApplicationFailure failure = applicationFailure(() -> activities.submit(new SubmitInput(jobId, request())));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_UNAVAILABLE.name());
        assertThat(failure.isNonRetryable()).isFalse();
        assertThat(jobs.findFalSubmission(jobId)).isEmpty();
    }

    @Test
    void throttlingCarriesFalsRetryAfterAsTheNextRetryDelay() {
        wireMock.stubFor(
                post(urlEqualTo(SUBMIT)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));

        ApplicationFailure failure = applicationFailure(() -> activities.submit(new SubmitInput(jobId, request())));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_UNAVAILABLE.name());
        assertThat(failure.isNonRetryable()).isFalse();
        assertThat(failure.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void statusAndResultFollowTheSubmission() {
        stubSubmit("req-2");
        FalSubmission submission =
                activities.submit(new SubmitInput(jobId, request())).submission();
        wireMock.stubFor(get(urlEqualTo(requests("req-2") + "/status"))
                .willReturn(aResponse().withStatus(202).withBody("""
                        {"status":"IN_QUEUE","queue_position":2}""")));
        wireMock.stubFor(get(urlEqualTo(requests("req-2")))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"images":[{"url":"https://cdn.example/0.png","width":768,"height":1024,"content_type":"image/png"}],
                         "seed":42,"has_nsfw_concepts":[false]}""")));

        var status = activities.checkStatus(new CheckStatusInput(jobId, submission));
        var result = activities.fetchResult(new FetchResultInput(jobId, submission));

        assertThat(status.status()).isEqualTo("IN_QUEUE");
        assertThat(status.queuePosition()).isEqualTo(2);
        assertThat(status.completed()).isFalse();
        assertThat(result.images()).containsExactly(new FalImage("https://cdn.example/0.png", 768, 1024, "image/png"));
        assertThat(result.seed()).isEqualTo(42L);
        assertThat(result.nsfw()).containsExactly(false);
    }

    @Test
    void aFailedRequestsResultIsFinal() {
        stubSubmit("req-3");
        FalSubmission submission =
                activities.submit(new SubmitInput(jobId, request())).submission();
        wireMock.stubFor(get(urlEqualTo(requests("req-3")))
                .willReturn(aResponse()
                        .withStatus(500)
                        .withHeader("X-Fal-Error-Type", "runner_disconnected")
                        .withBody("""
                                {"detail":"The runner disconnected","error_type":"runner_disconnected"}""")));

        ApplicationFailure failure =
                applicationFailure(() -> activities.fetchResult(new FetchResultInput(jobId, submission)));

        assertThat(failure.getType()).isEqualTo(FailureType.FAL_REQUEST_FAILED.name());
        assertThat(failure.isNonRetryable()).isTrue();
    }

    @Test
    void cancelWithoutASubmissionLooksItUpByJob() {
        stubSubmit("req-4");
        activities.submit(new SubmitInput(jobId, request()));
        wireMock.stubFor(put(urlEqualTo(requests("req-4") + "/cancel"))
                .willReturn(aResponse().withStatus(202).withBody("""
                        {"status":"CANCELLATION_REQUESTED"}""")));

        var canceled = activities.cancel(new CancelInput(jobId, null));

        assertThat(canceled.requested()).isTrue();
        assertThat(canceled.canceled()).isTrue();
        wireMock.verify(1, putRequestedFor(urlEqualTo(requests("req-4") + "/cancel")));
    }

    @Test
    void cancelOfAFinishedRequestIsHarmless() {
        stubSubmit("req-5");
        FalSubmission submission =
                activities.submit(new SubmitInput(jobId, request())).submission();
        wireMock.stubFor(put(urlEqualTo(requests("req-5") + "/cancel"))
                .willReturn(aResponse().withStatus(400).withBody("""
                        {"status":"ALREADY_COMPLETED"}""")));

        var canceled = activities.cancel(new CancelInput(jobId, submission));

        assertThat(canceled.requested()).isTrue();
        assertThat(canceled.canceled()).isFalse();
    }

    @Test
    void cancelWithNothingSubmittedDoesNothing() {
        var canceled = activities.cancel(new CancelInput(jobId, null));
        var gone = activities.cancel(new CancelInput("no-such-job", null));

        assertThat(canceled.requested()).isFalse();
        assertThat(gone.requested()).isFalse();
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }
}

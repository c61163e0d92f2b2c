package com.figureforge.devstack.fal;

import com.figureforge.devstack.http.LoopbackHttpServer;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A local stand-in for fal.ai's queue API ({@code https://queue.fal.run}) serving FLUX-style
 * text-to-image models: same URLs, JSON and status flow, and real images (a mannequin in the pose
 * the prompt names, deterministic from the seed). Point the fal client's base URL at
 * {@link #baseUrl()}.
 *
 * <h2>Contract (as documented by fal)</h2>
 *
 * <ul>
 *   <li>{@code POST /{model_id}} with {@code Authorization: Key <anything>} and the FLUX input:
 *       200 {@code {request_id, status, status_url, response_url, cancel_url, queue_position}}. The
 *       request URLs use only the owner and app of the model id ({@code fal-ai/flux/dev} is followed
 *       under {@code /fal-ai/flux/requests/{id}}). Missing key: 401. Invalid input or a refused
 *       prompt: 422 {@code {"detail": [{loc, msg, type, ...}]}}.
 *   <li>{@code GET .../requests/{id}/status[?logs=1]}: 202 with {@code IN_QUEUE} (plus {@code
 *       queue_position}) or {@code IN_PROGRESS}, then 200 with {@code COMPLETED} (plus {@code
 *       metrics}); a request that ended in error also carries {@code error} and {@code error_type}.
 *   <li>{@code GET .../requests/{id}}: 400 {@code {"detail": "Request is still in progress"}} until
 *       completed; then the model's answer, which for a failed run is the runner's error (500
 *       {@code {detail, error_type}} plus an {@code X-Fal-Error-Type} header).
 *   <li>{@code PUT .../requests/{id}/cancel}: 202 {@code CANCELLATION_REQUESTED}; a queued request is
 *       removed and never runs, a running one is signalled and (here) finishes anyway; 400 {@code
 *       ALREADY_COMPLETED}; 404 {@code NOT_FOUND}.
 *   <li>{@code GET .../requests/{id}/status/stream}: server-sent events, one {@code data:} status object
 *       per change (the same fields as the status call), a {@code : keep-alive} comment every 15 s, and
 *       the stream closed after {@code COMPLETED}.
 *   <li>{@code POST /{model_id}?fal_webhook=<url>}: when the request finishes, a POST of {@code
 *       {request_id, gateway_request_id, status: OK|ERROR, payload, error}} to that URL, signed like fal
 *       ({@code X-Fal-Webhook-Request-Id}, {@code -User-Id}, {@code -Timestamp}, {@code -Signature}: the
 *       hex Ed25519 signature of request id, user id, timestamp and the body's hex SHA-256, joined by
 *       newlines), retried a few times while it gets no 2xx. The emulator's key pair is fresh per start;
 *       its public key is at {@code GET /.well-known/jwks.json} ({@link #jwksUrl()}).
 *   <li>Image URLs point at this server ({@code /files/{id}/{index}.png|jpg}); no key needed.
 * </ul>
 *
 * <p>Where fal's documentation is silent the emulator decides: a request removed from the queue by
 * a cancel reports {@code COMPLETED} with {@code error_type = client_cancelled}, and its result is 499
 * (fal's documented status for that error type). Unknown ids are 404 {@code {"detail": ...}}. Like
 * FLUX dev, {@code output_format} defaults to {@code jpeg}; ask for {@code png} to get PNG.
 *
 * <h2>Faults</h2>
 *
 * <p>Set from Java with the methods below, or over HTTP for a running local stack:
 *
 * <pre>
 * POST   /_emulator/faults   every field optional; fields left out keep their value
 *   {
 *     "queue_time_ms": 500,                              time new requests spend IN_QUEUE
 *     "run_time_ms": 1500,                               then IN_PROGRESS
 *     "fail_next_submits": {"count": 2, "status": 503},  429 also sends Retry-After: 1
 *     "fail_next_polls": {"count": 1, "status": 500},    status and result calls
 *     "fail_next_runs": 1,                               next accepted requests end in a runner error
 *     "never_finish": true,                              new requests stay IN_PROGRESS forever
 *     "reject_prompts_containing": ["word"],             422 content_policy_violation (replaces the list)
 *     "nsfw_prompts_containing": ["word"]                has_nsfw_concepts + black image (replaces the list)
 *   }
 * DELETE /_emulator/faults   everything off, latency back to the values given at start
 * GET    /_emulator/faults   the current settings in the same shape
 * </pre>
 *
 * <p>This class is the Java face; {@link FalQueueApi} serves HTTP (on the shared {@link
 * LoopbackHttpServer}) and holds the requests, {@link FalAnswers} shapes fal's answers, {@link
 * FalFaults} the injected faults and {@link QueuedFalRequest} one request's timeline.
 */
public final class FalEmulator implements AutoCloseable {

    public static final Duration DEFAULT_QUEUE_TIME = Duration.ofMillis(500);
    public static final Duration DEFAULT_RUN_TIME = Duration.ofMillis(1500);

    /** A submit the emulator accepted (a queued request). */
    public record Submission(
            String requestId, String modelId, Map<String, Object> body, String authorization, Instant receivedAt) {}

    /** A cancel call and what it answered: CANCELLATION_REQUESTED, ALREADY_COMPLETED or NOT_FOUND. */
    public record Cancellation(String requestId, String answer) {}

    /** One attempt to deliver a completion webhook: the HTTP status it got (0: no answer). */
    public record WebhookDelivery(String requestId, URI url, int httpStatus, int attempt) {}

    private final LoopbackHttpServer server;
    private final FalFaults faults;
    private final FalWebhooks webhooks = new FalWebhooks();
    private final FalQueueApi api;

    private FalEmulator(LoopbackHttpServer server, FalFaults faults) {
        this.server = server;
        this.faults = faults;
        this.api = new FalQueueApi(server, faults, webhooks);
    }

    /** Starts on the given loopback port (0 = a free one) with the default latency. */
    public static FalEmulator start(int port) {
        return start(port, DEFAULT_QUEUE_TIME, DEFAULT_RUN_TIME);
    }

    /** Starts with the time each request spends queued and then running. */
    public static FalEmulator start(int port, Duration queueTime, Duration runTime) {
        return start(InetAddress.getLoopbackAddress(), port, queueTime, runTime);
    }

    /** Starts on another interface (the stand-ins container), with the default latency. */
    public static FalEmulator start(InetAddress host, int port) {
        return start(host, port, DEFAULT_QUEUE_TIME, DEFAULT_RUN_TIME);
    }

    private static FalEmulator start(InetAddress host, int port, Duration queueTime, Duration runTime) {
        LoopbackHttpServer server = LoopbackHttpServer.bind(
                "fal.ai queue emulator", host, port, FalAnswers.detail("Internal Server Error"));
        FalEmulator emulator = new FalEmulator(server, new FalFaults(queueTime, runTime));
        server.start(emulator.api::route);
        return emulator;
    }

    /** What the fal client uses instead of {@code https://queue.fal.run}. */
    public URI baseUrl() {
        return server.baseUrl();
    }

    public int port() {
        return server.port();
    }

    /** Where the emulator serves the public key of its webhook signatures (fal: rest.alpha.fal.ai). */
    public URI jwksUrl() {
        return URI.create(server.baseUrl() + "/.well-known/jwks.json");
    }

    /**
     * The {@code X-Fal-Webhook-*} headers the emulator would send with {@code body} at {@code timestamp}:
     * lets tests deliver webhooks of their own (stale, replayed, tampered) that carry a real signature.
     */
    public Map<String, String> signWebhook(String requestId, byte[] body, Instant timestamp) {
        return webhooks.signedHeaders(requestId, body, timestamp);
    }

    /** Completion webhooks delivered (every attempt), oldest first. */
    public List<WebhookDelivery> webhookDeliveries() {
        return webhooks.deliveries();
    }

    // ---- faults -------------------------------------------------------------------------------

    /** Time each request submitted from now on spends queued, then running. */
    public void setLatency(Duration queueTime, Duration runTime) {
        faults.setLatency(queueTime, runTime);
    }

    /**
     * Runs at most {@code requests} requests at once (0: no limit), like a fal account's concurrency:
     * the rest wait IN_QUEUE, first come first served. Applies to requests submitted from now on.
     */
    public void setConcurrency(int requests) {
        faults.setConcurrency(requests);
    }

    /** The next {@code count} submits fail with {@code httpStatus} (429 adds {@code Retry-After}). */
    public void failNextSubmits(int count, int httpStatus) {
        faults.failNextSubmits(count, httpStatus);
    }

    /** The next {@code count} status or result calls fail with {@code httpStatus}. */
    public void failNextPolls(int count, int httpStatus) {
        faults.failNextPolls(count, httpStatus);
    }

    /** The next {@code count} accepted requests complete with a runner error instead of images. */
    public void failNextRuns(int count) {
        faults.failNextRuns(count);
    }

    /** While on, newly submitted requests never leave IN_PROGRESS. */
    public void setNeverFinish(boolean neverFinish) {
        faults.setNeverFinish(neverFinish);
    }

    /** Prompts containing any of these words (case-insensitive) get a 422 content policy refusal. */
    public void rejectPromptsContaining(String... words) {
        faults.rejectPromptsContaining(Arrays.asList(words));
    }

    /**
     * Prompts containing any of these words are flagged by the safety checker: {@code
     * has_nsfw_concepts} true and a black image, when the request enables the checker (the default).
     */
    public void flagNsfwPromptsContaining(String... words) {
        faults.flagNsfwPromptsContaining(Arrays.asList(words));
    }

    /** All faults off and latency back to the values given at start. */
    public void resetFaults() {
        faults.reset();
    }

    // ---- introspection ------------------------------------------------------------------------

    /** Accepted submits, oldest first. */
    public List<Submission> submissions() {
        return api.submissions();
    }

    public int submissionCount() {
        return api.submissions().size();
    }

    /** Every POST to a model, accepted or not (401, 422, injected failures). */
    public int submitAttempts() {
        return api.submitAttempts();
    }

    public List<Cancellation> cancellations() {
        return api.cancellations();
    }

    /** Forgets all requests and records and switches faults off. */
    public void reset() {
        api.reset();
        faults.reset();
    }

    @Override
    public void close() {
        server.close();
        webhooks.close();
    }
}

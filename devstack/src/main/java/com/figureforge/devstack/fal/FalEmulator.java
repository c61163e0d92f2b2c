package com.figureforge.devstack.fal;

import com.figureforge.devstack.http.HttpAnswers;
import com.figureforge.devstack.http.LoopbackHttpServer;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

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
 */
public final class FalEmulator implements AutoCloseable {

    public static final Duration DEFAULT_QUEUE_TIME = Duration.ofMillis(500);
    public static final Duration DEFAULT_RUN_TIME = Duration.ofMillis(1500);

    /** A submit the emulator accepted (a queued request). */
    public record Submission(
            String requestId, String modelId, Map<String, Object> body, String authorization, Instant receivedAt) {}

    /** A cancel call and what it answered: CANCELLATION_REQUESTED, ALREADY_COMPLETED or NOT_FOUND. */
    public record Cancellation(String requestId, String answer) {}

    private static final Logger log = LoggerFactory.getLogger(FalEmulator.class);
    private static final String RETRY_AFTER_SECONDS = "1";

    private final LoopbackHttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock = Clock.systemUTC();
    private final FalFaults faults;
    private final Map<String, QueuedFalRequest> requests = new ConcurrentHashMap<>();
    private final List<Submission> submissions = new CopyOnWriteArrayList<>();
    private final List<Cancellation> cancellations = new CopyOnWriteArrayList<>();
    private final AtomicInteger submitAttempts = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();

    private FalEmulator(LoopbackHttpServer server, FalFaults faults) {
        this.server = server;
        this.faults = faults;
    }

    /** Starts on the given loopback port (0 = a free one) with the default latency. */
    public static FalEmulator start(int port) {
        return start(port, DEFAULT_QUEUE_TIME, DEFAULT_RUN_TIME);
    }

    /** Starts with the time each request spends queued and then running. */
    public static FalEmulator start(int port, Duration queueTime, Duration runTime) {
        LoopbackHttpServer server = LoopbackHttpServer.bind(
                "fal.ai queue emulator",
                port,
                JsonMapper.builder().build().createObjectNode().put("detail", "Internal Server Error"));
        FalEmulator emulator = new FalEmulator(server, new FalFaults(queueTime, runTime));
        server.start(emulator::route);
        return emulator;
    }

    /** What the fal client uses instead of {@code https://queue.fal.run}. */
    public URI baseUrl() {
        return server.baseUrl();
    }

    public int port() {
        return server.port();
    }

    // ---- faults -------------------------------------------------------------------------------

    /** Time each request submitted from now on spends queued, then running. */
    public void setLatency(Duration queueTime, Duration runTime) {
        faults.setLatency(queueTime, runTime);
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
        return List.copyOf(submissions);
    }

    public int submissionCount() {
        return submissions.size();
    }

    /** Every POST to a model, accepted or not (401, 422, injected failures). */
    public int submitAttempts() {
        return submitAttempts.get();
    }

    public List<Cancellation> cancellations() {
        return List.copyOf(cancellations);
    }

    /** Forgets all requests and records and switches faults off. */
    public void reset() {
        requests.clear();
        submissions.clear();
        cancellations.clear();
        submitAttempts.set(0);
        faults.reset();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    private void route(HttpExchange exchange, byte[] body) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = HttpAnswers.pathSegments(exchange);
        if (path.size() == 2 && path.get(0).equals("_emulator") && path.get(1).equals("faults")) {
            controlFaults(exchange, method, body);
        } else if (path.size() == 3 && path.get(0).equals("files")) {
            requireMethod(exchange, method, "GET", () -> serveFile(exchange, path.get(1), path.get(2)));
        } else if (path.size() >= 4 && path.get(2).equals("requests")) {
            String appPath = path.get(0) + "/" + path.get(1);
            String requestId = path.get(3);
            List<String> action = path.subList(4, path.size());
            if (action.isEmpty()) {
                requireMethod(exchange, method, "GET", () -> result(exchange, appPath, requestId));
            } else if (action.equals(List.of("status"))) {
                requireMethod(exchange, method, "GET", () -> status(exchange, appPath, requestId));
            } else if (action.equals(List.of("cancel"))) {
                requireMethod(exchange, method, "PUT", () -> cancel(exchange, appPath, requestId));
            } else {
                sendJson(exchange, 404, detail("Not Found"));
            }
        } else if (path.size() >= 2 && method.equals("POST")) {
            submit(exchange, String.join("/", path), body);
        } else {
            sendJson(exchange, 404, detail("Not Found"));
        }
    }

    private void submit(HttpExchange exchange, String modelId, byte[] rawBody) throws IOException {
        submitAttempts.incrementAndGet();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (!authorized(exchange, authorization)) {
            return;
        }
        OptionalInt injected = faults.takeSubmitFailure();
        if (injected.isPresent()) {
            sendInjectedFailure(exchange, injected.getAsInt());
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(rawBody);
        } catch (JacksonException e) {
            sendViolations(
                    exchange, List.of(new FluxInput.Violation(List.of("body"), "JSON decode error", "json_invalid")));
            return;
        }
        List<FluxInput.Violation> violations = new ArrayList<>();
        FluxInput input = FluxInput.parse(body, violations);
        if (input == null) {
            sendViolations(exchange, violations);
            return;
        }
        Optional<String> refusedWord = faults.rejectedWordIn(input.prompt());
        if (refusedWord.isPresent()) {
            sendViolations(
                    exchange,
                    List.of(new FluxInput.Violation(
                            List.of("body", "prompt"),
                            "The prompt was flagged by the content policy checker.",
                            "content_policy_violation")));
            return;
        }
        long seed = input.seed() != null
                ? input.seed()
                : ThreadLocalRandom.current().nextLong(0, Integer.MAX_VALUE);
        QueuedFalRequest request = new QueuedFalRequest(
                UUID.randomUUID().toString(),
                sequence.incrementAndGet(),
                modelId,
                input,
                seed,
                faults.isNsfw(input.prompt()),
                clock.instant(),
                faults.queueTime(),
                faults.runTime(),
                faults.takeEnding());
        requests.put(request.id, request);
        submissions.add(new Submission(request.id, modelId, asMap(body), authorization, request.submittedAt));

        ObjectNode answer = requestUrls(exchange, request);
        answer.put("status", "IN_QUEUE");
        answer.put("queue_position", queuePosition(request, clock.instant()));
        sendJson(exchange, 200, answer);
    }

    private void status(HttpExchange exchange, String appPath, String requestId) throws IOException {
        QueuedFalRequest request = pollable(exchange, appPath, requestId);
        if (request == null) {
            return;
        }
        Instant now = clock.instant();
        QueuedFalRequest.Phase phase = request.phase(now);
        ObjectNode answer = json.createObjectNode();
        answer.put("status", phase.name());
        answer.setAll(requestUrls(exchange, request));
        if (phase == QueuedFalRequest.Phase.IN_QUEUE) {
            answer.put("queue_position", queuePosition(request, now));
        }
        String query = exchange.getRequestURI().getRawQuery();
        boolean withLogs = query != null
                && Arrays.stream(query.split("&")).anyMatch(p -> p.equals("logs=1") || p.equals("logs=true"));
        if (withLogs) {
            answer.set("logs", logs(request, phase));
        } else {
            answer.putNull("logs");
        }
        if (phase == QueuedFalRequest.Phase.COMPLETED) {
            if (!request.wasRemovedFromQueue()) {
                answer.putObject("metrics").put("inference_time", seconds(request.runTime));
            }
            if (request.wasRemovedFromQueue()) {
                answer.put("error", "Request was cancelled");
                answer.put("error_type", "client_cancelled");
            } else if (request.endedInError()) {
                answer.put("error", "Runner failed while processing the request (injected fault)");
                answer.put("error_type", "runner_server_error");
            }
        }
        sendJson(exchange, phase == QueuedFalRequest.Phase.COMPLETED ? 200 : 202, answer);
    }

    private void result(HttpExchange exchange, String appPath, String requestId) throws IOException {
        QueuedFalRequest request = pollable(exchange, appPath, requestId);
        if (request == null) {
            return;
        }
        if (request.phase(clock.instant()) != QueuedFalRequest.Phase.COMPLETED) {
            sendJson(exchange, 400, detail("Request is still in progress"));
            return;
        }
        if (request.wasRemovedFromQueue()) {
            sendRequestError(exchange, 499, "Request was cancelled", "client_cancelled");
            return;
        }
        if (request.endedInError()) {
            sendRequestError(
                    exchange,
                    500,
                    "Runner failed while processing the request (injected fault)",
                    "runner_server_error");
            return;
        }
        FluxInput input = request.input;
        String base = baseUrlOf(exchange);
        ObjectNode answer = json.createObjectNode();
        ArrayNode images = answer.putArray("images");
        ArrayNode nsfw = json.createArrayNode();
        for (int i = 0; i < input.numImages(); i++) {
            ObjectNode image = images.addObject();
            image.put("url", base + "/files/" + request.id + "/" + i + "." + input.outputFormat().fileExtension);
            image.put("width", input.width());
            image.put("height", input.height());
            image.put("content_type", input.outputFormat().contentType);
            nsfw.add(request.imageFlaggedNsfw());
        }
        answer.putObject("timings").put("inference", seconds(request.runTime));
        answer.put("seed", request.seed);
        answer.set("has_nsfw_concepts", nsfw);
        answer.put("prompt", input.prompt());
        sendJson(exchange, 200, answer);
    }

    private void cancel(HttpExchange exchange, String appPath, String requestId) throws IOException {
        if (!authorized(exchange, exchange.getRequestHeaders().getFirst("Authorization"))) {
            return;
        }
        QueuedFalRequest request = find(appPath, requestId);
        if (request == null) {
            cancellations.add(new Cancellation(requestId, "NOT_FOUND"));
            sendJson(exchange, 404, json.createObjectNode().put("status", "NOT_FOUND"));
            return;
        }
        QueuedFalRequest.CancelOutcome outcome = request.cancel(clock.instant());
        String answer = outcome == QueuedFalRequest.CancelOutcome.ALREADY_COMPLETED
                ? "ALREADY_COMPLETED"
                : "CANCELLATION_REQUESTED";
        cancellations.add(new Cancellation(requestId, answer));
        sendJson(
                exchange,
                answer.equals("ALREADY_COMPLETED") ? 400 : 202,
                json.createObjectNode().put("status", answer));
    }

    private void serveFile(HttpExchange exchange, String requestId, String fileName) throws IOException {
        QueuedFalRequest request = requests.get(requestId);
        int dot = fileName.indexOf('.');
        if (request == null
                || dot < 1
                || request.phase(clock.instant()) != QueuedFalRequest.Phase.COMPLETED
                || request.endedInError()
                || !fileName.substring(dot + 1).equals(request.input.outputFormat().fileExtension)) {
            sendJson(exchange, 404, detail("Not Found"));
            return;
        }
        int index;
        try {
            index = Integer.parseInt(fileName.substring(0, dot));
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= request.input.numImages()) {
            sendJson(exchange, 404, detail("Not Found"));
            return;
        }
        byte[] image = request.image(index);
        HttpAnswers.bytes(exchange, 200, request.input.outputFormat().contentType, image);
    }

    private void controlFaults(HttpExchange exchange, String method, byte[] body) throws IOException {
        switch (method) {
            case "GET" -> sendJson(exchange, 200, faults.toJson(json));
            case "DELETE" -> {
                faults.reset();
                sendJson(exchange, 200, faults.toJson(json));
            }
            case "POST" -> {
                try {
                    faults.apply(json.readTree(body));
                } catch (JacksonException | IllegalArgumentException e) {
                    sendJson(exchange, 400, detail(e.getMessage()));
                    return;
                }
                log.info("fal emulator faults now {}", faults.toJson(json));
                sendJson(exchange, 200, faults.toJson(json));
            }
            default -> sendJson(exchange, 405, detail("Method Not Allowed"));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Authorised, not hit by an injected failure, and known; otherwise answered and null. */
    private QueuedFalRequest pollable(HttpExchange exchange, String appPath, String requestId) throws IOException {
        if (!authorized(exchange, exchange.getRequestHeaders().getFirst("Authorization"))) {
            return null;
        }
        OptionalInt injected = faults.takePollFailure();
        if (injected.isPresent()) {
            sendInjectedFailure(exchange, injected.getAsInt());
            return null;
        }
        QueuedFalRequest request = find(appPath, requestId);
        if (request == null) {
            sendJson(exchange, 404, detail("Request not found"));
        }
        return request;
    }

    private QueuedFalRequest find(String appPath, String requestId) {
        QueuedFalRequest request = requests.get(requestId);
        return request != null && request.appPath.equals(appPath) ? request : null;
    }

    private boolean authorized(HttpExchange exchange, String authorization) throws IOException {
        if (authorization != null
                && authorization.regionMatches(true, 0, "Key ", 0, 4)
                && !authorization.substring(4).isBlank()) {
            return true;
        }
        sendJson(exchange, 401, detail("Missing or malformed Authorization header; expected 'Key <FAL_KEY>'"));
        return false;
    }

    private ObjectNode requestUrls(HttpExchange exchange, QueuedFalRequest request) {
        String requestUrl = baseUrlOf(exchange) + "/" + request.appPath + "/requests/" + request.id;
        ObjectNode urls = json.createObjectNode();
        urls.put("request_id", request.id);
        urls.put("response_url", requestUrl);
        urls.put("status_url", requestUrl + "/status");
        urls.put("cancel_url", requestUrl + "/cancel");
        return urls;
    }

    /** URLs follow the host the client used, so the emulator also works behind another name. */
    private String baseUrlOf(HttpExchange exchange) {
        return server.baseUrlSeenBy(exchange);
    }

    /** Requests ahead of this one that are still waiting. */
    private int queuePosition(QueuedFalRequest request, Instant now) {
        return (int) requests.values().stream()
                .filter(other -> other.sequence < request.sequence)
                .filter(other -> other.phase(now) == QueuedFalRequest.Phase.IN_QUEUE)
                .count();
    }

    private ArrayNode logs(QueuedFalRequest request, QueuedFalRequest.Phase phase) {
        ArrayNode logs = json.createArrayNode();
        if (phase == QueuedFalRequest.Phase.IN_QUEUE || request.wasRemovedFromQueue()) {
            return logs;
        }
        Instant started = request.submittedAt.plus(request.queueTime);
        logs.add(logLine("Loading pipeline (fal emulator)", started));
        if (phase == QueuedFalRequest.Phase.COMPLETED && !request.endedInError()) {
            logs.add(logLine("Generated " + request.input.numImages() + " image(s)", started.plus(request.runTime)));
        }
        return logs;
    }

    private ObjectNode logLine(String message, Instant timestamp) {
        ObjectNode line = json.createObjectNode();
        line.put("message", message);
        line.put("level", "INFO");
        line.put("source", "user");
        line.put("timestamp", timestamp.toString());
        return line;
    }

    private void sendViolations(HttpExchange exchange, List<FluxInput.Violation> violations) throws IOException {
        ObjectNode answer = json.createObjectNode();
        ArrayNode detail = answer.putArray("detail");
        for (FluxInput.Violation violation : violations) {
            ObjectNode entry = detail.addObject();
            ArrayNode loc = entry.putArray("loc");
            violation.loc().forEach(part -> loc.add(part.toString()));
            entry.put("msg", violation.msg());
            entry.put("type", violation.type());
            entry.put("url", "https://docs.fal.ai/errors/#" + violation.type());
            if (!violation.ctx().isEmpty()) {
                entry.set("ctx", json.valueToTree(violation.ctx()));
            }
        }
        exchange.getResponseHeaders().set("X-Fal-Retryable", "false");
        sendJson(exchange, 422, answer);
    }

    private void sendInjectedFailure(HttpExchange exchange, int status) throws IOException {
        if (status == 429) {
            exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
        }
        sendJson(exchange, status, detail(reasonPhrase(status) + " (injected fault)"));
    }

    private void sendRequestError(HttpExchange exchange, int status, String message, String errorType)
            throws IOException {
        exchange.getResponseHeaders().set("X-Fal-Error-Type", errorType);
        sendJson(exchange, status, detail(message).put("error_type", errorType));
    }

    private void requireMethod(HttpExchange exchange, String method, String expected, IoAction action)
            throws IOException {
        if (method.equals(expected)) {
            action.run();
        } else {
            exchange.getResponseHeaders().set("Allow", expected);
            sendJson(exchange, 405, detail("Method Not Allowed"));
        }
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        HttpAnswers.json(exchange, status, body);
    }

    private ObjectNode detail(String message) {
        return json.createObjectNode().put("detail", message);
    }

    private Map<String, Object> asMap(JsonNode body) {
        return Collections.unmodifiableMap(json.convertValue(body, new TypeReference<Map<String, Object>>() {}));
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error " + status;
        };
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}

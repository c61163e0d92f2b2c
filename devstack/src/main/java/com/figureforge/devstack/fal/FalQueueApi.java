package com.figureforge.devstack.fal;

import com.figureforge.devstack.http.HttpAnswers;
import com.figureforge.devstack.http.LoopbackHttpServer;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * The fal emulator's HTTP side: the queue API ({@code POST /{model}}, {@code .../requests/{id}}
 * status, result and cancel), the image files, and {@code /_emulator/faults}; with the requests it
 * holds and the record of what clients did.
 */
final class FalQueueApi {

    private static final Logger log = LoggerFactory.getLogger(FalQueueApi.class);

    private final LoopbackHttpServer server;
    private final FalFaults faults;
    private final FalWebhooks webhooks;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock = Clock.systemUTC();
    private final Map<String, QueuedFalRequest> requests = new ConcurrentHashMap<>();
    private final List<FalEmulator.Submission> submissions = new CopyOnWriteArrayList<>();
    private final List<FalEmulator.Cancellation> cancellations = new CopyOnWriteArrayList<>();
    private final AtomicInteger submitAttempts = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();

    FalQueueApi(LoopbackHttpServer server, FalFaults faults, FalWebhooks webhooks) {
        this.server = server;
        this.faults = faults;
        this.webhooks = webhooks;
    }

    List<FalEmulator.Submission> submissions() {
        return List.copyOf(submissions);
    }

    int submitAttempts() {
        return submitAttempts.get();
    }

    List<FalEmulator.Cancellation> cancellations() {
        return List.copyOf(cancellations);
    }

    /** Forgets all requests and records. */
    void reset() {
        requests.clear();
        submissions.clear();
        cancellations.clear();
        submitAttempts.set(0);
        webhooks.reset();
    }

    /** Serves one exchange: the queue API, the image files and the fault controls. */
    void route(HttpExchange exchange, byte[] body) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = HttpAnswers.pathSegments(exchange);
        if (path.equals(List.of(".well-known", "jwks.json"))) {
            FalAnswers.requireMethod(
                    exchange, method, "GET", () -> FalAnswers.sendJson(exchange, 200, webhooks.jwks(json)));
        } else if (path.size() == 2
                && path.get(0).equals("_emulator")
                && path.get(1).equals("faults")) {
            controlFaults(exchange, method, body);
        } else if (path.size() == 3 && path.get(0).equals("files")) {
            FalAnswers.requireMethod(exchange, method, "GET", () -> serveFile(exchange, path.get(1), path.get(2)));
        } else if (path.size() >= 4 && path.get(2).equals("requests")) {
            String appPath = path.get(0) + "/" + path.get(1);
            String requestId = path.get(3);
            List<String> action = path.subList(4, path.size());
            if (action.isEmpty()) {
                FalAnswers.requireMethod(exchange, method, "GET", () -> result(exchange, appPath, requestId));
            } else if (action.equals(List.of("status"))) {
                FalAnswers.requireMethod(exchange, method, "GET", () -> status(exchange, appPath, requestId));
            } else if (action.equals(List.of("status", "stream"))) {
                FalAnswers.requireMethod(exchange, method, "GET", () -> statusStream(exchange, appPath, requestId));
            } else if (action.equals(List.of("cancel"))) {
                FalAnswers.requireMethod(exchange, method, "PUT", () -> cancel(exchange, appPath, requestId));
            } else {
                FalAnswers.sendJson(exchange, 404, FalAnswers.detail("Not Found"));
            }
        } else if (path.size() >= 2 && method.equals("POST")) {
            submit(exchange, String.join("/", path), body);
        } else {
            FalAnswers.sendJson(exchange, 404, FalAnswers.detail("Not Found"));
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
            FalAnswers.sendInjectedFailure(exchange, injected.getAsInt());
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(rawBody);
        } catch (JacksonException e) {
            FalAnswers.sendViolations(
                    exchange, List.of(new FluxInput.Violation(List.of("body"), "JSON decode error", "json_invalid")));
            return;
        }
        List<FluxInput.Violation> violations = new ArrayList<>();
        FluxInput input = FluxInput.parse(body, violations);
        if (input == null) {
            FalAnswers.sendViolations(exchange, violations);
            return;
        }
        Optional<String> refusedWord = faults.rejectedWordIn(input.prompt());
        if (refusedWord.isPresent()) {
            FalAnswers.sendViolations(
                    exchange,
                    List.of(new FluxInput.Violation(
                            List.of("body", "prompt"),
                            "The prompt was flagged by the content policy checker.",
                            "content_policy_violation")));
            return;
        }
        URI webhook;
        try {
            webhook = FalWebhooks.webhookOf(exchange);
        } catch (IllegalArgumentException e) {
            FalAnswers.sendViolations(
                    exchange,
                    List.of(new FluxInput.Violation(
                            List.of("query", "fal_webhook"), "fal_webhook must be an http(s) URL", "url_parsing")));
            return;
        }
        long seed = input.seed() != null
                ? input.seed()
                : ThreadLocalRandom.current().nextLong(0, Integer.MAX_VALUE);
        Instant submittedAt = clock.instant();
        QueuedFalRequest request = new QueuedFalRequest(
                UUID.randomUUID().toString(),
                sequence.incrementAndGet(),
                modelId,
                input,
                seed,
                faults.isNsfw(input.prompt()),
                submittedAt,
                faults.queueTimeAt(submittedAt),
                faults.runTime(),
                faults.takeEnding());
        requests.put(request.id, request);
        submissions.add(
                new FalEmulator.Submission(request.id, modelId, asMap(body), authorization, request.submittedAt));

        if (webhook != null && request.ending != QueuedFalRequest.Ending.NEVER) {
            String base = baseUrlOf(exchange);
            webhooks.schedule(
                    webhook,
                    request.id,
                    request.submittedAt.plus(request.queueTime).plus(request.runTime),
                    () -> FalWebhooks.body(base, request, clock.instant()));
        }
        ObjectNode answer = requestUrls(exchange, request);
        answer.put("gateway_request_id", request.id);
        answer.put("status", "IN_QUEUE");
        answer.put("queue_position", queuePosition(request, clock.instant()));
        FalAnswers.sendJson(exchange, 200, answer);
    }

    private void status(HttpExchange exchange, String appPath, String requestId) throws IOException {
        QueuedFalRequest request = pollable(exchange, appPath, requestId);
        if (request == null) {
            return;
        }
        ObjectNode answer = statusBody(exchange, request, clock.instant());
        FalAnswers.sendJson(exchange, "COMPLETED".equals(answer.get("status").asString()) ? 200 : 202, answer);
    }

    /** A status object as fal's status call and status stream both send it. */
    ObjectNode statusBody(HttpExchange exchange, QueuedFalRequest request, Instant now) {
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
            answer.set("logs", FalAnswers.logs(request, phase));
        } else {
            answer.putNull("logs");
        }
        if (phase == QueuedFalRequest.Phase.COMPLETED) {
            if (!request.wasRemovedFromQueue()) {
                answer.putObject("metrics").put("inference_time", FalAnswers.seconds(request.runTime));
            }
            if (request.wasRemovedFromQueue()) {
                answer.put("error", "Request was cancelled");
                answer.put("error_type", "client_cancelled");
            } else if (request.endedInError()) {
                answer.put("error", "Runner failed while processing the request (injected fault)");
                answer.put("error_type", "runner_server_error");
            }
        }
        return answer;
    }

    private void statusStream(HttpExchange exchange, String appPath, String requestId) throws IOException {
        QueuedFalRequest request = pollable(exchange, appPath, requestId);
        if (request != null) {
            FalStatusStreams.stream(exchange, clock, request, now -> statusBody(exchange, request, now));
        }
    }

    private void result(HttpExchange exchange, String appPath, String requestId) throws IOException {
        QueuedFalRequest request = pollable(exchange, appPath, requestId);
        if (request == null) {
            return;
        }
        if (request.phase(clock.instant()) != QueuedFalRequest.Phase.COMPLETED) {
            FalAnswers.sendJson(exchange, 400, FalAnswers.detail("Request is still in progress"));
            return;
        }
        if (request.wasRemovedFromQueue()) {
            FalAnswers.sendRequestError(exchange, 499, "Request was cancelled", "client_cancelled");
            return;
        }
        if (request.endedInError()) {
            FalAnswers.sendRequestError(
                    exchange,
                    500,
                    "Runner failed while processing the request (injected fault)",
                    "runner_server_error");
            return;
        }
        FalAnswers.sendJson(exchange, 200, FalAnswers.result(baseUrlOf(exchange), request));
    }

    private void cancel(HttpExchange exchange, String appPath, String requestId) throws IOException {
        if (!authorized(exchange, exchange.getRequestHeaders().getFirst("Authorization"))) {
            return;
        }
        QueuedFalRequest request = find(appPath, requestId);
        if (request == null) {
            cancellations.add(new FalEmulator.Cancellation(requestId, "NOT_FOUND"));
            FalAnswers.sendJson(exchange, 404, json.createObjectNode().put("status", "NOT_FOUND"));
            return;
        }
        QueuedFalRequest.CancelOutcome outcome = request.cancel(clock.instant());
        String answer = outcome == QueuedFalRequest.CancelOutcome.ALREADY_COMPLETED
                ? "ALREADY_COMPLETED"
                : "CANCELLATION_REQUESTED";
        cancellations.add(new FalEmulator.Cancellation(requestId, answer));
        FalAnswers.sendJson(
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
            FalAnswers.sendJson(exchange, 404, FalAnswers.detail("Not Found"));
            return;
        }
        int index;
        try {
            index = Integer.parseInt(fileName.substring(0, dot));
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= request.input.numImages()) {
            FalAnswers.sendJson(exchange, 404, FalAnswers.detail("Not Found"));
            return;
        }
        byte[] image = request.image(index);
        HttpAnswers.bytes(exchange, 200, request.input.outputFormat().contentType, image);
    }

    private void controlFaults(HttpExchange exchange, String method, byte[] body) throws IOException {
        switch (method) {
            case "GET" -> FalAnswers.sendJson(exchange, 200, faults.toJson(json));
            case "DELETE" -> {
                faults.reset();
                FalAnswers.sendJson(exchange, 200, faults.toJson(json));
            }
            case "POST" -> {
                try {
                    faults.apply(json.readTree(body));
                } catch (JacksonException | IllegalArgumentException e) {
                    FalAnswers.sendJson(exchange, 400, FalAnswers.detail(e.getMessage()));
                    return;
                }
                log.info("fal emulator faults now {}", faults.toJson(json));
                FalAnswers.sendJson(exchange, 200, faults.toJson(json));
            }
            default -> FalAnswers.sendJson(exchange, 405, FalAnswers.detail("Method Not Allowed"));
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
            FalAnswers.sendInjectedFailure(exchange, injected.getAsInt());
            return null;
        }
        QueuedFalRequest request = find(appPath, requestId);
        if (request == null) {
            FalAnswers.sendJson(exchange, 404, FalAnswers.detail("Request not found"));
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
        FalAnswers.sendJson(
                exchange,
                401,
                FalAnswers.detail("Missing or malformed Authorization header; expected 'Key <FAL_KEY>'"));
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

    private Map<String, Object> asMap(JsonNode body) {
        return Collections.unmodifiableMap(json.convertValue(body, new TypeReference<Map<String, Object>>() {}));
    }
}

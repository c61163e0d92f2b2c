package com.figureforge.devstack.fal;

import com.figureforge.devstack.http.HttpAnswers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The fal emulator's answers in fal's shapes: {@code detail} errors, 422 violations, request logs. */
final class FalAnswers {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String RETRY_AFTER_SECONDS = "1";

    private FalAnswers() {}

    static ArrayNode logs(QueuedFalRequest request, QueuedFalRequest.Phase phase) {
        ArrayNode logs = JSON.createArrayNode();
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

    private static ObjectNode logLine(String message, Instant timestamp) {
        ObjectNode line = JSON.createObjectNode();
        line.put("message", message);
        line.put("level", "INFO");
        line.put("source", "user");
        line.put("timestamp", timestamp.toString());
        return line;
    }

    static void sendViolations(HttpExchange exchange, List<FluxInput.Violation> violations) throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode detail = answer.putArray("detail");
        for (FluxInput.Violation violation : violations) {
            ObjectNode entry = detail.addObject();
            ArrayNode loc = entry.putArray("loc");
            violation.loc().forEach(part -> loc.add(part.toString()));
            entry.put("msg", violation.msg());
            entry.put("type", violation.type());
            entry.put("url", "https://docs.fal.ai/errors/#" + violation.type());
            if (!violation.ctx().isEmpty()) {
                entry.set("ctx", JSON.valueToTree(violation.ctx()));
            }
        }
        exchange.getResponseHeaders().set("X-Fal-Retryable", "false");
        sendJson(exchange, 422, answer);
    }

    static void sendInjectedFailure(HttpExchange exchange, int status) throws IOException {
        if (status == 429) {
            exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
        }
        sendJson(exchange, status, detail(reasonPhrase(status) + " (injected fault)"));
    }

    static void sendRequestError(HttpExchange exchange, int status, String message, String errorType)
            throws IOException {
        exchange.getResponseHeaders().set("X-Fal-Error-Type", errorType);
        sendJson(exchange, status, detail(message).put("error_type", errorType));
    }

    static void requireMethod(HttpExchange exchange, String method, String expected, IoAction action)
            throws IOException {
        if (method.equals(expected)) {
            action.run();
        } else {
            exchange.getResponseHeaders().set("Allow", expected);
            sendJson(exchange, 405, detail("Method Not Allowed"));
        }
    }

    static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        HttpAnswers.json(exchange, status, body);
    }

    static ObjectNode detail(String message) {
        return JSON.createObjectNode().put("detail", message);
    }

    static double seconds(Duration duration) {
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
    interface IoAction {
        void run() throws IOException;
    }

    /** The model's answer of a request that completed with images. */
    static ObjectNode result(String base, QueuedFalRequest request) {
        FluxInput input = request.input;
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode images = answer.putArray("images");
        ArrayNode nsfw = JSON.createArrayNode();
        for (int i = 0; i < input.numImages(); i++) {
            ObjectNode image = images.addObject();
            image.put("url", base + "/files/" + request.id + "/" + i + "." + input.outputFormat().fileExtension);
            image.put("width", input.width());
            image.put("height", input.height());
            image.put("content_type", input.outputFormat().contentType);
            nsfw.add(request.imageFlaggedNsfw());
        }
        answer.putObject("timings").put("inference", FalAnswers.seconds(request.runTime));
        answer.put("seed", request.seed);
        answer.set("has_nsfw_concepts", nsfw);
        answer.put("prompt", input.prompt());
        return answer;
    }
}

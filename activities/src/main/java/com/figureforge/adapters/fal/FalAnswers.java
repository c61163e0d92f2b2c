package com.figureforge.adapters.fal;

import com.figureforge.workflows.FailureType;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How {@link FalQueueClient} reads fal's HTTP answers: their JSON, and every failure as a {@link FalException}
 * whose {@link FailureType} tells retryable from final:
 * <ul>
 *   <li>422 (validation, content policy): {@code FAL_INPUT_REJECTED}, with fal's {@code detail} as the message;
 *   <li>408, 429, 5xx, I/O errors, timeouts: {@code FAL_UNAVAILABLE} (with fal's {@code Retry-After});
 *   <li>other 4xx, and a result that is the stored error of a request fal gave up on: {@code FAL_REQUEST_FAILED}.
 * </ul>
 * Kept apart from the client so the mapping is tested on answers alone, without a server.
 */
final class FalAnswers {

    /** The calls of the queue API, named in messages. */
    enum Operation {
        SUBMIT("submit"),
        STATUS("status"),
        RESULT("result"),
        CANCEL("cancel");

        final String label;

        Operation(String label) {
            this.label = label;
        }
    }

    static final String ERROR_TYPE_HEADER = "X-Fal-Error-Type";
    private static final String CONTENT_POLICY_VIOLATION = "content_policy_violation";
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(1);
    private static final int SNIPPET_BYTES = 300;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FalAnswers() {}

    static boolean success(int status) {
        return status >= 200 && status < 300;
    }

    /** Timeout, throttling, server or gateway error: worth another try. */
    static boolean transientStatus(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    /** No answer at all (I/O error, timeout, interrupt): always worth another try. */
    static FalException unavailable(Operation operation, String what, Throwable cause) {
        return new FalException(FailureType.FAL_UNAVAILABLE, "fal.ai " + operation.label + " " + what, cause);
    }

    /** An answer that is not a 2xx. */
    static FalException failure(Operation operation, int status, HttpHeaders headers, byte[] body) {
        JsonNode json = parseQuietly(body);
        String detail = json == null ? snippet(body) : detailMessage(json);
        String errorType = headers.firstValue(ERROR_TYPE_HEADER).orElse(json == null ? null : text(json, "error_type"));
        if (status == 422) {
            boolean contentPolicy = json != null && contentPolicy(json);
            String message = detail.isEmpty()
                    ? "fal.ai rejected the input" + (contentPolicy ? " (content policy)" : "")
                    : detail;
            return new FalException(
                    FailureType.FAL_INPUT_REJECTED, message, status, contentPolicy, errorType, null, null);
        }
        String message =
                "fal.ai " + operation.label + " answered HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
        // A result that is an error with fal's error_type is the stored outcome of a request fal gave up on:
        // asking again returns the same answer.
        boolean requestFailed = operation == Operation.RESULT && errorType != null;
        FailureType type = transientStatus(status) && !requestFailed
                ? FailureType.FAL_UNAVAILABLE
                : FailureType.FAL_REQUEST_FAILED;
        Duration retryAfter = type == FailureType.FAL_UNAVAILABLE ? retryAfter(headers) : null;
        return new FalException(type, message, status, false, errorType, retryAfter, null);
    }

    /** A 2xx body as a JSON object; anything else is a broken answer, worth another try. */
    static JsonNode object(Operation operation, int status, byte[] body) {
        JsonNode json = parseQuietly(body);
        if (json == null || !json.isObject()) {
            throw new FalException(
                    FailureType.FAL_UNAVAILABLE,
                    "fal.ai " + operation.label + " answered HTTP " + status
                            + " with a body that is not a JSON object: " + snippet(body),
                    status,
                    null);
        }
        return json;
    }

    /** The body as JSON, or null when it is empty or not JSON. */
    static JsonNode parseQuietly(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * fal's {@code detail}: a string (request errors), or a list of {@code {loc, msg, type}} (validation and
     * content policy errors), whose messages are joined.
     */
    static String detailMessage(JsonNode body) {
        JsonNode detail = body.path("detail");
        if (detail.isString()) {
            return detail.asString();
        }
        if (detail.isArray()) {
            List<String> messages = new ArrayList<>();
            for (JsonNode item : detail) {
                String message = item.isString() ? item.asString() : text(item, "msg");
                if (message != null && !message.isBlank() && !messages.contains(message)) {
                    messages.add(message);
                }
            }
            return String.join("; ", messages);
        }
        if (detail.isObject()) {
            String message = text(detail, "msg");
            return message == null ? detail.toString() : message;
        }
        String message = text(body, "message");
        return message == null ? "" : message;
    }

    /** A string field, or null when it is missing or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.asString() : null;
    }

    private static boolean contentPolicy(JsonNode body) {
        JsonNode detail = body.path("detail");
        if (detail.isArray()) {
            for (JsonNode item : detail) {
                if (CONTENT_POLICY_VIOLATION.equals(text(item, "type"))) {
                    return true;
                }
            }
        } else if (detail.isObject()) {
            return CONTENT_POLICY_VIOLATION.equals(text(detail, "type"));
        }
        return CONTENT_POLICY_VIOLATION.equals(text(body, "error_type"))
                || CONTENT_POLICY_VIOLATION.equals(text(body, "type"));
    }

    /** {@code Retry-After} in seconds (the form fal and proxies use), capped at a minute. */
    private static Duration retryAfter(HttpHeaders headers) {
        return headers.firstValue("Retry-After")
                .flatMap(value -> {
                    try {
                        long seconds = Long.parseLong(value.strip());
                        return seconds < 0 ? Optional.empty() : Optional.of(seconds);
                    } catch (NumberFormatException httpDate) {
                        return Optional.empty();
                    }
                })
                .map(seconds -> Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds())))
                .orElse(null);
    }

    private static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, SNIPPET_BYTES), StandardCharsets.UTF_8).strip();
        return body.length > SNIPPET_BYTES ? text + "..." : text;
    }
}

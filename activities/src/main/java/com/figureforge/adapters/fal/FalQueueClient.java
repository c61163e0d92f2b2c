package com.figureforge.adapters.fal;

import static com.figureforge.adapters.fal.FalAnswers.text;

import com.figureforge.adapters.fal.FalAnswers.Operation;
import com.figureforge.workflows.FailureType;
import com.figureforge.workflows.generation.FalImage;
import com.figureforge.workflows.generation.FalImageRequest;
import com.figureforge.workflows.generation.FalSubmission;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client of the fal.ai queue API ({@code https://queue.fal.run}): submit a request, follow it, fetch its
 * result, cancel it. Follow-up calls use the URLs fal returned on submit, never URLs built here (for a model
 * id with a sub-path they differ from the submit URL).
 *
 * <p>Every failure is a {@link FalException} whose {@link FailureType} tells retryable from final; how answers
 * map to it is {@link FalAnswers}.
 *
 * <p>Thread-safe; one instance per application. {@link #close()} releases the HTTP client.
 */
public class FalQueueClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FalQueueClient.class);

    /** fal's JSON answers are small; anything bigger is not an answer we understand. */
    private static final long MAX_ANSWER_BYTES = 4L * 1024 * 1024;

    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");

    private final FalClientSettings settings;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();

    public FalQueueClient(FalClientSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                // A redirect would carry the key to wherever it points: never follow one.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public FalClientSettings settings() {
        return settings;
    }

    /** POSTs the request to {@code {base}/{modelId}} and returns fal's request id and follow-up URLs. */
    public FalSubmission submit(FalImageRequest request) {
        return submit(request, null);
    }

    /**
     * Like {@link #submit(FalImageRequest)}; with a {@code webhook} fal POSTs the outcome there when the
     * request finishes (its {@code fal_webhook} query parameter), signed with fal's key.
     */
    public FalSubmission submit(FalImageRequest request, URI webhook) {
        if (request.modelId() == null || !MODEL_ID.matcher(request.modelId()).matches()) {
            throw new FalException(FailureType.FAL_REQUEST_FAILED, "not a fal model id: " + request.modelId(), null);
        }
        URI uri = URI.create(settings.baseUrl() + "/" + request.modelId()
                + (webhook == null
                        ? ""
                        : "?fal_webhook=" + URLEncoder.encode(webhook.toString(), StandardCharsets.UTF_8)));
        HttpRequest httpRequest = request(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(input(request))))
                .build();
        HttpResponse<byte[]> response = exchange(Operation.SUBMIT, httpRequest);
        JsonNode body = answer(Operation.SUBMIT, response);
        String requestId = text(body, "request_id");
        String statusUrl = text(body, "status_url");
        String responseUrl = text(body, "response_url");
        String cancelUrl = text(body, "cancel_url");
        if (requestId == null || statusUrl == null || responseUrl == null || cancelUrl == null) {
            throw new FalException(
                    FailureType.FAL_UNAVAILABLE,
                    "fal.ai accepted the submit but its answer lacks request_id or the request URLs",
                    response.statusCode(),
                    null);
        }
        log.debug("fal request {} submitted to {}", requestId, request.modelId());
        return new FalSubmission(requestId, statusUrl, responseUrl, cancelUrl);
    }

    /** GETs the submission's {@code status_url}. */
    public FalStatus status(FalSubmission submission) {
        HttpRequest httpRequest =
                request(followUp(submission.statusUrl(), "status_url")).GET().build();
        HttpResponse<byte[]> response = exchange(Operation.STATUS, httpRequest);
        return statusOf(answer(Operation.STATUS, response), response.statusCode());
    }

    /**
     * Opens the submission's status stream ({@code status_url/stream}, server-sent events): fal sends the
     * status object on every change and closes the stream after {@code COMPLETED}. Close it when done.
     */
    public FalStatusStream openStatusStream(FalSubmission submission) {
        URI uri = followUp(submission.statusUrl() + "/stream", "status_url");
        HttpRequest httpRequest =
                request(uri).setHeader("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> response =
                exchange(Operation.STATUS, httpRequest, HttpResponse.BodyHandlers.ofInputStream());
        if (!FalAnswers.success(response.statusCode())) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes((int) MAX_ANSWER_BYTES);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw FalAnswers.failure(Operation.STATUS, response.statusCode(), response.headers(), body);
        }
        return new FalStatusStream(
                response.body(),
                data -> statusOf(
                        FalAnswers.object(Operation.STATUS, response.statusCode(), data), response.statusCode()));
    }

    private static FalStatus statusOf(JsonNode body, int httpStatus) {
        String status = text(body, "status");
        if (status == null) {
            throw new FalException(FailureType.FAL_UNAVAILABLE, "fal.ai status answer has no status", httpStatus, null);
        }
        JsonNode position = body.path("queue_position");
        Integer queuePosition = position.isIntegralNumber() ? position.asInt() : null;
        return new FalStatus(status, queuePosition, text(body, "error_type"));
    }

    /** GETs the submission's {@code response_url}: the images of a completed request. */
    public FalResult result(FalSubmission submission) {
        HttpRequest httpRequest = request(followUp(submission.responseUrl(), "response_url"))
                .GET()
                .build();
        HttpResponse<byte[]> response = exchange(Operation.RESULT, httpRequest);
        JsonNode body = answer(Operation.RESULT, response);
        JsonNode images = body.path("images");
        if (!images.isArray()) {
            String detail = FalAnswers.detailMessage(body);
            throw new FalException(
                    FailureType.FAL_REQUEST_FAILED,
                    "fal.ai request " + submission.requestId() + " has no images"
                            + (detail.isEmpty() ? "" : ": " + detail),
                    response.statusCode(),
                    false,
                    text(body, "error_type"),
                    null,
                    null);
        }
        List<FalImage> result = new ArrayList<>();
        for (JsonNode image : images) {
            String url = text(image, "url");
            if (url == null) {
                throw new FalException(
                        FailureType.FAL_REQUEST_FAILED,
                        "fal.ai request " + submission.requestId() + " returned an image without a URL",
                        response.statusCode(),
                        null);
            }
            result.add(new FalImage(
                    url, image.path("width").asInt(0), image.path("height").asInt(0), text(image, "content_type")));
        }
        List<Boolean> nsfw = new ArrayList<>();
        for (JsonNode flag : body.path("has_nsfw_concepts")) {
            nsfw.add(flag.asBoolean(false));
        }
        return new FalResult(result, body.path("seed").asLong(0), nsfw);
    }

    /**
     * PUTs the submission's {@code cancel_url}. A request that already finished, or that fal no longer knows,
     * is not an error.
     */
    public FalCancelOutcome cancel(FalSubmission submission) {
        HttpRequest httpRequest = request(followUp(submission.cancelUrl(), "cancel_url"))
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<byte[]> response = exchange(Operation.CANCEL, httpRequest);
        int status = response.statusCode();
        String falStatus =
                FalAnswers.parseQuietly(response.body()) instanceof JsonNode body ? text(body, "status") : null;
        if (FalAnswers.success(status)) {
            return "ALREADY_COMPLETED".equals(falStatus)
                    ? FalCancelOutcome.ALREADY_COMPLETED
                    : FalCancelOutcome.CANCELLATION_REQUESTED;
        }
        if (status == 404) {
            return FalCancelOutcome.NOT_FOUND;
        }
        if (status == 400 && (falStatus == null || "ALREADY_COMPLETED".equals(falStatus))) {
            return FalCancelOutcome.ALREADY_COMPLETED;
        }
        throw failure(Operation.CANCEL, response);
    }

    @Override
    public void close() {
        HttpShutdown.soon(http);
    }

    // --- request building -------------------------------------------------------------------------------------

    private ObjectNode input(FalImageRequest request) {
        ObjectNode body = json.createObjectNode();
        body.put("prompt", request.prompt());
        if (request.imageSize() != null) {
            body.put("image_size", request.imageSize());
        }
        body.put("seed", request.seed());
        body.put("num_images", request.numImages());
        body.put("enable_safety_checker", request.enableSafetyChecker());
        if (request.outputFormat() != null) {
            body.put("output_format", request.outputFormat());
        }
        return body;
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(settings.readTimeout())
                .header("Accept", "application/json")
                .header("User-Agent", "figureforge");
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            // plain HTTP (local emulator): no h2c upgrade dance
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        if (settings.hasApiKey()) {
            builder.header("Authorization", "Key " + settings.apiKey());
        }
        return builder;
    }

    /**
     * A URL fal returned, checked before the key is sent to it: absolute http(s), and on the configured queue
     * host or, over https, on a fal.run / fal.ai host.
     */
    private URI followUp(String url, String field) {
        if (url == null || url.isBlank()) {
            throw new FalException(FailureType.FAL_REQUEST_FAILED, "the fal submission has no " + field, null);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new FalException(FailureType.FAL_REQUEST_FAILED, "fal.ai " + field + " is not a URL: " + url, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        URI base = settings.baseUrl();
        boolean sameOrigin = scheme.equalsIgnoreCase(base.getScheme())
                && host.equalsIgnoreCase(base.getHost())
                && port(uri) == port(base);
        boolean falHost = "https".equals(scheme)
                && (host.equals("fal.run")
                        || host.endsWith(".fal.run")
                        || host.equals("fal.ai")
                        || host.endsWith(".fal.ai"));
        if (!sameOrigin && !falHost) {
            throw new FalException(
                    FailureType.FAL_REQUEST_FAILED,
                    "refusing to follow fal.ai " + field + " on an unexpected host: " + scheme + "://" + host,
                    null);
        }
        return uri;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    // --- exchange ----------------------------------------------------------------------------------------------

    private HttpResponse<byte[]> exchange(Operation operation, HttpRequest request) {
        return exchange(operation, request, BoundedBody.handler(MAX_ANSWER_BYTES));
    }

    private <T> HttpResponse<T> exchange(
            Operation operation, HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
        Duration deadline = settings.connectTimeout().plus(settings.readTimeout());
        CompletableFuture<HttpResponse<T>> future = http.sendAsync(request, bodyHandler);
        try {
            return future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw FalAnswers.unavailable(operation, "timed out after " + deadline.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw FalAnswers.unavailable(operation, "interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw FalAnswers.unavailable(operation, "timed out (" + cause.getMessage() + ")", cause);
            }
            if (cause instanceof IOException) {
                throw FalAnswers.unavailable(operation, "failed: " + cause, cause);
            }
            throw FalAnswers.unavailable(operation, "failed unexpectedly: " + cause, cause);
        }
    }

    /** The answer of a call that must succeed, as a JSON object. */
    private static JsonNode answer(Operation operation, HttpResponse<byte[]> response) {
        if (!FalAnswers.success(response.statusCode())) {
            throw failure(operation, response);
        }
        return FalAnswers.object(operation, response.statusCode(), response.body());
    }

    private static FalException failure(Operation operation, HttpResponse<byte[]> response) {
        return FalAnswers.failure(operation, response.statusCode(), response.headers(), response.body());
    }
}
